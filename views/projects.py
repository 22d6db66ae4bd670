"""Projects page: admins create projects; leads upload audio, pre-label in the background and
change label settings and recording checks; reviewers see each recording's levels, flags and
progress. Widgets and domain
calls only."""

import streamlit as st

from speechlabel.accounts.access import role_in, visible_projects
from speechlabel.asr_models.manage import model_choices
from speechlabel.conventions import SchemeFileError
from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import Role, SegmentStatus
from speechlabel.prelabel.engines.options import TranscribeOptions, default_compute_type
from speechlabel.prelabel.jobs import JobState
from speechlabel.prelabel.vad import SegmentOptions
from speechlabel.projects.conventions import project_scheme
from speechlabel.projects.manage import (
    create_project,
    project_status,
    recording_overview,
    update_label_settings,
    update_style_prompt,
)
from speechlabel.projects.scheme_upload import UPLOADED, save_convention_form
from views import forms
from views.command_forms import command_form
from views.lang import error_text, label, t
from views.metadata_forms import metadata_forms
from views.plain import error_md, tm
from views.qc_forms import qc_flag_texts, qc_form

workspace = st.session_state["workspace"]
jobs = st.session_state["prelabel_jobs"]
store, settings = workspace.store, workspace.settings
actor = st.session_state["actor"]

st.title(t("page.projects"))


def new_project_form() -> None:
    values = forms.project_fields(model_choices(settings))
    if st.form_submit_button(t("projects.create"), type="primary"):
        try:
            created = create_project(
                store,
                values.name,
                language=values.language,
                segment_options=SegmentOptions(max_duration=values.max_duration),
                transcribe_options=TranscribeOptions(
                    engine=values.engine,
                    model=values.model,
                    beam_size=values.beam_size,
                    compute_type=default_compute_type(values.engine),
                    device=values.device,
                ),
                glossary=values.glossary,
                label_settings=values.label_settings,
                actor=actor,
                style_prompt=values.style_prompt,
            )
            st.session_state["project_name"] = created.name
            st.success(tm("projects.created", name=created.name))
        except SpeechLabelError as error:
            st.error(error_md(error))


if actor.is_admin:
    with st.expander(t("projects.new"), expanded=not store.list_projects()), st.form("new_project"):
        new_project_form()

projects = visible_projects(store, actor)
if not projects:
    st.info(t("projects.none"))
    st.stop()

names = [p.name for p in projects]
chosen = st.session_state.get("project_name")
name = st.selectbox(t("common.project"), names, index=names.index(chosen) if chosen in names else 0, key="project_name")
project = store.get_project(name)
leads = role_in(actor, project.id) == Role.LEAD
if leads and st.button(tm("projects.label_project", name=project.name), icon=":material/edit_note:"):
    st.switch_page("views/label.py")


def convention_form(project):
    """The tag scheme and the submit rule; returns the project as saved (or as it was)."""
    wanted = forms.convention_fields(project, key=f"conventions_{project.id}")
    if not st.form_submit_button(t("projects.save_conventions")):
        return project
    if wanted.choice == UPLOADED and wanted.upload is None:
        st.error(t("projects.scheme_file_needed"))
        return project
    try:
        project = save_convention_form(store, actor, project, wanted.choice, wanted.block_submit, wanted.upload)
    except SchemeFileError as error:
        st.error(
            tm(
                "projects.scheme_file_invalid",
                name=wanted.upload.filename if wanted.upload else "",
                detail=error_text(error),
            )
        )
    except SpeechLabelError as error:
        st.error(error_md(error))
    else:
        scheme = project_scheme(project)
        st.success(tm("projects.conventions_saved", scheme=scheme.title or scheme.name))
    return project


def style_prompt_form(project):
    typed = forms.style_prompt_field(project.engine_options.get("style_prompt", ""), key=f"style_prompt_{project.id}")
    if st.form_submit_button(t("projects.save_style_prompt")):
        try:
            project = update_style_prompt(store, actor, project, typed)
            st.success(t("projects.style_prompt_saved"))
        except SpeechLabelError as error:
            st.error(error_md(error))
    return project


if leads:
    # Keys per project: switching projects shows that project's values, not the last form's.
    with st.expander(t("projects.label_settings")), st.form(f"label_settings_{project.id}"):
        wanted = forms.label_settings_fields(project.label_settings, key=f"label_settings_{project.id}")
        if st.form_submit_button(t("projects.save_label_settings")):
            try:
                project = update_label_settings(store, actor, project, wanted)
                st.success(t("projects.label_settings_saved"))
            except SpeechLabelError as error:
                st.error(error_md(error))
    with st.expander(t("projects.style_prompt")), st.form(f"style_prompt_{project.id}"):
        project = style_prompt_form(project)
    with st.expander(t("projects.conventions")), st.form(f"conventions_{project.id}"):
        project = convention_form(project)
    with st.expander(t("projects.commands")), st.form(f"commands_{project.id}"):
        project = command_form(store, actor, project)
    with st.expander(t("metadata.title")):
        metadata_forms(store, actor, project)
    with st.expander(t("qc.title")):
        project = qc_form(store, actor, project)
    forms.upload_audio(store, settings, project)


@st.fragment(run_every=2.0)
def prelabel_panel() -> None:
    status = jobs.status(project.id)
    running = status is not None and status.state == JobState.RUNNING
    if leads:
        start, cancel = st.columns(2)
        if start.button(t("projects.prelabel"), disabled=running, type="primary"):
            status = jobs.start(project, actor)
            running = status.state == JobState.RUNNING
        if running and cancel.button(t("projects.prelabel_cancel"), key=f"cancel_prelabel_{project.id}"):
            status = jobs.cancel(project, actor)
            running = False
    if status is not None:
        forms.show_job(status)
    if running:  # a job queued earlier (or by a server that stopped) gets a worker here if none is up
        forms.show_drafters(jobs.drafters(start_if_none=True))
    summary = project_status(store, project)
    st.caption(
        t(
            "projects.summary",
            recordings=summary.recordings,
            hours=summary.audio_seconds / 3600,
            segments=summary.segments,
            pending=summary.recordings_pending,
        )
    )
    rows = []
    for row in recording_overview(store, project):
        entry = {
            t("projects.col.recording"): row.recording.label,
            t("projects.col.id"): row.recording.id,
            t("projects.col.duration"): round(row.recording.duration, 1),
            t("projects.col.warnings"): ", ".join(forms.level_warning_texts(row.recording.probe)) or "—",
            t("projects.col.qc"): "; ".join(qc_flag_texts(row.recording)) or "—",
            t("projects.col.prelabeling"): label(row.recording.prelabel_state),
        }
        entry.update({label(s): row.segments_by_status.get(s, 0) for s in SegmentStatus})
        rows.append(entry)
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")


prelabel_panel()
