"""The waveform section of the label and review pages: the segment in its window. On the label
page its edges are dragged (snapped to the nearest pause) or moved by keys, it is split at the
playhead or merged with the next segment; every request is a domain call
(speechlabel.waveform.drag_bounds, labeling.split, labeling.merge_with_next) made in the
component's callback, and the page then opens the segment's new version. On the review page it
is read-only: the reviewer sees and hears the bounds they judge."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from speechlabel import labeling, waveform
from speechlabel.draft_view import word_index_at
from speechlabel.errors import SpeechLabelError
from speechlabel.labeling import LabelContext
from speechlabel.models import Actor
from views.label_parts import clock
from views.lang import error_text, t
from views.waveform import (
    BoundsRequest,
    MergeRequest,
    Request,
    SplitRequest,
    show_waveform,
    waveform_data,
)

ERROR_KEY = "label_waveform_error"
# The help overlay's rows: the keys as printed, the message key of what they do, and whether
# they change the segment (left out where it is read-only).
HELP_ROWS = (
    ("Space", "waveform.help_play", False),
    ("[  ]", "waveform.help_start", True),
    ("{  }", "waveform.help_end", True),
    ("Alt + [ ] { }", "waveform.help_large_step", True),
    ("s", "waveform.help_split", True),
    ("m", "waveform.help_merge", True),
    ("+  −", "waveform.help_zoom", False),
    ("?", "waveform.help_help", False),
)
# The script's button titles and overlay texts, by the name it reads them under.
TEXT_KEYS = {
    "play": "waveform.play", "zoom_in": "waveform.zoom_in", "zoom_out": "waveform.zoom_out",
    "speed": "waveform.speed", "help": "waveform.help", "help_title": "waveform.help_title", "close": "waveform.close",
}


def waveform_section(actor: Actor, context: LabelContext, keys: dict[str, str]) -> None:
    """The label page's: editable, except in a second labeling (bounds are the first labeler's)."""
    show(actor, context.segment.id, keys["token"], not context.second_labeling, partial(act, actor, context, keys))


def show(actor: Actor, segment_id: str, token: str, editable: bool, on_request: Callable[[Request], None]) -> None:
    workspace = st.session_state["workspace"]  # per run: a module outlives the sessions that import it
    try:
        view = waveform.waveform_view(workspace.store, workspace.settings, actor, segment_id)
    except SpeechLabelError as error:
        st.caption(error_text(error))  # e.g. a segment too long to draw; the nudges still work
        return
    texts = {name: t(key) for name, key in TEXT_KEYS.items()}
    help_rows = [[printed, t(key)] for printed, key, changes in HELP_ROWS if editable or not changes]
    show_waveform(waveform_data(view, token, editable, texts, help_rows), on_request)
    st.caption(t("waveform.caption" if editable else "waveform.caption_read_only"))
    problem = st.session_state.pop(ERROR_KEY, None)
    if problem:
        st.error(problem)


def ignore(request: Request) -> None:
    """A read-only waveform asks for nothing; the script never sends a change from it."""


def act(actor: Actor, context: LabelContext, keys: dict[str, str], request: Request) -> None:
    """The component's callback: run the request; the run that follows shows the result."""
    try:
        message, segment_id = _run(actor, context, keys, request)
    except SpeechLabelError as error:
        st.session_state[ERROR_KEY] = error_text(error)
        return
    st.session_state["label_segment"] = segment_id
    st.session_state["label_flash"] = message


def _run(actor: Actor, context: LabelContext, keys: dict[str, str], request: Request) -> tuple[str, str]:
    segment, text = context.segment, st.session_state.get(keys["text"], context.segment.text)
    workspace = st.session_state["workspace"]
    store, settings = workspace.store, workspace.settings
    if isinstance(request, BoundsRequest):
        saved = waveform.drag_bounds(store, settings, actor, segment.id, segment.version, request.start, request.end,
                                     request.edge)
        return t("waveform.saved", start=clock(saved.start), end=clock(saved.end)), saved.id
    if isinstance(request, SplitRequest):
        index = word_index_at(segment, text, request.at, context.draft)
        first, _ = labeling.split(store, actor, segment.id, segment.version, request.at, index, text=text)
        return t("label.split_done", seconds=request.at), first.id
    if isinstance(request, MergeRequest):
        following = store.neighbour_segment(segment.id, after=True)
        labeling.merge_with_next(store, actor, segment.id, segment.version, following.version if following else 0,
                                 following.id if following else None, text=text)
        return t("label.merged"), segment.id
    raise TypeError(f"not a waveform request: {request!r}")
