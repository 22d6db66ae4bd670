"""AI Hub label JSON (core/aihub.py's mapping): exported one per clip, imported back as drafts with
the speaker's and the recording's metadata (a round trip on SQLite and PostgreSQL), and a label
in the layout of AI Hub's public samples read with its values mapped."""

from __future__ import annotations

import json
import shutil

import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.aihub import read_aihub_label
from speechlabel.core.errors import ValidationError
from speechlabel.core.metadata import AgeGroup, Gender, MicDistance, RecordingMetadata, SpeakerMetadata
from speechlabel.core.models import SegmentEdit, SegmentStatus
from speechlabel.export import ExportOptions, export_dataset
from speechlabel.ingest.datasets import DatasetKind, import_dataset
from speechlabel.projects.manage import create_project
from speechlabel.projects.metadata import set_recording_metadata, set_speaker_metadata

SPEAKERS = {
    "A": SpeakerMetadata(Gender.FEMALE, AgeGroup.THIRTIES, "경상", "ko"),
    "B": SpeakerMetadata(Gender.MALE, AgeGroup.SIXTIES_PLUS),
}
RECORDING = RecordingMetadata("factory", "ReSpeaker 4-mic", MicDistance.FAR)
TEXTS = {"A": "불 켜 줘", "B": "in greasy wash water all year"}


@pytest.fixture
def described(store, project, ldc):
    """LDC93S1's two segments: speaker A says a Korean command, B the rest; metadata for both."""
    recording, segments = ldc
    for segment, speaker in zip(segments, SPEAKERS):
        edit = SegmentEdit(text=TEXTS[speaker], speaker=speaker, status=SegmentStatus.APPROVED)
        store.save_segment(segment.id, segment.version, edit, "lead")
        set_speaker_metadata(store, project, speaker, SPEAKERS[speaker], actor=SYSTEM)
    set_recording_metadata(store, project, recording.id, RECORDING, actor=SYSTEM)
    return recording


def test_export_then_import_keeps_texts_and_metadata(store, settings, project, described, tmp_path):
    out = tmp_path / "aihub"
    report = export_dataset(store, settings, project, out, ExportOptions(format="aihub"), actor=SYSTEM)
    names = (out / "aihub_labels.txt").read_text().split()
    assert len(names) == report.segments == 2
    labels = [json.loads((out / name).read_text(encoding="utf-8")) for name in names]
    first = next(label for label in labels if label["화자정보"]["SpeakerName"] == "A")
    assert first["전사정보"]["TransLabelText"] == "불 켜 줘" and first["화자정보"]["Age"] == "30~39"
    assert (first["화자정보"]["Gender"], first["환경정보"]["RecordingEnviron"]) == ("Female", "factory")
    assert (out / names[0]).with_suffix(".wav").is_file()

    again = create_project(store, "again", language="ko", actor=SYSTEM)
    imported = import_dataset(store, settings, again, out, actor=SYSTEM)
    assert imported.kind == DatasetKind.AIHUB and not imported.problems
    assert len(imported.recordings) == imported.segments == 2
    texts = {}
    for recording in imported.recordings:
        (segment,) = store.list_segments(recording.id)
        texts[segment.speaker] = store.latest_draft(segment.id).text
    assert texts == TEXTS
    assert store.speaker_metadata(again.id) == SPEAKERS
    assert store.recording_metadata(again.id) == {recording.id: RECORDING for recording in imported.recordings}


def test_offsets_are_refused_one_label_describes_one_clip(store, settings, project, described, tmp_path):
    with pytest.raises(ValidationError, match="cut clips"):
        options = ExportOptions(format="aihub", cut_clips=False)
        export_dataset(store, settings, project, tmp_path / "out", options, actor=SYSTEM)


# The layout and values of a label from AI Hub's public samples (MediaZen's command sets).
PUBLIC_SAMPLE = {
    "기본정보": {"Language": "KOR", "NumberOfSpeaker": "1", "DataCategory": "ReadSpeech", "RecordingDate": "N/A"},
    "음성정보": {"SamplingRate": "48000", "NumberOfBit": "16", "NumberOfChannel": "1", "SignalToNoiseRatio": "N/A"},
    "전사정보": {
        "OrgLabelText": "몇 리터로 드릴까요?",
        "TransLabelText": "몇 리터로 드릴까요?",
        "TextCategory": "AI답변",
    },
    "화자정보": {"SpeakerName": "KJW", "Gender": "Male", "Age": "10~19", "Region": "Seoul", "Dialect": "NotProvidied"},
    "환경정보": {"RecordingEnviron": "RecordingBooth", "NoiseEnviron": "Soundproof", "RecordingDevice": "RecordingMIC"},
    "파일정보": {"FileName": "6030_G1A1E7_KJW_000001.wav", "FileLength": 1.88, "FileFormat": "WAV", "Distance": "N/A"},
    "기타정보": {"QualityStatus": "Good", "SpeechStart": 0.3, "SpeechEnd": 1.58},
}


def test_a_public_sample_label_is_imported_with_its_values_mapped(store, settings, project, speech_dir, tmp_path):
    folder = tmp_path / "set" / "6030_G1A1E7_KJW"
    folder.mkdir(parents=True)
    shutil.copyfile(speech_dir / "en" / "LDC93S1.wav", folder / "6030_G1A1E7_KJW_000001.wav")
    (folder / "6030_G1A1E7_KJW_000001.json").write_text(json.dumps(PUBLIC_SAMPLE, ensure_ascii=False), "utf-8")
    odd = json.loads(json.dumps(PUBLIC_SAMPLE))
    odd["화자정보"].update(SpeakerName="XYZ", Gender="알수없음", Age="45")
    odd["파일정보"].update(FileName="6030_G1A1E7_KJW_000002.wav", FileLength=None, Distance="원거리")
    harvard = speech_dir / "en" / "speechbrain_harvard_spk1_snt1.wav"
    shutil.copyfile(harvard, folder / "6030_G1A1E7_KJW_000002.wav")
    (folder / "6030_G1A1E7_KJW_000002.json").write_text(json.dumps(odd, ensure_ascii=False), "utf-8")
    odd["파일정보"]["FileName"] = "missing.wav"
    (folder / "6030_G1A1E7_KJW_000003.json").write_text(json.dumps(odd, ensure_ascii=False), "utf-8")

    report = import_dataset(store, settings, project, tmp_path / "set", actor=SYSTEM)
    assert report.kind == DatasetKind.AIHUB and report.segments == 2 and not report.duplicates
    messages = [str(problem) for problem in report.problems]
    assert any("000002.json: Gender '알수없음' is not a value this mapping knows" in message for message in messages)
    assert any("000003.json" in message and "'missing.wav' not found" in message for message in messages)
    speakers = store.speaker_metadata(project.id)
    assert speakers["KJW"] == SpeakerMetadata(Gender.MALE, AgeGroup.TEEN, "Seoul")
    assert speakers["XYZ"] == SpeakerMetadata(None, AgeGroup.FORTIES, "Seoul")
    first, second = sorted(report.recordings, key=lambda recording: recording.label)
    assert store.recording_metadata(project.id) == {
        first.id: RecordingMetadata("RecordingBooth", "RecordingMIC"),
        second.id: RecordingMetadata("RecordingBooth", "RecordingMIC", MicDistance.FAR),
    }
    (segment,) = store.list_segments(first.id)
    assert store.latest_draft(segment.id).text == "몇 리터로 드릴까요?" and segment.speaker == "KJW"
    assert abs(segment.duration - 1.88) < 0.01
    (whole,) = store.list_segments(second.id)  # no FileLength: the whole file
    assert abs(whole.duration - second.duration) < 0.01


def test_age_and_distance_values_map_as_documented():
    def read(**person):
        return read_aihub_label({"전사정보": {}, "화자정보": person}).speaker_metadata.age_group

    assert [read(Age=age) for age in ("0~12", "7", "10~19", "13~19", "20대", "34", "60대 이상", "71", "N/A")] == [
        AgeGroup.CHILD,
        AgeGroup.CHILD,
        AgeGroup.TEEN,
        AgeGroup.TEEN,
        AgeGroup.TWENTIES,
        AgeGroup.THIRTIES,
        AgeGroup.SIXTIES_PLUS,
        AgeGroup.SIXTIES_PLUS,
        None,
    ]
    distance = read_aihub_label({"전사정보": {}, "파일정보": {"Distance": "근거리"}}).recording_metadata.mic_distance
    assert distance == MicDistance.NEAR
