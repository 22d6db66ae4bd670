"""Writing an imported recording: the recording, its segments and their drafts in one transaction.

A dataset import (``speechlabel.ingest.datasets``) brings texts made elsewhere in for correction.
Each segment is stored exactly as pre-labeling leaves one (a "segmented" revision at version 1,
then the draft made current at version 2 with status drafted), so the label page, the review
queue and the exports cannot tell an imported text from a Whisper draft except by the draft's
engine and model. One transaction: a failure leaves no recording without its segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from speechlabel.core.errors import DuplicateRecording
from speechlabel.core.lifecycle import INITIAL, Action, landing
from speechlabel.core.models import Draft, PrelabelState, Recording
from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.rows import draft_to_row, recording_to_row, utc_now
from speechlabel.store.segments import _revision_row, new_segment_id


@dataclass(frozen=True)
class ImportedSegment:
    """One segment to store: its bounds (seconds, rounded to the millisecond by the caller), the
    speaker the source named (or None) and the draft holding the source's text."""

    start: float
    duration: float
    speaker: str | None
    draft: Draft


class ImportQueries(StoreBase):
    if TYPE_CHECKING:  # from RecordingQueries, beside this mixin in Store

        def find_recording_by_hash(self, project_id: int, sha256: str) -> Recording | None: ...

    def insert_imported_recording(
        self, recording: Recording, segments: Sequence[ImportedSegment], author: str, segment_options: dict[str, Any]
    ) -> Recording:
        """Store ``recording`` as drafted (pre-labeling leaves it alone) with ``segments``; return
        the recording as stored.

        Raises DuplicateRecording when the same audio is already in the project (a concurrent
        import won the race), like ``insert_recording``."""
        recording = replace(recording, prelabel_state=PrelabelState.DRAFTED, segment_options=segment_options)
        now = utc_now()
        rows = [_segment_row(recording, segment, author, now) for segment in segments]
        try:
            with self.write() as connection:
                connection.execute(insert(schema.recordings).values(**recording_to_row(recording)))
                if rows:
                    connection.execute(insert(schema.segments), rows)
                    connection.execute(
                        insert(schema.revisions),
                        [_segmented_revision(row, now) for row in rows]
                        + [_revision_row(row, author, now, "draft") for row in rows],
                    )
                    connection.execute(
                        insert(schema.drafts),
                        [draft_to_row(segment.draft, row["id"]) for segment, row in zip(segments, rows)],
                    )
        except IntegrityError:
            existing = self.find_recording_by_hash(recording.project_id, recording.sha256)
            if existing is None:
                raise
            raise DuplicateRecording(recording.label, existing.id, existing.label) from None
        return recording


def _segment_row(recording: Recording, segment: ImportedSegment, author: str, now) -> dict[str, Any]:
    return {
        "id": new_segment_id(recording.id),
        "project_id": recording.project_id,
        "recording_id": recording.id,
        "start": segment.start,
        "duration": segment.duration,
        "channel": 0,
        "text": segment.draft.text,
        "language": segment.draft.language or None,
        "speaker": segment.speaker,
        "tags": [],
        "custom": {},
        "status": landing(Action.DRAFT).value,
        "version": 2,
        "updated_by": author,
        "updated_at": now,
    }


def _segmented_revision(row: dict[str, Any], now) -> dict[str, Any]:
    """Version 1 as segmentation writes it: no text, no speaker, status new."""
    first = row | {"version": 1, "text": "", "speaker": None, "status": INITIAL.value}
    return _revision_row(first, row["updated_by"], now, "segmented")
