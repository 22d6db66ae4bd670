"""The signals a correctness model reads from one drafted segment, as a row of numbers.

Every signal comes from the draft itself, the audio's probe at import and a cheap second decode;
none needs a person. ``FEATURES`` names the columns in order; a fitted model records them, so a
model fitted with other columns is refused rather than read wrongly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rapidfuzz.distance import Levenshtein

from speechlabel.analytics.metrics import normalize_text
from speechlabel.core.signals import SegmentSignals

__all__ = ["FEATURES", "SegmentSignals", "agreement", "feature_matrix", "feature_row", "needs_no_change"]

FEATURES = (
    "word_prob_min",
    "word_prob_mean",
    "word_prob_low_share",
    "avg_logprob",
    "no_speech_prob",
    "compression_ratio",
    "chars_per_second",
    "duration",
    "snr_db",
    "snr_missing",
    "clipped_ratio",
    "second_agreement",
    "second_exact",
    "second_missing",
    "empty_draft",
)
# An SNR the probe could not measure (too short, no silence) reads as this, with ``snr_missing`` 1:
# a middle value, so the missing flag carries the difference rather than an extreme number.
SNR_FILL_DB = 20.0


def agreement(first: str, second: str) -> float:
    """1 - word edit distance / longer length, on normalized words (1: the same words)."""
    a, b = normalize_text(first).split(), normalize_text(second).split()
    if not a and not b:
        return 1.0
    return 1.0 - Levenshtein.normalized_distance(a, b)


def feature_row(signals: SegmentSignals, low_confidence: float) -> list[float]:
    """The segment's values in ``FEATURES`` order; ``low_confidence`` is the project's word
    threshold (the label page marks words below it)."""
    draft = signals.draft
    scores = [word.score for word in draft.words]
    text = normalize_text(draft.text)
    second = signals.second_text
    return [
        min(scores) if scores else 0.0,
        sum(scores) / len(scores) if scores else 0.0,
        sum(score < low_confidence for score in scores) / len(scores) if scores else 1.0,
        _finite(draft.avg_logprob, -5.0),
        draft.no_speech_prob,
        _finite(draft.compression_ratio, 0.0),
        len(text.replace(" ", "")) / signals.duration if signals.duration > 0 else 0.0,
        signals.duration,
        signals.snr_db if signals.snr_db is not None else SNR_FILL_DB,
        float(signals.snr_db is None),
        signals.clipped_ratio,
        agreement(draft.text, second) if second is not None else 0.0,
        float(second is not None and normalize_text(second) == text),
        float(second is None),
        float(not text),
    ]


def feature_matrix(rows: Sequence[SegmentSignals], low_confidence: float) -> np.ndarray:
    return np.array([feature_row(row, low_confidence) for row in rows], dtype=float).reshape(len(rows), len(FEATURES))


def needs_no_change(draft_text: str, final_text: str) -> bool:
    """The label a model learns: the final text equals the draft after normalisation (case,
    punctuation and spacing do not count as a change)."""
    return normalize_text(draft_text) == normalize_text(final_text)


def _finite(value: float, fallback: float) -> float:
    return value if math.isfinite(value) else fallback
