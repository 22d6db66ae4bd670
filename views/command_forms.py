"""The Projects page's form of a project's kind and command vocabulary (leads)."""

from __future__ import annotations

import streamlit as st

from speechlabel.core.commands import ProjectKind
from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import Project
from speechlabel.projects.commands import format_commands, save_command_form
from views.lang import label, t
from views.plain import error_md, tm


def command_form(store, actor, project: Project) -> Project:
    """Kind, commands typed or from a file; returns the project as saved (or as it was)."""
    current = project.command_settings
    key = f"commands_{project.id}"  # per project: switching shows that project's values
    kinds = list(ProjectKind)
    names = {kind: label(kind) for kind in kinds}  # read now: format_func may run outside the script run
    kind = st.radio(
        t("projects.kind"),
        kinds,
        index=kinds.index(current.kind),
        format_func=names.__getitem__,
        horizontal=True,
        key=f"{key}_kind",
    )
    text = st.text_area(
        t("projects.commands_text"),
        format_commands(current.commands),
        key=f"{key}_text",
        height=160,
        placeholder="lights on | turn on the lights | 불 켜\nhey factory",
    )
    steer = st.checkbox(
        t("projects.commands_steer"), current.steer, key=f"{key}_steer", help=t("projects.commands_steer_help")
    )
    upload = st.file_uploader(t("projects.commands_file"), type=["txt", "csv"], key=f"{key}_file")
    if not st.form_submit_button(t("projects.save_commands")):
        return project
    try:
        given = (upload.name, upload.getvalue()) if upload is not None else None
        project = save_command_form(store, actor, project, kind, text, given, steer)
    except SpeechLabelError as error:
        st.error(error_md(error))
        return project
    saved = project.command_settings
    st.success(tm("projects.commands_saved", kind=label(saved.kind), count=len(saved.commands)))
    return project
