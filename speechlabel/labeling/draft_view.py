"""What the label page shows of a segment's drafts: the words inside the segment's current
bounds, each flagged when the engine was unsure of it, and where to cut when splitting.

A segment can carry several drafts: a merge brings the absorbed segment's draft along, and a
nudge or split changes the bounds the drafts were made for. So the words shown are taken by
time, not by draft: the newest draft wins where drafts overlap, older ones fill the gaps.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from speechlabel.conventions.syntax import parse
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Draft, Segment, Word
from speechlabel.core.project_scheme import DraftStyle


@dataclass(frozen=True)
class DraftWord:
    symbol: str
    start: float
    end: float
    score: float
    low_confidence: bool


@dataclass(frozen=True)
class DraftView:
    """``text``: Whisper's words (``words``, with their timings); ``proposed``: the same in the
    project's convention, as a segment starts (``core.project_scheme.DraftStyle``): what a second
    labeler starts from and a reviewer's diff compares with."""

    words: tuple[DraftWord, ...]
    text: str
    engine: str
    model: str
    proposed: str = ""

    @property
    def low_confidence_count(self) -> int:
        return sum(word.low_confidence for word in self.words)


def draft_view(
    drafts: Sequence[Draft], segment: Segment, threshold: float, style: DraftStyle | None = None
) -> DraftView | None:
    """The words of ``drafts`` (oldest first) inside ``segment``, flagged below ``threshold``;
    ``proposed`` written in ``style`` (None: as Whisper wrote it)."""
    if not drafts:
        return None
    newest = drafts[-1]
    words = _words_by_time(drafts, segment.start, segment.end)
    flagged = tuple(DraftWord(w.symbol, w.start, w.end, w.score, w.score < threshold) for w in words)
    # A draft without word timings (or whose words all fell outside) still shows its text.
    text = " ".join(w.symbol for w in flagged) if flagged else newest.text.strip()
    return DraftView(flagged, text, newest.engine, newest.model, style.text(text) if style else text)


def _words_by_time(drafts: Sequence[Draft], start: float, end: float) -> list[Word]:
    chosen: list[Word] = []
    covered: list[tuple[float, float]] = []
    for draft in reversed(drafts):  # newest first
        inside = [w for w in draft.words if start <= (w.start + w.end) / 2 <= end]
        free = [w for w in inside if not any(low <= (w.start + w.end) / 2 <= high for low, high in covered)]
        chosen.extend(free)
        if inside:
            covered.append((inside[0].start, inside[-1].end))
    return sorted(chosen, key=lambda w: w.start)


def split_time_for(segment: Segment, text: str, word_index: int, draft: DraftView | None) -> float:
    """Where to cut the audio when the text is cut before word ``word_index``.

    If the draft's words line up one to one with the text's, cut in the pause between the two
    words; otherwise (the labeler rewrote the text) cut in proportion to the characters before."""
    words = text.split()
    if not 1 <= word_index < len(words):
        raise ValidationError(
            message_key="error.split_word",
            params={"word_index": word_index, "words": len(words), "last": len(words) - 1},
        )
    owners = _aligned_owners(text, draft)
    if draft is not None and owners is not None and owners[word_index] != owners[word_index - 1]:
        before, after = draft.words[owners[word_index] - 1], draft.words[owners[word_index]]
        return round((before.end + after.start) / 2, 3)
    share = len(" ".join(words[:word_index])) / len(" ".join(words))
    return round(segment.start + share * segment.duration, 3)


def word_index_at(segment: Segment, text: str, at_time: float, draft: DraftView | None) -> int:
    """Where to cut the text when the audio is cut at ``at_time`` (the inverse of
    :func:`split_time_for`): before the first word whose middle comes after the cut when the
    draft's words line up one to one with the text's; otherwise at the word boundary whose
    share of the characters is nearest the cut's share of the time."""
    words = text.split()
    owners = _aligned_owners(text, draft)
    if draft is not None and owners is not None:
        before = sum(1 for word in draft.words if (word.start + word.end) / 2 < at_time)
        return owners.index(before) if before < len(draft.words) else len(words)
    if not words:
        return 0
    share = (at_time - segment.start) / segment.duration if segment.duration > 0 else 0.0
    total = len(" ".join(words))
    shares = [len(" ".join(words[:index])) / total for index in range(len(words) + 1)]
    return min(range(len(shares)), key=lambda index: abs(shares[index] - share))


def _aligned_owners(text: str, draft: DraftView | None) -> list[int] | None:
    """For each space-separated token of ``text``, the index of the draft word it stands for, when
    the text's words line up one to one with the draft's; else None. A word is a transcript word
    (``syntax.parse``): the draft's ``70%`` is one word in the text as ``(70%)/(칠십 퍼센트)``, a
    proposed dual transcription of two tokens, so a styled draft keeps its word timings."""
    if draft is None or not draft.words:
        return None
    starts = [word.start for word in parse(text)]
    if len(starts) != len(draft.words):
        return None
    return [bisect_right(starts, token.start()) - 1 for token in re.finditer(r"\S+", text)]
