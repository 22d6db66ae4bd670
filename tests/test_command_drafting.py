"""Drafting a command project on real speech: short phrases cut from JFK's speech at Whisper's
word boundaries (each with its words from the reference, jfk.txt) are uploaded as a command set,
segmented and drafted by the real pipeline (tiny.en, steered by the vocabulary or not), and each
segment's card proposes the command its phrase is, or marks the one phrase outside the
vocabulary. Unsteered, tiny.en mishears one phrase, which then reads as outside the vocabulary."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.samples import TARGET_RATE, load_mono_16k
from speechlabel.core.command_match import words_of
from speechlabel.core.commands import CommandSettings, ProjectKind
from speechlabel.ingest.files import import_audio
from speechlabel.labeling.loop.cards import segment_card
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.pipeline import prelabel_project
from speechlabel.prelabel.project_options import transcribe_options_for
from speechlabel.prelabel.transcribe import get_engine
from speechlabel.projects.commands import parse_commands, update_command_settings
from speechlabel.projects.manage import create_project
from tests.sample_projects import drafts_for_all

VOCABULARY = """\
fellow americans | my fellow americans
ask not
your country
lights on | turn on the lights
stop the line
"""
# The phrase cut from the speech (words of jfk.txt) and the command it should propose (None:
# outside the vocabulary).
PHRASES = {
    "my fellow americans": "fellow americans",
    "ask not": "ask not",
    "your country": "your country",
    "and so": None,
}
PAD_SECONDS = 0.4  # silence around each cut, as a recorded command has


@pytest.fixture(scope="module")
def cuts(speech_dir) -> dict[str, bytes]:
    """Each phrase of PHRASES cut from jfk.wav halfway into the pauses around it, as WAV bytes."""
    samples = load_mono_16k(speech_dir / "en" / "jfk.wav")
    reference = words_of((speech_dir / "en" / "jfk.txt").read_text(encoding="utf-8"))
    options = TranscribeOptions(model="tiny.en", language="en")
    words = get_engine(options).transcribe(samples, options).words
    spoken = ["".join(words_of(w.symbol)) for w in words]
    assert spoken == reference, "tiny.en heard JFK otherwise: the cuts would not hold their words"
    found = {}
    for phrase in PHRASES:
        wanted = phrase.split()
        first = next(i for i in range(len(spoken)) if spoken[i : i + len(wanted)] == wanted)
        last = first + len(wanted) - 1
        start = (words[first - 1].end + words[first].start) / 2 if first else 0.0
        end = (words[last].end + words[last + 1].start) / 2 if last + 1 < len(words) else words[last].end
        piece = samples[int(start * TARGET_RATE) : int(end * TARGET_RATE)]
        pad = np.zeros(int(PAD_SECONDS * TARGET_RATE), dtype=np.float32)
        buffer = io.BytesIO()
        sf.write(buffer, np.concatenate([pad, piece, pad]), TARGET_RATE, format="WAV", subtype="PCM_16")
        found[phrase] = buffer.getvalue()
    return found


@pytest.mark.parametrize("steer", [False, True], ids=["unsteered", "steered"])
def test_a_command_set_is_drafted_and_each_draft_proposes_its_command(store, settings, cuts, steer):
    project = create_project(
        store, "factory", language="en", actor=SYSTEM, transcribe_options=TranscribeOptions(model="tiny.en")
    )
    project = drafts_for_all(store, project)
    vocabulary = CommandSettings(ProjectKind.COMMANDS, parse_commands(VOCABULARY), steer=steer)
    project = update_command_settings(store, SYSTEM, project, vocabulary)
    assert ("my fellow americans" in transcribe_options_for(project).glossary) == steer  # the hotwords
    for phrase, data in cuts.items():
        import_audio(store, settings, project, data, f"{phrase.replace(' ', '_')}.wav")
    prelabel_project(store, settings, project)
    proposed = {}
    for recording in store.list_recordings(project.id):
        (segment,) = store.list_segments(recording.id)
        card = segment_card(store, settings, SYSTEM, segment.id)
        assert card.command is not None and card.draft is not None
        proposed[recording.label.removesuffix(".wav").replace("_", " ")] = (card.command.label, card.command.outside)
    expected = {phrase: (label, label is None) for phrase, label in PHRASES.items()}
    if not steer:  # tiny.en alone hears "I fell in America.": the hotwords are what fix it
        expected["my fellow americans"] = (None, True)
    assert proposed == expected
    # A from-scratch segment (labor baseline) proposes nothing: the proposal would give the draft away.
    store.update_assignment_settings(project.id, replace(project.assignment_settings, from_scratch_share=1.0))
    for recording in store.list_recordings(project.id):
        (segment,) = store.list_segments(recording.id)
        card = segment_card(store, settings, SYSTEM, segment.id)
        assert card.command is not None and (card.command.label, card.command.how) == (None, "no_draft")
