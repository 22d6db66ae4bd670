"""Read side of exports: segments with their recording, latest draft and labeler of record, in pages.

The labeler of record is the author of the segment's newest revision with status submitted or
reworked (``max(revisions.id)``, as the review queue defines it): the person whose text this
is, which ``segments.updated_by`` is not once a reviewer approved it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, tuple_

from ..models import Segment, SegmentStatus, Word
from . import schema
from .base import StoreBase
from .rows import segment_from_row

_segments = schema.segments
_recordings = schema.recordings
_drafts = schema.drafts
_revisions = schema.revisions
PAGE_SIZE = 1000
_LABELER_STATUSES = (SegmentStatus.SUBMITTED.value, SegmentStatus.REWORKED.value)


@dataclass(frozen=True)
class ExportRow:
    segment: Segment
    recording_label: str
    normalized_path: str
    draft_text: str | None
    draft_model: str | None
    draft_engine: str | None
    labeler: str | None = None
    """Author of the newest submitted/reworked revision; None if never submitted."""
    draft_words: tuple[Word, ...] = ()
    """Word timings and confidences of the latest draft, in the recording's timeline."""
    draft_avg_logprob: float | None = None
    draft_no_speech_prob: float | None = None


@dataclass(frozen=True)
class ExportQuery:
    """Which segments of a project to read; every field left at None means "all"."""

    statuses: tuple[SegmentStatus, ...] | None = None
    recording_ids: tuple[str, ...] | None = None
    edited_since: datetime | None = None
    """Last edit (``segments.updated_at``) at or after this moment."""
    edited_until: datetime | None = None
    """Last edit strictly before this moment."""
    labeler: str | None = None
    """Only segments whose labeler of record is this user."""


class ExportQueries(StoreBase):
    def iter_export_rows(self, project_id: int, statuses: Iterable[SegmentStatus] | None = None,
                         query: ExportQuery | None = None) -> Iterator[ExportRow]:
        """Every chosen segment of a project ordered by recording and time, fetched a page at a
        time (keyset pagination) so a project of any size is read in constant memory."""
        query = query or ExportQuery()
        if statuses is not None:
            query = ExportQuery(tuple(statuses), query.recording_ids, query.edited_since, query.edited_until,
                                query.labeler)
        select_rows = _filtered(_export_select(project_id), query)
        order = (_segments.c.recording_id, _segments.c.start, _segments.c.id)
        after = None
        while True:
            page_query = select_rows if after is None else select_rows.where(tuple_(*order) > tuple_(*after))
            with self.read() as connection:
                rows = connection.execute(page_query.order_by(*order).limit(PAGE_SIZE)).all()
            for row in rows:
                yield _export_row(row)
            if len(rows) < PAGE_SIZE:
                return
            last = rows[-1]
            after = (last.recording_id, last.start, last.id)


def _export_select(project_id: int):
    latest_draft = (
        select(_drafts.c.segment_id, func.max(_drafts.c.id).label("draft_id"))
        .group_by(_drafts.c.segment_id)
        .subquery()
    )
    latest_submission = (
        select(_revisions.c.segment_id, func.max(_revisions.c.id).label("revision_id"))
        .where(_revisions.c.status.in_(_LABELER_STATUSES))
        .group_by(_revisions.c.segment_id)
        .subquery()
    )
    return (
        select(_segments, _recordings.c.label.label("recording_label"),
               _recordings.c.normalized_path, _drafts.c.text.label("draft_text"),
               _drafts.c.model.label("draft_model"), _drafts.c.engine.label("draft_engine"),
               _drafts.c.words.label("draft_words"), _drafts.c.avg_logprob.label("draft_avg_logprob"),
               _drafts.c.no_speech_prob.label("draft_no_speech_prob"),
               _revisions.c.author.label("labeler"))
        .join(_recordings, _recordings.c.id == _segments.c.recording_id)
        .outerjoin(latest_draft, latest_draft.c.segment_id == _segments.c.id)
        .outerjoin(_drafts, _drafts.c.id == latest_draft.c.draft_id)
        .outerjoin(latest_submission, latest_submission.c.segment_id == _segments.c.id)
        .outerjoin(_revisions, _revisions.c.id == latest_submission.c.revision_id)
        .where(_segments.c.project_id == project_id)
    )


def _filtered(query, spec: ExportQuery):
    if spec.statuses is not None:
        query = query.where(_segments.c.status.in_([s.value for s in spec.statuses]))
    if spec.recording_ids is not None:
        query = query.where(_segments.c.recording_id.in_(list(spec.recording_ids)))
    if spec.edited_since is not None:
        query = query.where(_segments.c.updated_at >= _utc(spec.edited_since))
    if spec.edited_until is not None:
        query = query.where(_segments.c.updated_at < _utc(spec.edited_until))
    if spec.labeler is not None:
        query = query.where(_revisions.c.author == spec.labeler)
    return query


def _utc(moment: datetime) -> datetime:
    # SQLite keeps datetimes without their zone and every stored one is UTC: compare in UTC.
    # A naive moment is taken as UTC too.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _export_row(row) -> ExportRow:
    words = tuple(Word(*values) for values in (row.draft_words or ()))
    return ExportRow(segment_from_row(row), row.recording_label, row.normalized_path,
                     row.draft_text, row.draft_model, row.draft_engine, row.labeler, words,
                     row.draft_avg_logprob, row.draft_no_speech_prob)
