"""The label page's waveform: server-side peaks and pauses of a window around a segment, and
the save of bounds dragged in it (snapped to the nearest pause)."""

from speechlabel.labeling.waveform.signal import PauseOptions, PeakOptions, Span, find_pauses, frame_levels, peaks
from speechlabel.labeling.waveform.snapping import SnapOptions, snap
from speechlabel.labeling.waveform.view import (
    Edge,
    WaveformOptions,
    WaveformView,
    drag_bounds,
    opened_waveform_view,
    opened_window,
    snapped_bounds,
    view_window,
    waveform_view,
)

__all__ = [
    "Edge",
    "PauseOptions",
    "PeakOptions",
    "SnapOptions",
    "Span",
    "WaveformOptions",
    "WaveformView",
    "drag_bounds",
    "find_pauses",
    "frame_levels",
    "peaks",
    "snap",
    "snapped_bounds",
    "opened_waveform_view",
    "opened_window",
    "view_window",
    "waveform_view",
]
