"""Text variants of a transcript for export and training.

- side: which side of every dual transcription ``(70%)/(칠십 퍼센트)`` stays: ``spelling``
  (``70%``, ESPnet's ``--notation-type char``), ``pronunciation`` (``칠십 퍼센트``, what was
  said; the default, as in ``metrics.strip_tags``) or ``both`` (kept as written).
- style:
  - ``verbatim``: everything as typed (only the dual side chosen);
  - ``disfluent``: tags, noise marks and the marks on words removed, the words kept: fillers
    and repetitions stay as words (ESPnet ``--type df``; ``metrics.strip_tags``);
  - ``fluent``: fillers (``음/``, ``(FP:음)``, ``%um``) and repetitions (``모+``) removed with
    their words too (ESPnet ``--type fl``).

Unintelligible tags (``u/``, ``[unintelligible]``, ``(SP:)``) become ``unintelligible`` in the
disfluent and fluent styles: removed by default, ``[unk]`` as in ESPnet's KsponSpeech recipe.
Text the scheme does not define (an unknown code, a malformed dual) is kept as typed.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from speechlabel.conventions.reading import content_is_empty, effective_kind, split_text, token_tag
from speechlabel.conventions.schemes import TagForm, TagKind, TagScheme
from speechlabel.conventions.syntax import Piece, PieceKind, Word, parse
from speechlabel.core.errors import ValidationError


class Side(str, enum.Enum):
    SPELLING = "spelling"
    PRONUNCIATION = "pronunciation"
    BOTH = "both"


class Style(str, enum.Enum):
    VERBATIM = "verbatim"
    DISFLUENT = "disfluent"
    FLUENT = "fluent"


@dataclass(frozen=True)
class TextVariantOptions:
    side: Side = Side.PRONUNCIATION
    style: Style = Style.DISFLUENT
    unintelligible: str = ""

    def __post_init__(self) -> None:
        for name, cls in (("side", Side), ("style", Style)):
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, cls(value))
            except ValueError:
                allowed = ", ".join(member.value for member in cls)
                raise ValidationError(
                    message_key="error.variant_side" if cls is Side else "error.variant_style",
                    params={"value": value, "allowed": allowed},
                ) from None
        if not isinstance(self.unintelligible, str) or len(self.unintelligible.split()) > 1:
            raise ValidationError(message_key="error.variant_unintelligible", params={"value": self.unintelligible})


def text_variant(text: str, scheme: TagScheme, options: TextVariantOptions = TextVariantOptions()) -> str:
    """``text`` in the variant ``options`` asks for, spaces collapsed."""
    if not isinstance(text, str):
        raise ValidationError(message_key="error.text_not_string", params={"type": type(text).__name__})
    if options.style != Style.VERBATIM and scheme.token_letters:
        text = _unglued(text, scheme.token_letters)
    rendered = [_word(word, scheme, options) for word in parse(text)]
    return " ".join(" ".join(rendered).split())


def _unglued(text: str, letters: str) -> str:
    """Token tags glued to a word (``소리n/``, ``n/소리``; the linter's tag-glued) made words of
    their own, so they are removed as ESPnet removes them wherever they stand (and as
    ``metrics.strip_tags`` does). After a Latin letter ``x/`` is a filler mark, not a token."""
    letters = re.escape(letters)
    text = re.sub(rf"(?<=[가-힣ㄱ-ㆎ0-9.,?!])([{letters}]/)", r" \1", text)
    return re.sub(rf"(?<!\S)([{letters}]/)(?=[^\s.,?!)])", r"\1 ", text)


def _word(word: Word, scheme: TagScheme, options: TextVariantOptions) -> str:
    verbatim = options.style == Style.VERBATIM
    token = token_tag(word)
    if token is not None and token[0] in scheme.by_text:
        # Punctuation typed after a tag (``n/?``) stays, as metrics.strip_tags keeps it.
        event = _event(effective_kind(scheme.by_text[token[0]]), options)
        return word.pieces[0].text if verbatim else f"{event.rstrip()}{token[1]} "
    if not verbatim and options.style == Style.FLUENT and _disfluent(word, scheme):
        return ""
    last_text = next((piece for piece in reversed(word.pieces) if piece.kind == PieceKind.TEXT), None)
    return "".join(_piece(piece, scheme, options, piece is word.pieces[0], piece is last_text) for piece in word.pieces)


def _piece(piece: Piece, scheme: TagScheme, options: TextVariantOptions, first: bool, last_text: bool) -> str:
    kind, verbatim = piece.kind, options.style == Style.VERBATIM
    if kind == PieceKind.DUAL:
        if options.side == Side.BOTH:
            return piece.text
        return " ".join(piece.parts[0 if options.side == Side.SPELLING else 1].split())
    if verbatim:
        return piece.text
    if kind == PieceKind.TEXT:
        return _text(piece, scheme, first, last_text)
    if kind == PieceKind.CODE and piece.parts[0] in scheme.by_code:
        return _code(piece, scheme.by_code[piece.parts[0]], options)
    if kind == PieceKind.BRACKET:  # never spoken words, known or not
        tag = scheme.by_text.get(piece.text)
        return _event(tag.kind if tag is not None else TagKind.OTHER, options)
    return piece.text


def _text(piece: Piece, scheme: TagScheme, first: bool, last_text: bool) -> str:
    """The word without its marks; an uncertain mark (``*``) goes wherever it stands, as ESPnet
    deletes it everywhere."""
    parts = split_text(piece, scheme)
    core = parts.core if first else parts.prefix + parts.core
    tail = parts.punctuation if last_text else parts.tail
    for mark, tag in scheme.suffix_marks.items():
        if tag.kind == TagKind.UNCERTAIN:
            core = core.replace(mark, "")
    return core + tail


def _code(piece: Piece, tag, options: TextVariantOptions) -> str:
    kind = effective_kind(tag, piece)
    if not kind.marks_words or content_is_empty(piece):
        return _event(kind, options)
    if options.style == Style.FLUENT and kind.disfluent:
        return " "
    return f" {' '.join(piece.parts[1].split())} "


def _event(kind: TagKind, options: TextVariantOptions) -> str:
    return f" {options.unintelligible} " if kind == TagKind.UNINTELLIGIBLE else " "


def _disfluent(word: Word, scheme: TagScheme) -> bool:
    """Whether the word carries a filler or repetition mark (``음/``, ``모+``, ``%um``)."""
    first, last = word.pieces[0], word.pieces[-1]
    kinds: set[TagKind] = set()
    if first.kind == PieceKind.TEXT:
        kinds.update(tag.kind for tag in split_text(first, scheme).marks(scheme) if tag.form == TagForm.PREFIX)
    if last.kind == PieceKind.TEXT:
        kinds.update(tag.kind for tag in split_text(last, scheme).marks(scheme) if tag.form == TagForm.SUFFIX)
    return any(kind.disfluent for kind in kinds)
