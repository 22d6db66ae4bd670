"""Quality dashboard (leads): progress, throughput, per-labeler speed and quality, the CER of
the drafts against the final texts, rejection reasons and what pre-labeling saved; filterable
by date and labeler, every table downloadable as CSV; and the project's review policy.
Widgets and domain calls only: the figures come from ``speechlabel.dashboard``."""

from __future__ import annotations

from itertools import accumulate

import altair as alt
import pandas as pd
import streamlit as st

from speechlabel import review
from speechlabel.access import role_in, visible_projects
from speechlabel.csv_rows import to_csv
from speechlabel.dashboard import Dashboard, DashboardFilter, build_dashboard
from speechlabel.errors import SpeechLabelError
from speechlabel.models import Actor, Project, ReviewSettings, Role

workspace = st.session_state["workspace"]
store = workspace.store


def chosen_project(actor: Actor) -> Project | None:
    led = [p for p in visible_projects(store, actor) if role_in(actor, p.id) == Role.LEAD]
    if not led:
        return None
    name = st.sidebar.selectbox("Project", [p.name for p in led], key="dashboard_project")
    return next(p for p in led if p.name == name)


def chosen_filter() -> DashboardFilter:
    picked = st.sidebar.date_input("Dates (UTC; empty: all)", (), key="dashboard_dates")
    chosen = picked if isinstance(picked, tuple) else (picked,)
    since = chosen[0] if chosen else None
    until = chosen[1] if len(chosen) > 1 else None
    labelers = st.sidebar.text_input("Labelers (comma-separated; empty: everyone)", key="dashboard_labelers")
    names = tuple(name.strip() for name in labelers.split(",") if name.strip())
    return DashboardFilter(since=since, until=until, labelers=names)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def hours(value: float) -> str:
    return f"{value:.2f} h" if value >= 1 else f"{value * 60:.1f} min"


def headline(figures: Dashboard) -> None:
    done, total = figures.audio_hours_done, figures.audio_hours_total
    cells = st.columns(5)
    cells[0].metric("Audio done", hours(done), help=f"of {hours(total)} in the project")
    cells[1].metric("Segments labeled", f"{len(figures.segments):,}")
    cells[2].metric("Pre-labeling saving", percent(figures.saving),
                    help="Share of the final characters the labelers did not have to type")
    cells[3].metric("Draft CER", percent(figures.cer), help="Character error rate of the drafts against the final texts")
    cells[4].metric("Draft WER", percent(figures.wer))


def progress(figures: Dashboard) -> None:
    st.subheader("Progress")
    by_status = pd.DataFrame([{"status": p.status.value, "segments": p.segments, "audio hours": round(p.audio_hours, 3)}
                              for p in figures.progress])
    left, right = st.columns(2)
    left.dataframe(by_status, hide_index=True, width="stretch")
    days = [t.day for t in figures.throughput]
    over_time = pd.DataFrame({"day": pd.to_datetime(days),
                              "segments done (cumulative)": list(accumulate(t.segments for t in figures.throughput)),
                              "segments per day": [t.segments for t in figures.throughput]})
    if not over_time.empty:
        right.line_chart(over_time, x="day", y=["segments done (cumulative)", "segments per day"])
    download("Throughput per day (CSV)", figures.throughput, "throughput.csv")


def labelers(figures: Dashboard) -> None:
    st.subheader("Labelers")
    table = pd.DataFrame([{
        "labeler": s.labeler, "segments": s.segments, "audio min": round(s.audio_minutes, 1),
        "working h": round(s.working_hours, 2),
        "segments / h": None if s.segments_per_hour is None else round(s.segments_per_hour, 1),
        "audio min / h": None if s.audio_minutes_per_hour is None else round(s.audio_minutes_per_hour, 1),
        "reviewed": s.reviewed, "rejected": s.rejected, "rejection rate": percent(s.rejection_rate),
        "agreement CER": percent(s.agreement_cer), "pairs": s.agreement_pairs,
        "saving": percent(s.saving), "draft CER": percent(s.cer),
    } for s in figures.labelers])
    st.dataframe(table, hide_index=True, width="stretch")
    if not table.empty:
        st.bar_chart(table, x="labeler", y="segments / h", horizontal=True)
    download("Labelers (CSV)", figures.labelers, "labelers.csv")


def quality(figures: Dashboard) -> None:
    st.subheader("Quality")
    left, right = st.columns(2)
    cers = pd.DataFrame({"CER": [s.cer for s in figures.segments if s.cer is not None]})
    with left:
        st.caption("Draft CER per segment")
        if not cers.empty:
            st.altair_chart(alt.Chart(cers).mark_bar().encode(
                alt.X("CER:Q", bin=alt.Bin(maxbins=20), title="CER (draft vs final)"),
                alt.Y("count()", title="segments")), width="stretch")
    with right:
        st.caption("Rejection reasons")
        reasons = pd.DataFrame([{"reason": r.reason.label, "rejections": r.count} for r in figures.rejections])
        if not reasons.empty and reasons["rejections"].sum() > 0:
            st.bar_chart(reasons, x="reason", y="rejections", horizontal=True)
        else:
            st.write("No rejections in this selection.")
    download("Segments with WER, CER and saving (CSV)", figures.segments, "segments.csv")


def download(label: str, rows, file_name: str) -> None:
    # utf-8-sig: with the byte-order mark Excel reads Korean text as UTF-8.
    st.download_button(label, to_csv(rows).encode("utf-8-sig"), file_name=file_name, mime="text/csv",
                       key=f"dashboard_{file_name}")


def review_policy(actor: Actor, project: Project) -> None:
    st.subheader("Review policy")
    current = project.review_settings
    flagged = [q for q in review.labeler_quality(store, actor, project) if q.flagged]
    if flagged:
        st.warning("Flagged (defect rate above the threshold): " + ", ".join(
            f"{q.labeler} ({percent(q.defect_rate)} of {q.reviewed})" for q in flagged))
    with st.form("review_policy"):
        sample = st.slider("Share of each labeler's work in the review sample", 0.0, 1.0, current.sample_share, 0.05)
        use_policy = st.checkbox("Flag labelers above a defect rate", value=current.defect_threshold is not None)
        threshold = st.slider("Defect-rate threshold (rejected / reviewed)", 0.0, 1.0,
                              current.defect_threshold if current.defect_threshold is not None else 0.1, 0.01)
        minimum = st.number_input("Reviews needed before flagging", 1, 10_000, current.min_reviews)
        flagged_share = st.slider("Share of a flagged labeler's work sent to review", 0.0, 1.0,
                                  current.flagged_share, 0.05)
        if st.form_submit_button("Save policy"):
            wanted = ReviewSettings(sample, threshold if use_policy else None, int(minimum), flagged_share)
            try:
                review.update_review_settings(store, actor, project, wanted)
            except SpeechLabelError as error:
                st.error(str(error))
            else:
                st.success("Saved.")


def dashboard_page() -> None:
    st.title("Dashboard")
    actor = st.session_state["actor"]
    project = chosen_project(actor)
    if project is None:
        st.info("You lead no project.")
        return
    try:
        figures = build_dashboard(store, actor, project, chosen_filter())
    except SpeechLabelError as error:
        st.error(str(error))
        return
    headline(figures)
    progress(figures)
    labelers(figures)
    quality(figures)
    review_policy(actor, project)


dashboard_page()
