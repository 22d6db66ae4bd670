"""Read side of exports: segments with their recording, latest draft and labeler of record, in pages.

The labeler of record is the author of the segment's newest revision with status submitted or
reworked (``max(revisions.id)``, as the review queue defines it): the person whose text this
is, which ``segments.updated_by`` is not once a reviewer approved it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Text, cast, func, select, tuple_

from speechlabel.core.lifecycle import SUBMITTED_WORK, status_values
from speechlabel.core.models import Segment, SegmentStatus, Word
from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.rows import segment_from_row

_segments = schema.segments
_recordings = schema.recordings
_drafts = schema.drafts
_revisions = schema.revisions
PAGE_SIZE = 1000
_LABELER_STATUSES = status_values(SUBMITTED_WORK)


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
    draft_words_json: str | None = field(default=None, repr=False)
    """The latest draft's words as stored (JSON); ``draft_words`` decodes them."""
    draft_avg_logprob: float | None = None
    draft_no_speech_prob: float | None = None

    @cached_property
    def draft_words(self) -> tuple[Word, ...]:
        """Word timings and confidences of the latest draft, in the recording's timeline.
        Decoded on first use: most formats never write them, and decoding every row's words up
        front cost seconds and a million ``Word`` objects held in memory for the 50,000 segments
        of bench/export.py."""
        if not self.draft_words_json:
            return ()
        return tuple(Word(*values) for values in json.loads(self.draft_words_json))


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
    def iter_export_rows(
        self, project_id: int, statuses: Iterable[SegmentStatus] | None = None, query: ExportQuery | None = None
    ) -> Iterator[ExportRow]:
        """Every chosen segment of a project ordered by recording and time, fetched a page at a
        time (keyset pagination) so a project of any size is read in constant memory."""
        query = query or ExportQuery()
        if statuses is not None:
            query = ExportQuery(
                tuple(statuses), query.recording_ids, query.edited_since, query.edited_until, query.labeler
            )
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
    # The newest draft and submission are looked up per segment of the page (index seeks):
    # grouped subqueries over the whole drafts and revisions tables were aggregated again for
    # every page, 0.14 s a page on SQLite at 50,000 segments.
    any_draft, any_revision = _drafts.alias("any_draft"), _revisions.alias("any_revision")
    latest_draft = (
        select(func.max(any_draft.c.id))
        .where(any_draft.c.segment_id == _segments.c.id)
        .correlate(_segments)
        .scalar_subquery()
    )
    latest_submission = (
        select(func.max(any_revision.c.id))
        .where(any_revision.c.segment_id == _segments.c.id, any_revision.c.status.in_(_LABELER_STATUSES))
        .correlate(_segments)
        .scalar_subquery()
    )
    return (
        select(
            _segments,
            _recordings.c.label.label("recording_label"),
            _recordings.c.normalized_path,
            _drafts.c.text.label("draft_text"),
            _drafts.c.model.label("draft_model"),
            _drafts.c.engine.label("draft_engine"),
            cast(_drafts.c.words, Text).label("draft_words"),
            _drafts.c.avg_logprob.label("draft_avg_logprob"),
            _drafts.c.no_speech_prob.label("draft_no_speech_prob"),
            _revisions.c.author.label("labeler"),
        )
        .join(_recordings, _recordings.c.id == _segments.c.recording_id)
        .outerjoin(_drafts, _drafts.c.id == latest_draft)
        .outerjoin(_revisions, _revisions.c.id == latest_submission)
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
    return ExportRow(
        segment_from_row(row),
        row.recording_label,
        row.normalized_path,
        row.draft_text,
        row.draft_model,
        row.draft_engine,
        row.labeler,
        row.draft_words,
        row.draft_avg_logprob,
        row.draft_no_speech_prob,
    )
