"""What the label page's waveform shows, and the save of a dragged edge.

The view is a window of the recording: the segment with ``context_seconds`` of audio on each
side, its peaks, its pauses, and the other segments that reach into it (shown greyed). A drag
returns the new bounds; the dragged edge snaps to the nearest pause within the tolerance and the
bounds are saved through the versioned save of the label page (:func:`labeling.set_bounds`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

import numpy as np

from speechlabel.audio.samples import TARGET_RATE, read_span
from speechlabel.core.choices import parse_choice
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Actor, Recording, Segment
from speechlabel.labeling import actions as labeling
from speechlabel.labeling.clips import MAX_CLIP_SECONDS, ClipSpan
from speechlabel.labeling.waveform.signal import PauseOptions, PeakOptions, Span, find_pauses, peaks
from speechlabel.labeling.waveform.snapping import SnapOptions, snap
from speechlabel.store import Store
from speechlabel.workspace.config import Settings


class Edge(str, enum.Enum):
    START = "start"
    END = "end"

    @classmethod
    def parse(cls, value: object) -> Edge | None:
        """``None`` (nothing dragged: keys moved the bounds, no snapping) or an edge."""
        if value is None:
            return None
        return parse_choice(cls, value, message_key="error.waveform_edge", fold=False)


@dataclass(frozen=True)
class WaveformOptions:
    """context_seconds: audio shown on each side of the segment (3.0), less when the window
    would pass the longest clip the app cuts; the peaks, pauses and snapping have their own."""

    context_seconds: float = 3.0
    peaks: PeakOptions = field(default_factory=PeakOptions)
    pauses: PauseOptions = field(default_factory=PauseOptions)
    snap: SnapOptions = field(default_factory=SnapOptions)

    def validate(self) -> None:
        value = self.context_seconds
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 30:
            raise ValidationError(message_key="error.waveform_context", params={"value": value})
        self.peaks.validate()
        self.pauses.validate()
        self.snap.validate()


@dataclass(frozen=True)
class WaveformView:
    """Times are seconds in the recording; ``peaks`` cover ``window`` evenly."""

    recording_id: str
    segment_id: str
    version: int
    window: Span
    segment: Span
    others: tuple[Span, ...]  # other segments reaching into the window, in time order
    pauses: tuple[Span, ...]
    peaks: tuple[float, ...]

    @property
    def clip_url(self) -> str:
        """The window's audio, from the app's clip route (what the browser plays)."""
        return ClipSpan(self.recording_id, self.window.start, self.window.end, self.segment.start, self.segment.end).url

    @property
    def limits(self) -> Span:
        """How far the segment's edges may go inside the window: not into a neighbour."""
        before = [other.end for other in self.others if other.end <= self.segment.start + 1e-6]
        after = [other.start for other in self.others if other.start >= self.segment.end - 1e-6]
        return Span(max(before, default=self.window.start), min(after, default=self.window.end))


def view_window(segment: Segment, recording_duration: float, context_seconds: float) -> Span:
    """The segment with up to ``context_seconds`` on each side, inside the recording and no
    longer than the clip route cuts."""
    if segment.duration > MAX_CLIP_SECONDS:
        raise ValidationError(
            message_key="error.waveform_segment_too_long",
            params={
                "start": f"{segment.start:.3f}",
                "end": f"{segment.end:.3f}",
                "length": f"{segment.duration:.1f}",
                "most": f"{MAX_CLIP_SECONDS:g}",
            },
        )
    context = min(context_seconds, (MAX_CLIP_SECONDS - segment.duration) / 2)
    return Span(round(max(0.0, segment.start - context), 3), round(min(recording_duration, segment.end + context), 3))


def waveform_view(
    store: Store, settings: Settings, actor: Actor, segment_id: str, options: WaveformOptions = WaveformOptions()
) -> WaveformView:
    """The waveform of a segment the actor may open; reads only the window's audio."""
    segment = labeling.readable_segment(store, actor, segment_id)
    return opened_waveform_view(store, settings, segment, store.get_recording(segment.recording_id), options)


def opened_waveform_view(
    store: Store,
    settings: Settings,
    segment: Segment,
    recording: Recording,
    options: WaveformOptions = WaveformOptions(),
) -> WaveformView:
    """:func:`waveform_view` of a segment its caller has already opened with the actor's rights."""
    view, levels = opened_window(store, settings, segment, recording, options)
    return replace(view, peaks=tuple(np.round(levels.astype(np.float64), 3).tolist()))


def opened_window(
    store: Store,
    settings: Settings,
    segment: Segment,
    recording: Recording,
    options: WaveformOptions = WaveformOptions(),
) -> tuple[WaveformView, np.ndarray]:
    """The view of :func:`opened_waveform_view` without its ``peaks``, and the peaks as an array
    (the label loop's card sends them as bytes: no tuple of rounded floats on the way)."""
    view, samples = _window_of(store, settings, segment, recording, options)
    return view, peaks(samples, TARGET_RATE, options.peaks)


def _window_view(
    store: Store, settings: Settings, actor: Actor, segment_id: str, options: WaveformOptions
) -> tuple[WaveformView, np.ndarray]:
    """The view without its peaks (what snapping needs), and the window's samples."""
    segment = labeling.readable_segment(store, actor, segment_id)
    return _window_of(store, settings, segment, store.get_recording(segment.recording_id), options)


def _window_of(
    store: Store, settings: Settings, segment: Segment, recording: Recording, options: WaveformOptions
) -> tuple[WaveformView, np.ndarray]:
    options.validate()
    window = view_window(segment, recording.duration, options.context_seconds)
    samples = read_span(settings.data_dir / recording.normalized_path, window.start, window.end)
    others = tuple(
        Span(start, end)
        for other_id, start, end in store.segment_spans_in(recording.id, window.start, window.end)
        if other_id != segment.id
    )
    pauses = tuple(
        Span(round(window.start + pause.start, 3), round(window.start + pause.end, 3))
        for pause in find_pauses(samples, TARGET_RATE, options.pauses)
    )
    view = WaveformView(
        recording_id=recording.id,
        segment_id=segment.id,
        version=segment.version,
        window=window,
        segment=Span(segment.start, segment.end),
        others=others,
        pauses=pauses,
        peaks=(),
    )
    return view, samples


def snapped_bounds(
    view: WaveformView, start: float, end: float, edge: Edge | None, options: SnapOptions | None = None
) -> tuple[float, float]:
    """The bounds a drag asks for, with the dragged edge snapped to a pause when one is near;
    a snap that would cross a neighbour is not made (the drag's own value stays)."""
    options = options or SnapOptions()
    limits = view.limits
    if edge == Edge.START:
        snapped = snap(start, view.pauses, options)
        start = snapped if limits.start <= snapped < end else start
    elif edge == Edge.END:
        snapped = snap(end, view.pauses, options)
        end = snapped if start < snapped <= limits.end else end
    return start, end


def drag_bounds(
    store: Store,
    settings: Settings,
    actor: Actor,
    segment_id: str,
    expected_version: int,
    start: float,
    end: float,
    edge: Edge | str | None,
    options: WaveformOptions = WaveformOptions(),
) -> Segment:
    """Save the bounds the waveform returned. ``edge``: the edge the labeler dragged (it snaps
    to the nearest pause within the tolerance), or None when keys moved the bounds by exact steps.

    The pauses are those of the window the labeler saw (the segment's current version), so the
    save lands where the browser showed the edge landing."""
    edge = Edge.parse(edge)
    labeling.check_seconds(start, message_key="error.start_not_seconds")
    labeling.check_seconds(end, message_key="error.end_not_seconds")
    view, _ = _window_view(store, settings, actor, segment_id, options)  # no peaks: nothing draws them
    start, end = snapped_bounds(view, float(start), float(end), edge, options.snap)
    return labeling.set_bounds(store, actor, segment_id, expected_version, start, end)
