"""Routing a project's drafts by their predicted correctness (lead actions), and the audit.

- ``preview``: for a target precision, the threshold (the lowest out-of-fold score whose
  accepted share of the model's own validation segments reaches the target: measured, not
  assumed from the calibration) and the share of the to-do drafts it would skip.
- ``apply_routing``: drafts at or above the threshold are auto-accepted (status
  ``auto_accepted``, with model, score and threshold in their revision and ``segment_routes``)
  and leave the labeling queue, except a hashed ``audit_share`` of them, which stay for people.
  The rest stay for people; the review queue shows the lowest scores first.
- ``check_audit``: once ``min_audited`` audited segments are finalised, their precision (no
  change needed) against the target; when it falls short, the routing tightens by itself: the
  target rises by the shortfall and auto-accepted segments below the new threshold go back to
  the labeling queue.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from speechlabel.accounts.access import Actor, require_role
from speechlabel.core.errors import NotFound, ValidationError
from speechlabel.core.lifecycle import FINALISED, ROUTABLE
from speechlabel.core.models import Project
from speechlabel.routing import evaluation
from speechlabel.routing.features import feature_matrix, needs_no_change
from speechlabel.routing.fitting import ACTION, audit_bucket
from speechlabel.routing.predictor import CorrectnessModel
from speechlabel.store import Store
from speechlabel.store.routing import AUDIT, AUTO_ACCEPTED, PEOPLE, Route, StoredModel

# The strictest target tightening goes to.
MAX_TARGET = 0.999


@dataclass(frozen=True)
class RoutingOptions:
    """What a lead chooses: ``target_precision`` (share of auto-accepted drafts that need no
    change), ``audit_share`` (share of would-be auto-accepted drafts still sent to people, to
    measure that precision) and ``min_audited`` (finalised audits before the alarm judges)."""

    target_precision: float = 0.98
    audit_share: float = 0.1
    min_audited: int = 10

    def validated(self) -> RoutingOptions:
        for name, low, high in (("target_precision", 0.5, MAX_TARGET), ("audit_share", 0.0, 1.0)):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not low <= value <= high:
                raise ValidationError(
                    message_key="error.routing_option", params={"name": name, "value": value, "low": low, "high": high}
                )
        if not isinstance(self.min_audited, int) or self.min_audited < 1:
            raise ValidationError(
                message_key="error.routing_option",
                params={"name": "min_audited", "value": self.min_audited, "low": 1, "high": "-"},
            )
        return self


@dataclass(frozen=True)
class RoutingPreview:
    model_id: int
    target_precision: float
    threshold: float | None  # None: the model reaches the target nowhere (accept nothing)
    validation_precision: float | None  # measured on the model's out-of-fold scores
    validation_recall: float | None
    to_do: int  # drafts routing may take
    above: int  # of them at or above the threshold
    audit_share: float

    @property
    def skipped_share(self) -> float:
        """The share of the to-do drafts that would skip people (above, less the audit)."""
        return self.above * (1 - self.audit_share) / self.to_do if self.to_do else 0.0


@dataclass(frozen=True)
class RoutingResult:
    preview: RoutingPreview
    auto_accepted: int
    audit: int
    people: int


@dataclass(frozen=True)
class AuditReport:
    target_precision: float | None
    threshold: float | None
    audited: int  # audited segments people finalised
    correct: int  # of them, drafts that needed no change
    waiting: int  # audited segments not finalised yet
    alarm: bool
    tightened_to: float | None = None  # the new target when this check tightened the routing
    reopened: int = 0

    @property
    def precision(self) -> float | None:
        return self.correct / self.audited if self.audited else None


def latest_model(store: Store, project: Project) -> tuple[StoredModel, CorrectnessModel]:
    stored = store.latest_correctness_model(project.id)
    if stored is None:
        raise NotFound(message_key="error.routing_no_model", params={"project": project.name})
    return stored, CorrectnessModel.from_json(stored.model)


def threshold_for(stored: StoredModel, target: float) -> evaluation.PrecisionRow | None:
    pairs = np.array(stored.model["validation"], dtype=float).reshape(-1, 2)
    return evaluation.measured_cut(pairs[:, 0], pairs[:, 1].astype(int), target)


def preview(store: Store, project: Project, actor: Actor | None, options: RoutingOptions) -> RoutingPreview:
    require_role(actor, project, action=ACTION)
    options = options.validated()
    stored, model = latest_model(store, project)
    cut = threshold_for(stored, options.target_precision)
    scores = _scores(store, project, model, stored)[1]
    above = int((scores >= cut.threshold).sum()) if cut is not None else 0
    return RoutingPreview(
        stored.id,
        options.target_precision,
        cut.threshold if cut else None,
        cut.precision if cut else None,
        cut.recall if cut else None,
        len(scores),
        above,
        options.audit_share,
    )


def apply_routing(store: Store, project: Project, actor: Actor | None, options: RoutingOptions) -> RoutingResult:
    """Score the to-do drafts and route them (see the module's docstring)."""
    who = require_role(actor, project, action=ACTION)
    shown = preview(store, project, who, options)
    stored, model = latest_model(store, project)
    rows, scores = _scores(store, project, model, stored)
    routes = []
    for row, score in zip(rows, scores):
        if shown.threshold is None or score < shown.threshold:
            route = PEOPLE
        else:
            route = AUDIT if audit_bucket(row.signals.segment_id) < options.audit_share else AUTO_ACCEPTED
        routes.append(Route(row.signals.segment_id, row.version, float(score), route, row.signals.draft.text))
    routing = {
        "target_precision": options.target_precision,
        "threshold": shown.threshold if shown.threshold is not None else 1.1,
        "audit_share": options.audit_share,
        "min_audited": options.min_audited,
    }
    accepted = store.apply_routes(project.id, stored.id, routing, routes, who.username)
    return RoutingResult(shown, accepted, sum(r.route == AUDIT for r in routes), sum(r.route == PEOPLE for r in routes))


def check_audit(store: Store, project: Project, actor: Actor | None) -> AuditReport:
    """The audited precision against the target; tightens the routing when it falls short."""
    who = require_role(actor, project, action=ACTION)
    stored = store.latest_correctness_model(project.id)
    routing = stored.routing if stored is not None else None
    rows = store.audit_rows(project.id)
    finalised = [row for row in rows if row.status in FINALISED]
    correct = sum(needs_no_change(row.draft_text, row.text) for row in finalised)
    report = AuditReport(
        routing["target_precision"] if routing else None,
        routing["threshold"] if routing else None,
        len(finalised),
        correct,
        len(rows) - len(finalised),
        alarm=False,
    )
    if routing is None or stored is None or len(finalised) < routing["min_audited"]:
        return report
    short = correct / len(finalised) < routing["target_precision"]
    # Judged again only on audits finalised since the last tightening, so one bad stretch
    # tightens once, not on every look at the dashboard.
    seen, seen_correct = routing.get("audit_baseline", (0, 0))
    fresh, fresh_correct = len(finalised) - seen, correct - seen_correct
    report = replace(report, alarm=short)
    if not short or fresh < routing["min_audited"] or fresh_correct / fresh >= routing["target_precision"]:
        return report
    return _tighten(store, project, who, stored, routing, report, fresh_correct / fresh)


def _tighten(store, project, who, stored, routing, report: AuditReport, precision: float) -> AuditReport:
    """Raise the target by the shortfall and take back what the new threshold does not accept."""
    target = min(MAX_TARGET, routing["target_precision"] + (routing["target_precision"] - precision))
    cut = threshold_for(stored, target)
    threshold = cut.threshold if cut is not None else 1.1  # nothing reaches it: accept nothing
    if threshold <= routing["threshold"]:  # the table cannot be stricter: accept nothing
        threshold = 1.1
    reopened = store.reopen_below(project.id, threshold, who.username)
    baseline = (report.audited, report.correct)
    tightened = {"target_precision": target, "threshold": threshold, "audit_baseline": baseline}
    store.set_model_routing(stored.id, {**routing, **tightened, "tightened_from": routing["target_precision"]})
    return replace(report, tightened_to=target, reopened=reopened)


def _scores(store: Store, project: Project, model: CorrectnessModel, stored: StoredModel):
    rows = store.routing_rows(project.id, ROUTABLE)
    low = stored.model.get("low_confidence", project.label_settings.low_confidence)
    return rows, model.predict(feature_matrix([row.signals for row in rows], low))
