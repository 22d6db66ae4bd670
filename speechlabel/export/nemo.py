"""NeMo manifests and the generic JSONL: one line per segment.

A NeMo line carries ``audio_filepath`` (relative to the manifest; NeMo resolves relative paths
against the manifest's folder), ``duration`` and ``text`` as NeMo requires, ``offset`` when
clips are not cut, ``speaker`` and ``lang``, the speaker's and recording's metadata that is set
(``gender``, ``age_group``, ``dialect``, ``native_language``, ``environment``, ``device``,
``mic_distance``), and the provenance fields (NeMo ignores keys it
does not know). The generic JSONL adds everything else we know: tags, labeler of record, the
draft's confidences and word timings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from speechlabel.core.models import Project
from speechlabel.export.formats import FormatWriter, register_format
from speechlabel.export.job import ExportJob
from speechlabel.export.options import TextVariant
from speechlabel.export.select import ExportItem
from speechlabel.store import ExportRow

MANIFEST_NAME = "manifest.jsonl"


def manifest_name(split: str | None) -> str:
    """``manifest.jsonl``, or ``train_manifest.jsonl`` etc. beside it (NeMo's usual names)."""
    return f"{split}_manifest.jsonl" if split else MANIFEST_NAME


def write_manifest(job: ExportJob, split: str | None, items: list[ExportItem], full: bool):
    """One manifest per split in the export root; the audio is shared under ``audio/`` or
    ``recordings/``."""
    path = job.root / manifest_name(split)
    with open(path, "w", encoding="utf-8") as manifest:
        for item in items:
            audio = job.audio_for(item)
            line = manifest_line(item.row, audio.path, job.project, with_offset=not job.options.cut_clips)
            line["text"] = item.text
            line.update(job.metadata_columns(item))  # only the fields set: NeMo ignores keys it does not know
            if full:
                line.update(_provenance(item, job.options.text))
            manifest.write(json.dumps(line, ensure_ascii=False) + "\n")
            job.advance()
    return job.wrote(path)


class NemoWriter(FormatWriter):
    """``nemo``: NeMo manifests."""

    full = False  # the generic JSONL's provenance fields too
    how_to_load = (
        "NeMo: pass `manifest.jsonl` (or `<split>_manifest.jsonl`) as `manifest_filepath`; audio "
        "paths are relative to the manifest."
    )

    def write(self, job: ExportJob, split: str | None, items: list[ExportItem]) -> Path:
        return write_manifest(job, split, items, full=self.full)


class JsonlWriter(NemoWriter):
    """``jsonl``: the generic JSONL, NeMo's lines with full provenance."""

    full = True
    how_to_load = (
        "One JSON object per line (`manifest.jsonl` or `<split>_manifest.jsonl`): NeMo's fields "
        "plus tags, labeler of record and the draft's confidences and word timings."
    )


register_format("jsonl", JsonlWriter)
register_format("nemo", NemoWriter)


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


def _provenance(item: ExportItem, variant: TextVariant) -> dict[str, Any]:
    row = item.row
    extra: dict[str, Any] = {
        "tags": list(row.segment.tags),
        "labeler": row.labeler,
        "draft_avg_logprob": row.draft_avg_logprob,
        "draft_no_speech_prob": row.draft_no_speech_prob,
        "draft_words": [[w.symbol, w.start, w.duration, w.score] for w in row.draft_words],
        "text_variant": variant.value,
    }
    if variant != TextVariant.VERBATIM:
        extra["verbatim_text"] = row.segment.text
    if item.split:
        extra["split"] = item.split
    return extra
