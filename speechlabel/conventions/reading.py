"""What the pieces of a word mean under a scheme: which text is a tag, which characters are
marks, which are the word itself. Shared by the linter, the text variants and the converter so
the three never disagree about a transcript."""

from __future__ import annotations

import re
from dataclasses import dataclass

from speechlabel.conventions.schemes import SENTENCE_PUNCTUATION, Tag, TagForm, TagKind, TagScheme
from speechlabel.conventions.syntax import Piece, PieceKind, Word

# A word of its own made of one ASCII letter and a slash (``n/``, maybe ``n/.``) is a token tag,
# known or not; a longer word ending in a slash (``아/``) is a filler.
TOKEN_TAG = re.compile(r"([A-Za-z]/)([,.?!]*)")


@dataclass(frozen=True, slots=True)
class TextParts:
    """A TEXT piece cut into leading prefix marks, the word itself and its trailing run of suffix
    marks and sentence punctuation (``모+,`` -> core ``모``, tail ``+,``). Offsets absolute."""

    prefix: str
    core: str
    tail: str
    core_start: int

    @property
    def core_end(self) -> int:
        return self.core_start + len(self.core)

    def marks(self, scheme: TagScheme) -> list[Tag]:
        """The mark tags on this word: its prefix marks and the suffix marks in its tail."""
        found = [scheme.prefix_marks[char] for char in self.prefix]
        found += [scheme.suffix_marks[char] for char in self.tail if char in scheme.suffix_marks]
        return found

    @property
    def punctuation(self) -> str:
        return "".join(char for char in self.tail if char in SENTENCE_PUNCTUATION)


def split_text(piece: Piece, scheme: TagScheme) -> TextParts:
    text, prefixes, suffixes = piece.text, scheme.prefix_marks, scheme.suffix_marks
    begin = 0
    while begin < len(text) and text[begin] in prefixes:
        begin += 1
    end = len(text)
    while end > begin and (text[end - 1] in suffixes or text[end - 1] in SENTENCE_PUNCTUATION):
        end -= 1
    return TextParts(text[:begin], text[begin:end], text[end:], piece.start + begin)


def token_tag(word: Word) -> tuple[str, str] | None:
    """(tag text, trailing punctuation) when the word is a lone ``x/`` token."""
    if len(word.pieces) != 1 or word.pieces[0].kind != PieceKind.TEXT:
        return None
    match = TOKEN_TAG.fullmatch(word.pieces[0].text)
    return (match[1], match[2]) if match else None


def content_is_empty(piece: Piece) -> bool:
    return not piece.parts[1].strip()


def effective_kind(tag: Tag, piece: Piece | None = None) -> TagKind:
    """The kind a tag has where it is used: an empty unclear-speech code ``(SP:)`` says that
    nothing could be made out, which is what an unintelligible tag says."""
    if piece is not None and tag.kind == TagKind.UNCERTAIN and tag.form == TagForm.CODE and content_is_empty(piece):
        return TagKind.UNINTELLIGIBLE
    return tag.kind


def display(tag: Tag) -> str:
    """How a tag is shown in messages: ``word+``, ``%word``, ``(FP:…)``, ``n/``, ``[noise]``."""
    if tag.form == TagForm.SUFFIX:
        return "word" + tag.text
    if tag.form == TagForm.PREFIX:
        return tag.text + "word"
    if tag.form == TagForm.CODE:
        return tag.text[:-1] + "…)"
    return tag.text


def known_tags(scheme: TagScheme) -> str:
    return " ".join(display(tag) for tag in scheme.tags)
