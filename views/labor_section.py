"""The Dashboard's labor section: seconds of labor per audio minute (project, labelers, days) and
the measured speed-up of the drafts against the from-scratch share, with intervals and quality.
Widgets only: the figures come from ``speechlabel.analytics.labor``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from speechlabel.analytics.csv_rows import to_csv
from speechlabel.analytics.dashboard import DashboardFilter
from speechlabel.analytics.labor import LaborGroup, LaborRate, LaborReport, build_labor_report, labor_csv_rows
from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import Actor, Project
from speechlabel.store import Store
from views.lang import t
from views.plain import error_md


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _interval(low: float | None, high: float | None, digits: int = 1) -> str:
    return "—" if low is None or high is None else f"{low:,.{digits}f} – {high:,.{digits}f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _rate_row(rate: LaborRate) -> dict[str, object]:
    return {
        t("labor.col.units"): rate.units,
        t("labor.col.audio_min"): round(rate.audio_minutes, 2),
        t("labor.col.active_min"): round(rate.active_seconds / 60, 2),
        t("labor.col.per_audio_minute"): _number(rate.seconds_per_audio_minute),
        t("labor.col.keys"): rate.keys,
        t("labor.col.plays"): rate.plays,
    }


def _group_row(group: LaborGroup) -> dict[str, object]:
    return {
        t("labor.col.group"): t("labor.with_draft") if group.draft_shown else t("labor.from_scratch"),
        **_rate_row(group.rate),
        t("labor.col.interval"): _interval(group.rate.low, group.rate.high),
        t("labor.col.reviewed"): group.reviewed,
        t("labor.col.rejection_rate"): _percent(group.rejection_rate),
        t("labor.col.pairs"): group.agreement_pairs,
        t("labor.col.agreement_cer"): _percent(group.agreement_cer),
    }


def _headline(report: LaborReport) -> None:
    cells = st.columns(3)
    for cell, group in zip(cells, (report.with_draft, report.from_scratch), strict=False):
        name = t("labor.with_draft") if group.draft_shown else t("labor.from_scratch")
        cell.metric(
            t("labor.rate_of", group=name),
            _number(group.rate.seconds_per_audio_minute),
            help=t("labor.rate_help", interval=_interval(group.rate.low, group.rate.high), units=group.rate.units),
        )
    cells[2].metric(
        t("labor.speedup"),
        "—" if report.speedup is None else f"{report.speedup:.2f}×",
        help=t("labor.speedup_help", interval=_interval(report.speedup_low, report.speedup_high, 2)),
    )


def labor_section(store: Store, actor: Actor, project: Project, chosen: DashboardFilter) -> None:
    st.subheader(t("labor.title"))
    st.caption(t("labor.caption"))
    try:
        report = build_labor_report(store, actor, project, chosen)
    except SpeechLabelError as error:
        st.error(error_md(error))
        return
    _headline(report)
    groups = pd.DataFrame([_group_row(report.with_draft), _group_row(report.from_scratch)])
    st.dataframe(groups, hide_index=True, width="stretch")
    if report.clamped_saves:
        st.warning(t("labor.clamped", count=report.clamped_saves))
    left, right = st.columns(2)
    with left:
        st.caption(t("labor.per_labeler"))
        labeler = t("dashboard.col.labeler")
        rows = [{labeler: row.labeler, **_rate_row(row.rate)} for row in report.labelers]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    with right:
        st.caption(t("labor.per_day"))
        day = t("dashboard.col.day")
        st.dataframe(
            pd.DataFrame([{day: str(row.day), **_rate_row(row.rate)} for row in report.days]),
            hide_index=True,
            width="stretch",
        )
    st.download_button(
        t("labor.download"),
        to_csv(labor_csv_rows(report)).encode("utf-8-sig"),
        file_name="labor_per_audio_minute.csv",
        mime="text/csv",
        key="dashboard_labor.csv",
    )
