"""Leases: which labeler holds which segment until when. Work leaves the pool in batches; a
lease that expires returns its segment to the pool without anyone having to release it.

A segment is free when it has no lease whose ``expires_at`` is still ahead. Claims take free
to-do segments in one short transaction, one claim per project at a time (an advisory lock on
PostgreSQL; on SQLite ``BEGIN IMMEDIATE`` already runs writers one at a time), so two labelers
claiming at the same moment get different segments. The lease table's primary key
(segment, slot) is the last guard: a second active lease on the same slot cannot exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, delete, exists, func, insert, select, tuple_, union_all, update
from sqlalchemy.exc import IntegrityError

from speechlabel.core.errors import Conflict, NotFound
from speechlabel.core.models import Segment, SegmentStatus
from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.rows import as_utc, segment_from_row

_segments = schema.segments
_leases = schema.leases
_second = schema.second_labels
_ORDER = (_segments.c.recording_id, _segments.c.start, _segments.c.id)
FIRST_SLOT = 1
SECOND_SLOT = 2  # the independent second labeling of a double-labeled segment
# A claim that lost a race on a row (to a lead's reassignment) tries again this many times.
CLAIM_ATTEMPTS = 5
# First key of the advisory lock that serialises claims (the second is the project id).
CLAIM_LOCK_CLASS = 7301


@dataclass(frozen=True)
class Lease:
    segment_id: str
    slot: int
    project_id: int
    username: str
    batch_id: str
    leased_at: datetime
    expires_at: datetime
    assigned_by: str | None


@dataclass(frozen=True)
class SegmentAccess:
    """A segment with what decides who may open or change it, read in one query: its project
    and who holds its labeling (first slot) and its second labeling right now."""

    segment: Segment
    project_id: int
    first_holder: str | None
    second_holder: str | None
    first_expires: datetime | None = None  # when the holders' leases end (None: no holder)
    second_expires: datetime | None = None

    def held_until(self, username: str) -> datetime | None:
        """When ``username``'s lease of this segment ends (either slot; None: not theirs)."""
        if username == self.first_holder:
            return self.first_expires
        return self.second_expires if username == self.second_holder else None


# The label loop's reads, built once: a statement built per call cost more than the query
# (its aliases and union are rebuilt and their cache key recomputed every time).
def _active_lease(lease, slot: int):
    return and_(lease.c.segment_id == _segments.c.id, lease.c.slot == slot, lease.c.expires_at > bindparam("now"))


_first_lease, _second_lease = _leases.alias("first_lease"), _leases.alias("second_lease")
_ACCESS = (
    select(
        _segments,
        _first_lease.c.username.label("first_holder"),
        _second_lease.c.username.label("second_holder"),
        _first_lease.c.expires_at.label("first_expires"),
        _second_lease.c.expires_at.label("second_expires"),
    )
    .outerjoin(_first_lease, _active_lease(_first_lease, FIRST_SLOT))
    .outerjoin(_second_lease, _active_lease(_second_lease, SECOND_SLOT))
    .where(_segments.c.id == bindparam("segment_id"))
)
_held_firsts = (
    select(_segments.c.id, _segments.c.recording_id, _segments.c.start)
    .join(_leases, and_(_leases.c.segment_id == _segments.c.id, _leases.c.slot == FIRST_SLOT))
    .where(
        _leases.c.project_id == bindparam("project_id"),
        _leases.c.username == bindparam("username"),
        _leases.c.expires_at > bindparam("now"),
        _segments.c.status.in_(bindparam("statuses", expanding=True)),
    )
)
_held_seconds = (
    select(_segments.c.id, _segments.c.recording_id, _segments.c.start)
    .join(_leases, and_(_leases.c.segment_id == _segments.c.id, _leases.c.slot == SECOND_SLOT))
    .join(_second, _second.c.segment_id == _segments.c.id)
    .where(
        _leases.c.project_id == bindparam("project_id"),
        _leases.c.username == bindparam("username"),
        _leases.c.expires_at > bindparam("now"),
        _second.c.saved_at.is_(None),
    )
)
_held = union_all(_held_firsts, _held_seconds).subquery()
_HELD_ORDER = (_held.c.recording_id, _held.c.start, _held.c.id)
_HELD_WORK_IDS = select(_held.c.id).order_by(*_HELD_ORDER)
# The label loop's "what comes after this one" for every card: one row, not the whole batch.
_HELD_FIRST = _HELD_WORK_IDS.limit(1)
_HELD_AFTER = (
    select(_held.c.id)
    .where(
        tuple_(*_HELD_ORDER)
        > tuple_(
            bindparam("after_recording", type_=_segments.c.recording_id.type),
            bindparam("after_start", type_=_segments.c.start.type),
            bindparam("after_id", type_=_segments.c.id.type),
        )
    )
    .order_by(*_HELD_ORDER)
    .limit(1)
)
_HOLDS = select(exists().where(_held.c.id == bindparam("segment_id")))


# Whether the user holds (either slot) a segment whose span, widened by ``margin``, contains the
# asked span: the clip route asks it for every clip a labeler plays.
_TOLERANCE = 1e-3
_HOLDS_AROUND = select(
    exists().where(
        _leases.c.segment_id == _segments.c.id,
        _leases.c.project_id == bindparam("project_id"),
        _leases.c.username == bindparam("username"),
        _leases.c.expires_at > bindparam("now"),
        _segments.c.recording_id == bindparam("recording_id"),
        _segments.c.start <= bindparam("latest_start", type_=_segments.c.start.type),
        _segments.c.start + _segments.c.duration >= bindparam("earliest_end", type_=_segments.c.start.type),
    )
)


class LeaseQueries(StoreBase):
    def segment_access(self, segment_id: str, now: datetime) -> SegmentAccess:
        """The segment, its project and its active leases' holders (NotFound for an unknown id)."""
        with self.read() as connection:
            row = connection.execute(_ACCESS, {"segment_id": segment_id, "now": now}).first()
        if row is None:
            raise NotFound(message_key="error.no_segment", params={"segment": segment_id})
        return SegmentAccess(
            segment_from_row(row),
            row.project_id,
            row.first_holder,
            row.second_holder,
            as_utc(row.first_expires),
            as_utc(row.second_expires),
        )

    def held_work_ids(
        self, project_id: int, username: str, statuses: Iterable[SegmentStatus], now: datetime
    ) -> list[str]:
        """The ids of what the user holds to do, in recording and time order: their leased
        segments in ``statuses`` and their unsaved second labelings (one query, ids only)."""
        with self.read() as connection:
            return list(connection.execute(_HELD_WORK_IDS, _held_values(project_id, username, statuses, now)).scalars())

    def held_work_after(
        self, project_id: int, username: str, statuses: Iterable[SegmentStatus], now: datetime, after: Segment
    ) -> str | None:
        """What :meth:`held_work_ids` lists after ``after`` when the user holds it (None after the
        last), else the first of the list: two one-row queries, however large the batch."""
        values = _held_values(project_id, username, statuses, now)
        with self.read() as connection:
            if not connection.execute(_HOLDS, values | {"segment_id": after.id}).scalar():
                return connection.execute(_HELD_FIRST, values).scalar()
            key = {"after_recording": after.recording_id, "after_start": after.start, "after_id": after.id}
            return connection.execute(_HELD_AFTER, values | key).scalar()

    def claim_free_segments(
        self,
        project_id: int,
        username: str,
        statuses: Iterable[SegmentStatus],
        now: datetime,
        expires_at: datetime,
        limit: int | None,
        recording_id: str | None = None,
        assigned_by: str | None = None,
    ) -> list[Segment]:
        """Lease up to ``limit`` free to-do segments (all of ``recording_id``'s when given) to
        ``username``, in recording and time order; returns them."""
        query = _free_todo(project_id, statuses, now).order_by(*_ORDER)
        if recording_id is not None:
            query = query.where(_segments.c.recording_id == recording_id)
        if limit is not None:
            query = query.limit(limit)
        for _ in range(CLAIM_ATTEMPTS):
            try:
                with self.write() as connection:
                    _serialise_claims(connection, project_id)
                    rows = connection.execute(_not_seconded_by(connection, query, project_id, username)).all()
                    _lease(
                        connection,
                        [row.id for row in rows],
                        project_id,
                        username,
                        now,
                        expires_at,
                        assigned_by,
                        replace_active=False,
                    )
                return [segment_from_row(row) for row in rows]
            except IntegrityError:
                # PostgreSQL: another claim committed a lease on one of these rows between this
                # statement's snapshot and its insert; the key refused the second lease. Try again.
                continue
        raise Conflict(message_key="error.busy_taking_work")

    def active_leased_segments(
        self, project_id: int, username: str, statuses: Iterable[SegmentStatus] | None, now: datetime
    ) -> list[Segment]:
        """The user's leased segments (in ``statuses``; None: any), in recording and time order."""
        query = (
            select(_segments)
            .join(_leases, _leases.c.segment_id == _segments.c.id)
            .where(
                _leases.c.project_id == project_id,
                _leases.c.username == username,
                _leases.c.slot == FIRST_SLOT,
                _leases.c.expires_at > now,
            )
            .order_by(*_ORDER)
        )
        if statuses is not None:
            query = query.where(_segments.c.status.in_([s.value for s in statuses]))
        with self.read() as connection:
            return [segment_from_row(row) for row in connection.execute(query)]

    def holds_segment_around(
        self, project_id: int, username: str, recording_id: str, start: float, end: float, margin: float, now: datetime
    ) -> bool:
        """Whether the user holds (either slot) a segment of the recording whose span, widened by
        ``margin`` seconds on each side, contains ``start..end``: one EXISTS, not the batch."""
        values = {
            "project_id": project_id,
            "username": username,
            "now": now,
            "recording_id": recording_id,
            "latest_start": start + margin + _TOLERANCE,
            "earliest_end": end - margin - _TOLERANCE,
        }
        with self.read() as connection:
            return bool(connection.execute(_HOLDS_AROUND, values).scalar())

    def lease_of(self, segment_id: str, now: datetime, slot: int = FIRST_SLOT) -> Lease | None:
        """The active lease of a segment on ``slot`` (first: the labeling), if any."""
        query = select(_leases).where(
            _leases.c.segment_id == segment_id, _leases.c.slot == slot, _leases.c.expires_at > now
        )
        with self.read() as connection:
            row = connection.execute(query).first()
        return _lease_from_row(row) if row else None

    def reassign_leases(
        self, segment_ids: Sequence[str], username: str, now: datetime, expires_at: datetime, assigned_by: str | None
    ) -> int:
        """Give these segments to ``username`` whoever held them (a lead's decision); returns how many."""
        with self.write() as connection:
            found = connection.execute(
                select(_segments.c.id, _segments.c.project_id).where(_segments.c.id.in_(list(segment_ids)))
            ).all()
            missing = set(segment_ids) - {row.id for row in found}
            if missing:
                raise NotFound(message_key="error.no_segment", params={"segment": min(missing)})
            connection.execute(
                delete(_leases).where(_leases.c.segment_id.in_(list(segment_ids)), _leases.c.slot == FIRST_SLOT)
            )
            for project_id in {row.project_id for row in found}:
                ids = [row.id for row in found if row.project_id == project_id]
                _lease(connection, ids, project_id, username, now, expires_at, assigned_by, replace_active=True)
        return len(found)

    def release_lease(self, segment_id: str, username: str) -> bool:
        with self.write() as connection:
            return (
                connection.execute(
                    delete(_leases).where(_leases.c.segment_id == segment_id, _leases.c.username == username)
                ).rowcount
                > 0
            )

    def extend_leases(self, project_id: int, username: str, now: datetime, expires_at: datetime) -> int:
        """Keep a working labeler's batch: every save pushes their active leases' expiry out (never
        in: a rejected segment's longer rework lease keeps its own end)."""
        with self.write() as connection:
            return connection.execute(
                update(_leases)
                .where(
                    _leases.c.project_id == project_id,
                    _leases.c.username == username,
                    _leases.c.expires_at > now,
                    _leases.c.expires_at < expires_at,
                )
                .values(expires_at=expires_at)
            ).rowcount

    def count_leases_since(self, project_id: int, username: str, since: datetime) -> int:
        query = (
            select(func.count())
            .select_from(_leases)
            .where(_leases.c.project_id == project_id, _leases.c.username == username, _leases.c.leased_at >= since)
        )
        with self.read() as connection:
            return connection.execute(query).scalar_one()


def _held_values(project_id: int, username: str, statuses: Iterable[SegmentStatus], now: datetime) -> dict[str, object]:
    """The parameters of the held-work statements (``_held``)."""
    return {"project_id": project_id, "username": username, "now": now, "statuses": [s.value for s in statuses]}


def _serialise_claims(connection: Connection, project_id: int) -> None:
    """Claims in one project take turns (PostgreSQL: a transaction-scoped advisory lock; SQLite's
    BEGIN IMMEDIATE already does it). Row locks alone are not enough: a claim whose snapshot was
    taken before another claim committed would still see that claim's rows as free."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK_CLASS, project_id)))


def _free_todo(project_id: int, statuses: Iterable[SegmentStatus], now: datetime):
    held = exists().where(
        and_(_leases.c.segment_id == _segments.c.id, _leases.c.slot == FIRST_SLOT, _leases.c.expires_at > now)
    )
    return select(_segments).where(
        _segments.c.project_id == project_id, _segments.c.status.in_([s.value for s in statuses]), ~held
    )


def _not_seconded_by(connection: Connection, query, project_id: int, username: str):
    """Whoever has (or had) the second labeling of a segment never gets its first: the two stay
    independent. The few such ids are read first and left out by id: a NOT EXISTS on the
    second labelings made PostgreSQL give up the index order of the pool (90 ms per claim)."""
    theirs = (
        connection.execute(
            select(_second.c.segment_id).where(_second.c.project_id == project_id, _second.c.labeler == username)
        )
        .scalars()
        .all()
    )
    return query.where(_segments.c.id.not_in(theirs)) if theirs else query


def _lease(
    connection: Connection,
    segment_ids: list[str],
    project_id: int,
    username: str,
    now: datetime,
    expires_at: datetime,
    assigned_by: str | None,
    replace_active: bool,
    slot: int = FIRST_SLOT,
) -> None:
    """Lease ``segment_ids`` on ``slot``. Expired leases of them are history and make way; active
    ones only when ``replace_active`` (a lead's reassignment), else the insert fails on the key."""
    if not segment_ids:
        return
    gone = delete(_leases).where(_leases.c.segment_id.in_(segment_ids), _leases.c.slot == slot)
    if not replace_active:
        gone = gone.where(_leases.c.expires_at <= now)
    connection.execute(gone)
    batch_id = uuid.uuid4().hex[:12]
    connection.execute(
        insert(_leases),
        [
            {
                "segment_id": segment_id,
                "slot": slot,
                "project_id": project_id,
                "username": username,
                "batch_id": batch_id,
                "leased_at": now,
                "expires_at": expires_at,
                "assigned_by": assigned_by,
            }
            for segment_id in segment_ids
        ],
    )


def _lease_from_row(row) -> Lease:
    return Lease(
        row.segment_id,
        row.slot,
        row.project_id,
        row.username,
        row.batch_id,
        as_utc(row.leased_at),
        as_utc(row.expires_at),
        row.assigned_by,
    )
