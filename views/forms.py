"""Widgets shared by pages: they collect input and show results, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from speechlabel.audio.probe import (
    CLIPPING_WARNING_RATIO,
    NOISY_WARNING_SNR_DB,
    QUIET_WARNING_DBFS,
    AudioProbe,
)
from speechlabel.conventions import BUILTIN_SCHEMES
from speechlabel.core.models import LabelSettings, Project
from speechlabel.core.project_settings import ProjectSetting, group
from speechlabel.prelabel.engines.bundled_models import BUNDLED_MODELS
from speechlabel.prelabel.engines.options import DEVICES, TranscribeOptions
from speechlabel.prelabel.engines.registry import engine_names
from speechlabel.prelabel.jobs import JobState, JobStatus
from speechlabel.prelabel.local_worker import Drafters
from speechlabel.prelabel.vad import SegmentOptions
from speechlabel.projects.manage import split_names
from speechlabel.projects.scheme_upload import (
    KEEP_CUSTOM,
    UPLOADED,
    SchemeUpload,
    current_choice,
    scheme_choices,
)
from views.lang import current_lang, error_text, label, t, translator
from views.plain import md, tm
from views.upload_component import upload_component, upload_data

LANGUAGES = ["auto", "ko", "en", "ja", "zh", "de", "fr", "es"]


@dataclass(frozen=True)
class ProjectFormValues:
    name: str
    language: str
    model: str
    beam_size: int
    max_duration: float
    glossary: tuple[str, ...]
    label_settings: LabelSettings
    engine: str = TranscribeOptions.engine
    device: str = TranscribeOptions.device
    style_prompt: str = ""  # as typed: blank is the language's default, "none" is none


def project_fields(models: list[str] | None = None) -> ProjectFormValues:
    """``models``: the names a project may draft with (default: the bundled ones)."""
    name = st.text_input(t("forms.name"), max_chars=100, placeholder="factory-commands-ko")
    left, middle, right = st.columns(3)
    language = left.selectbox(t("forms.language"), LANGUAGES, help=t("forms.language_help"))
    model = middle.selectbox(t("forms.model"), models or list(BUNDLED_MODELS), help=t("forms.model_help"))
    beam_size = right.number_input(t("forms.beam_size"), 1, 16, TranscribeOptions.beam_size)
    engine = st.selectbox(t("forms.engine"), list(engine_names()), help=t("forms.engine_help"))
    device = st.selectbox(t("forms.device"), list(DEVICES), help=t("forms.device_help"))
    max_duration = st.slider(t("forms.max_duration"), 2.0, 30.0, SegmentOptions.max_duration, 0.5)
    glossary = st.text_area(t("forms.glossary"), placeholder="컨베이어\nPLC\nOK Nova")
    terms = tuple(line.strip() for line in glossary.splitlines() if line.strip())
    prompt = style_prompt_field("", key="new_project_style_prompt")
    labels = label_settings_fields(LabelSettings(), key="new_project")
    return ProjectFormValues(
        name, language, model, int(beam_size), float(max_duration), terms, labels, engine, device, prompt
    )


def style_prompt_field(current: str, key: str) -> str:
    """The style prompt as typed (the domain call reads blank and "none")."""
    return st.text_area(t("forms.style_prompt"), value=current, help=t("forms.style_prompt_help"), key=key)


def label_settings_fields(current: LabelSettings, key: str) -> LabelSettings:
    """Speakers, tags and threshold, prefilled with ``current``; checked by the domain call."""
    left, right = st.columns(2)
    speakers = left.text_area(
        t("forms.speakers"),
        "\n".join(current.speakers),
        key=f"{key}_speakers",
        placeholder=t("forms.speakers_placeholder"),
        help=t("forms.speakers_help"),
    )
    tags = right.text_area(t("forms.tags"), "\n".join(current.tags), key=f"{key}_tags", help=t("forms.tags_help"))
    low = st.slider(
        t("forms.low_confidence"),
        0.0,
        1.0,
        float(current.low_confidence),
        0.05,
        key=f"{key}_low",
        help=t("forms.low_confidence_help"),
    )
    # The slider's float steps drift (0.35000000000000003); keep the value people chose.
    return LabelSettings(split_names(speakers), split_names(tags), round(low, 4))


def setting_fields(current, group_name: str) -> dict[str, Any]:
    """A field for each setting of a group of ``speechlabel.core.project_settings`` (its form field:
    label, widget, range), in the table's order, prefilled with ``current`` (the group's
    settings dataclass); the values by name, None for an optional setting switched off. Checked
    by the domain call."""
    return {setting.name: _setting_field(setting, getattr(current, setting.name)) for setting in group(group_name)}


def _setting_field(setting: ProjectSetting, value: object) -> object:
    form, kind = setting.form, setting.kind
    on = value is not None
    if form.off_toggle_key is not None:
        on = st.checkbox(t(form.off_toggle_key), value=on)
    shown = kind(value if value is not None else form.off_value)
    low = kind(form.low if form.low is not None else setting.low)
    high = kind(form.high if form.high is not None else setting.high)
    if form.widget == "slider":
        chosen = kind(st.slider(t(form.label_key), low, high, shown, form.step))
    else:
        chosen = kind(st.number_input(t(form.label_key), low, high, shown))
    if not setting.optional:
        return chosen
    if form.off_toggle_key is not None:
        return chosen if on else None
    return None if chosen == form.off_value else chosen


def upload_audio(store, settings, project) -> None:
    """Upload many files; each is imported on its own, so one bad file does not stop the rest.

    The browser streams each file to the upload route (views/upload_component.py), which writes
    it to disk and imports it there: no upload is held in the server's memory. The component
    belongs to ``project`` (its key holds the project id), so files chosen for one project are
    never sent to another after a switch; its answers are shown here until the next upload."""
    st.markdown(f"**{t('forms.upload')}**")
    answers = upload_component(upload_data(project.id, project.name), key=f"upload_{project.id}_{current_lang().value}")
    if answers is not None:
        st.session_state.setdefault("upload_reports", {})[project.id] = answers
        st.rerun()  # the page's lists above now hold the new recordings
    for answer in st.session_state.get("upload_reports", {}).get(project.id, []):
        show_upload_answer(answer)


def show_upload_answer(answer: dict) -> None:
    """One file's answer from the upload route as the page showed import reports: its messages
    come translated from the route; names and messages are user text (escaped by ``tm``)."""
    given = answer.get("body")
    body: dict = given if isinstance(given, dict) else {}
    name = str(answer.get("name", ""))
    for recording in body.get("imported", []):
        st.success(tm("forms.imported", name=str(recording["label"]), seconds=float(recording["seconds"])))
    for warning in body.get("warnings", []):
        st.warning(tm("forms.import_warning", name=str(warning["source"]), message=str(warning["message"])))
    for failure in body.get("failures", []):
        st.error(tm("forms.import_failed", name=str(failure["source"]), message=str(failure["message"])))
    for duplicate in body.get("duplicates", []):
        st.warning(tm("forms.import_duplicate", name=str(duplicate["source"]), message=str(duplicate["message"])))
    if not any(body.get(part) for part in ("imported", "warnings", "failures", "duplicates")):
        st.error(tm("forms.import_failed", name=name, message=str(body.get("error") or t("forms.upload_offline"))))


def show_job(status: JobStatus) -> None:
    """The project's job as the database has it: progress, time left and each failed recording
    with its reason (as plain text: a recording's label is user input)."""
    progress = status.progress
    if status.state == JobState.INTERRUPTED:  # a job of an earlier release whose process stopped
        st.warning(tm("forms.job_interrupted_old", by=status.started_by))
    if status.failures:
        st.error(tm("forms.job_failures", count=len(status.failures)))
        rows = [
            {t("forms.col.recording"): failure.label, t("forms.col.reason"): error_text(error)}
            for failure, error in zip(status.failures, status.failure_errors)
        ]
        st.dataframe(rows, hide_index=True, width="stretch")
    share = progress.audio_seconds_done / progress.audio_seconds_total if progress.audio_seconds_total else 1.0
    left = status.seconds_left
    eta = t("forms.job_eta", minutes=left / 60) if left is not None and status.state == JobState.RUNNING else ""
    st.progress(
        min(share, 1.0),
        text=t(
            "forms.job_progress",
            state=label(status.state),
            done=progress.recordings_done,
            total=progress.recordings_total,
            minutes_done=progress.audio_seconds_done / 60,
            minutes_total=progress.audio_seconds_total / 60,
            drafts=progress.segments_drafted,
            eta=eta,
        ),
    )


def show_drafters(drafters: Drafters) -> None:
    """Who drafts the queued recordings: a worker this server started, runners elsewhere, or none."""
    if drafters.runners:
        names = ", ".join(f"{runner.host} ({runner.device})" for runner in drafters.runners)
        st.caption(tm("forms.job_runners", count=len(drafters.runners), runners=names))
    elif drafters.started_here:
        st.caption(t("forms.job_worker_starting"))
    elif drafters.local_worker_off:
        st.warning(t("forms.job_no_runner"))


@dataclass(frozen=True)
class ConventionFormValues:
    choice: str  # a built-in scheme's name, UPLOADED or KEEP_CUSTOM (speechlabel.projects.scheme_upload)
    upload: SchemeUpload | None
    block_submit: bool


def convention_fields(project: Project, key: str) -> ConventionFormValues:
    """The tag scheme (built-in, the project's own file, or a new file) and the submit rule."""
    current = project.convention_settings
    choices = scheme_choices(project)
    custom = current.scheme.title or current.scheme.name if current.scheme is not None else ""
    text = translator()
    names = {UPLOADED: text("projects.scheme_file"), KEEP_CUSTOM: text("projects.scheme_custom", name=md(custom))}
    choice = st.radio(
        t("projects.scheme"),
        choices,
        index=choices.index(current_choice(project)),
        key=f"{key}_scheme",
        help=t("projects.scheme_help"),
        format_func=lambda name: names.get(name) or _builtin_title(name),
    )
    file = st.file_uploader(
        t("projects.scheme_upload"), type=["toml", "json"], key=f"{key}_file", help=t("projects.scheme_upload_help")
    )
    block = st.checkbox(
        t("projects.block_submit"),
        value=current.block_submit_on_lint_errors,
        key=f"{key}_block",
        help=t("projects.block_submit_help"),
    )
    upload = SchemeUpload(file.name, file.getvalue()) if file is not None else None
    return ConventionFormValues(choice, upload, block)


def _builtin_title(name: str) -> str:
    scheme = BUILTIN_SCHEMES[name]
    return f"{scheme.title} ({name})"


def level_warning_texts(probe: AudioProbe) -> list[str]:
    """``speechlabel.audio.probe.level_warnings`` in the page's language (same thresholds)."""
    warnings = []
    if probe.clipped_ratio > CLIPPING_WARNING_RATIO:
        warnings.append(t("projects.warning_clipped", ratio=probe.clipped_ratio))
    if probe.peak_dbfs < QUIET_WARNING_DBFS:
        warnings.append(t("projects.warning_quiet", dbfs=probe.peak_dbfs))
    if probe.snr_db is not None and probe.snr_db < NOISY_WARNING_SNR_DB:
        warnings.append(t("projects.warning_noisy", snr=probe.snr_db))
    return warnings
