"""Double labeling: which segments a second labeler transcribes independently, who has that
work (a slot-2 lease, see leases.py), and what they saved.

A second labeling is free when it is not saved, nobody holds its slot-2 lease, and the person
asking had no hand in the segment's first labeling: never its slot-1 holder, never an author of
one of its revisions. Claims take turns per project like first claims do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from speechlabel.core.errors import Conflict
from speechlabel.core.models import SecondLabel, Segment
from speechlabel.store import schema
from speechlabel.store.base import StoreBase
from speechlabel.store.leases import _ORDER, CLAIM_ATTEMPTS, FIRST_SLOT, SECOND_SLOT, _lease, _serialise_claims
from speechlabel.store.rows import as_utc, segment_from_row

_segments = schema.segments
_leases = schema.leases
_second = schema.second_labels
_revisions = schema.revisions


class SecondLabelQueries(StoreBase):
    def pick_for_second_label(self, project_id: int, segment_ids: Sequence[str], now: datetime) -> int:
        """Mark segments for a second labeling (those already marked stay as they are); returns
        how many were new."""
        if not segment_ids:
            return 0
        try:
            with self.write() as connection:
                known = set(
                    connection.execute(
                        select(_second.c.segment_id).where(_second.c.segment_id.in_(list(segment_ids)))
                    ).scalars()
                )
                new = [segment_id for segment_id in dict.fromkeys(segment_ids) if segment_id not in known]
                if new:
                    connection.execute(
                        insert(_second),
                        [
                            {"segment_id": segment_id, "project_id": project_id, "picked_at": now, "tags": []}
                            for segment_id in new
                        ],
                    )
                return len(new)
        except IntegrityError:
            # PostgreSQL: a concurrent pick of the same segment committed first; it is marked.
            return 0

    def claim_second_labels(
        self, project_id: int, username: str, now: datetime, expires_at: datetime, limit: int
    ) -> list[Segment]:
        """Lease up to ``limit`` free second labelings (slot 2) to ``username``, in recording and
        time order; returns their segments."""
        query = _free_second(project_id, username, now).order_by(*_ORDER).limit(limit)
        # Most claims find no second labeling waiting: look first without taking the project's
        # claim lock, which every first-labeling claim needs too (halved PostgreSQL throughput).
        with self.read() as connection:
            if connection.execute(query.with_only_columns(_segments.c.id).limit(1)).first() is None:
                return []
        for _ in range(CLAIM_ATTEMPTS):
            try:
                with self.write() as connection:
                    _serialise_claims(connection, project_id)
                    rows = connection.execute(query).all()
                    ids = [row.id for row in rows]
                    _lease(
                        connection,
                        ids,
                        project_id,
                        username,
                        now,
                        expires_at,
                        None,
                        replace_active=False,
                        slot=SECOND_SLOT,
                    )
                    if ids:
                        connection.execute(
                            update(_second).where(_second.c.segment_id.in_(ids)).values(labeler=username)
                        )
                return [segment_from_row(row) for row in rows]
            except IntegrityError:
                continue  # see claim_free_segments: another claim won a row; try again
        raise Conflict(message_key="error.busy_taking_work")

    def held_second_labels(self, project_id: int, username: str, now: datetime) -> list[Segment]:
        """The segments whose unsaved second labeling ``username`` holds, in recording and time order."""
        query = (
            select(_segments)
            .join(_leases, and_(_leases.c.segment_id == _segments.c.id, _leases.c.slot == SECOND_SLOT))
            .join(_second, _second.c.segment_id == _segments.c.id)
            .where(
                _leases.c.project_id == project_id,
                _leases.c.username == username,
                _leases.c.expires_at > now,
                _second.c.saved_at.is_(None),
            )
            .order_by(*_ORDER)
        )
        with self.read() as connection:
            return [segment_from_row(row) for row in connection.execute(query)]

    def get_second_label(self, segment_id: str) -> SecondLabel | None:
        with self.read() as connection:
            row = connection.execute(select(_second).where(_second.c.segment_id == segment_id)).first()
        return _second_label_from_row(row) if row else None

    def save_second_label(
        self,
        segment_id: str,
        username: str,
        text: str,
        speaker: str | None,
        tags: Sequence[str],
        comment: str | None,
        now: datetime,
    ) -> SecondLabel:
        """Store ``username``'s second transcription with the bounds the segment has now. Only the
        holder of the active slot-2 lease may, and only once: the lease ends with the save."""
        with self.write() as connection:
            segment = connection.execute(
                select(_segments.c.start, _segments.c.duration).where(_segments.c.id == segment_id)
            ).first()
            held = exists().where(
                _leases.c.segment_id == segment_id,
                _leases.c.slot == SECOND_SLOT,
                _leases.c.username == username,
                _leases.c.expires_at > now,
            )
            changed = connection.execute(
                update(_second)
                .where(
                    _second.c.segment_id == segment_id,
                    _second.c.labeler == username,
                    _second.c.saved_at.is_(None),
                    held,
                )
                .values(
                    text=text,
                    speaker=speaker,
                    tags=list(tags),
                    comment=comment,
                    saved_at=now,
                    start=segment.start if segment else None,
                    duration=segment.duration if segment else None,
                )
            ).rowcount
            if not changed:
                raise Conflict(message_key="error.second_label_gone", params={"segment": segment_id})
            connection.execute(delete(_leases).where(_leases.c.segment_id == segment_id, _leases.c.slot == SECOND_SLOT))
            row = connection.execute(select(_second).where(_second.c.segment_id == segment_id)).one()
        return _second_label_from_row(row)

    def give_back_second_label(self, segment_id: str, username: str) -> bool:
        """End ``username``'s lease on a second labeling so another labeler can take it (it does
        not come back to them: ``labeler`` still names them)."""
        with self.write() as connection:
            return (
                connection.execute(
                    delete(_leases).where(
                        _leases.c.segment_id == segment_id,
                        _leases.c.slot == SECOND_SLOT,
                        _leases.c.username == username,
                    )
                ).rowcount
                > 0
            )

    def saved_second_labels(self, project_id: int) -> list[tuple[SecondLabel, Segment]]:
        """Every saved second labeling of the project with its segment as it is now (one query)."""
        columns = [column.label(f"second_{column.name}") for column in _second.c]
        query = (
            select(_segments, *columns)
            .join(_second, _second.c.segment_id == _segments.c.id)
            .where(_second.c.project_id == project_id, _second.c.saved_at.is_not(None))
            .order_by(*_ORDER)
        )
        with self.read() as connection:
            return [
                (_second_label_from_row(row, prefix="second_"), segment_from_row(row))
                for row in connection.execute(query)
            ]


def _free_second(project_id: int, username: str, now: datetime):
    held = exists().where(
        and_(_leases.c.segment_id == _segments.c.id, _leases.c.slot == SECOND_SLOT, _leases.c.expires_at > now)
    )
    # Slot-1 lease rows stay after they expire (until the segment is leased again), so this also
    # excludes a first labeler whose lease has run out; revisions cover the rest.
    labels_it = exists().where(
        and_(_leases.c.segment_id == _segments.c.id, _leases.c.slot == FIRST_SLOT, _leases.c.username == username)
    )
    wrote = exists().where(and_(_revisions.c.segment_id == _segments.c.id, _revisions.c.author == username))
    # A labeler who gave it back (or let the lease run out) does not get it again.
    not_theirs_before = or_(_second.c.labeler.is_(None), _second.c.labeler != username)
    return (
        select(_segments)
        .join(_second, _second.c.segment_id == _segments.c.id)
        .where(
            _second.c.project_id == project_id,
            _second.c.saved_at.is_(None),
            not_theirs_before,
            ~held,
            ~labels_it,
            ~wrote,
        )
    )


def _second_label_from_row(row, prefix: str = "") -> SecondLabel:
    values = {column.name: getattr(row, prefix + column.name) for column in _second.c}
    saved_at = values.pop("saved_at")
    return SecondLabel(
        **values
        | {
            "picked_at": as_utc(values["picked_at"]),
            "tags": tuple(values["tags"] or ()),
            "saved_at": as_utc(saved_at) if saved_at else None,
        }
    )
