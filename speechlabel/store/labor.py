"""Labor telemetry rows (core/labor.py): written with the save that carried them, read in bulk
for the labor figures (analytics/labor.py) with what judges the work's quality: the reviews of
the segments labored on, and their second labelings."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, insert, select

from speechlabel.core.labor import LaborRecord
from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.dashboard import PairRow, _newest_pairs, _pair_query
from speechlabel.store.rows import as_utc, utc_now

_labor = schema.labor
_reviews = schema.reviews


class LaborRow(NamedTuple):
    segment_id: str
    labeler: str
    at: datetime  # UTC
    second_labeling: bool
    draft_shown: bool
    audio_seconds: float
    active_seconds: float
    keys: int
    edits: int
    plays: int
    clamped: bool


class SegmentReviewRow(NamedTuple):
    segment_id: str
    labeler: str | None
    decision: str


class LaborRows(NamedTuple):
    labor: tuple[LaborRow, ...]  # by id: oldest first
    reviews: tuple[SegmentReviewRow, ...]  # of the segments in ``labor``, in the window
    pairs: tuple[PairRow, ...]  # second labelings of the project and their segments' newest labeling


def insert_labor(connection: Connection, record: LaborRecord, revision_id: int | None, at: datetime | None) -> None:
    """One row, inside the caller's transaction (the save's, so both stand or neither)."""
    labor = record.labor
    connection.execute(
        insert(_labor).values(
            segment_id=record.segment_id,
            project_id=record.project_id,
            revision_id=revision_id,
            labeler=record.labeler,
            created_at=at or utc_now(),
            second_labeling=record.second_labeling,
            draft_shown=record.draft_shown,
            audio_seconds=record.audio_seconds,
            active_seconds=labor.active_seconds,
            keys=labor.keys,
            edits=labor.edits,
            plays=labor.plays,
            clamped=labor.clamped,
        )
    )


class LaborQueries(StoreBase):
    def record_labor(self, record: LaborRecord) -> None:
        """Telemetry of a save that made no revision (a second labeling): a row of its own."""
        with self.write() as connection:
            insert_labor(connection, record, None, None)

    def labor_of_segment(self, segment_id: str) -> list[LaborRow]:
        """A segment's telemetry rows, oldest first (read by the tests; no page shows them per segment)."""
        query = select(*_columns()).where(_labor.c.segment_id == segment_id).order_by(_labor.c.id)
        with self.read() as connection:
            return [_row(row) for row in connection.execute(query).all()]

    def read_labor(self, project_id: int, start: datetime | None, end: datetime | None) -> LaborRows:
        """A project's telemetry rows saved in ``[start, end)`` (None: open), the reviews in that
        window of the segments they are about, and the project's saved second labelings."""
        window = [_labor.c.project_id == project_id]
        if start is not None:
            window.append(_labor.c.created_at >= start)
        if end is not None:
            window.append(_labor.c.created_at < end)
        labored = select(_labor.c.segment_id).where(*window)
        reviews = select(_reviews.c.segment_id, _reviews.c.labeler, _reviews.c.decision).where(
            _reviews.c.project_id == project_id, _reviews.c.segment_id.in_(labored)
        )
        if start is not None:
            reviews = reviews.where(_reviews.c.created_at >= start)
        if end is not None:
            reviews = reviews.where(_reviews.c.created_at < end)
        with self.read() as connection:
            rows = connection.execute(select(*_columns()).where(*window).order_by(_labor.c.id)).all()
            judged = connection.execute(reviews.order_by(_reviews.c.id)).all()
            pairs = _newest_pairs(connection.execute(_pair_query(project_id)).all())
        return LaborRows(tuple(_row(row) for row in rows), tuple(SegmentReviewRow._make(row) for row in judged), pairs)


def _columns() -> list[Any]:
    """The table's columns in ``LaborRow``'s order (``at`` is ``created_at``)."""
    return [_labor.c["created_at" if name == "at" else name] for name in LaborRow._fields]


def _row(row: Any) -> LaborRow:
    values = list(row)
    values[2] = as_utc(values[2])
    return LaborRow._make(values)
