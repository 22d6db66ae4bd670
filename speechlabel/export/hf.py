"""Hugging Face audiofolder: ``metadata.jsonl`` with ``file_name`` (relative to it) + columns.

Each split is a folder named ``train``/``dev``/``test`` holding its metadata and its clips:
``datasets`` recognises those folder names as the train, validation and test splits.
Columns never hold null: ``datasets`` infers each split's column types from its own rows, and
a column that is null throughout one split would not match the same column of another.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from speechlabel.core.errors import ValidationError
from speechlabel.core.metadata import METADATA_FIELDS
from speechlabel.export.formats import FormatWriter, register_format
from speechlabel.export.job import ExportJob
from speechlabel.export.options import ExportOptions
from speechlabel.export.select import ExportItem

METADATA_NAME = "metadata.jsonl"


def write_audiofolder(job: ExportJob, split: str | None, items: list[ExportItem]):
    folder = job.folder(split)
    path = folder / METADATA_NAME
    with open(path, "w", encoding="utf-8") as metadata:
        for item in items:
            audio = job.audio_for(item, folder)
            metadata.write(json.dumps(_columns(job, item, audio.path), ensure_ascii=False) + "\n")
            job.advance()
    return job.wrote(path)


class AudiofolderWriter(FormatWriter):
    """``hf``: a Hugging Face audiofolder."""

    how_to_load = 'Hugging Face: `datasets.load_dataset("audiofolder", data_dir="<this folder>")`.'

    @classmethod
    def check_options(cls, options: ExportOptions) -> None:
        if not options.cut_clips:
            raise ValidationError(message_key="error.hf_needs_clips")

    def write(self, job: ExportJob, split: str | None, items: list[ExportItem]) -> Path:
        return write_audiofolder(job, split, items)


register_format("hf", AudiofolderWriter)


def _columns(job: ExportJob, item: ExportItem, file_name: str) -> dict[str, Any]:
    row, segment = item.row, item.row.segment
    return {
        "file_name": file_name,
        "text": item.text,
        "speaker": segment.speaker or "",
        "language": job.language(item) or "",
        "segment_id": segment.id,
        "recording_id": segment.recording_id,
        "recording_label": row.recording_label,
        "start": round(float(segment.start), 3),
        "end": round(float(segment.end), 3),
        "duration": round(float(segment.duration), 3),
        "status": segment.status.value,
        "tags": ",".join(segment.tags),  # a string: an empty list has no type to infer
        "labeler": row.labeler or "",
        "draft_text": row.draft_text or "",
        **_metadata_columns(job, item),
    }


def _metadata_columns(job: ExportJob, item: ExportItem) -> dict[str, str]:
    """Every metadata column on every row, "" where unset (columns never hold null, see above)."""
    values = job.metadata_columns(item)
    return {name: values.get(name, "") for name in METADATA_FIELDS}
