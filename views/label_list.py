"""The list view of the label page: one page of a recording's segments (time, speaker, status,
text) around the focused one; picking a row opens that segment. Only one page is ever read."""

from __future__ import annotations

from functools import partial

import streamlit as st

from speechlabel import labeling
from speechlabel.labeling import LabelContext
from speechlabel.store import Store

PAGE_SIZE = 50


def recording_list(store: Store, context: LabelContext) -> None:
    pages = max(1, -(-context.recording_segments // PAGE_SIZE))
    with st.expander(f"All segments of {context.recording.label} ({context.recording_segments})"):
        # Open on the page holding the focused segment; the labeler may page away from it.
        focused_page = context.position // PAGE_SIZE + 1
        # Fixed keys (see views/label.py); the label page drops both when another segment opens.
        page = st.number_input(f"Page (of {pages})", 1, pages, focused_page, key="label_list_page")
        rows = labeling.list_recording_segments(store, context.recording.id, (int(page) - 1) * PAGE_SIZE, PAGE_SIZE)
        table = [{"": "▶" if s.id == context.segment.id else "", "start": round(s.start, 2), "end": round(s.end, 2),
                  "speaker": s.speaker or "", "status": s.status.value, "text": s.text} for s in rows]
        # A callback, not "rerun": it fires only when the labeler picks a row, never again for a
        # selection the browser still holds from before.
        st.dataframe(table, hide_index=True, width="stretch", on_select=partial(_picked, [s.id for s in rows]),
                     selection_mode="single-row", key="label_list")


def _picked(row_ids: list[str]) -> None:
    chosen = st.session_state["label_list"].selection.rows
    if chosen:
        st.session_state["label_segment"] = row_ids[chosen[0]]
