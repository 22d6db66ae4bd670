"""JSONL export: NeMo fields, clips or offsets, provenance, status filter, atomic writing."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.samples import read_span
from speechlabel.core.errors import Conflict, ValidationError
from speechlabel.core.models import SegmentStatus
from speechlabel.export import MANIFEST_NAME, ExportOptions, export_jsonl

EVERY_STATUS = ExportOptions(statuses=None)  # these tests export drafts too; the default is approved only


def read_manifest(folder):
    return [json.loads(line) for line in (folder / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()]


def test_clips_are_cut_per_segment_with_nemo_fields_and_provenance(store, settings, project, labeled, tmp_path):
    recording, segments = labeled
    report = export_jsonl(store, settings, project, tmp_path / "out", EVERY_STATUS, actor=SYSTEM)
    lines = read_manifest(tmp_path / "out")
    assert report.segments == len(lines) == 3
    for line, segment in zip(lines, segments):
        clip = tmp_path / "out" / line["audio_filepath"]
        info = sf.info(str(clip))
        assert (info.samplerate, info.channels) == (16000, 1)
        assert info.duration == pytest.approx(line["duration"], abs=0.001)
        assert "offset" not in line
        assert line["segment_id"] == segment.id and line["recording_id"] == recording.id
        assert (line["start"], line["end"]) == (segment.start, segment.end)
        assert line["recording_label"] == "call 01.wav" and line["lang"] == "en"
        assert line["model"] == "base" and line["draft_text"] == f"draft {segment.start}"
    assert lines[1]["text"] == "hello there"
    assert (lines[1]["speaker"], lines[1]["status"], lines[1]["last_editor"]) == ("A", "approved", "ana")
    assert lines[0]["last_editor"] == "prelabel" and lines[0]["edited_at"].endswith("+00:00")


def test_offsets_reference_the_recording_and_give_the_same_samples(store, settings, project, labeled, tmp_path):
    export_jsonl(store, settings, project, tmp_path / "clips", EVERY_STATUS, actor=SYSTEM)
    export_jsonl(
        store, settings, project, tmp_path / "offsets", ExportOptions(statuses=None, cut_clips=False), actor=SYSTEM
    )
    for clip_line, offset_line in zip(read_manifest(tmp_path / "clips"), read_manifest(tmp_path / "offsets")):
        clip, _ = sf.read(str(tmp_path / "clips" / clip_line["audio_filepath"]), dtype="float32")
        span = read_span(
            tmp_path / "offsets" / offset_line["audio_filepath"],
            offset_line["offset"],
            offset_line["offset"] + offset_line["duration"],
        )
        assert np.allclose(clip, span, atol=1 / 32768)
    assert len(list((tmp_path / "offsets" / "recordings").iterdir())) == 1


def test_by_default_only_approved_segments_are_exported(store, settings, project, labeled, tmp_path):
    report = export_jsonl(store, settings, project, tmp_path / "out", actor=SYSTEM)
    assert report.segments == 1
    assert [(line["text"], line["status"]) for line in read_manifest(tmp_path / "out")] == [("hello there", "approved")]
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "- statuses: approved\n" in card
    assert "- auto-accepted segments: excluded " in card
    export_jsonl(store, settings, project, tmp_path / "all", EVERY_STATUS, actor=SYSTEM)
    every = (tmp_path / "all" / "README.md").read_text(encoding="utf-8")
    assert "- statuses: every status\n" in every and "- auto-accepted segments: included " in every


def test_no_status_at_all_is_refused_not_an_empty_export(store, settings, project, labeled, tmp_path):
    with pytest.raises(ValidationError, match="no status is chosen") as refused:
        export_jsonl(store, settings, project, tmp_path / "out", ExportOptions(statuses=()), actor=SYSTEM)
    assert refused.value.message_key == "error.export_no_status" and not (tmp_path / "out").exists()


def test_status_filter_exports_only_the_chosen_segments(store, settings, project, labeled, tmp_path):
    report = export_jsonl(
        store, settings, project, tmp_path / "out", ExportOptions(statuses=(SegmentStatus.APPROVED,)), actor=SYSTEM
    )
    assert report.segments == 1
    assert [line["text"] for line in read_manifest(tmp_path / "out")] == ["hello there"]


def test_an_existing_export_is_never_overwritten_unless_asked(store, settings, project, labeled, tmp_path):
    out = tmp_path / "exports" / "out"
    export_jsonl(store, settings, project, out, EVERY_STATUS, actor=SYSTEM)
    before = (out / MANIFEST_NAME).read_bytes()
    with pytest.raises(ValidationError, match="already exists and is not empty"):
        export_jsonl(store, settings, project, out, EVERY_STATUS, actor=SYSTEM)
    assert (out / MANIFEST_NAME).read_bytes() == before
    report = export_jsonl(
        store, settings, project, out, ExportOptions(statuses=(SegmentStatus.APPROVED,), overwrite=True), actor=SYSTEM
    )
    assert report.segments == 1 and len(read_manifest(out)) == 1
    assert [p.name for p in out.parent.iterdir()] == ["out"]  # no staging or previous copy left


def test_overwrite_replaces_only_an_earlier_export(store, settings, project, labeled, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work")
    with pytest.raises(ValidationError, match="not a speechlabel export"):
        export_jsonl(store, settings, project, mine, ExportOptions(statuses=None, overwrite=True), actor=SYSTEM)
    assert [p.name for p in mine.iterdir()] == ["thesis.txt"]
    for holder in (settings.data_dir, settings.data_dir.parent):
        with pytest.raises(ValidationError, match="holds the data folder"):
            export_jsonl(store, settings, project, holder, ExportOptions(statuses=None, overwrite=True), actor=SYSTEM)
    assert settings.data_dir.is_dir() and any(settings.data_dir.iterdir())


def test_an_export_never_replaces_one_that_took_its_folder_while_it_ran(store, settings, project, labeled, tmp_path):
    out = tmp_path / "exports" / "out"

    def other_export_finishes_first(count):
        if count == 1:  # after this export checked the folder and started writing
            export_jsonl(store, settings, project, out, EVERY_STATUS, actor=SYSTEM)

    with pytest.raises(Conflict, match="was filled by another export while this one ran") as refused:
        export_jsonl(
            store,
            settings,
            project,
            out,
            ExportOptions(statuses=(SegmentStatus.APPROVED,)),
            on_segment=other_export_finishes_first,
            actor=SYSTEM,
        )
    assert refused.value.message_key == "error.export_dir_taken"
    assert len(read_manifest(out)) == 3  # the other export's (all segments), not this one's single approved one
    assert [p.name for p in out.parent.iterdir()] == ["out"]  # this export's staging is gone

    # With overwrite, the later export replaces it, as asked.
    def again(count):
        if count == 1:
            export_jsonl(store, settings, project, out, ExportOptions(statuses=None, overwrite=True), actor=SYSTEM)

    export_jsonl(
        store,
        settings,
        project,
        out,
        ExportOptions(statuses=(SegmentStatus.APPROVED,), overwrite=True),
        on_segment=again,
        actor=SYSTEM,
    )
    assert len(read_manifest(out)) == 1 and [p.name for p in out.parent.iterdir()] == ["out"]


def test_an_interrupted_export_leaves_no_manifest_behind(store, settings, project, labeled, tmp_path):
    def crash(count):
        if count == 2:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        export_jsonl(
            store, settings, project, tmp_path / "exports" / "out", EVERY_STATUS, on_segment=crash, actor=SYSTEM
        )
    assert list((tmp_path / "exports").iterdir()) == []
