"""Read side of exports: segments with their recording and latest draft, in pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, select, tuple_

from ..models import Segment, SegmentStatus
from . import schema
from .base import StoreBase
from .rows import segment_from_row

_segments = schema.segments
_recordings = schema.recordings
_drafts = schema.drafts
PAGE_SIZE = 1000


@dataclass(frozen=True)
class ExportRow:
    segment: Segment
    recording_label: str
    normalized_path: str
    draft_text: str | None
    draft_model: str | None
    draft_engine: str | None


class ExportQueries(StoreBase):
    def iter_export_rows(self, project_id: int, statuses: Iterable[SegmentStatus] | None = None) -> Iterator[ExportRow]:
        """Every segment of a project ordered by recording and time, fetched a page at a time
        (keyset pagination) so a project of any size exports in constant memory."""
        latest = (
            select(_drafts.c.segment_id, func.max(_drafts.c.id).label("draft_id"))
            .group_by(_drafts.c.segment_id)
            .subquery()
        )
        query = (
            select(_segments, _recordings.c.label.label("recording_label"),
                   _recordings.c.normalized_path, _drafts.c.text.label("draft_text"),
                   _drafts.c.model.label("draft_model"), _drafts.c.engine.label("draft_engine"))
            .join(_recordings, _recordings.c.id == _segments.c.recording_id)
            .outerjoin(latest, latest.c.segment_id == _segments.c.id)
            .outerjoin(_drafts, _drafts.c.id == latest.c.draft_id)
            .where(_segments.c.project_id == project_id)
        )
        if statuses is not None:
            query = query.where(_segments.c.status.in_([s.value for s in statuses]))
        order = (_segments.c.recording_id, _segments.c.start, _segments.c.id)
        after = None
        while True:
            page_query = query if after is None else query.where(tuple_(*order) > tuple_(*after))
            with self.read() as connection:
                rows = connection.execute(page_query.order_by(*order).limit(PAGE_SIZE)).all()
            for row in rows:
                yield ExportRow(segment_from_row(row), row.recording_label, row.normalized_path,
                                row.draft_text, row.draft_model, row.draft_engine)
            if len(rows) < PAGE_SIZE:
                return
            last = rows[-1]
            after = (last.recording_id, last.start, last.id)
