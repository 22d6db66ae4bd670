"""Review decisions and the review queue's queries.

The queue is the project's submitted and reworked segments, each with its labeler of record
(the author of its newest revision with a queue status: ``max(revisions.id)``, not the
version, since a merge moves the absorbed segment's revisions, versions and all, to the
survivor) and its lowest draft ``avg_logprob``. A page is two steps in one statement: sort
narrow key rows (ids and numbers, no text or JSON) and page them, then read the full rows of
that page only. Counts, pages and "next" are each one query (bulk approval one per chunk);
nothing runs per segment in Python. At 100,000 submitted segments a page takes ~0.2 s on
SQLite and ~0.3 s on PostgreSQL (migration 0008's indexes make the per-segment lookups
index-only).

A decision is one transaction: the versioned update (StaleVersion if someone saved in between),
its revision, the ``reviews`` row, the lease of a rejected segment back to its labeler, and the
audit line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from speechlabel.core.lifecycle import REVIEWABLE, SUBMITTED_WORK, Action, landing, status_values
from speechlabel.core.models import Review, ReviewDecision, ReviewReason, Segment, SegmentStatus
from speechlabel.store import schema
from speechlabel.store.audit import AuditNote, write_audit
from speechlabel.store.base import StoreBase
from speechlabel.store.leases import FIRST_SLOT, _lease
from speechlabel.store.rows import as_utc, segment_from_row, utc_now
from speechlabel.store.segments import _revision_row, versioned_update

_segments = schema.segments
_revisions = schema.revisions
_drafts = schema.drafts
_reviews = schema.reviews
_leases = schema.leases
_routes = schema.segment_routes

# What waits for a reviewer: first submissions and reworks of rejected segments.
QUEUE_STATUSES = REVIEWABLE
_QUEUE_VALUES = status_values(QUEUE_STATUSES)
# The newest revision with one of these names a segment's labeler of record.
_LABELER_VALUES = status_values(SUBMITTED_WORK)
# The low-confidence order's key of a segment without a draft: log-probabilities are at most 0,
# so these sort after every drafted segment.
NO_DRAFT_KEY = 1.0
# The routing score key of a segment routing never scored: scores are at most 1, so these come
# after every scored segment (a project without routing keeps its log-probability order).
NO_SCORE_KEY = 2.0
# Sample buckets: shares are honoured to 1 in 10,000.
SAMPLE_SCALE = 10_000
# Salted, so the review sample is independent of the double-labeling pick (same hash scheme).
_SAMPLE_SALT = "review-sample:"
_SQLITE_BUCKET = "speechlabel_review_bucket"
# "Next to review" first reads this many segments unfiltered, skipping the reviewer's own.
NEXT_BATCH = 20
# Bulk approval writes this many segments per transaction (SQLite allows 32,766 parameters).
BULK_CHUNK = 1000


def sample_bucket(segment_id: str) -> int:
    """The segment's place (0–9999) in the review sample: it is sampled when this is below
    ``share * 10,000``. The database computes the same number (``_SampleBucket``)."""
    digest = hashlib.sha256((_SAMPLE_SALT + segment_id).encode()).digest()
    return int.from_bytes(digest[:4], "big") % SAMPLE_SCALE


@dataclass(frozen=True)
class QueueSpec:
    """Which queue segments, in which order. ``order``: "low_confidence", "sample", "labeler"
    or "recording". ``sample_share`` (sample order only) is the share for every labeler but
    those in ``flagged``, who get ``flagged_share``. ``not_labeled_by`` leaves out a reviewer's
    own work (for "next to review")."""

    project_id: int
    order: str = "low_confidence"
    labeler: str | None = None
    recording_id: str | None = None
    sample_share: float = 0.0
    flagged: frozenset[str] = frozenset()
    flagged_share: float = 0.0
    not_labeled_by: str | None = None


@dataclass(frozen=True)
class QueueRow:
    """One queue segment with what its order is computed from."""

    segment: Segment
    labeler: str | None
    submitted_at: datetime | None
    min_logprob: float | None


@dataclass(frozen=True)
class LabelerCounts:
    labeler: str
    reviewed: int
    rejected: int


@dataclass(frozen=True)
class Decision:
    """One review decision to write. ``labeler`` is whose work was judged; for a rejection the
    segment's lease goes to ``return_to`` until ``return_until`` (None: back to the pool)."""

    segment_id: str
    expected_version: int
    project_id: int
    reviewer: str
    labeler: str | None
    decision: ReviewDecision
    reason: ReviewReason | None
    comment: str | None
    revision_comment: str
    return_to: str | None = None
    return_until: datetime | None = None


class ReviewQueries(StoreBase):
    def page_review_queue(self, spec: QueueSpec, offset: int, limit: int) -> list[QueueRow]:
        """One page of the queue in ``spec.order``."""
        keys = _keys(spec, self.dialect)
        page = select(keys).order_by(*_order_keys(keys, spec.order)).offset(offset).limit(limit)
        with self.read() as connection:
            _prepare(connection, spec)
            return [_queue_row(row) for row in connection.execute(_rows_of(page.subquery("page"), spec.order))]

    def count_review_queue(self, spec: QueueSpec) -> int:
        query = select(func.count()).select_from(_keys(spec, self.dialect, ordered=False))
        with self.read() as connection:
            _prepare(connection, spec)
            return connection.execute(query).scalar_one()

    def next_in_review_queue(self, spec: QueueSpec, after: str | None, not_labeled_by: str | None) -> Segment | None:
        """The first queue segment after ``after`` in ``spec.order`` that ``not_labeled_by``
        did not label, wrapping round to the start; never ``after``. "After" is by ``after``'s
        order keys, so it works once ``after`` has been decided and left the queue."""
        with self.read() as connection:
            _prepare(connection, spec)
            mark = None
            if after is not None:
                mark = connection.execute(
                    select(*_order_keys(_keys(spec, self.dialect, only=after), spec.order))
                ).first()
            for start in [mark, None] if mark is not None else [None]:
                found = self._first_from(connection, spec, start, after, not_labeled_by)
                if found is not None:
                    return found
        return None

    def _first_from(
        self, connection: Connection, spec: QueueSpec, start: Any, exclude: str | None, not_labeled_by: str | None
    ) -> Segment | None:
        """Usually one of the next few segments will do, so they are read unfiltered (cheap);
        only when all of them are the reviewer's own does a filtered query look further."""
        rows = connection.execute(_next_rows(spec, self.dialect, start, NEXT_BATCH)).all()
        for row in rows:
            if row.id != exclude and (not_labeled_by is None or row.labeler != not_labeled_by):
                return _queue_row(row).segment
        if len(rows) < NEXT_BATCH:
            return None
        others = replace(spec, not_labeled_by=not_labeled_by)
        for row in connection.execute(_next_rows(others, self.dialect, start, 2)):
            if row.id != exclude:
                return _queue_row(row).segment
        return None

    def labeler_of_record(self, segment_id: str) -> tuple[str | None, datetime | None]:
        """Who submitted (or reworked) the segment's current text, and when: the newest revision
        with a queue status. (None, None) when it was never submitted."""
        query = (
            select(_revisions.c.author, _revisions.c.created_at)
            .where(_revisions.c.segment_id == segment_id, _revisions.c.status.in_(_LABELER_VALUES))
            .order_by(_revisions.c.id.desc())
            .limit(1)
        )
        with self.read() as connection:
            row = connection.execute(query).first()
        return (row.author, as_utc(row.created_at)) if row else (None, None)

    def record_decision(self, decision: Decision) -> tuple[Segment, Review]:
        """Write an approval or rejection in one transaction (see the module docstring)."""
        status = landing(Action.APPROVE if decision.decision == ReviewDecision.APPROVED else Action.REJECT)
        now = utc_now()
        with self.write() as connection:
            row = versioned_update(
                connection,
                decision.segment_id,
                decision.expected_version,
                {"status": status.value},
                decision.reviewer,
                decision.revision_comment,
            )
            review_id = _insert_reviews(connection, [_review_values(decision, now)])
            if decision.decision == ReviewDecision.REJECTED:
                _return_to_labeler(connection, decision, now)
            write_audit(
                connection,
                AuditNote(
                    decision.reviewer,
                    f"segment_{decision.decision.value}",
                    decision.segment_id,
                    decision.project_id,
                    {
                        "labeler": decision.labeler,
                        "version": decision.expected_version,
                        "reason": decision.reason.value if decision.reason else None,
                        "comment": decision.comment,
                    },
                ),
                at=now,
            )
            review = _load_review(connection, review_id)
        return segment_from_row(row), review

    def approve_all_of(self, spec: QueueSpec, reviewer: str, comment: str | None, revision_comment: str) -> int:
        """Approve every queue segment matching ``spec`` (labeler and recording filters), a
        chunk per transaction; returns how many. A segment saved by someone between a chunk's
        read and its update is skipped there and read again, at its new version, by the next."""
        total = 0
        while True:
            with self.write() as connection:
                read, approved = _approve_chunk(connection, spec, reviewer, comment, revision_comment)
            total += approved
            if read < BULK_CHUNK or not approved:
                return total

    def list_reviews(self, segment_id: str) -> list[Review]:
        """A segment's reviews, oldest first."""
        query = select(_reviews).where(_reviews.c.segment_id == segment_id).order_by(_reviews.c.id)
        with self.read() as connection:
            return [_review_from_row(row) for row in connection.execute(query)]

    def latest_rejection(self, segment_id: str) -> Review | None:
        query = (
            select(_reviews)
            .where(_reviews.c.segment_id == segment_id, _reviews.c.decision == ReviewDecision.REJECTED.value)
            .order_by(_reviews.c.id.desc())
            .limit(1)
        )
        with self.read() as connection:
            row = connection.execute(query).first()
        return _review_from_row(row) if row else None

    def review_counts_by_labeler(self, project_id: int) -> list[LabelerCounts]:
        """Reviews and rejections per labeler of a project (every review counts), by name."""
        rejected = func.sum(case((_reviews.c.decision == ReviewDecision.REJECTED.value, 1), else_=0))
        query = (
            select(_reviews.c.labeler, func.count(), rejected)
            .where(_reviews.c.project_id == project_id, _reviews.c.labeler.is_not(None))
            .group_by(_reviews.c.labeler)
            .order_by(_reviews.c.labeler)
        )
        with self.read() as connection:
            return [
                LabelerCounts(labeler, reviewed, int(rejected or 0))
                for labeler, reviewed, rejected in connection.execute(query)
            ]


# --- the queue --------------------------------------------------------------------------------


def _keys(spec: QueueSpec, dialect: str, only: str | None = None, ordered: bool = True):
    """The queue as a narrow subquery (no text or JSON, so sorting 100,000 rows stays cheap):
    id, status, recording_id, start, version, updated_by, and what the order and filters need:
    ``logprob_key`` (lowest draft avg_logprob, ``NO_DRAFT_KEY`` without a draft),
    ``revision_id`` (the submitting revision) and ``labeler``. ``ordered`` False (a count)
    leaves out what only the order needs. ``only``: that one segment, whatever its status and
    unfiltered (the order keys of a segment that has just left the queue)."""
    s = _segments
    by_labeler = (
        spec.labeler is not None
        or spec.not_labeled_by is not None
        or spec.order == "labeler"
        or (spec.order == "sample" and bool(spec.flagged))
    )
    query = select(s.c.id, s.c.status, s.c.recording_id, s.c.start, s.c.version, s.c.updated_by)
    query = query.where(*_segment_filter(s, spec, only))
    # PostgreSQL would repeat a correlated subquery for every use of its column; there a grouped
    # join is 5x faster. SQLite probes the covering index per segment faster than it groups.
    grouped = dialect == "postgresql"
    if ordered and spec.order == "low_confidence":
        query, lowest = _per_segment(query, _drafts, func.min(_drafts.c.avg_logprob), (), spec, only, grouped)
        query = query.add_columns(func.coalesce(lowest, NO_DRAFT_KEY).label("logprob_key"))
        # Routing's predicted correctness first (lowest first; one primary-key probe per segment),
        # then the draft's log-probability for segments routing never scored.
        score = select(_routes.c.score).where(_routes.c.segment_id == s.c.id).scalar_subquery()
        query = query.add_columns(func.coalesce(score, NO_SCORE_KEY).label("score_key"))
    if by_labeler or (ordered and spec.order in ("sample", "labeler")):
        submitting = (_revisions.c.status.in_(_LABELER_VALUES),)
        query, newest = _per_segment(query, _revisions, func.max(_revisions.c.id), submitting, spec, only, grouped)
        query = query.add_columns(newest.label("revision_id"))
    if not by_labeler:
        return (query if only is not None else _filtered(query, spec, s.c.id, s.c.status, None)).subquery("queue")
    inner = query.subquery("queue_keys")
    submitter = _revisions.alias("submitter")
    # A segment without a submitting revision (not made by this app) falls back to its last saver.
    labeler = func.coalesce(submitter.c.author, inner.c.updated_by)
    query = select(inner, labeler.label("labeler")).select_from(
        inner.outerjoin(submitter, submitter.c.id == inner.c.revision_id)
    )
    if only is None:
        query = _filtered(query, spec, inner.c.id, inner.c.status, labeler)
    return query.subquery("queue")


def _segment_filter(segments, spec: QueueSpec, only: str | None) -> list:
    if only is not None:
        return [segments.c.id == only]
    where = [segments.c.project_id == spec.project_id, segments.c.status.in_(_QUEUE_VALUES)]
    if spec.recording_id is not None:
        where.append(segments.c.recording_id == spec.recording_id)
    return where


def _per_segment(query: Select, table, aggregate, where, spec: QueueSpec, only: str | None, grouped: bool):
    """``aggregate`` over each queue segment's rows of ``table`` (drafts, revisions) matching
    ``where``: a grouped subquery joined to ``query`` or a correlated one. Returns the query
    and the value's column."""
    s = _segments
    if not grouped:
        return query, select(aggregate).where(table.c.segment_id == s.c.id, *where).scalar_subquery()
    mine = _segments.alias(f"{table.name}_segments")
    values = (
        select(table.c.segment_id, aggregate.label("value"))
        .join(mine, mine.c.id == table.c.segment_id)
        .where(*_segment_filter(mine, spec, only), *where)
        .group_by(table.c.segment_id)
        .subquery(f"{table.name}_values")
    )
    return query.outerjoin(values, values.c.segment_id == s.c.id), values.c.value


def _submitting_revision(segment_id):
    """The id of the segment's newest revision with a queue status (one index probe)."""
    return (
        select(func.max(_revisions.c.id))
        .where(_revisions.c.segment_id == segment_id, _revisions.c.status.in_(_LABELER_VALUES))
        .scalar_subquery()
    )


def _lowest_logprob(segment_id):
    return select(func.min(_drafts.c.avg_logprob)).where(_drafts.c.segment_id == segment_id).scalar_subquery()


def _filtered(query: Select, spec: QueueSpec, segment_id, status, labeler) -> Select:
    if spec.labeler is not None:
        query = query.where(labeler == spec.labeler)
    if spec.not_labeled_by is not None:
        query = query.where(or_(labeler.is_(None), labeler != spec.not_labeled_by))
    if spec.order == "sample":
        share: ColumnElement[Any] = literal(spec.sample_share)
        if spec.flagged:
            share = case((labeler.in_(sorted(spec.flagged)), literal(spec.flagged_share)), else_=share)
        # A rework is always checked again, whatever its bucket.
        query = query.where(
            or_(status == SegmentStatus.REWORKED.value, _SampleBucket(segment_id) < share * SAMPLE_SCALE)
        )
    return query


def _order_keys(queue, order: str) -> list:
    """Sort keys without NULLs (so keyset comparison works), ending in the id to break ties.
    Submission order is the submitting revision's id: the order revisions were written in, and
    (unlike its timestamp) in the index."""
    if order == "low_confidence":
        return [queue.c.score_key, queue.c.logprob_key, queue.c.id]
    if order == "recording":
        return [queue.c.recording_id, queue.c.start, queue.c.id]
    submitted = func.coalesce(queue.c.revision_id, 0)
    if order == "labeler":
        return [func.coalesce(queue.c.labeler, ""), submitted, queue.c.id]
    return [submitted, queue.c.id]  # sample


def _next_rows(spec: QueueSpec, dialect: str, start: Any, limit: int) -> Select:
    """The first ``limit`` queue rows whose order keys come after ``start`` (None: from the top)."""
    keys = _keys(spec, dialect)
    order = _order_keys(keys, spec.order)
    query = select(keys).order_by(*order).limit(limit)
    if start is not None:
        query = query.where(tuple_(*order) > tuple_(*(literal(value, key.type) for value, key in zip(start, order))))
    return _rows_of(query.subquery("page"), spec.order)


def _rows_of(page, order: str) -> Select:
    """The full rows of a page of ``_keys``: segment, labeler, submission time, confidence."""
    s = _segments
    submitted = _revisions.alias("submitted")
    revision_id = page.c.revision_id if "revision_id" in page.c else _submitting_revision(page.c.id)
    lowest = _lowest_logprob(page.c.id)
    return (
        select(
            s,
            func.coalesce(submitted.c.author, s.c.updated_by).label("labeler"),
            func.coalesce(submitted.c.created_at, s.c.updated_at).label("submitted_at"),
            lowest.label("min_logprob"),
        )
        .select_from(page.join(s, s.c.id == page.c.id).outerjoin(submitted, submitted.c.id == revision_id))
        .order_by(*_order_keys(page, order))
    )


class _SampleBucket(FunctionElement):
    """``sample_bucket(segments.id)`` in SQL: PostgreSQL hashes natively; on SQLite it is the
    Python function itself, registered on the connection by ``_prepare``."""

    type = Integer()
    name = "review_sample_bucket"
    inherit_cache = True


@compiles(_SampleBucket, "sqlite")
def _bucket_sqlite(element, compiler, **kw) -> str:
    return f"{_SQLITE_BUCKET}({compiler.process(element.clauses, **kw)})"


@compiles(_SampleBucket, "postgresql")
def _bucket_postgresql(element, compiler, **kw) -> str:
    value = compiler.process(element.clauses, **kw)
    first4 = f"substring(sha256(convert_to('{_SAMPLE_SALT}' || {value}, 'UTF8')) from 1 for 4)"
    return f"mod(('x' || encode({first4}, 'hex'))::bit(32)::bigint, {SAMPLE_SCALE})"


def _prepare(connection: Connection, spec: QueueSpec) -> None:
    if spec.order == "sample" and connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        assert driver is not None  # None only once the pooled connection is invalidated; this one is in use
        driver.create_function(_SQLITE_BUCKET, 1, sample_bucket, deterministic=True)


def _queue_row(row: Any) -> QueueRow:
    return QueueRow(segment_from_row(row), row.labeler, as_utc(row.submitted_at), row.min_logprob)


# --- decisions --------------------------------------------------------------------------------


def _review_values(decision: Decision, now: datetime) -> dict[str, Any]:
    return {
        "segment_id": decision.segment_id,
        "project_id": decision.project_id,
        "segment_version": decision.expected_version,
        "labeler": decision.labeler,
        "reviewer": decision.reviewer,
        "decision": decision.decision.value,
        "reason": decision.reason.value if decision.reason else None,
        "comment": decision.comment,
        "created_at": now,
    }


def _insert_reviews(connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert review rows; returns the id of the last one."""
    result = connection.execute(insert(_reviews).returning(_reviews.c.id), list(rows))
    return list(result.scalars())[-1]


def _return_to_labeler(connection: Connection, decision: Decision, now: datetime) -> None:
    """A rejected segment's labeling lease goes to its labeler (their queue hands out rejected
    segments they hold); without one it is released to the pool."""
    connection.execute(delete(_leases).where(_leases.c.segment_id == decision.segment_id, _leases.c.slot == FIRST_SLOT))
    if decision.return_to is not None and decision.return_until is not None:
        _lease(
            connection,
            [decision.segment_id],
            decision.project_id,
            decision.return_to,
            now,
            decision.return_until,
            decision.reviewer,
            replace_active=True,
        )


def _approve_chunk(
    connection: Connection, spec: QueueSpec, reviewer: str, comment: str | None, revision_comment: str
) -> tuple[int, int]:
    """Approve up to ``BULK_CHUNK`` queue segments; returns how many were read and approved."""
    queue = _keys(spec, connection.dialect.name, ordered=False)
    seen = {
        row.id: (row.version, row.labeler)
        for row in connection.execute(
            select(queue.c.id, queue.c.version, queue.c.labeler).order_by(queue.c.id).limit(BULK_CHUNK)
        )
    }
    if not seen:
        return 0, 0
    # Lock the rows (PostgreSQL; SQLite's write transaction already excludes other writers) and
    # keep only those still at the version the queue read.
    current = connection.execute(
        select(_segments.c.id, _segments.c.version).where(_segments.c.id.in_(list(seen))).with_for_update()
    ).all()
    unchanged = [row.id for row in current if seen[row.id][0] == row.version]
    now = utc_now()
    rows = connection.execute(
        update(_segments)
        .where(_segments.c.id.in_(unchanged), _segments.c.status.in_(_QUEUE_VALUES))
        .values(
            status=landing(Action.APPROVE).value, version=_segments.c.version + 1, updated_by=reviewer, updated_at=now
        )
        .returning(*_segments.c)
    ).all()
    if not rows:
        return len(seen), 0
    connection.execute(
        insert(_revisions), [_revision_row(row._mapping, reviewer, now, revision_comment) for row in rows]
    )
    _insert_reviews(
        connection,
        [
            {
                "segment_id": row.id,
                "project_id": spec.project_id,
                "segment_version": row.version - 1,
                "labeler": seen[row.id][1],
                "reviewer": reviewer,
                "decision": ReviewDecision.APPROVED.value,
                "reason": None,
                "comment": comment,
                "created_at": now,
            }
            for row in rows
        ],
    )
    write_audit(
        connection,
        AuditNote(
            reviewer,
            "segments_bulk_approved",
            spec.labeler,
            spec.project_id,
            {"segments": [row.id for row in rows], "recording": spec.recording_id, "comment": comment},
        ),
        at=now,
    )
    return len(seen), len(rows)


def _load_review(connection: Connection, review_id: int) -> Review:
    return _review_from_row(connection.execute(select(_reviews).where(_reviews.c.id == review_id)).one())


def _review_from_row(row: Any) -> Review:
    return Review(
        id=row.id,
        segment_id=row.segment_id,
        project_id=row.project_id,
        segment_version=row.segment_version,
        labeler=row.labeler,
        reviewer=row.reviewer,
        decision=ReviewDecision(row.decision),
        reason=ReviewReason(row.reason) if row.reason else None,
        comment=row.comment,
        created_at=as_utc(row.created_at),
    )
