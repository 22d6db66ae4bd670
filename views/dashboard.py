"""Quality dashboard (leads): progress, throughput, per-labeler speed and quality, the CER of
the drafts against the final texts, rejection reasons and what pre-labeling saved; filterable
by date and labeler, every table downloadable as CSV; and the project's review policy.
Widgets and domain calls only: the figures come from ``speechlabel.analytics.dashboard``."""

from __future__ import annotations

from itertools import accumulate

import altair as alt
import pandas as pd
import streamlit as st

from speechlabel.accounts.access import role_in, visible_projects
from speechlabel.analytics.csv_rows import to_csv
from speechlabel.analytics.dashboard import Dashboard, DashboardFilter, build_dashboard
from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import Actor, Project, ReviewSettings, Role
from speechlabel.core.project_settings import REVIEW
from speechlabel.review import decisions as review
from views.forms import setting_fields
from views.labor_section import labor_section
from views.lang import label, t
from views.plain import error_md, tm
from views.routing_panel import routing_panel

workspace = st.session_state["workspace"]
store = workspace.store


def chosen_project(actor: Actor) -> Project | None:
    led = [p for p in visible_projects(store, actor) if role_in(actor, p.id) == Role.LEAD]
    if not led:
        return None
    name = st.sidebar.selectbox(t("common.project"), [p.name for p in led], key="dashboard_project")
    return next(p for p in led if p.name == name)


def chosen_filter() -> DashboardFilter:
    picked = st.sidebar.date_input(t("dashboard.dates"), [], key="dashboard_dates")
    chosen = picked if isinstance(picked, tuple) else (picked,)
    since = chosen[0] if chosen else None
    until = chosen[1] if len(chosen) > 1 else None
    labelers = st.sidebar.text_input(t("dashboard.labelers_filter"), key="dashboard_labelers")
    names = tuple(name.strip() for name in labelers.split(",") if name.strip())
    return DashboardFilter(since=since, until=until, labelers=names)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def hours(value: float) -> str:
    return t("dashboard.hours", hours=value) if value >= 1 else t("dashboard.minutes", minutes=value * 60)


def headline(figures: Dashboard) -> None:
    done, total = figures.audio_hours_done, figures.audio_hours_total
    cells = st.columns(5)
    cells[0].metric(t("dashboard.audio_done"), hours(done), help=t("dashboard.audio_done_help", total=hours(total)))
    cells[1].metric(t("dashboard.segments_labeled"), f"{len(figures.segments):,}")
    cells[2].metric(t("dashboard.saving"), percent(figures.saving), help=t("dashboard.saving_help"))
    cells[3].metric(t("dashboard.draft_cer"), percent(figures.cer), help=t("dashboard.draft_cer_help"))
    cells[4].metric(t("dashboard.draft_wer"), percent(figures.wer))


def progress(figures: Dashboard) -> None:
    st.subheader(t("dashboard.progress"))
    by_status = pd.DataFrame(
        [
            {
                t("dashboard.col.status"): label(p.status),
                t("dashboard.col.segments"): p.segments,
                t("dashboard.col.audio_hours"): round(p.audio_hours, 3),
            }
            for p in figures.progress
        ]
    )
    left, right = st.columns(2)
    left.dataframe(by_status, hide_index=True, width="stretch")
    days = [t.day for t in figures.throughput]
    day, cumulative, per_day = t("dashboard.col.day"), t("dashboard.col.cumulative"), t("dashboard.col.per_day")
    over_time = pd.DataFrame(
        {
            day: pd.to_datetime(days),
            cumulative: list(accumulate(d.segments for d in figures.throughput)),
            per_day: [d.segments for d in figures.throughput],
        }
    )
    if not over_time.empty:
        right.line_chart(over_time, x=day, y=[cumulative, per_day])
    download(t("dashboard.download_throughput"), figures.throughput, "throughput.csv")


def labelers(figures: Dashboard) -> None:
    st.subheader(t("dashboard.labelers"))
    labeler, speed = t("dashboard.col.labeler"), t("dashboard.col.segments_per_hour")
    table = pd.DataFrame(
        [
            {
                labeler: s.labeler,
                t("dashboard.col.segments"): s.segments,
                t("dashboard.col.audio_min"): round(s.audio_minutes, 1),
                t("dashboard.col.working_hours"): round(s.working_hours, 2),
                speed: None if s.segments_per_hour is None else round(s.segments_per_hour, 1),
                t("dashboard.col.audio_min_per_hour"): None
                if s.audio_minutes_per_hour is None
                else round(s.audio_minutes_per_hour, 1),
                t("dashboard.col.reviewed"): s.reviewed,
                t("dashboard.col.rejected"): s.rejected,
                t("dashboard.col.rejection_rate"): percent(s.rejection_rate),
                t("dashboard.col.agreement_cer"): percent(s.agreement_cer),
                t("dashboard.col.pairs"): s.agreement_pairs,
                t("dashboard.col.saving"): percent(s.saving),
                t("dashboard.col.draft_cer"): percent(s.cer),
            }
            for s in figures.labelers
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    if not table.empty:
        st.bar_chart(table, x=labeler, y=speed, horizontal=True)
    download(t("dashboard.download_labelers"), figures.labelers, "labelers.csv")


def quality(figures: Dashboard) -> None:
    st.subheader(t("dashboard.quality"))
    left, right = st.columns(2)
    cers = pd.DataFrame({"CER": [s.cer for s in figures.segments if s.cer is not None]})
    with left:
        st.caption(t("dashboard.cer_per_segment"))
        if not cers.empty:
            st.altair_chart(
                alt.Chart(cers)
                .mark_bar()
                .encode(
                    alt.X("CER:Q", bin=alt.Bin(maxbins=20), title=t("dashboard.cer_axis")),
                    alt.Y("count()", title=t("dashboard.col.segments")),
                ),
                width="stretch",
            )
    with right:
        st.caption(t("dashboard.reasons"))
        reason, rejections = t("dashboard.col.reason"), t("dashboard.col.rejections")
        reasons = pd.DataFrame([{reason: label(r.reason), rejections: r.count} for r in figures.rejections])
        if not reasons.empty and reasons[rejections].sum() > 0:
            st.bar_chart(reasons, x=reason, y=rejections, horizontal=True)
        else:
            st.write(t("dashboard.no_rejections"))
    download(t("dashboard.download_segments"), figures.segments, "segments.csv")


def download(label: str, rows, file_name: str) -> None:
    # utf-8-sig: with the byte-order mark Excel reads Korean text as UTF-8.
    st.download_button(
        label, to_csv(rows).encode("utf-8-sig"), file_name=file_name, mime="text/csv", key=f"dashboard_{file_name}"
    )


def review_policy(actor: Actor, project: Project) -> None:
    st.subheader(t("dashboard.policy"))
    current = project.review_settings
    flagged = [q for q in review.labeler_quality(store, actor, project) if q.flagged]
    if flagged:
        st.warning(
            t(
                "dashboard.flagged",
                names=t("list.separator").join(
                    tm("dashboard.flagged_one", name=q.labeler, rate=percent(q.defect_rate), reviewed=q.reviewed)
                    for q in flagged
                ),
            )
        )
    with st.form("review_policy"):
        values = setting_fields(current, REVIEW)
        if st.form_submit_button(t("dashboard.save_policy")):
            wanted = ReviewSettings(**values)
            try:
                review.update_review_settings(store, actor, project, wanted)
            except SpeechLabelError as error:
                st.error(error_md(error))
            else:
                st.success(t("common.saved"))


def dashboard_page() -> None:
    st.title(t("page.dashboard"))
    actor = st.session_state["actor"]
    project = chosen_project(actor)
    if project is None:
        st.info(t("common.no_led_project"))
        return
    chosen = chosen_filter()
    try:
        figures = build_dashboard(store, actor, project, chosen)
    except SpeechLabelError as error:
        st.error(error_md(error))
        return
    headline(figures)
    progress(figures)
    labelers(figures)
    labor_section(store, actor, project, chosen)
    quality(figures)
    review_policy(actor, project)
    routing_panel(workspace, actor, project)


dashboard_page()
