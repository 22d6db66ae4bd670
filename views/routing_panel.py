"""The Dashboard's routing panel (leads): fit the correctness model, choose a target precision
seeing the predicted share skipped, apply routing, and watch the audited precision (an alarm,
and the automatic tightening ``check_audit`` does). Widgets and domain calls only."""

from __future__ import annotations

import streamlit as st

from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import Actor, Project
from speechlabel.routing import fitting, routes
from views.lang import t
from views.plain import error_md, tm


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def routing_panel(workspace, actor: Actor, project: Project) -> None:
    st.subheader(t("routing.title"))
    store = workspace.store
    stored = store.latest_correctness_model(project.id)
    try:
        if stored is None:
            st.info(t("routing.no_model"))
        else:
            model = stored.model
            st.caption(
                tm(  # the lead's name is user text
                    "routing.model",
                    model_id=stored.id,
                    when=stored.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                    who=stored.created_by,
                    segments=model["segments"],
                    positives=model["positives"],
                    brier=model["checks"]["brier"],
                    base=model["checks"]["brier_base_rate"],
                )
            )
        if st.button(t("routing.fit" if stored is None else "routing.refit"), key="routing_fit"):
            with st.spinner(t("routing.fit")):
                fitting.draft_second(store, workspace.settings, project, actor)
                fitting.fit_project_model(store, project, actor)
            st.rerun()
        if stored is not None:
            choose_and_apply(store, actor, project)
            audit(store, actor, project)
    except SpeechLabelError as error:
        st.error(error_md(error))


def choose_and_apply(store, actor: Actor, project: Project) -> None:
    stored = store.latest_correctness_model(project.id)
    current = (stored.routing if stored is not None else None) or {}
    left, right = st.columns(2)
    target = left.slider(
        t("routing.target"),
        0.80,
        0.999,
        float(current.get("target_precision", 0.98)),
        0.001,
        format="%.3f",
        key="routing_target",
    )
    share = right.slider(
        t("routing.audit_share"), 0.0, 0.5, float(current.get("audit_share", 0.1)), 0.01, key="routing_audit"
    )
    options = routes.RoutingOptions(target_precision=target, audit_share=share)
    shown = routes.preview(store, project, actor, options)
    cells = st.columns(3)
    cells[0].metric(
        t("routing.skipped"), percent(shown.skipped_share), help=t("routing.skipped_help", to_do=shown.to_do)
    )
    cells[1].metric(t("routing.threshold"), "—" if shown.threshold is None else f"{shown.threshold:.3f}")
    cells[2].metric(
        t("routing.validation"),
        percent(shown.validation_precision),
        help=t("routing.validation_help", recall=percent(shown.validation_recall)),
    )
    if shown.threshold is None:
        st.warning(t("routing.unreachable"))
    if st.button(t("routing.apply"), key="routing_apply"):
        result = routes.apply_routing(store, project, actor, options)
        st.success(t("routing.applied", accepted=result.auto_accepted, audit=result.audit, people=result.people))


def audit(store, actor: Actor, project: Project) -> None:
    report = routes.check_audit(store, project, actor)
    if report.target_precision is None:
        return
    cells = st.columns(2)
    cells[0].metric(
        t("routing.audited"),
        percent(report.precision),
        help=t("routing.audited_help", correct=report.correct, audited=report.audited, waiting=report.waiting),
    )
    cells[1].metric(t("routing.target_now"), percent(report.target_precision))
    if report.alarm:
        st.error(t("routing.alarm", precision=percent(report.precision), target=percent(report.target_precision)))
    if report.tightened_to is not None:
        st.warning(t("routing.tightened", target=percent(report.tightened_to), reopened=report.reopened))
