"""Score speech segments against speaker references (RTTM, UEM).

Used by tests and benchmarks, never by the labeling flow itself. Two measures:

- frame scores: speech recall and precision on a fixed frame grid (10 ms by default), the
  usual way VAD output is compared with RTTM references;
- segment purity: the share of segments in which one reference speaker holds at least
  ``share`` of the speech inside the segment, because a segment that straddles a speaker turn
  makes a labeler split it by hand.
"""

from __future__ import annotations

import logging
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from speechlabel.core.errors import ValidationError

log = logging.getLogger(__name__)


class _Interval(Protocol):
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...


@dataclass(frozen=True)
class Turn:
    """One reference speaker turn, in seconds."""

    speaker: str
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class UemRegion:
    """A scored region from a UEM file, in seconds; outside it nothing counts."""

    start: float
    end: float


@dataclass(frozen=True)
class VadScores:
    """Frame-level speech detection scores.

    ``recall`` is NaN when the reference holds no speech, ``precision`` is NaN when nothing
    was found: a ratio with an empty denominator has no value, and NaN makes any threshold
    check fail instead of passing vacuously.
    """

    recall: float
    precision: float
    speech_seconds_found: float
    reference_seconds: float


@dataclass(frozen=True)
class PurityReport:
    """Segment purity and what it was computed from.

    Segments that hold no reference speech are counted in ``without_speech`` and left out
    of ``purity``: they cost a labeler a glance, not a split, and the frame precision already
    measures them.
    """

    purity: float  # pure / scored; NaN when no segment holds reference speech
    pure: int
    scored: int
    without_speech: int


def read_rttm(path: str | os.PathLike) -> list[Turn]:
    """Read ``SPEAKER <file> <chan> <start> <duration> ... <speaker> ...`` lines, sorted by start."""
    turns = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if fields[0] != "SPEAKER" or len(fields) < 8:
            continue  # other RTTM record types (SPKR-INFO, LEXEME, ...) say nothing about turns
        try:
            start, duration = float(fields[3]), float(fields[4])
        except ValueError:
            raise ValidationError(
                f"{path}:{number}: start and duration must be numbers, got {fields[3]!r} {fields[4]!r}"
            ) from None
        if duration < 0:
            raise ValidationError(f"{path}:{number}: duration {duration} is negative; must be >= 0")
        turns.append(Turn(fields[7], start, start + duration))
    return sorted(turns, key=lambda t: (t.start, t.end, t.speaker))


def read_uem(path: str | os.PathLike) -> list[UemRegion]:
    """Read ``<file> <channel> <start> <end>`` lines."""
    regions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith(";;"):
            continue
        try:
            start, end = float(fields[2]), float(fields[3])
        except (IndexError, ValueError):
            raise ValidationError(
                f"{path}:{number}: expected '<file> <channel> <start> <end>', got {line.strip()!r}"
            ) from None
        if end < start:
            raise ValidationError(f"{path}:{number}: end {end} is before start {start}")
        regions.append(UemRegion(start, end))
    return sorted(regions, key=lambda r: r.start)


def _mask(intervals: Iterable[_Interval], n_frames: int, frame: float) -> np.ndarray:
    """Frames whose centre lies inside any interval (so a frame counts at most once)."""
    mask = np.zeros(n_frames, dtype=bool)
    for item in intervals:
        first = max(0, math.ceil(item.start / frame - 0.5))
        last = min(n_frames, math.ceil(item.end / frame - 0.5))
        if last > first:
            mask[first:last] = True
    return mask


def frame_scores(
    spans: Sequence[_Interval],
    turns: Sequence[Turn],
    duration: float,
    frame: float = 0.01,
    uem: Sequence[UemRegion | tuple[float, float]] | None = None,
) -> VadScores:
    """Speech recall and precision of ``spans`` against the union of all reference turns.

    Only frames inside ``uem`` (all of ``[0, duration]`` when None) are scored.
    """
    if frame <= 0:
        raise ValidationError(f"frame must be > 0 seconds, got {frame}")
    if duration < 0:
        raise ValidationError(f"duration must be >= 0 seconds, got {duration}")
    n_frames = int(round(duration / frame))
    scored = np.ones(n_frames, dtype=bool)
    if uem is not None:
        scored = _mask([_as_region(r) for r in uem], n_frames, frame)
    found = _mask(spans, n_frames, frame) & scored
    reference = _mask(turns, n_frames, frame) & scored
    hits = int(np.count_nonzero(found & reference))
    n_found, n_ref = int(np.count_nonzero(found)), int(np.count_nonzero(reference))
    return VadScores(
        recall=hits / n_ref if n_ref else math.nan,
        precision=hits / n_found if n_found else math.nan,
        speech_seconds_found=n_found * frame,
        reference_seconds=n_ref * frame,
    )


def _as_region(region: UemRegion | tuple[float, float]) -> UemRegion:
    if isinstance(region, UemRegion):
        return region
    start, end = region
    return UemRegion(float(start), float(end))


def _overlap(a_start: float, a_end: float, b_start: float, b_end: float) -> float:
    return max(0.0, min(a_end, b_end) - max(a_start, b_start))


def speaker_seconds(span: _Interval, turns: Sequence[Turn]) -> dict[str, float]:
    """Seconds each reference speaker talks inside ``span`` (overlapping turns of one speaker merged)."""
    by_speaker: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for turn in turns:
        start, end = max(turn.start, span.start), min(turn.end, span.end)
        if end > start:
            by_speaker[turn.speaker].append((start, end))
    return {speaker: _union_length(pieces) for speaker, pieces in by_speaker.items()}


def _union_length(pieces: list[tuple[float, float]]) -> float:
    total, reach = 0.0, -math.inf
    for start, end in sorted(pieces):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def purity_report(
    spans: Sequence[_Interval],
    turns: Sequence[Turn],
    share: float = 0.9,
    count_overlap: bool = True,
) -> PurityReport:
    """Count segments in which one speaker holds >= ``share`` of the speech inside it.

    With ``count_overlap`` (the default) the speech is the speaker time summed over speakers,
    so overlapped speech counts once per speaker who talks: a segment with heavy cross-talk is
    impure even if one speaker talks throughout, because the labeler hears both. Without it
    the speech is the time anyone talks, so a backchannel under a long turn does not count
    against that turn (but two speakers talking throughout would both be "pure").
    """
    if not 0 < share <= 1:
        raise ValidationError(f"share must be in (0, 1], got {share}")
    pure = scored = empty = 0
    for span in spans:
        seconds = speaker_seconds(span, turns)
        if count_overlap:
            total = sum(seconds.values())
        else:
            total = _union_length(
                [
                    (max(t.start, span.start), min(t.end, span.end))
                    for t in turns
                    if min(t.end, span.end) > max(t.start, span.start)
                ]
            )
        if total <= 1e-9:
            empty += 1
            continue
        scored += 1
        # A tiny tolerance so that exactly ``share`` counts as pure despite float rounding.
        if max(seconds.values()) >= share * total - 1e-9:
            pure += 1
    purity = pure / scored if scored else math.nan
    return PurityReport(purity=purity, pure=pure, scored=scored, without_speech=empty)


def segment_purity(
    spans: Sequence[_Interval],
    turns: Sequence[Turn],
    share: float = 0.9,
    count_overlap: bool = True,
) -> float:
    """Share of segments holding reference speech in which one speaker holds >= ``share`` of it.

    Segments without reference speech are ignored (see :class:`PurityReport`); NaN when no
    segment holds reference speech. ``count_overlap``: see :func:`purity_report`.
    """
    return purity_report(spans, turns, share, count_overlap).purity
