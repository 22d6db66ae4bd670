"""Confidence routing's rows: second drafts, correctness models and each segment's route.

Routing a project is one transaction: every auto-accepted segment moves by the versioned update
(so a segment a labeler saved meanwhile stays theirs: it is skipped, not overwritten) with a
revision naming the model, score and threshold, and every scored segment's route is replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from speechlabel.core.errors import StaleVersion
from speechlabel.core.lifecycle import Action, landing, status_values
from speechlabel.core.models import Draft, SegmentStatus
from speechlabel.core.signals import SegmentSignals
from speechlabel.store import schema
from speechlabel.store.audit import AuditNote, write_audit
from speechlabel.store.base import StoreBase
from speechlabel.store.rows import as_utc, draft_from_row, utc_now
from speechlabel.store.segments import versioned_update

_segments = schema.segments
_recordings = schema.recordings
_drafts = schema.drafts
_second = schema.second_drafts
_models = schema.correctness_models
_routes = schema.segment_routes

# The route of a scored segment.
AUTO_ACCEPTED, AUDIT, PEOPLE = "auto_accepted", "audit", "people"
ROUTING_AUTHOR = "routing"


@dataclass(frozen=True)
class RoutingRow:
    """A drafted segment with its signals, as routing and fitting read it."""

    signals: SegmentSignals
    status: SegmentStatus
    version: int
    text: str  # the segment's current text (the final text, once people finalised it)


@dataclass(frozen=True)
class StoredModel:
    id: int
    project_id: int
    created_at: datetime
    created_by: str
    model: dict[str, Any]
    routing: dict[str, Any] | None


@dataclass(frozen=True)
class Route:
    segment_id: str
    version: int
    score: float
    route: str
    draft_text: str


@dataclass(frozen=True)
class AuditRow:
    segment_id: str
    score: float
    status: SegmentStatus
    draft_text: str
    text: str


@dataclass(frozen=True)
class PendingSecond:
    segment_id: str
    recording_id: str
    start: float
    end: float


class RoutingQueries(StoreBase):
    def routing_rows(self, project_id: int, statuses: Iterable[SegmentStatus]) -> list[RoutingRow]:
        """The project's segments in ``statuses`` that have a draft, with their newest draft, the
        recording's probe and the second draft's text; in recording order."""
        s, r = _segments, _recordings
        newest = (
            select(func.max(_drafts.c.id).label("draft_id"), _drafts.c.segment_id)
            .join(s, s.c.id == _drafts.c.segment_id)
            .where(s.c.project_id == project_id, s.c.status.in_(status_values(statuses)))
            .group_by(_drafts.c.segment_id)
            .subquery("newest")
        )
        query = (
            select(
                _drafts,
                s.c.status.label("segment_status"),
                s.c.version.label("segment_version"),
                s.c.text.label("segment_text"),
                s.c.duration.label("segment_duration"),
                r.c.snr_db,
                r.c.clipped_ratio,
                _second.c.text.label("second_text"),
            )
            .select_from(
                newest.join(_drafts, _drafts.c.id == newest.c.draft_id)
                .join(s, s.c.id == newest.c.segment_id)
                .join(r, r.c.id == s.c.recording_id)
                .outerjoin(_second, _second.c.segment_id == s.c.id)
            )
            .order_by(s.c.recording_id, s.c.start, s.c.id)
        )
        with self.read() as connection:
            return [_routing_row(row) for row in connection.execute(query)]

    def pending_second_drafts(self, project_id: int, statuses: Iterable[SegmentStatus]) -> list[PendingSecond]:
        """Drafted segments in ``statuses`` without a second draft, in recording order."""
        s = _segments
        has_draft = select(_drafts.c.id).where(_drafts.c.segment_id == s.c.id).exists()
        query = (
            select(s.c.id, s.c.recording_id, s.c.start, s.c.duration)
            .outerjoin(_second, _second.c.segment_id == s.c.id)
            .where(
                s.c.project_id == project_id,
                s.c.status.in_(status_values(statuses)),
                _second.c.segment_id.is_(None),
                has_draft,
            )
            .order_by(s.c.recording_id, s.c.start, s.c.id)
        )
        with self.read() as connection:
            return [
                PendingSecond(row.id, row.recording_id, row.start, row.start + row.duration)
                for row in connection.execute(query)
            ]

    def put_second_drafts(self, rows: Sequence[tuple[str, Draft]]) -> None:
        """Keep (segment id, draft) pairs as second drafts (a segment's earlier one is replaced)."""
        if not rows:
            return
        now = utc_now()
        with self.write() as connection:
            connection.execute(delete(_second).where(_second.c.segment_id.in_([segment_id for segment_id, _ in rows])))
            connection.execute(
                insert(_second),
                [
                    {"segment_id": sid, "model": d.model, "options": d.options, "text": d.text, "created_at": now}
                    for sid, d in rows
                ],
            )

    def add_correctness_model(self, project_id: int, actor: str, model: dict[str, Any]) -> StoredModel:
        now = utc_now()
        with self.write() as connection:
            model_id = connection.execute(
                insert(_models)
                .values(project_id=project_id, created_at=now, created_by=actor, model=model, routing=None)
                .returning(_models.c.id)
            ).scalar_one()
            details = {"segments": model.get("segments"), "brier": model.get("checks", {}).get("brier")}
            write_audit(connection, AuditNote(actor, "routing.fit", str(model_id), project_id, details))
        return StoredModel(model_id, project_id, now, actor, model, None)

    def latest_correctness_model(self, project_id: int) -> StoredModel | None:
        query = select(_models).where(_models.c.project_id == project_id).order_by(_models.c.id.desc()).limit(1)
        with self.read() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return StoredModel(row.id, row.project_id, as_utc(row.created_at), row.created_by, dict(row.model), row.routing)

    def apply_routes(
        self, project_id: int, model_id: int, routing: dict[str, Any], routes: Sequence[Route], actor: str
    ) -> int:
        """Record the routing on the model, auto-accept the routes that say so and keep every
        route. Returns how many segments were auto-accepted (a segment saved since it was read
        is left as it is, and its route is not kept)."""
        now, accepted = utc_now(), 0
        comment = f"auto-accepted: model {model_id}, threshold {routing['threshold']:.4f}"
        with self.write() as connection:
            connection.execute(update(_models).where(_models.c.id == model_id).values(routing=routing))
            kept = []
            for route in routes:
                if route.route == AUTO_ACCEPTED:
                    values = {"status": landing(Action.AUTO_ACCEPT).value}
                    try:
                        nested = connection.begin_nested()
                        versioned_update(
                            connection,
                            route.segment_id,
                            route.version,
                            values,
                            ROUTING_AUTHOR,
                            f"{comment}, score {route.score:.4f}",
                        )
                        nested.commit()
                    except StaleVersion:
                        nested.rollback()
                        continue
                    accepted += 1
                kept.append(route)
            _replace_routes(connection, project_id, model_id, routing["threshold"], kept, now)
            write_audit(
                connection, AuditNote(actor, "routing.apply", str(model_id), project_id, routing), accepted=accepted
            )
        return accepted

    def set_model_routing(self, model_id: int, routing: dict[str, Any]) -> None:
        with self.write() as connection:
            connection.execute(update(_models).where(_models.c.id == model_id).values(routing=routing))

    def reopen_below(self, project_id: int, threshold: float, actor: str) -> int:
        """Auto-accepted segments scored below ``threshold`` go back to the labeling queue (their
        route becomes people). Returns how many."""
        s = _segments
        query = (
            select(s.c.id, s.c.version)
            .join(_routes, _routes.c.segment_id == s.c.id)
            .where(
                _routes.c.project_id == project_id,
                _routes.c.route == AUTO_ACCEPTED,
                _routes.c.score < threshold,
                s.c.status == SegmentStatus.AUTO_ACCEPTED.value,
            )
        )
        with self.write() as connection:
            rows = connection.execute(query).all()
            for row in rows:
                values = {"status": landing(Action.REOPEN).value}
                versioned_update(
                    connection, row.id, row.version, values, ROUTING_AUTHOR, f"reopened: threshold {threshold:.4f}"
                )
            if rows:
                connection.execute(
                    update(_routes).where(_routes.c.segment_id.in_([row.id for row in rows])).values(route=PEOPLE)
                )
            write_audit(
                connection,
                AuditNote(actor, "routing.tighten", None, project_id, {"threshold": threshold}),
                reopened=len(rows),
            )
        return len(rows)

    def audit_rows(self, project_id: int) -> list[AuditRow]:
        s = _segments
        query = (
            select(_routes.c.segment_id, _routes.c.score, _routes.c.draft_text, s.c.status, s.c.text)
            .join(s, s.c.id == _routes.c.segment_id)
            .where(_routes.c.project_id == project_id, _routes.c.route == AUDIT)
        )
        with self.read() as connection:
            return [
                AuditRow(row.segment_id, row.score, SegmentStatus(row.status), row.draft_text, row.text)
                for row in connection.execute(query)
            ]

    def route_counts(self, project_id: int) -> dict[str, int]:
        query = (
            select(_routes.c.route, func.count()).where(_routes.c.project_id == project_id).group_by(_routes.c.route)
        )
        with self.read() as connection:
            return {route: count for route, count in connection.execute(query).all()}

    def route_scores(self, segment_ids: Sequence[str]) -> dict[str, float]:
        """Segment id -> routing score, for those that were scored."""
        if not segment_ids:
            return {}
        query = select(_routes.c.segment_id, _routes.c.score).where(_routes.c.segment_id.in_(list(segment_ids)))
        with self.read() as connection:
            return {segment_id: score for segment_id, score in connection.execute(query).all()}


def _replace_routes(connection, project_id: int, model_id: int, threshold: float, routes: Sequence[Route], now) -> None:
    ids = [route.segment_id for route in routes]
    for start in range(0, len(ids), 1000):  # SQLite allows 32,766 parameters a statement
        connection.execute(delete(_routes).where(_routes.c.segment_id.in_(ids[start : start + 1000])))
    if routes:
        connection.execute(
            insert(_routes),
            [
                {
                    "segment_id": route.segment_id,
                    "project_id": project_id,
                    "model_id": model_id,
                    "score": route.score,
                    "threshold": threshold,
                    "route": route.route,
                    "draft_text": route.draft_text,
                    "routed_at": now,
                }
                for route in routes
            ],
        )


def _routing_row(row: Any) -> RoutingRow:
    draft: Draft = draft_from_row(row)
    signals = SegmentSignals(
        segment_id=row.segment_id,
        duration=row.segment_duration,
        draft=draft,
        snr_db=row.snr_db,
        clipped_ratio=row.clipped_ratio,
        second_text=row.second_text,
    )
    return RoutingRow(signals, SegmentStatus(row.segment_status), row.segment_version, row.segment_text)
