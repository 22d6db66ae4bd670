"""A Whisper draft written in the project's transcription convention, so that a correctly heard
utterance needs no edits: ``style_draft("어 70% 확률이라니", KSPON)`` -> ``"어/ (70%)/(칠십 퍼센트) 확률이라니"``.

What the scheme says, not per-scheme code, decides each step:

- **Spacing**: whitespace collapsed, no space before ``, . ? !`` nor between a number and its
  ``%``; a punctuation mark or symbol the scheme's ``word_characters`` do not allow (quotes,
  ``~``, ``-`` in KsponSpeech) becomes a space. Letters are never dropped: a Latin word in a
  Korean draft stays for the labeler, who knows how it was said (the linter flags it).
- **Numbers**, as ``scheme.draft_numbers`` asks: kept, read in Korean (``칠십 퍼센트``), or a
  proposed dual transcription ``(70%)/(칠십 퍼센트)``. The counter after a number picks its
  reading (``(3시)/(세 시)``, ``(2024년)/(이천이십사 년)``), phone-like numbers are read digit by
  digit (``korean_numbers``). There is no English reading: English schemes keep digits.
- **Fillers**: a word of ``scheme.fillers`` standing alone, or of ``scheme.pause_fillers``
  before a comma or at the end, is marked with the scheme's filler tag (``어/``, ``(FP:음)``,
  ``%um``); a scheme without one leaves it as it is.

Text that is markup already (a dual transcription, a tag, a marked word) is left as it is, so
styling a styled text changes nothing. Word timings stay on Whisper's raw words
(``Draft.words``); the styled text is what the labeler's box starts with.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache

from speechlabel.conventions.convert import write_marked
from speechlabel.conventions.korean_numbers import COUNTED, DIGIT_STRING, read_counted, read_digits
from speechlabel.conventions.reading import split_text
from speechlabel.conventions.schemes import SENTENCE_PUNCTUATION, NumberStyle, TagKind, TagScheme
from speechlabel.conventions.syntax import Piece, PieceKind, Word, parse

_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[,.?!])")
# "70 %" is 70%; "0 %um" is a number and a filler (the generic scheme's % mark).
_SPACE_BEFORE_PERCENT = re.compile(r"(?<=\d)\s+%(?![^\W\d_])")
_NUMBER_OR_DIGITS = re.compile(f"{DIGIT_STRING.pattern}|{COUNTED.pattern}")


@dataclass(frozen=True)
class DraftStyleOptions:
    """Which steps run (all by default); recorded with each styled draft (``Draft.options``)."""

    numbers: bool = True
    fillers: bool = True
    punctuation: bool = True

    def to_dict(self) -> dict[str, bool]:
        return asdict(self)


def style_draft(text: str, scheme: TagScheme, options: DraftStyleOptions = DraftStyleOptions()) -> str:
    """``text`` (a raw Whisper draft) in ``scheme``'s convention; "" stays ""."""
    text = _spaced(unicodedata.normalize("NFC", text))
    # Punctuation first, so that a word set off by a quote is found alone after it; most drafts
    # have none to clean, and skip the second parse (styling is on every page that shows a draft).
    if options.punctuation and _outside(scheme).search(_NUMBER_OR_DIGITS.sub("", text)):
        text = _spaced("".join(_cleaned(piece, scheme) if piece else " " for piece in _pieces(text)))
    words = parse(text)
    styled = [_word(word, index == len(words) - 1, scheme, options) for index, word in enumerate(words)]
    return " ".join(" ".join(styled).split())


def _spaced(text: str) -> str:
    text = _SPACE_BEFORE_PERCENT.sub("%", " ".join(text.split()))
    return _SPACE_BEFORE_PUNCTUATION.sub("", text)


def _pieces(text: str) -> list[Piece | None]:
    """The pieces of ``text`` in order, None between words."""
    out: list[Piece | None] = []
    for word in parse(text):
        out.extend([*word.pieces, None])
    return out


def _word(word: Word, last: bool, scheme: TagScheme, options: DraftStyleOptions) -> str:
    if len(word.pieces) == 1 and word.pieces[0].kind == PieceKind.TEXT and options.fillers:
        marked = _filler(word.pieces[0], last, scheme)
        if marked is not None:
            return marked
    return "".join(_piece(piece, scheme, options) for piece in word.pieces)


def _filler(piece: Piece, last: bool, scheme: TagScheme) -> str | None:
    """The word marked as a filler, or None when it is not one (or is marked already)."""
    bare = piece.text.rstrip(SENTENCE_PUNCTUATION).casefold()
    if bare not in _folded(scheme.fillers) and bare not in _folded(scheme.pause_fillers):
        return None  # most words: no need to take them apart
    parts = split_text(piece, scheme)
    if parts.prefix or parts.marks(scheme) or parts.tail != parts.punctuation:
        return None
    word = parts.core.casefold()
    pause = last or parts.tail.startswith(",")
    if word in _folded(scheme.fillers) or (pause and word in _folded(scheme.pause_fillers)):
        return write_marked(TagKind.FILLER, parts.core, scheme, parts.tail)
    return None


@lru_cache(maxsize=64)
def _folded(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(word.casefold() for word in words)


def _piece(piece: Piece, scheme: TagScheme, options: DraftStyleOptions) -> str:
    """A TEXT piece with its numbers written the scheme's way; dual transcriptions, tags and
    brackets as they are."""
    style = scheme.draft_numbers if options.numbers else NumberStyle.KEEP
    if piece.kind != PieceKind.TEXT or style == NumberStyle.KEEP or not any(char.isdigit() for char in piece.text):
        return piece.text
    return _NUMBER_OR_DIGITS.sub(lambda match: _number(match, style), piece.text)


def _number(match: re.Match, style: NumberStyle) -> str:
    written = match.group()
    if DIGIT_STRING.fullmatch(written):
        said = read_digits(written)
    else:
        said = read_counted(match["number"], match["counter"] or "")
    return said if style == NumberStyle.READ else f"({written})/({said})"


def _cleaned(piece: Piece, scheme: TagScheme) -> str:
    """A TEXT piece with the punctuation and symbols the scheme does not allow made spaces,
    numbers kept whole (``1,000``, ``010-1234-5678``: the number step reads them)."""
    if piece.kind != PieceKind.TEXT:
        return piece.text
    out, position = [], 0
    for match in _NUMBER_OR_DIGITS.finditer(piece.text):
        out += [_punctuation(piece.text[position : match.start()], scheme), match.group()]
        position = match.end()
    out.append(_punctuation(piece.text[position:], scheme))
    return "".join(out)


def _punctuation(text: str, scheme: TagScheme) -> str:
    return _outside(scheme).sub(_space_if_punctuation, text) if text else text


def _outside(scheme: TagScheme) -> re.Pattern:
    """A character the scheme does not allow in a word, nor a number, space or bracket does."""
    # Marks are the scheme's markup, and "and/or" is text where no markup uses a slash (the linter agrees).
    marks = "".join(scheme.suffix_marks) + "".join(scheme.prefix_marks) + ("/" if scheme.slash_joins_words else "")
    return _outside_of(scheme.word_characters, marks)


@lru_cache(maxsize=64)
def _outside_of(word_characters: str, marks: str) -> re.Pattern:
    return re.compile(f"[^{word_characters}{re.escape(marks + SENTENCE_PUNCTUATION)}\\d\\s()\\[\\]<>]")


def _space_if_punctuation(match: re.Match) -> str:
    """Punctuation and symbols become spaces; letters stay (a Latin word is the labeler's to write)."""
    char = match.group()
    return " " if unicodedata.category(char)[0] in "PS" else char
