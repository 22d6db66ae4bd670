"""The list view of the label page: one page of a recording's segments (time, speaker, status,
text) around the focused one; picking a row opens that segment. Only one page is ever read."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from speechlabel.accounts.access import role_in
from speechlabel.core.models import Actor, Project, Role, Segment
from speechlabel.labeling import actions as labeling
from speechlabel.labeling.actions import LabelContext
from speechlabel.store import Store
from views.lang import label, t
from views.plain import tm

PAGE_SIZE = 50


def segment_list(
    store: Store, actor: Actor, project: Project, context: LabelContext, on_pick: Callable[[], None]
) -> None:
    """Leads and reviewers page through the recording; a labeler sees their own batch.
    ``on_pick`` runs when a row is picked (the label page then hands that segment to its loop)."""
    if role_in(actor, project.id) == Role.LABELER:
        rows = labeling.my_work(store, actor, project)
        title = tm("label_list.yours", project=project.name, count=len(rows))
        with st.expander(title):
            _table(rows, context, on_pick)
        return
    pages = max(1, -(-context.recording_segments // PAGE_SIZE))
    with st.expander(tm("label_list.all", recording=context.recording.label, count=context.recording_segments)):
        # Opens on the page holding the focused segment (set by the label page when it opens).
        page = st.number_input(t("label_list.page", pages=pages), 1, pages, key="label_list_page")
        offset = (int(page) - 1) * PAGE_SIZE
        _table(
            labeling.list_recording_segments(store, actor, context.recording.id, offset, PAGE_SIZE), context, on_pick
        )


def _table(rows: list[Segment], context: LabelContext, on_pick: Callable[[], None]) -> None:
    start, end, speaker, status, text = (
        t(key)
        for key in (
            "label_list.col.start",
            "label_list.col.end",
            "label_list.col.speaker",
            "label_list.col.status",
            "label_list.col.text",
        )
    )
    table = [
        {
            "": "▶" if s.id == context.segment.id else "",
            start: round(s.start, 2),
            end: round(s.end, 2),
            speaker: s.speaker or "",
            status: label(s.status),
            text: s.text,
        }
        for s in rows
    ]
    # A callback, not "rerun": it fires only when the labeler picks a row, never again for a
    # selection the browser still holds from before. A fixed key, so the session does not grow.
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select=partial(_picked, [s.id for s in rows], on_pick),
        selection_mode="single-row",
        key="label_list",
    )


def _picked(row_ids: list[str], on_pick: Callable[[], None]) -> None:
    chosen = st.session_state["label_list"].selection.rows
    if chosen:
        st.session_state["label_segment"] = row_ids[chosen[0]]
        on_pick()
