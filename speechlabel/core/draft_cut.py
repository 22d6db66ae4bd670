"""A segment's drafts through a split or a merge: each half gets its part of every draft, and a
merge joins the two parts again, so a split followed by a merge gives the draft back.

Drafts are kept forever and never edited, so the parts and the joined draft are new drafts: the
first half of a split still holds the original, older than its part. Whatever reads "the" draft
of a segment reads its newest (dashboard, export) or the newest by time (``draft_view``), which
is then the part, so the draft -> final figures of each half compare with its own words.
Pure functions; the store calls them inside the split's or merge's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from speechlabel.core.languages import writes_without_spaces
from speechlabel.core.models import Draft, Word


@dataclass(frozen=True)
class DraftCut:
    """One draft cut at a split: the first half's part and the second's. ``second`` is None for
    a draft without word timings whose cut cannot be placed: it stays whole with the first half."""

    first: Draft
    second: Draft | None


def current_drafts(drafts: Sequence[Draft]) -> list[Draft]:
    """The newest draft of each engine and model, oldest first (``drafts`` oldest first): what a
    split cuts and a merge joins. An older one of the same engine and model was replaced by a
    later pre-labeling run, or is an original a split already cut."""
    newest = {(draft.engine, draft.model): draft for draft in drafts}
    return [draft for draft in drafts if newest[(draft.engine, draft.model)] is draft]


def cut_draft(draft: Draft, at_time: float, text_words: Sequence[str], word_index: int) -> DraftCut:
    """Cut ``draft`` where its segment is split: at ``at_time`` seconds by its word timings, or,
    without timings, where the labeler's text (``text_words``) was cut, before ``word_index``.

    Each part keeps its words with their scores; avg_logprob, no_speech_prob, compression_ratio
    and the language figures stay the whole segment's: the engine scored stretches of audio,
    not words, so neither half has figures of its own.
    """
    if draft.words:
        return _cut_by_time(draft, at_time)
    return _cut_by_text(draft, text_words, word_index)


def join_drafts(first: Draft, second: Draft, durations: tuple[float, float]) -> Draft:
    """The merged segment's draft from the drafts of one engine and model of its two parts
    (``durations`` in seconds): texts and words one after the other. Two parts of one split
    carry the same figures, which stay; two separate drafts get avg_logprob and
    compression_ratio averaged by duration and the highest no_speech_prob, as ``transcribe``
    joins Whisper's segments."""
    separator = "" if writes_without_spaces(first.language or second.language) else " "
    spoken = first if first.language else second  # an empty draft ("heard nothing") has no language
    return _part(
        first,
        separator.join(text for text in (first.text.strip(), second.text.strip()) if text),
        first.words + second.words,
        avg_logprob=_mean(first.avg_logprob, second.avg_logprob, durations),
        no_speech_prob=max(first.no_speech_prob, second.no_speech_prob),
        compression_ratio=_mean(first.compression_ratio, second.compression_ratio, durations),
        language=spoken.language,
        language_probability=spoken.language_probability,
    )


def _cut_by_time(draft: Draft, at_time: float) -> DraftCut:
    # The middle of a word decides, as on the label page (``draft_view``, ``word_index_at``) and
    # in window pre-labeling where the audio does not (``windowing.assign_words``): each word goes
    # to the half the labeler saw it in.
    before = tuple(word for word in draft.words if _middle(word) < at_time)
    after = tuple(word for word in draft.words if _middle(word) >= at_time)
    first_text, second_text = _cut_text(draft.text, draft.words, before, after)
    return DraftCut(_part(draft, first_text, before), _part(draft, second_text, after))


def _cut_text(text: str, words: Sequence[Word], before: Sequence[Word], after: Sequence[Word]) -> tuple[str, str]:
    """The draft's own text cut before the first word of the second part, so its spacing (none
    between Japanese words, Korean's between eojeol) and punctuation stay as the engine wrote
    them. When the words cannot be found in order in the text, each part is its words joined
    by spaces, as the label page shows them."""
    starts = _word_starts(text, words)
    if starts is None or tuple(words[: len(before)]) != tuple(before):
        return " ".join(word.symbol for word in before), " ".join(word.symbol for word in after)
    cut = starts[len(before)] if after else len(text)
    return text[:cut].strip(), text[cut:].strip()


def _word_starts(text: str, words: Sequence[Word]) -> list[int] | None:
    """Where each word starts in ``text``, found in order (symbols are stored without the
    leading space Whisper gives them); None if one is missing."""
    starts, position = [], 0
    for word in words:
        found = text.find(word.symbol, position)
        if found < 0:
            return None
        starts.append(found)
        position = found + len(word.symbol)
    return starts


def _cut_by_text(draft: Draft, text_words: Sequence[str], word_index: int) -> DraftCut:
    """A draft without word timings: its text is cut where the labeler cut theirs, found by
    aligning the two texts' words. If they share no word the cut cannot be placed: the draft
    stays whole with the first half and the second gets none (it shows "no draft" rather than
    words guessed from the wrong place). An empty draft ("heard nothing") holds for both."""
    tokens = list(re.finditer(r"\S+", draft.text))
    if not tokens:
        return DraftCut(draft, _part(draft, "", ()))
    at = _aligned_index([token.group() for token in tokens], text_words, word_index)
    if at is None:
        return DraftCut(draft, None)
    cut = tokens[at].start() if at < len(tokens) else len(draft.text)
    return DraftCut(_part(draft, draft.text[:cut].strip(), ()), _part(draft, draft.text[cut:].strip(), ()))


def _aligned_index(draft_words: Sequence[str], text_words: Sequence[str], index: int) -> int | None:
    """The position in ``draft_words`` of the cut before ``text_words[index]``: through an
    alignment of the two lists (case and punctuation ignored), so a corrected or inserted word
    moves nothing; proportionally inside a stretch the labeler rewrote. None if no word matches."""
    matcher = SequenceMatcher(None, [_plain(w) for w in draft_words], [_plain(w) for w in text_words], autojunk=False)
    if not any(block.size for block in matcher.get_matching_blocks()):
        return None
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        if j1 <= index <= j2:
            return i1 + round((index - j1) * (i2 - i1) / (j2 - j1)) if j2 > j1 else i1
    return len(draft_words)  # not reached: the opcodes cover every position of text_words


def _plain(word: str) -> str:
    return "".join(char for char in word.casefold() if char.isalnum())


def _middle(word: Word) -> float:
    return (word.start + word.end) / 2


def _mean(first: float, second: float, weights: tuple[float, float]) -> float:
    # Equal figures (two parts of one split) are returned as they are: a weighted mean of two
    # equal floats can differ in the last digit, and split -> merge should give them back.
    if first == second or sum(weights) <= 0:
        return first
    return (first * weights[0] + second * weights[1]) / sum(weights)


def _part(draft: Draft, text: str, words: Sequence[Word], **figures) -> Draft:
    """A new draft from ``draft`` (not yet stored: no id, segment or time)."""
    return replace(draft, text=text, words=tuple(words), id=None, segment_id=None, created_at=None, **figures)
