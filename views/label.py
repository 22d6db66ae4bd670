"""Label page for labelers: the shell around the label loop (views/label_loop.py), which shows
the focused segment — clip, waveform, draft with unsure words marked, transcript box, speaker
and tag keys, Save & next — and moves between segments through the app's JSON routes without
rerunning this page. Streamlit keeps the sidebar (project, autoplay) and the list of the
labeler's work below; a pick in the list or a project switch hands the loop another segment.
"""

from __future__ import annotations

import streamlit as st

from speechlabel.core.errors import Forbidden, NotFound
from speechlabel.core.models import Actor, Project, Role
from speechlabel.labeling import actions as labeling
from views import label_list, session
from views.label_loop import Mount, loop_data, show_loop
from views.lang import error_text, t
from views.plain import tm

workspace = st.session_state["workspace"]
store = workspace.store
JUMP = "label_segment"  # the segment the list asked for last (the loop opens it when the nonce moves)
NONCE = "label_jump_nonce"


def chosen_project(actor: Actor) -> Project | None:
    """A project where the actor may label (labeler or lead), remembered in the page address."""
    return session.pick_project(store, actor, (Role.LABELER, Role.LEAD), "label_project", _project_switched)


def _jumped() -> None:
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def _project_switched() -> None:
    st.session_state.pop(JUMP, None)  # a pick belongs to the project it was made in
    _jumped()


def segment_to_open(actor: Actor, project: Project) -> str | None:
    """The segment the list asked for, else the user's next to do. Kept across reruns, so a rerun
    for anything else hands the loop the same data (it moves only when the nonce does)."""
    chosen = st.session_state.get(JUMP)
    if chosen is not None:
        try:
            return labeling.readable_segment(store, actor, chosen).id
        except (NotFound, Forbidden) as error:
            st.session_state.pop(JUMP, None)
            st.warning(tm("label.gone", error=error_text(error)))
    upcoming = labeling.next_segment(store, actor, project)
    return upcoming.id if upcoming else None


def label_page() -> None:
    st.title(t("page.label"))
    actor = st.session_state["actor"]
    project = chosen_project(actor)
    if project is None:
        st.info(t("label.no_project"))
        return
    autoplay = st.sidebar.toggle(t("label.autoplay"), value=True, key="label_autoplay")
    segment_id = segment_to_open(actor, project)
    mount = Mount(project.id, segment_id, st.session_state.get(NONCE, 0))
    show_loop(loop_data(project, mount, autoplay))
    if segment_id is not None:
        label_list.segment_list(store, actor, project, labeling.open_segment(store, actor, segment_id), on_pick=_jumped)


label_page()
