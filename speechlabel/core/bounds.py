"""The rules of a segment's times, one place each: their precision, the shortest segment, inside
the recording, a start before the end, no overlap, where a split may fall, and when two
labelings were made on the same bounds.

Only the rules: each caller words its own refusal (the label page's keyed errors in
``labeling_rules``, an import's problems in ``dataset_import.checks``, the clip route's in
``clips``), since what to say differs while the rule does not. Imports nothing of the package.
"""

from __future__ import annotations

# Times are kept to the millisecond: segmentation, imports, edits and exports round to this.
TIME_DECIMALS = 3
# The shortest segment a labeler may produce (nudge, drag, split); shorter clips carry no usable
# speech. The waveform in the browser is given the same number (``label_loop.cards``).
MIN_DURATION = 0.1
# Float sums (start + duration) may land a hair under the minimum; this much is not "shorter".
_SHORTER_SLACK = 1e-9


def in_ms(seconds: float) -> float:
    """``seconds`` to the millisecond, as stored."""
    return round(seconds, TIME_DECIMALS)


def before_recording(start: float) -> bool:
    """A segment starting here would begin before its recording does."""
    return start < 0


def after_recording(start: float, duration: float) -> bool:
    """A segment starting here lies wholly after a recording (or audio) of ``duration`` seconds."""
    return start >= duration


def past_end(end: float, duration: float, tolerance: float = 0.0) -> bool:
    """A segment ending here runs past a recording (or audio) of ``duration`` seconds, by more
    than ``tolerance`` (what a caller forgives: rounded durations, a resampled last sample)."""
    return end > duration + tolerance


def empty(start: float, end: float) -> bool:
    """No time between ``start`` and ``end``: the end must come after the start."""
    return end <= start


def too_short(start: float, end: float) -> bool:
    """Shorter than ``MIN_DURATION``."""
    return end - start < MIN_DURATION - _SHORTER_SLACK


def overlaps_previous(start: float, previous_end: float | None) -> bool:
    """A segment starting here reaches back into the one before, which ends at ``previous_end``
    (None: there is none)."""
    return previous_end is not None and start < previous_end


def overlaps_next(end: float, next_start: float | None) -> bool:
    """A segment ending here reaches into the one after, which starts at ``next_start``."""
    return next_start is not None and end > next_start


def split_range(start: float, end: float) -> tuple[float, float]:
    """Where a segment ``start..end`` may be split so both parts last ``MIN_DURATION``:
    (lowest, highest) to the millisecond; lowest above highest when it is too short to split."""
    return in_ms(start + MIN_DURATION), in_ms(end - MIN_DURATION)


def same_bounds(
    start: float | None, duration: float | None, other_start: float | None, other_duration: float | None
) -> bool:
    """Two labelings were made on the same stretch of audio (to the millisecond; None is 0)."""
    return (in_ms(start or 0.0), in_ms(duration or 0.0)) == (in_ms(other_start or 0.0), in_ms(other_duration or 0.0))
