"""JSONL export: one NeMo-compatible line per segment, with provenance.

A line carries ``audio_filepath`` (relative to the manifest), ``duration`` and ``text`` as NeMo
requires, ``offset`` when clips are not cut, ``speaker`` and ``lang``, and where the segment came
from and who touched it last. The export is built in a hidden sibling folder and renamed into
place at the end, so an interrupted export never leaves a manifest that looks complete.
"""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .access import require_role
from .audio import read_span, write_wav
from .config import Settings
from .errors import ValidationError
from .models import Actor, Project, SegmentStatus
from .store import ExportRow, Store

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.jsonl"


@dataclass(frozen=True)
class ExportOptions:
    statuses: tuple[SegmentStatus, ...] | None = None
    """Only segments in these states; None exports every segment."""
    cut_clips: bool = True
    """Cut each segment into its own 16 kHz mono WAV; otherwise reference the whole recording
    with ``offset`` and ``duration``."""
    overwrite: bool = False
    """Replace an existing, non-empty output folder instead of refusing."""


@dataclass(frozen=True)
class ExportReport:
    out_dir: Path
    manifest: Path
    segments: int
    audio_seconds: float


def export_jsonl(
    store: Store,
    settings: Settings,
    project: Project,
    out_dir: str | Path,
    options: ExportOptions = ExportOptions(),
    on_segment: Callable[[int], None] | None = None,
    *,
    actor: Actor,
) -> ExportReport:
    """Write the project's manifest (and clips) to ``out_dir``; leads of the project only."""
    require_role(actor, project, action="exporting")
    out_dir = Path(out_dir).resolve()
    _check_destination(out_dir, options.overwrite)
    staging = out_dir.parent / f".{out_dir.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    try:
        count, seconds = _write_export(store, settings, project, staging, options, on_segment)
        _move_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("exported %d segments (%.1f s) to %s", count, seconds, out_dir)
    return ExportReport(out_dir, out_dir / MANIFEST_NAME, count, seconds)


def _write_export(store, settings, project, staging: Path, options: ExportOptions, on_segment) -> tuple[int, float]:
    count, seconds = 0, 0.0
    copied_recordings: set[str] = set()
    with open(staging / MANIFEST_NAME, "w", encoding="utf-8") as manifest:
        for row in store.iter_export_rows(project.id, options.statuses):
            source = settings.data_dir / row.normalized_path
            if options.cut_clips:
                relative = f"audio/{row.segment.recording_id}/{row.segment.id}.wav"
                write_wav(staging / relative, read_span(source, row.segment.start, row.segment.end))
            else:
                relative = f"recordings/{row.segment.recording_id}.wav"
                if row.segment.recording_id not in copied_recordings:
                    (staging / "recordings").mkdir(exist_ok=True)
                    shutil.copyfile(source, staging / relative)
                    copied_recordings.add(row.segment.recording_id)
            line = manifest_line(row, relative, project, with_offset=not options.cut_clips)
            manifest.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
            seconds += row.segment.duration
            if on_segment:
                on_segment(count)
    return count, seconds


def manifest_line(row: ExportRow, audio_filepath: str, project: Project, with_offset: bool) -> dict[str, Any]:
    segment = row.segment
    line: dict[str, Any] = {"audio_filepath": audio_filepath, "duration": round(segment.duration, 3)}
    if with_offset:
        line["offset"] = round(segment.start, 3)
    line.update(
        text=segment.text,
        speaker=segment.speaker,
        lang=segment.language or project.language,
        segment_id=segment.id,
        recording_id=segment.recording_id,
        recording_label=row.recording_label,
        start=round(segment.start, 3),
        end=round(segment.end, 3),
        status=segment.status.value,
        draft_text=row.draft_text,
        model=row.draft_model,
        engine=row.draft_engine,
        last_editor=segment.updated_by,
        edited_at=segment.updated_at.isoformat() if segment.updated_at else None,
    )
    return line


def _check_destination(out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ValidationError(f"{out_dir} exists and is not a folder; choose a folder path")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise ValidationError(f"{out_dir} already exists and is not empty; choose a new folder or pass --overwrite")


def _move_into_place(staging: Path, out_dir: Path) -> None:
    previous = None
    if out_dir.exists():
        previous = out_dir.parent / f".{out_dir.name}.previous-{uuid.uuid4().hex[:8]}"
        out_dir.rename(previous)
    staging.rename(out_dir)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
