"""Quality measures of transcripts: error rates on normalised text.

Both sides are normalised the same way before comparing, so case, punctuation and spacing
differences between a reference convention and Whisper's output are not counted as errors.
"""

from __future__ import annotations

import logging
import unicodedata

import jiwer

from .errors import ValidationError

log = logging.getLogger(__name__)

# Removed without a space so a contraction stays one word: "don't" -> "dont", "I'M" -> "im".
_APOSTROPHES = frozenset("'\u2019\u02bc\u2018`")


def normalize_text(text: str) -> str:
    """Lowercase, drop punctuation and symbols, collapse whitespace.

    Letters of every script (Hangul, Cyrillic, ...), digits and combining marks are kept;
    every other character becomes a space, so "well-known" gives "well known". NFKC first so
    full-width forms and compatibility characters compare equal to their plain forms.
    """
    if not isinstance(text, str):
        raise ValidationError(f"text must be a string, got {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = []
    for char in text:
        if char in _APOSTROPHES:
            continue
        # L* letters, N* digits, M* marks (vowel signs of Indic scripts, Hangul jamo marks).
        kept.append(char if unicodedata.category(char)[0] in "LNM" else " ")
    return " ".join("".join(kept).split())


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, after ``normalize_text``."""
    ref, hyp = _normalized_pair(reference, hypothesis)
    if ref is None:
        return 0.0
    return float(jiwer.wer(ref, hyp))


def character_error_rate(reference: str, hypothesis: str, *, ignore_spaces: bool = False) -> float:
    """Character edits / reference characters, after ``normalize_text``.

    ``ignore_spaces=True`` removes spaces first: Korean word spacing varies between writers,
    and a spacing difference is not a recognition error.
    """
    ref, hyp = _normalized_pair(reference, hypothesis)
    if ref is None:
        return 0.0
    if ignore_spaces:
        ref, hyp = ref.replace(" ", ""), hyp.replace(" ", "")
    return float(jiwer.cer(ref, hyp))


def _normalized_pair(reference: str, hypothesis: str) -> tuple[str | None, str]:
    """Normalised texts; (None, "") when both are empty, which counts as a perfect match.

    An empty reference with a non-empty hypothesis has no defined rate (division by zero).
    """
    ref, hyp = normalize_text(reference), normalize_text(hypothesis)
    if not ref:
        if not hyp:
            return None, ""
        raise ValidationError(
            "the reference is empty after normalisation, so an error rate is undefined for a "
            f"non-empty hypothesis ({hyp[:40]!r}); give a reference with at least one word"
        )
    return ref, hyp
