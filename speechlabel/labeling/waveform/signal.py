"""Peaks and pauses of a stretch of audio, computed on the server.

The browser draws the waveform from these peaks instead of decoding audio itself, so a 2-hour
recording is never sent to it whole: it gets the peaks and the clip of the window it shows.
Pauses are what a dragged segment edge snaps to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.vad import Span

# Frames quieter than this are silence whatever the rest of the window sounds like (digital
# silence gives -inf; the floor keeps the percentiles finite).
SILENCE_FLOOR_DB = -100.0


@dataclass(frozen=True)
class PeakOptions:
    """bins_per_second: how many peaks describe a second of audio (200: one per 5 ms, enough to
    zoom to 400 px/s before bars stretch; a 10 s window is 2,000 numbers)."""

    bins_per_second: int = 200

    def validate(self) -> None:
        if (
            isinstance(self.bins_per_second, bool)
            or not isinstance(self.bins_per_second, int)
            or not 10 <= self.bins_per_second <= 1000
        ):
            raise ValidationError(message_key="error.waveform_bins", params={"value": self.bins_per_second})


def peaks(samples: np.ndarray, rate: int, options: PeakOptions = PeakOptions()) -> np.ndarray:
    """The largest absolute sample of each bin (float32, 0..1): what a waveform bar shows."""
    options.validate()
    if samples.size == 0:
        return np.zeros(0, dtype=np.float32)
    bins = max(1, math.ceil(samples.size * options.bins_per_second / rate))
    # Bin edges in samples, spread evenly: the last bin may be shorter, none is empty.
    edges = np.linspace(0, samples.size, bins + 1).round().astype(np.int64)
    magnitudes = np.abs(samples.astype(np.float32, copy=False))
    return np.maximum.reduceat(magnitudes, edges[:-1]).clip(0.0, 1.0)


@dataclass(frozen=True)
class PauseOptions:
    """How :func:`find_pauses` tells pauses from speech; durations in seconds, levels in dB.

    frame_seconds:     the loudness of each ``frame_seconds`` stretch is measured (0.01).
    above_floor_db:    a frame is quiet when it is within this of the window's quietest tenth (10).
    below_loud_db:     ... and at least this below its loudest twentieth (20), so that a window
                       of speech only does not turn its softer syllables into pauses.
    min_pause_seconds: shorter quiet stretches are gaps inside words, not pauses (0.03).
    bridge_seconds:    quiet stretches less than this apart are one pause (0.02): a click or a
                       breath does not cut a pause in two.
    """

    frame_seconds: float = 0.01
    above_floor_db: float = 10.0
    below_loud_db: float = 20.0
    min_pause_seconds: float = 0.03
    bridge_seconds: float = 0.02

    def validate(self) -> None:
        for name, low, high in (
            ("frame_seconds", 0.002, 0.1),
            ("above_floor_db", 0.0, 60.0),
            ("below_loud_db", 0.0, 60.0),
            ("min_pause_seconds", 0.0, 2.0),
            ("bridge_seconds", 0.0, 1.0),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
                raise ValidationError(
                    message_key="error.waveform_pause_option",
                    params={"name": name, "value": value, "low": low, "high": high},
                )


def frame_levels(samples: np.ndarray, rate: int, frame_seconds: float) -> np.ndarray:
    """The loudness (RMS, dBFS) of each whole frame of ``frame_seconds``."""
    size = max(1, round(frame_seconds * rate))
    count = samples.size // size
    frames = samples[: count * size].reshape(count, size)
    # Sums of squares accumulated in float64 without a float64 copy of the samples (10× faster).
    rms = np.sqrt(np.einsum("ij,ij->i", frames, frames, dtype=np.float64) / size)
    with np.errstate(divide="ignore"):
        return np.maximum(20 * np.log10(rms), SILENCE_FLOOR_DB)


def find_pauses(samples: np.ndarray, rate: int, options: PauseOptions = PauseOptions()) -> tuple[Span, ...]:
    """The quiet stretches of ``samples`` (seconds from its first sample), in time order."""
    options.validate()
    levels = frame_levels(samples, rate, options.frame_seconds)
    if levels.size == 0:
        return ()
    floor, loud = np.percentile(levels, [10, 95])  # one partial sort for both
    threshold = min(floor + options.above_floor_db, loud - options.below_loud_db)
    quiet = np.concatenate(([False], levels <= max(threshold, SILENCE_FLOOR_DB), [False]))
    changes = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    step = max(1, round(options.frame_seconds * rate)) / rate
    runs = _bridged(list(zip(changes[::2].tolist(), changes[1::2].tolist())), options.bridge_seconds / step)
    spans = (Span(round(first * step, 3), round(last * step, 3)) for first, last in runs)
    return tuple(span for span in spans if span.duration >= options.min_pause_seconds - 1e-9)


def _bridged(runs: list[tuple[int, int]], gap_frames: float) -> list[tuple[int, int]]:
    """Frame runs ``[first, last)`` joined across gaps shorter than ``gap_frames``."""
    joined: list[tuple[int, int]] = []
    for first, last in runs:
        if joined and first - joined[-1][1] < gap_frames - 1e-9:
            joined[-1] = (joined[-1][0], last)
        else:
            joined.append((first, last))
    return joined
