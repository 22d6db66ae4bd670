"""Speaker and recording metadata: the values' rules (in both languages), who may set them, the
store (SQLite and PostgreSQL), the command line, and the exports that carry them (NeMo, Hugging
Face audiofolder loaded by ``datasets``, Lhotse loaded by lhotse)."""

from __future__ import annotations

import json

import datasets
import lhotse
import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.errors import Forbidden, NotFound, ValidationError
from speechlabel.core.metadata import AgeGroup, Gender, MicDistance, RecordingMetadata, SpeakerMetadata
from speechlabel.export import ExportOptions, export_dataset
from speechlabel.projects.metadata import set_recording_metadata, set_speaker_metadata
from tests.command_line import run
from tests.korean_errors import assert_in_korean

SPEAKER = SpeakerMetadata(Gender.FEMALE, AgeGroup.THIRTIES, "경상", "ko")
RECORDING = RecordingMetadata("factory", "ReSpeaker 4-mic", MicDistance.FAR)
COLUMNS = {
    "gender": "female",
    "age_group": "30s",
    "dialect": "경상",
    "native_language": "ko",
    "environment": "factory",
    "device": "ReSpeaker 4-mic",
    "mic_distance": "far",
}


def test_values_are_read_from_text_and_bad_ones_refused_in_both_languages():
    assert SpeakerMetadata.from_text(" Female ", "30S", " 경상 ", "ko") == SPEAKER
    assert SpeakerMetadata.from_text("", "", "  ", None) == SpeakerMetadata()
    assert RecordingMetadata.from_text("factory", "ReSpeaker 4-mic", "FAR") == RECORDING
    for call, allowed in (
        (lambda: SpeakerMetadata.from_text(gender="f"), "female, male, other, unknown"),
        (lambda: SpeakerMetadata.from_text(age_group="31"), "child, teen, 20s, 30s, 40s, 50s, 60s+, unknown"),
        (lambda: RecordingMetadata.from_text(mic_distance="3 m"), "near, mid, far, unknown"),
    ):
        with pytest.raises(ValidationError) as refused:
            call()
        assert allowed in str(refused.value)
        assert "허용" in assert_in_korean(refused.value)
    for bad in ("x" * 101, "line\nbreak"):
        with pytest.raises(ValidationError) as refused:
            RecordingMetadata.from_text(device=bad)
        assert "at most 100 characters" in str(refused.value)
        assert "녹음 기기" in assert_in_korean(refused.value)


def test_a_lead_sets_metadata_a_labeler_may_not(store, project, labeled, team):
    recording, _ = labeled
    assert store.project_speakers(project.id) == ["A"]  # named on a segment
    with pytest.raises(Forbidden):
        set_speaker_metadata(store, project, "A", SPEAKER, actor=team["ana"])
    with pytest.raises(Forbidden):
        set_recording_metadata(store, project, recording.id, RECORDING, actor=team["ana"])
    set_speaker_metadata(store, project, " A ", SPEAKER, actor=team["lead"])
    set_recording_metadata(store, project, recording.id, RECORDING, actor=team["lead"])
    assert store.speaker_metadata(project.id) == {"A": SPEAKER}
    assert store.recording_metadata(project.id) == {recording.id: RECORDING}
    # An edit replaces the record; an empty one forgets it.
    set_speaker_metadata(store, project, "A", SpeakerMetadata(gender=Gender.MALE), actor=team["lead"])
    set_speaker_metadata(store, project, "Z", SpeakerMetadata(dialect="제주"), actor=team["lead"])
    assert store.project_speakers(project.id) == ["A", "Z"]
    assert store.speaker_metadata(project.id) == {
        "A": SpeakerMetadata(gender=Gender.MALE),
        "Z": SpeakerMetadata(dialect="제주"),
    }
    set_recording_metadata(store, project, recording.label, RecordingMetadata(), actor=team["lead"])
    assert store.recording_metadata(project.id) == {}
    with pytest.raises(NotFound):
        set_recording_metadata(store, project, "no-such-recording", RECORDING, actor=team["lead"])


def test_the_command_line_sets_and_lists_metadata(data_dir, speech_dir, capsys):
    assert run(data_dir, "project", "create", "demo", "--language", "en") == 0
    assert run(data_dir, "import", "demo", str(speech_dir / "en" / "LDC93S1.wav")) == 0
    assert run(data_dir, "speaker", "set", "demo", "A", "--gender", "female", "--age-group", "30s") == 0
    assert run(data_dir, "speaker", "set", "demo", "A", "--dialect", "경상", "--age-group", "") == 0
    assert run(data_dir, "recording", "set", "demo", "LDC93S1.wav", "--environment", "office") == 0
    assert run(data_dir, "recording", "set", "demo", "LDC93S1.wav", "--mic-distance", "near") == 0
    capsys.readouterr()
    assert run(data_dir, "speaker", "list", "demo") == 0
    assert run(data_dir, "recording", "list", "demo") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "A\tgender=female\tage_group=\tdialect=경상\tnative_language="
    assert lines[1].endswith("LDC93S1.wav\tenvironment=office\tdevice=\tmic_distance=near")
    assert run(data_dir, "--lang", "ko", "speaker", "set", "demo", "A", "--gender", "f") == 1
    assert "성별" in capsys.readouterr().err
    assert run(data_dir, "recording", "set", "demo", "missing.wav", "--device", "x") == 1


@pytest.fixture
def described(store, project, labeled):
    """The labeled call with speaker A's and the recording's metadata set."""
    recording, segments = labeled
    set_speaker_metadata(store, project, "A", SPEAKER, actor=SYSTEM)
    set_recording_metadata(store, project, recording.id, RECORDING, actor=SYSTEM)
    return recording, segments


def _export(store, settings, project, out, fmt):
    options = ExportOptions(format=fmt, statuses=None)
    return export_dataset(store, settings, project, out, options, actor=SYSTEM)


def test_nemo_lines_carry_the_metadata_set(store, settings, project, described, tmp_path):
    _export(store, settings, project, tmp_path / "nemo", "nemo")
    lines = [json.loads(line) for line in (tmp_path / "nemo" / "manifest.jsonl").read_text().splitlines()]
    by_speaker = {line["speaker"]: line for line in lines}
    assert {key: by_speaker["A"][key] for key in COLUMNS} == COLUMNS
    # A segment without a speaker still carries its recording's metadata, and no speaker fields.
    anonymous = by_speaker[None]
    assert anonymous["environment"] == "factory" and "gender" not in anonymous


def test_hugging_face_loads_the_metadata_columns(store, settings, project, described, tmp_path):
    out = tmp_path / "hf"
    _export(store, settings, project, out, "hf")
    loaded = datasets.load_dataset("audiofolder", data_dir=str(out), cache_dir=str(tmp_path / "hf-cache"))["train"]
    rows = [row for row in loaded.cast_column("audio", datasets.Audio(decode=False))]
    (speaker_a,) = [row for row in rows if row["speaker"] == "A"]
    assert {key: speaker_a[key] for key in COLUMNS} == COLUMNS
    others = [row for row in rows if row["speaker"] != "A"]
    assert others and all(row["gender"] == "" and row["environment"] == "factory" for row in others)


def test_lhotse_reads_gender_and_the_rest_in_custom(store, settings, project, described, tmp_path):
    out = tmp_path / "lhotse"
    _export(store, settings, project, out, "lhotse")
    supervisions = lhotse.load_manifest(out / "supervisions.jsonl.gz")
    (speaker_a,) = [s for s in supervisions if s.speaker == "A"]
    assert speaker_a.gender == "female"
    expected = {key: value for key, value in COLUMNS.items() if key != "gender"}
    assert {key: speaker_a.custom[key] for key in expected} == expected
    lhotse.validate(supervisions)
