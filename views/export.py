"""Export page (leads): every export choice, a name (never a path: exports go to the data
folder's ``exports/<project>/``), a progress bar while segments are written and zipped, then the
folder, the counts per split, the dataset card and a zip to download; and the earlier exports.
Widgets and domain calls only: ``speechlabel.export.saved`` does the work and checks the role."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import streamlit as st

from speechlabel.accounts.access import role_in, visible_projects
from speechlabel.conventions import Side
from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import Actor, Project, Role, SegmentStatus
from speechlabel.export import ExportFormat, ExportOptions, SplitBy, TextVariant
from speechlabel.export.destinations import (
    default_export_name,
    list_exports,
    project_exports_dir,
)
from speechlabel.export.saved import (
    ExportProgress,
    SavedExportRun,
    Stage,
    export_to_data_folder,
    zip_saved_export,
)
from views.lang import label, label_format, t, translator
from views.plain import error_md, tm

workspace = st.session_state["workspace"]
store, settings = workspace.store, workspace.settings

# The formats in the order the page offers them (their labels: ``label(format)``).
FORMATS = (
    ExportFormat.NEMO,
    ExportFormat.HF,
    ExportFormat.LHOTSE,
    ExportFormat.KALDI,
    ExportFormat.SPEECH_COMMANDS,
    ExportFormat.AIHUB,
    ExportFormat.JSONL,
)
SPLIT_KEYS = {
    "none": "export.split.none",
    SplitBy.RECORDING: "export.split.recording",
    SplitBy.SPEAKER: "export.split.speaker",
}
# The text variants (disfluent and fluent read the text by the project's tag scheme) and which
# side of a dual transcription (70%)/(칠십 퍼센트) stays; None: both for verbatim, else pronunciation.
TEXT_KEYS = {
    TextVariant.VERBATIM: "export.text.verbatim",
    TextVariant.CLEAN: "export.text.clean",
    TextVariant.DISFLUENT: "export.text.disfluent",
    TextVariant.FLUENT: "export.text.fluent",
}
DUAL_SIDE_KEYS = {
    None: "export.dual_side.default",
    Side.PRONUNCIATION: "export.dual_side.pronunciation",
    Side.SPELLING: "export.dual_side.spelling",
    Side.BOTH: "export.dual_side.both",
}
SAMPLE_RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)
RESULT_KEY = "export_result"


def chosen_project(actor: Actor) -> Project | None:
    led = [p for p in visible_projects(store, actor) if role_in(actor, p.id) == Role.LEAD]
    if not led:
        return None
    name = st.sidebar.selectbox(t("common.project"), [p.name for p in led], key="export_project")
    return next(p for p in led if p.name == name)


def chosen_options(project: Project) -> ExportOptions:
    """The choices of the form; ExportOptions checks them when the export runs."""
    left, middle, right = st.columns(3)
    fixed, fixed_label = translator(), label_format()
    export_format = left.selectbox(t("export.format"), FORMATS, format_func=fixed_label, key="export_format")
    variants = list(TextVariant)  # not inline: there mypy picks Streamlit's empty-options overload (None)
    text = left.radio(
        t("export.text"), variants, key="export_text", horizontal=True, format_func=lambda v: fixed(TEXT_KEYS[v])
    )
    dual_side = left.selectbox(
        t("export.dual_side"),
        list(DUAL_SIDE_KEYS),
        key="export_dual_side",
        format_func=lambda side: fixed(DUAL_SIDE_KEYS[side]),
    )
    clips = left.radio(
        t("export.audio"),
        [True, False],
        key="export_clips",
        format_func=lambda cut: fixed("export.audio.clips" if cut else "export.audio.offsets"),
    )
    rate = left.selectbox(
        t("export.sample_rate"), SAMPLE_RATES, index=SAMPLE_RATES.index(ExportOptions().sample_rate), key="export_rate"
    )
    statuses = status_choice(middle)
    since, until = edited_range(middle.date_input(t("export.dates"), [], key="export_dates"))
    labeler = middle.text_input(t("export.labeler"), max_chars=40, key="export_labeler").strip()
    recordings = {r.id: r.label for r in store.list_recordings(project.id)}
    chosen_recordings = middle.multiselect(
        t("export.recordings"), list(recordings), format_func=recordings.__getitem__, key="export_recordings"
    )
    tags = list(project.label_settings.tags)
    with_tags = right.multiselect(t("export.with_tags"), tags, key="export_with_tags")
    without_tags = right.multiselect(t("export.without_tags"), tags, key="export_without_tags")
    split_by, shares, seed = split_choices(right)
    return ExportOptions(
        statuses=statuses,
        cut_clips=clips,
        format=export_format,
        edited_since=since,
        edited_until=until,
        labeler=labeler or None,
        recording_ids=tuple(chosen_recordings) or None,
        with_tags=tuple(with_tags),
        without_tags=tuple(without_tags),
        text=text,
        dual_side=dual_side,
        sample_rate=rate,
        split_by=split_by,
        split_shares=shares,
        seed=seed,
    )


def status_choice(column) -> tuple[SegmentStatus, ...] | None:
    """Which statuses go in (None: every status): approved unless the lead chooses otherwise, so
    unreviewed or reworked text never ships by default; the page says what is included."""
    every = column.checkbox(t("export.every_status"), key="export_every_status")
    chosen = column.multiselect(
        t("export.statuses"),
        list(SegmentStatus),
        default=list(ExportOptions().statuses or ()),
        format_func=label_format(),
        key="export_statuses",
        disabled=every,
    )
    if every:
        column.caption(t("export.included_every"))
        return None
    if chosen:
        column.caption(t("export.included", statuses=t("list.separator").join(label(s) for s in chosen)))
    else:
        column.warning(t("error.export_no_status"))
    return tuple(chosen)


def edited_range(picked) -> tuple[datetime | None, datetime | None]:
    """The date input's days as moments: from the first day's midnight to the end of the last."""
    days = picked if isinstance(picked, tuple) else (picked,)
    since = midnight(days[0]) if days else None
    until = midnight(days[1] + timedelta(days=1)) if len(days) > 1 else None
    return since, until


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def split_choices(column) -> tuple[SplitBy | None, tuple[float, float, float], int]:
    fixed = translator()
    split_by = column.selectbox(
        t("export.split"), list(SPLIT_KEYS), format_func=lambda by: fixed(SPLIT_KEYS[by]), key="export_split_by"
    )
    if split_by == "none":
        return None, (0.8, 0.1, 0.1), 0
    cells = column.columns(3)
    shares = tuple(
        cells[i].number_input(t("export.share", split=name), 0.0, 1.0, default, 0.05, key=f"export_share_{name}")
        for i, (name, default) in enumerate((("train", 0.8), ("dev", 0.1), ("test", 0.1)))
    )
    seed = column.number_input(t("export.seed"), 0, 2**31 - 1, 0, key="export_seed")
    return split_by, shares, int(seed)


def name_input(project: Project, export_format: ExportFormat | str) -> str:
    """The export name, defaulting to ``<project>-<format>-<UTC timestamp>``; the default
    follows the format and project until the lead types a name of their own."""
    state = st.session_state
    stamp = state.setdefault("export_stamp", datetime.now(UTC))
    default = default_export_name(project, export_format, stamp)
    if state.get("export_name") in (None, state.get("export_name_default")):
        state["export_name"] = default
    state["export_name_default"] = default
    return st.text_input(t("export.name"), max_chars=80, key="export_name")


def progress_bar():
    """An ``st.progress`` and the callback that moves it (only when the percentage changes)."""
    bar = st.progress(0.0, text=t("export.selecting"))
    shown = -1

    def update(progress: ExportProgress) -> None:
        nonlocal shown
        percent = int(progress.fraction * 100)
        if percent == shown and progress.done != progress.total:
            return
        shown = percent
        what = "export.progress.segments" if progress.stage == Stage.SEGMENTS else "export.progress.files"
        bar.progress(progress.fraction, text=t(what, done=progress.done, total=progress.total))

    return bar, update


def run_export(actor: Actor, project: Project, name: str, options: ExportOptions, make_zip: bool) -> None:
    bar, update = progress_bar()
    try:
        result = export_to_data_folder(store, settings, project, name, options, update, actor=actor, make_zip=make_zip)
    except SpeechLabelError as error:  # ValidationError, Forbidden, NotFound: the choices stay as they were
        bar.empty()
        st.error(error_md(error))
        return
    bar.progress(1.0, text=t("export.done", segments=result.report.segments))
    st.session_state[RESULT_KEY] = result
    st.session_state.pop("export_stamp", None)  # the next export gets a fresh default name


def show_result(result: SavedExportRun) -> None:
    report = result.report
    st.success(
        tm(
            "export.exported",
            segments=report.segments,
            minutes=report.audio_seconds / 60,
            format=label(ExportFormat(result.saved.format)),
            folder=report.out_dir,
        )
    )
    st.dataframe(
        [
            {
                t("export.col.split"): s.name or t("export.all"),
                t("export.col.segments"): s.segments,
                t("export.col.audio_min"): round(s.seconds / 60, 2),
                t("export.col.speakers"): s.speakers,
                t("export.col.recordings"): s.recordings,
            }
            for s in report.splits
        ],
        hide_index=True,
        key="export_splits",
    )
    if result.zip_path is not None:
        download(result.zip_path, result.destination.name, "export_download")
    if report.card is not None and report.card.is_file():
        with st.expander(t("export.card"), expanded=True):
            st.markdown(report.card.read_text(encoding="utf-8"))


# Streamlit holds a download's bytes in the server's memory once it is clicked: bigger zips
# are fetched from their folder on the server instead.
MAX_DOWNLOAD_BYTES = 2 * 1024**3


def download(zip_path: Path, name: str, key: str) -> None:
    if not zip_path.is_file():  # replaced meanwhile by an export of the same name without a zip
        return
    if zip_path.stat().st_size > MAX_DOWNLOAD_BYTES:
        st.info(tm("export.too_big_to_download", path=zip_path, limit_gb=MAX_DOWNLOAD_BYTES // 1024**3))
        return
    # A callable: the zip is read from disk only when the button is clicked, not on every rerun.
    size = zip_path.stat().st_size / 1e6
    st.download_button(
        tm("export.download", name=name, size=size),
        data=lambda: zip_path.read_bytes(),
        file_name=f"{name}.zip",
        mime="application/zip",
        on_click="ignore",
        key=key,
        icon=":material/download:",
    )


def earlier_exports(actor: Actor, project: Project) -> None:
    saved = list_exports(settings, project, actor=actor)
    st.subheader(t("export.earlier"))
    if not saved:
        st.caption(tm("export.no_earlier", project=project.name))
        return
    st.dataframe(
        [
            {
                t("export.col.name"): s.name,
                t("export.col.format"): s.format,
                t("export.col.segments"): s.segments,
                t("export.col.size"): round(s.size_bytes / 1e6, 2),
                t("export.col.created"): s.created_at.strftime("%Y-%m-%d %H:%M"),
                t("export.col.by"): s.created_by or "",
                t("export.col.zip"): t("export.zip_ready") if s.zip_path else "",
            }
            for s in saved
        ],
        hide_index=True,
        key="export_earlier",
    )
    name = st.selectbox(t("export.earlier_pick"), [s.name for s in saved], key="export_earlier_name")
    chosen = next(s for s in saved if s.name == name)
    if chosen.zip_path is not None:
        download(chosen.zip_path, chosen.name, "export_earlier_download")
    elif st.button(t("export.make_zip"), key="export_zip_earlier", icon=":material/folder_zip:"):
        _, update = progress_bar()
        try:
            zip_saved_export(settings, project, name, update, actor=actor)
        except SpeechLabelError as error:
            st.error(error_md(error))
        else:
            st.rerun()


def export_page() -> None:
    st.title(t("page.export"))
    actor = st.session_state["actor"]
    project = chosen_project(actor)
    if project is None:
        st.info(t("common.no_led_project"))
        return
    st.caption(tm("export.where", folder=settings.data_dir / "exports"))
    options = chosen_options(project)
    name = name_input(project, options.format)
    overwrite = st.checkbox(t("export.overwrite"), key="export_overwrite")
    make_zip = st.checkbox(t("export.make_zip_checkbox"), value=True, key="export_make_zip")
    if st.button(t("export.run"), type="primary", icon=":material/download:", key="export_run"):
        st.session_state.pop(RESULT_KEY, None)
        run_export(actor, project, name, replace(options, overwrite=overwrite), make_zip)
    result = st.session_state.get(RESULT_KEY)
    if result is not None and result.destination.project_dir == project_exports_dir(settings, project):
        show_result(result)
    earlier_exports(actor, project)


export_page()
