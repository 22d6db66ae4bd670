"""Projects page: admins create projects; leads upload audio, pre-label in the background and
change label settings; reviewers see each recording's levels and progress. Widgets and domain
calls only."""

import streamlit as st

from speechlabel.access import role_in, visible_projects
from speechlabel.errors import SpeechLabelError
from speechlabel.jobs import JobState
from speechlabel.models import Role, SegmentStatus
from speechlabel.projects import (
    create_project,
    project_status,
    recording_overview,
    update_label_settings,
)
from speechlabel.segment import SegmentOptions
from speechlabel.transcribe_options import TranscribeOptions
from views import forms

workspace = st.session_state["workspace"]
jobs = st.session_state["prelabel_jobs"]
store, settings = workspace.store, workspace.settings
actor = st.session_state["actor"]

st.title("Projects")


def new_project_form() -> None:
    values = forms.project_fields()
    if st.form_submit_button("Create project", type="primary"):
        try:
            created = create_project(
                store, values.name, language=values.language,
                segment_options=SegmentOptions(max_duration=values.max_duration),
                transcribe_options=TranscribeOptions(model=values.model, beam_size=values.beam_size),
                glossary=values.glossary, label_settings=values.label_settings, actor=actor,
            )
            st.session_state["project_name"] = created.name
            st.success(f"Created project {created.name!r}.")
        except SpeechLabelError as error:
            st.error(str(error))


if actor.is_admin:
    with st.expander("New project", expanded=not store.list_projects()), st.form("new_project"):
        new_project_form()

projects = visible_projects(store, actor)
if not projects:
    st.info("No projects yet: an admin creates one above (or `speechlabel project create NAME --language ko`).")
    st.stop()

names = [p.name for p in projects]
chosen = st.session_state.get("project_name")
name = st.selectbox("Project", names, index=names.index(chosen) if chosen in names else 0, key="project_name")
project = store.get_project(name)
leads = role_in(actor, project.id) == Role.LEAD
if leads and st.button(f"Label {project.name}", icon=":material/edit_note:"):
    st.switch_page("views/label.py")

if leads:
    # Keys per project: switching projects shows that project's values, not the last form's.
    with st.expander("Label settings"), st.form(f"label_settings_{project.id}"):
        wanted = forms.label_settings_fields(project.label_settings, key=f"label_settings_{project.id}")
        if st.form_submit_button("Save label settings"):
            try:
                project = update_label_settings(store, actor, project, wanted)
                st.success("Label settings saved.")
            except SpeechLabelError as error:
                st.error(str(error))
    forms.upload_audio(store, settings, project)


@st.fragment(run_every=2.0)
def prelabel_panel() -> None:
    status = jobs.status(project.id)
    running = status is not None and status.state == JobState.RUNNING
    if leads and st.button("Pre-label new recordings", disabled=running, type="primary"):
        status = jobs.start(project, actor)
        running = True
    if status is not None:
        forms.show_job(status)
    summary = project_status(store, project)
    st.caption(f"{summary.recordings} recordings · {summary.audio_seconds / 3600:.2f} h of audio · "
               f"{summary.segments} segments · {summary.recordings_pending} not pre-labeled yet")
    rows = []
    for row in recording_overview(store, project):
        entry = {"recording": row.recording.label, "id": row.recording.id,
                 "duration (s)": round(row.recording.duration, 1),
                 "warnings": ", ".join(row.warnings) or "—",
                 "pre-labeling": row.recording.prelabel_state.value}
        entry.update({s.value: row.segments_by_status.get(s, 0) for s in SegmentStatus})
        rows.append(entry)
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")


prelabel_panel()
