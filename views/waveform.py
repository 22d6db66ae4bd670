"""The waveform component of the label page (st.components.v2). Its JavaScript is the bundle
built from views/waveform_component (wavesurfer.js and its regions plugin, committed, so
running the app needs no Node.js); nothing is loaded from the network.

The browser gets a window's peaks and the window's clip URL, never a whole recording. It sends
back three kinds of request, each carrying the token of the segment version it was made on:
new bounds (a drag, or keys), a split at the playhead, a merge with the next segment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import streamlit as st

from speechlabel.labeling.loop.cards import wave_card
from speechlabel.labeling.waveform import Edge, SnapOptions, WaveformView

KEY = "label_waveform"
_FOLDER = Path(__file__).with_name("waveform_component")
_component = st.components.v2.component(
    "speechlabel_waveform",
    html="",  # the script lays out its own elements
    css=(_FOLDER / "src/waveform.css").read_text(encoding="utf-8"),
    js=(_FOLDER / "dist/waveform.js").read_text(encoding="utf-8"),
)


@dataclass(frozen=True)
class WaveformData:
    """What the script draws. Times are seconds from the window's start (wavesurfer's time)
    except ``window_start`` itself, which turns them back into recording times."""

    token: str  # "segment id:version": requests made on another version are ignored
    url: str
    window_start: float
    duration: float
    peaks: list[float]
    segment: dict[str, float]  # {"start", "end"}
    others: list[list[float]]  # [start, end] of the greyed neighbours
    pauses: list[list[float]]
    limits: list[float]  # [lowest start, highest end]: the neighbours' edges
    snap_seconds: float
    inset_seconds: float
    min_duration: float
    editable: bool
    texts: dict[str, str]  # button titles in the page's language
    help: list[list[str]]  # [keys, what they do] rows of the help overlay


def waveform_data(
    view: WaveformView,
    token: str,
    editable: bool,
    texts: dict[str, str],
    help_rows: list[list[str]],
    snapping: SnapOptions | None = None,
) -> WaveformData:
    """The label loop's wave card (the same window, spans and snapping) in this script's shape."""
    card = wave_card(view, snapping)
    start, end = card.segment
    return WaveformData(
        token=token,
        url=card.url,
        window_start=card.window_start,
        duration=card.duration,
        peaks=list(view.peaks),
        segment={"start": start, "end": end},
        others=card.others,
        pauses=card.pauses,
        limits=card.limits,
        snap_seconds=card.snap_seconds,
        inset_seconds=card.inset_seconds,
        min_duration=card.min_duration,
        editable=editable,
        texts=texts,
        help=help_rows,
    )


@dataclass(frozen=True)
class BoundsRequest:
    start: float
    end: float
    edge: Edge | None  # the dragged edge (snapped), None for key steps


@dataclass(frozen=True)
class SplitRequest:
    at: float


@dataclass(frozen=True)
class MergeRequest:
    pass


Request = BoundsRequest | SplitRequest | MergeRequest


def show_waveform(data: WaveformData, on_request: Callable[[Request], None]) -> None:
    """Mount the component; ``on_request`` runs (as a widget callback) for each request made
    on this token."""

    def handler(name: str) -> Callable[[], None]:
        return lambda: _dispatch(name, data.token, on_request)

    _component(
        data=asdict(data),
        key=KEY,
        on_bounds_change=handler("bounds"),
        on_split_change=handler("split"),
        on_merge_change=handler("merge"),
    )


def _dispatch(name: str, token: str, on_request: Callable[[Request], None]) -> None:
    request = parse_request(name, (st.session_state.get(KEY) or {}).get(name), token)
    if request is not None:
        on_request(request)


def parse_request(name: str, value: object, token: str) -> Request | None:
    """The request the script sent, or None when it is malformed or made on another version
    (the page moved on since; acting on it could move the wrong segment)."""
    if not isinstance(value, dict) or value.get("token") != token:
        return None
    if name == "merge":
        return MergeRequest()
    numbers = {field: value[field] for field in ("start", "end", "at") if field in value}
    if not all(isinstance(number, (int, float)) and not isinstance(number, bool) for number in numbers.values()):
        return None
    if name == "split" and "at" in numbers:
        return SplitRequest(float(numbers["at"]))
    if name == "bounds" and {"start", "end"} <= numbers.keys() and value.get("edge") in (None, "start", "end"):
        return BoundsRequest(float(numbers["start"]), float(numbers["end"]), Edge.parse(value.get("edge")))
    return None
