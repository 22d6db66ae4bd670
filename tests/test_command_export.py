"""A command project's chosen classes are what its exports use as labels: segments of real speech
(JFK, cut at tiny.en's word times) labeled through the label loop's save with a command, with
``_unknown_`` and with ``_silence_``, exported as Speech Commands and read back as torchaudio's
SPEECHCOMMANDS and Hugging Face ``audiofolder`` read it; and as AI Hub JSON, whose transcript
field holds the class."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.commands import SILENCE, UNKNOWN, CommandSettings, ProjectKind
from speechlabel.core.models import Role
from speechlabel.export import ExportOptions, export_dataset
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.projects.commands import parse_commands, update_command_settings
from speechlabel.review.decisions import approve
from tests.sample_projects import member, real_drafts
from tests.speech_commands_reader import read_subset

VOCABULARY = "fellow americans | my fellow americans\nask not\nyour country | your country can do\n"


@pytest.fixture
def labeled_commands(store, settings, project, speech_dir):
    """JFK's first words as segments (one per word, at the draft's times), each saved by the lead
    with a class and approved: the classes, in order."""
    lead = member(store, project, "ben", Role.LEAD)
    reviewer = member(store, project, "rita", Role.REVIEWER)
    update_command_settings(store, lead, project, CommandSettings(ProjectKind.COMMANDS, parse_commands(VOCABULARY)))
    _, _, draft = real_drafts(speech_dir)["jfk.wav"][0]
    recording = import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    words = [w for w in draft.words if w.duration < 0.9][:6]
    segments = store.replace_segments(recording.id, project.id, [(w.start, w.end) for w in words], {}, "prelabel")
    chosen = ["fellow americans", "ask not", "your country", UNKNOWN, SILENCE, "ask not"]
    for segment, label in zip(segments, chosen):
        saved, _ = labeling.submit(store, lead, segment.id, segment.version, label, "Kennedy", (), None)
        approve(store, reviewer, saved.id, saved.version)  # exports take approved segments
    return chosen[: len(segments)]


def test_speech_commands_folders_are_the_chosen_classes(store, settings, project, labeled_commands, tmp_path):
    out = tmp_path / "commands"
    export_dataset(store, settings, project, out, ExportOptions(format="speech_commands"), actor=SYSTEM)
    clips = [item for subset in ("training", "validation", "testing") for item in read_subset(out, subset)]
    folder = {"fellow americans": "fellow_americans", "ask not": "ask_not", "your country": "your_country"}
    expected = sorted(folder.get(label, label) for label in labeled_commands)
    assert sorted(label for _, label, _, _ in clips) == expected
    assert {UNKNOWN, SILENCE} <= {label for _, label, _, _ in clips}
    loaded = datasets.load_dataset(
        "audiofolder", data_files=[path for path, *_ in clips], cache_dir=str(tmp_path / "hf-cache")
    )
    names = loaded["train"].features["label"].names
    rows = list(loaded["train"].cast_column("audio", datasets.Audio(decode=False)))
    assert sorted(names[row["label"]] for row in rows) == expected
    assert all(Path(row["audio"]["path"]).parent.name == names[row["label"]] for row in rows)


def test_ai_hub_labels_hold_the_chosen_classes(store, settings, project, labeled_commands, tmp_path):
    out = tmp_path / "aihub"
    export_dataset(store, settings, project, out, ExportOptions(format="aihub", cut_clips=True), actor=SYSTEM)
    index = (out / "aihub_labels.txt").read_text(encoding="utf-8").split()
    texts = [json.loads((out / name).read_text(encoding="utf-8"))["전사정보"]["TransLabelText"] for name in index]
    assert sorted(texts) == sorted(labeled_commands)
    assert all(Path(out / name).with_suffix(".wav").is_file() for name in index)
