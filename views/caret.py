"""The caret helper of the label page (an st.components.v2 component, inline JS, nothing from
the network): reports the transcript box's selection on blur, runs the scheme's tag hotkeys
while typing, and puts the caret back after an insertion. See views/assets/caret.js."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import streamlit as st

KEY = "label_caret_helper"
_ASSETS = Path(__file__).with_name("assets")
_helper = st.components.v2.component(
    "speechlabel_caret_helper",
    html="<span hidden></span>",
    js=(_ASSETS / "caret.js").read_text(encoding="utf-8"),
)


@dataclass(frozen=True)
class CaretData:
    box_key: str  # the key of the container holding the transcript box
    hotkeys: dict[str, str]  # "Alt+N" -> the tag text it inserts
    caret: dict | None = field(default=None)  # {"id", "text", "at"}: where to put the caret, once


@dataclass(frozen=True)
class Selection:
    start: int
    end: int
    text: str  # the box's text when the selection was read


def caret_helper(data: CaretData, on_insert: Callable[[], None]) -> None:
    _helper(data=asdict(data), key=KEY, on_selection_change=_ignore, on_insert_change=on_insert)


def _ignore() -> None:
    """The selection is read when a tag is inserted, not when it changes."""


def _selection(value) -> Selection | None:
    if not isinstance(value, dict):
        return None
    start, end, text = value.get("start"), value.get("end"), value.get("text")
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(text, str)):
        return None
    return Selection(start, end, text)


def last_selection() -> Selection | None:
    """The box's selection when it last lost focus (None before that, and in AppTest)."""
    return _selection((st.session_state.get(KEY) or {}).get("selection"))


def pending_insert() -> tuple[str, Selection] | None:
    """The tag a hotkey asked for, with the selection and text at that moment."""
    value = (st.session_state.get(KEY) or {}).get("insert")
    selection = _selection(value)
    if selection is None or not isinstance(value.get("tag"), str):
        return None
    return value["tag"], selection
