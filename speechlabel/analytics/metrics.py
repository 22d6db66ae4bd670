"""Quality measures of transcripts: error rates, pre-labeling saving, agreement between labelers.

Pure functions for tests, benchmarks and the review dashboard (no database, no Streamlit);
working time and per-day counts are in ``worktime``.
Texts are compared after ``comparable_text``: transcription tags stripped (``strip_tags``),
then ``normalize_text``, so tags, case, punctuation and spacing conventions are not counted as
errors. Korean and the scripts written without word spaces are compared with spaces removed.
Edit distances come from ``rapidfuzz`` (the Levenshtein code jiwer itself uses, without
jiwer's per-call overhead): the dashboard scores 100,000 segments at a time.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import jiwer
from rapidfuzz.distance import Levenshtein

from speechlabel.core.errors import ValidationError
from speechlabel.core.languages import NO_WORD_SPACES, SPACE_FREE, language_key

log = logging.getLogger(__name__)

# Removed without a space so a contraction stays one word: "don't" -> "dont", "I'M" -> "im".
_APOSTROPHES = frozenset("'\u2019\u02bc\u2018`")


class _NormalizeTable(dict):
    """``str.translate`` table built lazily, one entry per character ever seen.

    Same decision per character as a loop over ``unicodedata.category``, but the loop runs in
    C: three times faster, which is what lets the dashboard score 100,000 segments in time.
    """

    def __missing__(self, ordinal: int) -> int | str | None:
        char = chr(ordinal)
        value: int | str | None
        if char in _APOSTROPHES:
            value = None  # deleted
        elif unicodedata.category(char)[0] in "LNM":
            value = ordinal  # kept unchanged
        else:
            value = " "
        self[ordinal] = value
        return value


_NORMALIZE_TABLE = _NormalizeTable()


def normalize_text(text: str) -> str:
    """Lowercase, drop punctuation and symbols, collapse whitespace.

    Letters of every script (Hangul, Cyrillic, ...), digits and combining marks are kept;
    every other character becomes a space, so "well-known" gives "well known". NFKC first so
    full-width forms and compatibility characters compare equal to their plain forms.
    """
    if not isinstance(text, str):
        raise ValidationError(message_key="error.text_not_string", params={"type": type(text).__name__})
    return _words_only(unicodedata.normalize("NFKC", text).casefold())


# Sentence ends become spaces and then trailing space, so they can be cut off first.
_SENTENCE_END = ".,?!"


def _words_only(text: str) -> str:
    """Every character but L* letters, N* digits and M* marks (vowel signs of Indic scripts,
    Hangul jamo) made a space, apostrophes dropped, whitespace collapsed.

    Most texts are words and spaces with at most a full stop at the end: ``str.isalnum`` says
    so in C, and the table, three times slower on Hangul than the rest of the scoring, is
    skipped. The table keeps every character ``isalnum`` accepts but one, the modifier letter
    apostrophe (checked over all of Unicode in the tests).
    """
    text = text.rstrip(_SENTENCE_END)
    words = text.split()
    joined = "".join(words)
    if joined.isalnum() and "\u02bc" not in joined:
        return " ".join(words)
    return " ".join(text.translate(_NORMALIZE_TABLE).split())


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
            message_key="error.reference_empty",
            params={"hypothesis": hyp[:40]},
        )
    return ref, hyp


# --- transcription tags ---------------------------------------------------------------------

DualSide = Literal["pronunciation", "spelling"]
DUAL_SIDES: tuple[str, ...] = ("pronunciation", "spelling")

# Any of these characters may start a tag; text without them skips the regular expressions
# (Whisper drafts almost never have any, so half of all texts take the fast path).
_TAG_CHARS = re.compile(r"[()\[\]<>/*+%]")
_AIHUB_DROPPED = re.compile(r"\((?:NO|SN):[^()]*\)")  # noise, speaker noise: no words
_AIHUB_KEPT = re.compile(r"\((?:FP|SP):([^()]*)\)")  # filled pause, unclear: words were said
_DUAL = re.compile(r"\(([^()]*)\)\s*/\s*\(([^()]*)\)")  # (spelling)/(pronunciation)
_BRACKETED = re.compile(r"\[[^\[\]]*\]|<[^<>]*>")  # [noise], [laughter], <unk>, <sil>
# b/ breath, l/ laughter, n/ noise, o/ other speaker, u/ unintelligible: a token of its own
# (start or whitespace before it), so a word that merely ends in "n" followed by "/" is a filler.
_KSPON_EVENT = re.compile(r"(?<!\S)[blnou]/")
# ... and glued to the Hangul, digit or punctuation before it (``소리n/``, ``맞아.n/``): ESPnet
# deletes these tokens wherever they stand, the linter reports them (tag-glued), and
# ``conventions.text_variant`` removes them too. After a Latin letter the slash is a filler mark.
_GLUED_KSPON_EVENT = re.compile(r"(?<=[가-힣ㄱ-ㆎ0-9.,?!])[blnou]/")
# "%um": an LDC-style filler mark at the start of a word (generic scheme); "70%" keeps its sign.
_FILLER_PREFIX = re.compile(r"(?<!\S)%(?=[^\W\d_])")
# "word+" repetition and "word/" filler: the mark sits at the end of a word.
_WORD_END_MARK = re.compile(r"(?<=\S)[+/]+(?=[\s,.?!]|$)")


def strip_tags(text: str, *, dual_side: DualSide = "pronunciation") -> str:
    """Remove transcription tags, keeping every word that was spoken. In this order:

    1. NFKC (full-width brackets become plain ones).
    2. AI Hub: ``(NO:…)`` and ``(SN:…)`` are removed with their content; ``(FP:음)`` -> ``음``
       and ``(SP:xx)`` -> ``xx``. Other ``(XX:…)`` codes are left as they are.
    3. KsponSpeech/ETRI dual transcription ``(A)/(B)`` (spaces around the slash allowed): A is
       the spelling, B the pronunciation; ``dual_side`` picks which one stays (default B:
       ``(70%)/(칠십 퍼센트)`` -> ``칠십 퍼센트``, the words as they were said).
    4. Bracket tags ``[…]`` and ``<…>`` (``[noise]``, ``[laughter]``, ``<unk>``) with content.
    5. KsponSpeech event tokens ``b/ l/ n/ o/ u/`` where a token starts (``u/`` marks speech
       nobody could make out, so there are no words to keep), and glued to non-Latin text
       (``소리n/``: ESPnet deletes them there too; ``conventions.text_variant`` agrees).
    6. Every ``*`` (KsponSpeech: the word before was hard to hear; the word stays).
    7. ``+`` and ``/`` at the end of a word: ``word+`` (repetition) and ``word/`` (filler)
       -> ``word``, and ``%`` at the start of one (``%um``, the generic scheme's filler) ->
       ``um``. Repetitions and fillers are kept because they were spoken and typed.
    8. Whitespace collapsed to single spaces, ends trimmed.

    Case and punctuation are left alone: that is ``normalize_text``'s job.
    """
    if not isinstance(text, str):
        raise ValidationError(message_key="error.text_not_string", params={"type": type(text).__name__})
    if dual_side not in DUAL_SIDES:
        raise ValidationError(message_key="error.metrics_dual_side", params={"allowed": DUAL_SIDES, "value": dual_side})
    text = unicodedata.normalize("NFKC", text)
    if _TAG_CHARS.search(text):
        text = _remove_tags(text, dual_side)
    return " ".join(text.split())


def _remove_tags(text: str, dual_side: DualSide) -> str:
    """Steps 2-7 of ``strip_tags`` on NFKC text. Each step runs only when the characters it
    needs are there: a substitution with a group template costs microseconds even when nothing
    matches, and most tagged texts carry just one kind of tag."""
    if ":" in text:
        text = _AIHUB_DROPPED.sub(" ", text)
        text = _AIHUB_KEPT.sub(r" \1 ", text)
    if "(" in text:
        text = _DUAL.sub(r"\2" if dual_side == "pronunciation" else r"\1", text)
    if "[" in text or "<" in text:
        text = _BRACKETED.sub(" ", text)
    if "/" in text:
        text = _GLUED_KSPON_EVENT.sub(" ", _KSPON_EVENT.sub(" ", text))
    text = text.replace("*", "")
    if "%" in text:
        text = _FILLER_PREFIX.sub("", text)
    if "/" in text or "+" in text:
        text = _WORD_END_MARK.sub("", text)
    return text


# --- draft -> final scores --------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreOptions:
    """How texts are made comparable. ``dual_side``: which side of a KsponSpeech ``(A)/(B)``
    dual transcription counts ("pronunciation" B, the default, or "spelling" A)."""

    dual_side: DualSide = "pronunciation"

    def __post_init__(self) -> None:
        if self.dual_side not in DUAL_SIDES:
            raise ValidationError(
                message_key="error.metrics_dual_side", params={"allowed": DUAL_SIDES, "value": self.dual_side}
            )


@dataclass(frozen=True)
class SegmentScores:
    """Draft -> final of one segment; the final text is the reference.

    ``edits`` are character edits (Levenshtein) and ``final_chars`` the final's characters,
    both on the comparable texts (spaces removed for Korean and unspaced scripts, kept as
    characters otherwise, like jiwer's CER). ``cer`` is ``edits / final_chars`` and ``wer`` the
    same on words. A rate is 0.0 when both texts are empty and None when the final is empty but
    the draft is not (nothing to divide by). ``wer``, ``word_edits`` and ``final_words`` are None
    for languages written without word spaces (Chinese, Japanese, Thai, ...). For Korean ``wer``
    is on eojeol and counts spacing differences, so ``cer`` is the measure to read there.
    """

    wer: float | None
    cer: float | None
    edits: int
    final_chars: int
    word_edits: int | None
    final_words: int | None

    @property
    def saving(self) -> float | None:
        """Share of the final's characters the labeler did not type: ``1 - edits/final_chars``,
        at least 0 (a draft can need more edits than the final has characters). None when the
        final is empty: there was nothing to type."""
        return _saving(self.edits, self.final_chars)


def comparable_text(text: str, language: str | None, options: ScoreOptions = ScoreOptions()) -> str:
    """The text as it is compared: tags stripped, normalised, spaces removed where they do not
    count (``language`` "ko", "ko-KR", "zh", "ja", ...; None or any other is space-delimited)."""
    text = normalize_text(strip_tags(text, dual_side=options.dual_side))
    return text.replace(" ", "") if language_key(language) in SPACE_FREE else text


def segment_scores(
    draft: str, final: str, language: str | None, options: ScoreOptions = ScoreOptions()
) -> SegmentScores:
    """WER, CER and edit counts of one segment's draft against its final text.

    Never raises for empty texts (see ``SegmentScores``); a missing draft is passed as "".
    """
    return score_segments([(draft, final)], language, options)[0]


def score_segments(
    pairs: Iterable[tuple[str, str]], language: str | None, options: ScoreOptions = ScoreOptions()
) -> list[SegmentScores]:
    """``segment_scores`` for many (draft, final) pairs of one language, in order.

    The per-language decisions are taken once, each text is prepared once and an unchanged
    draft only once; 100,000 pairs take about 0.5 s on one core here
    (``python -m bench.metrics_speed``).
    """
    key = language_key(language)
    space_free, words = key in SPACE_FREE, key not in NO_WORD_SPACES
    dual_side, distance, rate = options.dual_side, Levenshtein.distance, _rate
    scores: list[SegmentScores] = []
    for draft, final in pairs:
        # A third or more of the drafts are kept unchanged: prepare those once, skip the distances.
        unchanged = draft == final
        final = _prepared(final, dual_side)
        draft = final if unchanged else _prepared(draft, dual_side)
        same = unchanged or draft == final
        word_edits = final_words = None
        if words:
            final_split = final.split()
            final_words = len(final_split)
            word_edits = 0 if same else distance(draft.split(), final_split)
        if space_free:
            draft, final = draft.replace(" ", ""), final.replace(" ", "")
        edits = 0 if same else distance(draft, final)
        final_chars = len(final)
        wer = None if word_edits is None or final_words is None else rate(word_edits, final_words)
        scores.append(SegmentScores(wer, rate(edits, final_chars), edits, final_chars, word_edits, final_words))
    return scores


def _prepared(text: str, dual_side: DualSide) -> str:
    """``normalize_text(strip_tags(text))`` for ``score_segments``' loop: no argument checks,
    no NFKC of ASCII, one pass of whitespace collapsing. The tests hold it to the same result."""
    if not text.isascii():  # NFKC leaves ASCII as it is
        text = unicodedata.normalize("NFKC", text)
    if _TAG_CHARS.search(text):
        # Removing a tag can bring characters together that NFKC composes ("가*ᆨ" -> "각").
        text = unicodedata.normalize("NFKC", _remove_tags(text, dual_side))
    return _words_only(text.casefold())


@dataclass(frozen=True)
class ScoreSummary:
    """Scores of many segments pooled: total edits over total length, so a long segment weighs
    more than a short one (a mean of per-segment ratios would let a 2-character segment with
    one typo count as much as a whole sentence). Rates are None when there is nothing to
    divide by; ``wer`` pools only the segments that have word counts."""

    segments: int
    edits: int
    final_chars: int
    word_edits: int
    final_words: int
    cer: float | None
    wer: float | None
    saving: float | None  # 1 - edits / final_chars, at least 0


def summarize_scores(scores: Iterable[SegmentScores]) -> ScoreSummary:
    """Pool segment scores: corpus CER and WER and the pre-labeling saving."""
    segments = edits = final_chars = word_edits = final_words = 0
    with_words = 0
    for score in scores:
        segments += 1
        edits += score.edits
        final_chars += score.final_chars
        if score.word_edits is not None:
            with_words += 1
            word_edits += score.word_edits
            final_words += score.final_words or 0
    return ScoreSummary(
        segments=segments,
        edits=edits,
        final_chars=final_chars,
        word_edits=word_edits,
        final_words=final_words,
        cer=_rate(edits, final_chars) if segments else None,
        wer=_rate(word_edits, final_words) if with_words else None,
        saving=_saving(edits, final_chars),
    )


def _rate(edits: int, length: int) -> float | None:
    if length:
        return edits / length
    return 0.0 if edits == 0 else None  # two empty texts match; else the rate is undefined


def _saving(edits: int, final_chars: int) -> float | None:
    return max(0.0, 1.0 - edits / final_chars) if final_chars else None


# --- agreement between labelers ---------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """Two labelers' texts of one segment: ``cer = edits / chars`` with ``chars`` the longer
    comparable text. Using the longer text (not one of them as "reference") makes it symmetric
    and keeps it within 0..1; two empty texts agree fully (0.0)."""

    edits: int
    chars: int
    cer: float


def labeler_agreement(
    text_a: str, text_b: str, language: str | None, options: ScoreOptions = ScoreOptions()
) -> Agreement:
    """Character disagreement between two labelers, on the same comparable texts as the CER."""
    a, b = comparable_text(text_a, language, options), comparable_text(text_b, language, options)
    edits, chars = Levenshtein.distance(a, b), max(len(a), len(b))
    return Agreement(edits=edits, chars=chars, cer=edits / chars if chars else 0.0)
