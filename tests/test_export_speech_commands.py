"""The Speech Commands layout, built from real speech cut at Whisper's word boundaries (JFK and
the TIMIT sample, two speakers) and real noise, read back the ways its consumers read it:

- ``torchaudio.datasets.SPEECHCOMMANDS``: torchaudio is not installed here (it needs a torch of
  its own), so ``read_subset`` (tests/speech_commands_reader.py) walks the folder exactly as its ``__init__`` and
  ``_get_speechcommands_metadata`` do (lists, ``*/*.wav`` glob, ``_nohash_`` and
  ``_background_noise_`` rules, label from the folder, speaker and number from the name);
- Hugging Face ``datasets.load_dataset("audiofolder", ...)``: labels from the folder names.
"""

from __future__ import annotations

import re
from pathlib import Path

import datasets
import numpy as np
import pytest
import soundfile as sf

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import SegmentEdit, SegmentStatus
from speechlabel.export import ExportOptions, export_dataset
from speechlabel.export.command_clips import (
    LongClips,
    SpeechCommandsOptions,
    command_label,
    fit_clip,
    speaker_hash,
    which_set,
)
from speechlabel.ingest.files import import_audio
from tests.command_line import run
from tests.korean_errors import assert_in_korean
from tests.sample_projects import real_drafts
from tests.speech_commands_reader import read_subset

SPEAKERS = {"jfk.wav": "Kennedy", "LDC93S1.wav": "TIMIT speaker"}


@pytest.fixture
def commands(store, settings, project, speech_dir):
    """Up to five single words per speaker cut at the draft's word times, one whole drafted
    sentence (over 1 s: trimmed), and 2 s of real noise tagged noise."""
    drafted = real_drafts(speech_dir)
    words = {}
    for label, speaker in SPEAKERS.items():
        recording = import_audio(store, settings, project, (speech_dir / "en" / label).read_bytes(), label)
        first_start, first_end, first_draft = drafted[label][0]
        chosen = [w for w in first_draft.words if w.duration < 0.9][:5]
        spans = [(w.start, w.end) for w in chosen] + [(first_start, first_end)]
        texts = [w.symbol for w in chosen] + [first_draft.text]
        words[speaker] = texts
        _label(store, project, recording, spans, texts, speaker)
    noise = speech_dir / "noise" / "speechbrain_noise5_stationary.wav"
    recording = import_audio(store, settings, project, noise.read_bytes(), "noise.wav")
    _label(store, project, recording, [(1.0, 3.0)], [""], None, tags=("noise",))
    return words


def _label(store, project, recording, spans, texts, speaker, tags=()):
    segments = store.replace_segments(recording.id, project.id, spans, {}, "prelabel")
    for segment, text in zip(segments, texts):
        edit = SegmentEdit(text=text, speaker=speaker, tags=tags, status=SegmentStatus.APPROVED)
        store.save_segment(segment.id, segment.version, edit, "lead")


def _export(store, settings, project, out, **choices):
    options = ExportOptions(format="speech_commands", **choices)
    return export_dataset(store, settings, project, out, options, actor=SYSTEM)


def test_the_layout_reads_as_torchaudio_and_hugging_face_read_it(store, settings, project, commands, tmp_path):
    out = tmp_path / "commands"
    report = _export(store, settings, project, out)
    subsets = {name: read_subset(out, name) for name in ("training", "validation", "testing")}
    clips = [item for items in subsets.values() for item in items]
    assert len(clips) == sum(len(texts) for texts in commands.values()) == report.segments - 1
    expected_labels = {command_label(text) for texts in commands.values() for text in texts}
    assert {label for _, label, _, _ in clips} == expected_labels
    for filepath, label, speaker_id, number in clips:
        assert Path(filepath).parent.name == label
        assert re.fullmatch(r"[0-9a-f]{8}", speaker_id) and number >= 0
        info = sf.info(filepath)
        assert (info.samplerate, info.channels, info.frames) == (16000, 1, 16000)
    # The speaker hash is the speaker's; no speaker crosses subsets (the split is by its hash).
    assert {speaker_id for _, _, speaker_id, _ in clips} == {speaker_hash(f"speaker:{s}") for s in SPEAKERS.values()}
    for speaker_id in {speaker_id for _, _, speaker_id, _ in clips}:
        assert len([name for name, items in subsets.items() if any(i[2] == speaker_id for i in items)]) == 1
    # The whole first sentences were over 1 s: cut around their middle and listed.
    trimmed = (out / "trimmed_list.txt").read_text().split()
    assert len(trimmed) == 2 and all((out / name).is_file() for name in trimmed)
    (noise,) = (out / "_background_noise_").glob("*.wav")
    assert sf.info(str(noise)).frames == 32000 and (out / "_background_noise_" / "README.md").is_file()
    # Hugging Face: the split lists' file names would read as split names to a bare data_dir, so
    # the clips are given per split, as the dataset card says; labels come from the folders.
    data_files = {"train": [p for p, *_ in subsets["training"]], "validation": [p for p, *_ in subsets["validation"]]}
    data_files["test"] = [p for p, *_ in subsets["testing"]]
    data_files = {name: files for name, files in data_files.items() if files}
    loaded = datasets.load_dataset("audiofolder", data_files=data_files, cache_dir=str(tmp_path / "hf-cache"))
    assert {name: len(split) for name, split in loaded.items()} == {name: len(f) for name, f in data_files.items()}
    for split in loaded.values():
        names = split.features["label"].names
        assert set(names) == expected_labels
        for row in split.cast_column("audio", datasets.Audio(decode=False)):
            assert Path(row["audio"]["path"]).parent.name == names[row["label"]]
    everything = datasets.load_dataset("audiofolder", data_files=f"{out}/*/*.wav", cache_dir=str(tmp_path / "hf-all"))
    assert set(everything["train"].features["label"].names) == expected_labels | {"_background_noise_"}


def test_which_set_keeps_every_speaker_in_one_split_and_meets_the_shares():
    splits = {}
    for speaker in range(2000):
        group = speaker_hash(f"speaker:{speaker}")
        sets = {which_set(f"yes/{group}_nohash_{n}.wav", 10, 10) for n in range(3)}
        assert len(sets) == 1
        splits[group] = sets.pop()
    shares = {name: list(splits.values()).count(name) / len(splits) for name in ("validation", "testing")}
    assert 0.08 < shares["validation"] < 0.12 and 0.08 < shares["testing"] < 0.12


def test_labels_and_clip_fitting():
    assert command_label(" Turn on the LIGHT! ") == "turn_on_the_light"
    assert command_label("불 켜.") == "불_켜" and command_label(" … ") == "_unknown_"
    padded, cut = fit_clip(np.ones(5, dtype="float32"), 10)
    assert not cut and padded.tolist() == [0, 0, 1, 1, 1, 1, 1, 0, 0, 0]
    middle, cut = fit_clip(np.arange(10, dtype="float32"), 4)
    assert cut and middle.tolist() == [3, 4, 5, 6]


def test_what_the_layout_cannot_hold_is_refused(store, settings, project, commands, tmp_path):
    refuse = SpeechCommandsOptions(long_clips=LongClips.REFUSE)
    with pytest.raises(ValidationError) as refused:
        _export(store, settings, project, tmp_path / "a", speech_commands=refuse)
    assert "longer than the 1.0 s clips" in str(refused.value)
    assert_in_korean(refused.value)
    for choices, words in (
        ({"split_by": "speaker"}, "its own lists"),
        ({"sample_rate": 8000}, "16 kHz"),
        ({"speech_commands": SpeechCommandsOptions(long_clips="cut")}, "allowed: trim, refuse"),
        ({"speech_commands": SpeechCommandsOptions(validation_percentage=60, testing_percentage=50)}, "sum to"),
    ):
        with pytest.raises(ValidationError) as refused:
            _export(store, settings, project, tmp_path / "b", **choices)
        assert words in str(refused.value)
        assert_in_korean(refused.value)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_the_command_line_writes_the_layout_and_passes_its_choices(data_dir, speech_dir, tmp_path, capsys):
    assert run(data_dir, "project", "create", "demo", "--language", "en") == 0
    assert run(data_dir, "import", "demo", str(speech_dir / "en" / "LDC93S1.wav")) == 0
    args = ("export", "demo", "--format", "speech_commands", "--status", "all", "--out")
    assert run(data_dir, *args, str(tmp_path / "ok"), "--long-clips", "refuse", "--noise-tag", "hum") == 0
    assert (tmp_path / "ok" / "validation_list.txt").is_file() and (tmp_path / "ok" / "_background_noise_").is_dir()
    capsys.readouterr()
    assert run(data_dir, *args, str(tmp_path / "split"), "--split-by", "speaker") == 1
    assert "its own lists" in capsys.readouterr().err
