"""The review page's waveform section: the segment in its window, read-only, so the reviewer
sees and hears the bounds they judge. (The label page draws its own, editable one inside the
label loop component: views/label_loop.py.)"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import Actor
from speechlabel.labeling import waveform
from views.lang import t
from views.plain import error_md, md
from views.waveform import Request, show_waveform, waveform_data

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
    "play": "waveform.play",
    "zoom_in": "waveform.zoom_in",
    "zoom_out": "waveform.zoom_out",
    "speed": "waveform.speed",
    "help": "waveform.help",
    "help_title": "waveform.help_title",
    "close": "waveform.close",
}


def show(actor: Actor, segment_id: str, token: str, editable: bool, on_request: Callable[[Request], None]) -> None:
    workspace = st.session_state["workspace"]  # per run: a module outlives the sessions that import it
    try:
        view = waveform.waveform_view(workspace.store, workspace.settings, actor, segment_id)
    except SpeechLabelError as error:
        st.caption(error_md(error))  # e.g. a segment too long to draw; the nudges still work
        return
    texts = {name: t(key) for name, key in TEXT_KEYS.items()}
    help_rows = [[printed, t(key)] for printed, key, changes in HELP_ROWS if editable or not changes]
    show_waveform(waveform_data(view, token, editable, texts, help_rows), on_request)
    st.caption(t("waveform.caption" if editable else "waveform.caption_read_only"))
    problem = st.session_state.pop(ERROR_KEY, None)
    if problem:
        st.error(md(problem))


def ignore(request: Request) -> None:
    """A read-only waveform asks for nothing; the script never sends a change from it."""
