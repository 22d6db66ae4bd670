"""Drafting several segments in one Whisper window, and giving each its own words back.

Whisper encodes a fixed 30 s window whatever the input length, so drafting a 3 s segment on its
own pays for 30 s of encoder work. Consecutive segments of a recording are therefore drafted
together, as the continuous audio from the first one's start to the last one's end (at most
``window_seconds``), and each word goes to the segment where its sound is (``assign_words``):
segment boundaries lie in pauses, so a word sits clearly on one side. Whisper also hears its
neighbours' speech as context, which helps on short utterances.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TimedWord:
    """A word as Whisper produced it, times in seconds within the window's audio."""

    text: str  # with Whisper's own leading space, so joining words restores the spacing
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class ScoredStretch:
    """One of Whisper's own segments inside the window, with its decoder scores."""

    start: float
    end: float
    avg_logprob: float
    no_speech_prob: float


def group_into_windows(bounds: Sequence[tuple[float, float]], window_seconds: float) -> list[list[int]]:
    """Indices of consecutive segments whose span from first start to last end fits a window.

    ``window_seconds`` of 0 puts every segment in a window of its own.
    """
    windows: list[list[int]] = []
    for index, (_start, end) in enumerate(bounds):
        if windows and window_seconds > 0 and end - bounds[windows[-1][0]][0] <= window_seconds:
            windows[-1].append(index)
        else:
            windows.append([index])
    return windows


def assign_words(words: Sequence[TimedWord], spans: Sequence[tuple[float, float]]) -> list[list[TimedWord]]:
    """Each word to the span holding its midpoint, or the nearest one.

    Whisper's word times absorb pauses (the first word after one often starts where the word
    before it ended), so a word's middle can lie on the wrong side of a pause. Giving a word over
    two spans to the one holding most of its signal energy was tried: it raised the whole shared
    English files' WER from 0.121 to 0.134 (bench/prelabel_throughput.py), so the times decide.
    """
    assigned: list[list[TimedWord]] = [[] for _ in spans]
    for word in words:
        middle = (word.start + word.end) / 2
        assigned[min(range(len(spans)), key=lambda i: _distance(middle, spans[i]))].append(word)
    return assigned


def join_words(words: Sequence[TimedWord]) -> str:
    return " ".join("".join(word.text for word in words).split())


def overlapping_scores(stretches: Sequence[ScoredStretch], span: tuple[float, float]) -> tuple[float, float] | None:
    """(avg_logprob weighted by overlap, highest no_speech_prob) of the stretches over ``span``."""
    overlaps = [(s, min(s.end, span[1]) - max(s.start, span[0])) for s in stretches]
    overlaps = [(s, o) for s, o in overlaps if o > 0]
    if not overlaps:
        return None
    total = sum(o for _, o in overlaps)
    logprob = sum(s.avg_logprob * o for s, o in overlaps) / total
    return logprob, max(s.no_speech_prob for s, _ in overlaps)


def compression_ratio(text: str) -> float:
    """Whisper's repetition measure: raw UTF-8 bytes over zlib-compressed bytes."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _distance(point: float, span: tuple[float, float]) -> float:
    start, end = span
    return 0.0 if start <= point <= end else min(abs(point - start), abs(point - end))
