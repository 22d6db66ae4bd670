"""The list view of the label page: one page of a recording's segments (time, speaker, status,
text) around the focused one; picking a row opens that segment. Only one page is ever read."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from speechlabel import labeling
from speechlabel.labeling import LabelContext
from speechlabel.store import Store

PAGE_SIZE = 50


def recording_list(store: Store, context: LabelContext, on_pick: Callable[[str], None]) -> None:
    pages = max(1, -(-context.recording_segments // PAGE_SIZE))
    with st.expander(f"All segments of {context.recording.label} ({context.recording_segments})"):
        # Open on the page holding the focused segment; the labeler may page away from it.
        focused_page = context.position // PAGE_SIZE + 1
        page_key = f"list-page:{context.segment.id}"
        page = st.number_input(f"Page (of {pages})", 1, pages, focused_page, key=page_key)
        rows = labeling.list_recording_segments(store, context.recording.id, (int(page) - 1) * PAGE_SIZE, PAGE_SIZE)
        table = [{"": "▶" if s.id == context.segment.id else "", "start": round(s.start, 2), "end": round(s.end, 2),
                  "speaker": s.speaker or "", "status": s.status.value, "text": s.text} for s in rows]
        picked = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun",
                              selection_mode="single-row", key=f"list:{context.segment.id}:{page}")
        chosen = picked.selection.rows
        if chosen and rows[chosen[0]].id != context.segment.id:
            on_pick(rows[chosen[0]].id)
