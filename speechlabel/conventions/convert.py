"""Rewrite a transcript from one tag scheme into another (KsponSpeech <-> AI Hub, or any pair).

Tags are matched by kind, not spelling: ``n/`` and ``(NO:)`` are both NOISE, ``음/`` and
``(FP:음)`` both FILLER. A kind the target lacks is written as a broader one when there is one
(breath -> speaker noise -> noise) and reported as approximate; otherwise it is reported as
unmapped, with its position in the source text:

- an event the target cannot write (KsponSpeech ``o/`` in AI Hub) is left out;
- a mark the target cannot write (KsponSpeech ``word+`` in AI Hub) is dropped, the word kept;
- what the source scheme does not know (an unknown tag, a malformed dual) is kept as typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from speechlabel.conventions.korean_numbers import NUMBER, read_number
from speechlabel.conventions.lint_text import note_key
from speechlabel.conventions.reading import content_is_empty, effective_kind, split_text, token_tag
from speechlabel.conventions.schemes import BROADER, Content, DigitRule, Tag, TagForm, TagKind, TagScheme
from speechlabel.conventions.syntax import Piece, PieceKind, Word, parse
from speechlabel.core.errors import ValidationError
from speechlabel.i18n.core import Lang, catalog

# Why an item could not be written exactly, by note code: the catalog's ``convert_note.<code>``
# (speechlabel/i18n/en.py), its values kept apart (``ConversionNote.params``), so the command line
# prints it in Korean too (i18n.lint_text).
NOTE_CODES = (
    "numbers-dual",
    "unknown-token",
    "no-tag",
    "broader-tag",
    "no-dual",
    "not-in-scheme",
    "no-mark-for-words",
    "no-mark",
)
NOTE_TEMPLATES: dict[str, str] = {code: catalog(Lang.EN)[note_key(code)] for code in NOTE_CODES}


@dataclass(frozen=True)
class ConversionNote:
    """``source[start:end]`` could not be written exactly; ``written`` is what was written
    instead (None when it was left out) and ``reason`` says why (``NOTE_TEMPLATES[code]``
    filled with ``params``)."""

    start: int
    end: int
    source: str
    written: str | None
    reason: str
    code: str = ""
    params: tuple[tuple[str, str], ...] = ()


def note(start: int, end: int, source: str, written: str | None, code: str, /, **params: str) -> ConversionNote:
    return ConversionNote(
        start,
        end,
        source,
        written,
        NOTE_TEMPLATES[code].format(**params),
        code,
        tuple((key, str(value)) for key, value in params.items()),
    )


@dataclass(frozen=True)
class Conversion:
    text: str
    unmapped: tuple[ConversionNote, ...]
    approximate: tuple[ConversionNote, ...]


def convert(text: str, source: TagScheme, target: TagScheme) -> Conversion:
    if not isinstance(text, str):
        raise ValidationError(message_key="error.text_not_string", params={"type": type(text).__name__})
    converter = _Converter(source, target)
    words = [converter.word(word) for word in parse(text)]
    return Conversion(" ".join(word for word in words if word), tuple(converter.unmapped), tuple(converter.approximate))


def write_event(kind: TagKind, scheme: TagScheme) -> tuple[str, bool] | None:
    """How ``scheme`` writes an event of ``kind``: (text, approximate), or None."""
    approximate = False
    current: TagKind | None = kind
    while current is not None:
        for tag in scheme.tags_of(current):
            if tag.form in (TagForm.TOKEN, TagForm.BRACKET) or tag.content in (Content.NONE, Content.OPTIONAL):
                return tag.text, approximate
        current, approximate = BROADER.get(current), True
    if kind == TagKind.UNINTELLIGIBLE:  # an empty unclear-speech code says "nothing made out"
        for tag in scheme.tags_of(TagKind.UNCERTAIN):
            if tag.form == TagForm.CODE and tag.content == Content.OPTIONAL:
                return tag.text, False
    return None


def write_marked(kind: TagKind, words: str, scheme: TagScheme, punctuation: str = "") -> str | None:
    """``words`` marked as ``kind`` (filler, repetition, uncertain) in ``scheme``, or None."""
    tag = next(
        (tag for tag in scheme.tags_of(kind) if tag.form in (TagForm.SUFFIX, TagForm.PREFIX, TagForm.CODE)), None
    )
    if tag is None or not words.split():
        return None
    if "(" in words:  # a dual transcription: marked as a whole, never nested in a code tag
        if tag.form == TagForm.CODE:
            return None
        return (words + tag.text if tag.form == TagForm.SUFFIX else tag.text + words) + punctuation
    if tag.form == TagForm.CODE:
        return f"({tag.code}:{words}){punctuation}"
    marked = [word + tag.text if tag.form == TagForm.SUFFIX else tag.text + word for word in words.split()]
    return " ".join(marked) + punctuation


class _Converter:
    def __init__(self, source: TagScheme, target: TagScheme):
        self.source, self.target = source, target
        self.unmapped: list[ConversionNote] = []
        self.approximate: list[ConversionNote] = []

    def word(self, word: Word) -> str:
        token = token_tag(word)
        if token is not None:
            return self._token(word.pieces[0], token[0])
        last_text = next((piece for piece in reversed(word.pieces) if piece.kind == PieceKind.TEXT), None)
        outputs, marks, punctuation = [], [], ""
        for index, piece in enumerate(word.pieces):
            if piece.kind != PieceKind.TEXT:
                outputs.append(self._piece(piece))
                continue
            parts = split_text(piece, self.source)
            core = self._numbers(parts.core, parts.core_start)
            outputs.append(core if piece is last_text else core + parts.punctuation)
            marks += [
                tag
                for tag in parts.marks(self.source)
                if (tag.form == TagForm.PREFIX and index == 0) or (tag.form == TagForm.SUFFIX and piece is last_text)
            ]
            if piece is last_text:
                punctuation = parts.punctuation
        return self._marked(word, "".join(outputs), marks, punctuation)

    def _numbers(self, core: str, offset: int) -> str:
        """Digits in a scheme that writes numbers only as dual transcriptions (KsponSpeech)
        become ``(70%)/(칠십 퍼센트)``; the reading is Sino-Korean, a guess worth checking."""
        if (
            self.target.digits != DigitRule.SPELLING_SIDE_ONLY
            or self.source.digits == DigitRule.SPELLING_SIDE_ONLY
            or not any(char.isdigit() for char in core)
        ):
            return core

        def dual(match) -> str:
            written = f"({match.group()})/({read_number(match.group())})"
            start = offset + match.start()
            self.approximate.append(
                note(start, start + len(match.group()), match.group(), written, "numbers-dual", target=self.target.name)
            )
            return written

        return NUMBER.sub(dual, core)

    def _token(self, piece: Piece, written: str) -> str:
        tag = self.source.by_text.get(written)
        if tag is None:
            self._note(self.unmapped, piece, piece.text, "unknown-token", tag=written, source=self.source.name)
            return piece.text
        return self._event(piece, effective_kind(tag))

    def _event(self, piece: Piece, kind: TagKind) -> str:
        found = write_event(kind, self.target)
        if found is None:
            self._note(self.unmapped, piece, None, "no-tag", target=self.target.name, kind=kind.value)
            return ""
        text, approximate = found
        if approximate:
            self._note(
                self.approximate, piece, text, "broader-tag", target=self.target.name, kind=kind.value, broader=text
            )
        return text

    def _piece(self, piece: Piece) -> str:
        if piece.kind == PieceKind.DUAL:
            if self.target.dual_transcription:
                return piece.text
            written = " ".join(piece.parts[1].split())
            self._note(self.approximate, piece, written, "no-dual", target=self.target.name)
            return written
        if piece.kind == PieceKind.CODE:
            tag = self.source.by_code.get(piece.parts[0])
            if tag is not None:
                return self._code(piece, tag)
        elif piece.kind == PieceKind.BRACKET:
            tag = self.source.by_text.get(piece.text)
            if tag is not None:
                return f" {self._event(piece, tag.kind)} "
        self._note(self.unmapped, piece, piece.text, "not-in-scheme", source=self.source.name)
        return piece.text

    def _code(self, piece: Piece, tag: Tag) -> str:
        kind = effective_kind(tag, piece)
        if not kind.marks_words or content_is_empty(piece):
            return f" {self._event(piece, kind)} "
        words = " ".join(piece.parts[1].split())
        written = write_marked(kind, words, self.target)
        if written is None:
            self._note(self.unmapped, piece, words, "no-mark-for-words", target=self.target.name, kind=kind.value)
            return f" {words} "
        return f" {written} "

    def _marked(self, word: Word, bare: str, marks: list[Tag], punctuation: str) -> str:
        bare = " ".join(bare.split())
        for mark in marks:
            written = write_marked(mark.kind, bare, self.target, punctuation) if bare else None
            if written is not None:
                bare, punctuation = written, ""
            else:
                self._note(
                    self.unmapped, word, None, "no-mark", target=self.target.name, kind=mark.kind.value, mark=mark.text
                )
        return bare + punctuation

    def _note(
        self, notes: list[ConversionNote], where: Piece | Word, written: str | None, code: str, /, **params: str
    ) -> None:
        text = where.text if isinstance(where, Piece) else "".join(piece.text for piece in where.pieces)
        notes.append(note(where.start, where.end, text, written, code, **params))
