"""Projects overview: what exists and how far pre-labeling got. Widgets and calls only."""

import streamlit as st

from speechlabel.models import SegmentStatus
from speechlabel.projects import project_status

workspace = st.session_state["workspace"]
st.title("Projects")
projects = workspace.store.list_projects()
if not projects:
    st.info("No projects yet. Create one from the command line: `speechlabel project create NAME --language ko`, "
            "then `speechlabel import NAME FOLDER` and `speechlabel prelabel NAME`.")
    st.stop()

rows = []
for project in projects:
    status = project_status(workspace.store, project)
    row = {
        "project": project.name,
        "language": project.language or "auto",
        "model": project.engine_options.get("model"),
        "recordings": status.recordings,
        "not pre-labeled": status.recordings_pending,
        "audio (h)": round(status.audio_seconds / 3600, 3),
        "segments": status.segments,
    }
    row.update({s.value: status.segments_by_status.get(s, 0) for s in SegmentStatus})
    rows.append(row)
st.dataframe(rows, hide_index=True, width="stretch")
