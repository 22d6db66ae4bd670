"""Lhotse manifests: ``recordings.jsonl.gz`` and ``supervisions.jsonl.gz``.

Lines follow what ``Recording.to_dict`` / ``SupervisionSegment.to_dict`` write and their
``from_dict`` read (lhotse 1.x): a recording is ``id, sources [{type, channels, source}],
sampling_rate, num_samples, duration, channel_ids``; a supervision is ``id, recording_id,
start, duration, channel, text, language, speaker, gender, custom, alignment`` with
``alignment = {"word": [[symbol, start, duration, score], ...]}`` (the serialized
``AlignmentItem``), None fields left out. ``duration`` is ``num_samples / sampling_rate``
exactly, as lhotse's validation requires. Supervisions carry no ``sources``, ``type``,
``shape`` or ``array`` key (lhotse guesses a line's kind from those) and ``custom`` holds only
plain values (lhotse tries to read dict values there as arrays). The speaker's gender is the
supervision's ``gender``; the other metadata set for the speaker and the recording (age group,
dialect, native language, environment, device, microphone distance) is in ``custom``.

The word alignment is the latest draft's (the engine's word times and confidences), cut to
the segment's bounds; after a person corrected the text it may not match it word for word,
which is why ``custom.alignment_source`` says "draft". Paths are relative to the export root:
``RecordingSet.from_file(...).with_path_prefix(root)`` makes them absolute.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from speechlabel.core.models import Word
from speechlabel.export.formats import FormatWriter, register_format
from speechlabel.export.job import ExportJob
from speechlabel.export.media import AudioFile
from speechlabel.export.select import ExportItem

RECORDINGS_NAME = "recordings.jsonl.gz"
SUPERVISIONS_NAME = "supervisions.jsonl.gz"


def write_manifests(job: ExportJob, split: str | None, items: list[ExportItem]):
    folder = job.folder(split)
    recordings: dict[str, dict[str, Any]] = {}
    supervisions = []
    for item in items:
        audio = job.audio_for(item)
        if job.options.cut_clips:
            recording_id, offset = job.segment_ids(item.row.segment.id), item.row.segment.start
        else:
            recording_id, offset = job.recording_ids(item.row.segment.recording_id), 0.0
        recordings.setdefault(recording_id, recording_line(recording_id, audio))
        supervisions.append(supervision_line(job, item, recording_id, offset, audio))
        job.advance()
    _write_gzip_jsonl(folder / RECORDINGS_NAME, recordings.values())
    return job.wrote(_write_gzip_jsonl(folder / SUPERVISIONS_NAME, supervisions))


class LhotseWriter(FormatWriter):
    """``lhotse``: recordings and supervisions manifests."""

    how_to_load = (
        'Lhotse: `load_manifest("recordings.jsonl.gz").with_path_prefix("<this folder>")` and '
        '`load_manifest("supervisions.jsonl.gz")`, then `CutSet.from_manifests(...)`. Audio paths '
        "are relative to this folder."
    )

    def write(self, job: ExportJob, split: str | None, items: list[ExportItem]) -> Path:
        return write_manifests(job, split, items)


register_format("lhotse", LhotseWriter)


def recording_line(recording_id: str, audio: AudioFile) -> dict[str, Any]:
    return {
        "id": recording_id,
        "sources": [{"type": "file", "channels": [0], "source": audio.path}],
        "sampling_rate": audio.sampling_rate,
        "num_samples": audio.num_samples,
        "duration": audio.duration,
        "channel_ids": [0],
    }


def supervision_line(
    job: ExportJob, item: ExportItem, recording_id: str, offset: float, audio: AudioFile
) -> dict[str, Any]:
    """``offset`` is subtracted from every time: the segment's start for a clip, 0 otherwise."""
    row, segment = item.row, item.row.segment
    metadata = job.metadata_columns(item)
    start = round(segment.start - offset, 6)
    duration = audio.duration if job.options.cut_clips else round(segment.duration, 6)
    line: dict[str, Any] = {
        "id": job.segment_ids(segment.id),
        "recording_id": recording_id,
        "start": start,
        "duration": duration,
        "channel": 0,
        "text": item.text,
        "language": job.language(item),
        "speaker": segment.speaker,
        "gender": metadata.pop("gender", None),  # SupervisionSegment's own field; the rest go to custom
        "custom": {**_custom(item, job.options.text.value), **metadata},
    }
    words = _alignment(row.draft_words, segment.start, segment.end, offset)
    if words:
        line["alignment"] = {"word": words}
    return {key: value for key, value in line.items() if value is not None}


def _alignment(words: tuple[Word, ...], start: float, end: float, offset: float) -> list[list[Any]]:
    """Words inside the segment, cut to its bounds, in the supervision's timeline."""
    aligned = []
    for word in words:
        first, last = max(word.start, start), min(word.end, end)
        if last <= first:
            continue
        aligned.append([word.symbol, round(first - offset, 3), round(last - first, 3), word.score])
    return aligned


def _custom(item: ExportItem, variant: str) -> dict[str, Any]:
    row, segment = item.row, item.row.segment
    custom = {
        "status": segment.status.value,
        "tags": list(segment.tags),
        "labeler": row.labeler,
        "last_editor": segment.updated_by,
        "edited_at": segment.updated_at.isoformat() if segment.updated_at else None,
        "recording_label": row.recording_label,
        "source_recording_id": segment.recording_id,
        "source_start": round(segment.start, 3),
        "draft_text": row.draft_text,
        "draft_engine": row.draft_engine,
        "draft_model": row.draft_model,
        "draft_avg_logprob": row.draft_avg_logprob,
        "draft_no_speech_prob": row.draft_no_speech_prob,
        "alignment_source": "draft" if row.draft_words else None,
        "text_variant": variant,
        "split": item.split,
    }
    return {key: value for key, value in custom.items() if value is not None}


def _write_gzip_jsonl(path, lines):
    # mtime=0: the same export gives byte-identical files.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        for line in lines:
            packed.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
    return path
