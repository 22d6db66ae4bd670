"""Rules for tags and dual transcriptions: unknown tags (with the tag the scheme uses for the
same thing as the fix), code-tag content, and the shape of ``(spelling)/(pronunciation)``."""

from __future__ import annotations

import difflib
import re

from speechlabel.conventions.builtin import BUILTIN_SCHEMES
from speechlabel.conventions.convert import write_event, write_marked
from speechlabel.conventions.lint_chars import check_dual_side, check_word_characters
from speechlabel.conventions.problems import Fix, Problem, problem
from speechlabel.conventions.reading import content_is_empty, effective_kind, known_tags, token_tag
from speechlabel.conventions.schemes import Content, TagForm, TagKind, TagScheme
from speechlabel.conventions.syntax import Piece, PieceKind, Word

_CODE_WRITTEN = re.compile(r"\(([A-Za-z]+):([^()]*)\)")
# ESPnet's dual pattern \(([^\)]+)\) needs a character, and a side of only punctuation is
# emptied by its punctuation clean-up: neither counts as words.
_NO_WORDS = re.compile(r"[\s,.?!]*")


def unknown_tag(written: str, start: int, end: int, scheme: TagScheme) -> Problem:
    suggestion = suggest_tag(written, scheme)
    return problem(
        "unknown-tag",
        start,
        end,
        Fix(start, end, suggestion) if suggestion else None,
        tag=written,
        scheme=scheme.name,
        known=known_tags(scheme),
    )


def suggest_tag(written: str, scheme: TagScheme) -> str | None:
    """The scheme's own way of writing what ``written`` means: the same tag in the right case
    (``N/`` -> ``n/``), the tag of the same kind in another built-in scheme (``(NO:)`` ->
    ``n/`` for KsponSpeech, ``(FP:음)`` -> ``음/``), or a close spelling (``[nosie]``)."""
    code = _CODE_WRITTEN.fullmatch(written)
    content = " ".join(code[2].split()) if code else ""
    key = f"({code[1]}:)" if code else written
    same_case = _same_but_case(key, scheme)
    if same_case is not None:
        return f"({same_case[1:-2]}:{code[2]})" if code else same_case
    for other in BUILTIN_SCHEMES.values():
        tag = other.by_text.get(key)
        if tag is None or other is scheme:
            continue
        kind = TagKind.UNINTELLIGIBLE if tag.kind == TagKind.UNCERTAIN and code and not content else tag.kind
        if kind.marks_words:
            return write_marked(kind, content, scheme) if content else None
        found = write_event(kind, scheme)
        return found[0] if found else None
    close = difflib.get_close_matches(key, [tag.text for tag in scheme.tags if len(tag.text) > 1], n=1, cutoff=0.75)
    if close and code:
        return f"({close[0][1:-2]}:{code[2]})"
    return close[0] if close else None


def _same_but_case(key: str, scheme: TagScheme) -> str | None:
    folded = key.casefold()
    return next((tag.text for tag in scheme.tags if tag.text.casefold() == folded), None)


def check_code(piece: Piece, scheme: TagScheme, out: list[Problem]) -> None:
    tag = scheme.by_code.get(piece.parts[0])
    if tag is None:
        out.append(unknown_tag(piece.text, piece.start, piece.end, scheme))
        return
    empty = content_is_empty(piece)
    if tag.content == Content.NONE and not empty:
        out.append(
            problem(
                "tag-content-not-allowed",
                piece.start,
                piece.end,
                Fix(piece.start, piece.end, tag.text),
                tag=tag.text,
                bare=tag.text,
            )
        )
    elif tag.content == Content.REQUIRED and empty:
        example = f"({tag.code}:음)" if tag.kind == TagKind.FILLER and tag.form == TagForm.CODE else f"({tag.code}:…)"
        out.append(problem("tag-content-missing", piece.start, piece.end, tag=tag.text, example=example))
    elif not empty:
        # Words separated by spaces: a filler or unclear stretch may be several words, (SP:세 시 반).
        for word, start in _words_with_starts(piece.parts[1], piece.part_starts[1]):
            check_word_characters(word, start, scheme, out, marks_allowed=False)


def check_bracket(piece: Piece, scheme: TagScheme, out: list[Problem]) -> None:
    if piece.text not in scheme.by_text:
        out.append(unknown_tag(piece.text, piece.start, piece.end, scheme))


def check_dual(piece: Piece, scheme: TagScheme, out: list[Problem]) -> None:
    spelling, pronunciation = piece.parts
    if not scheme.dual_transcription:
        said = " ".join(pronunciation.split())
        out.append(
            problem(
                "dual-not-allowed",
                piece.start,
                piece.end,
                Fix(piece.start, piece.end, said) if said else None,
                scheme=scheme.name,
            )
        )
        return
    tidy = f"({' '.join(spelling.split())})/({' '.join(pronunciation.split())})"
    if tidy != piece.text and all(side.strip() for side in piece.parts):
        out.append(problem("dual-spacing", piece.start, piece.end, Fix(piece.start, piece.end, tidy), fixed=tidy))
    for side, text, start in zip(("spelling", "pronunciation"), piece.parts, piece.part_starts):
        if _NO_WORDS.fullmatch(text):
            out.append(problem("empty-dual-side", start - 1, start + len(text) + 1, side=side))
        else:
            check_dual_side(text, start, side, scheme, out)
    if spelling.split() == pronunciation.split() and spelling.strip():
        said = " ".join(spelling.split())
        out.append(
            problem("identical-dual-sides", piece.start, piece.end, Fix(piece.start, piece.end, said), text=said)
        )


def check_group(piece: Piece, word: Word, scheme: TagScheme, out: list[Problem]) -> None:
    """``(70%)`` alone, ``(70%)/칠십`` or ``70%/(칠십)``: half a dual transcription."""
    if not scheme.dual_transcription:
        out.append(
            problem("stray-character", piece.start, piece.end, char="( )", name="parentheses", scheme=scheme.name)
        )
        return
    index = word.pieces.index(piece)
    after = word.pieces[index + 1] if index + 1 < len(word.pieces) else None
    before = word.pieces[index - 1] if index else None
    inner = " ".join(piece.parts[0].split())
    fix = None
    if after is not None and after.kind == PieceKind.TEXT and after.text.startswith("/") and len(after.text) > 1:
        fix = Fix(piece.start, after.end, f"({inner})/({after.text[1:]})")
    elif before is not None and before.kind == PieceKind.TEXT and before.text.endswith("/") and len(before.text) > 1:
        fix = Fix(before.start, piece.end, f"({before.text[:-1]})/({inner})")
    out.append(problem("malformed-dual", piece.start, piece.end, fix, text=piece.text))


def tag_only(word: Word, scheme: TagScheme) -> bool:
    """A word that is nothing but event tags (``n/``, ``[noise]``, ``(NO:)``)."""
    if token_tag(word) is not None:
        return True
    return all(
        piece.kind == PieceKind.BRACKET or (piece.kind == PieceKind.CODE and content_is_empty(piece))
        for piece in word.pieces
    )


def speaks(word: Word, scheme: TagScheme) -> bool:
    """Whether ESPnet (or any training recipe) keeps something of this word: letters or digits
    (in the text, a dual transcription or even a malformed group), words in a code tag, or an
    unintelligible tag (ESPnet writes ``u/`` as ``[unk]``)."""
    token = token_tag(word)
    if token is not None:
        tag = scheme.by_text.get(token[0])
        return tag is not None and tag.kind == TagKind.UNINTELLIGIBLE
    return any(_piece_speaks(piece, scheme) for piece in word.pieces)


def _piece_speaks(piece: Piece, scheme: TagScheme) -> bool:
    if piece.kind in (PieceKind.TEXT, PieceKind.DUAL, PieceKind.GROUP):
        return any(char.isalnum() for char in piece.text)
    if piece.kind == PieceKind.CODE:
        tag = scheme.by_code.get(piece.parts[0])
        return not content_is_empty(piece) or (tag is not None and effective_kind(tag, piece) == TagKind.UNINTELLIGIBLE)
    if piece.kind == PieceKind.BRACKET:
        tag = scheme.by_text.get(piece.text)
        return tag is not None and tag.kind == TagKind.UNINTELLIGIBLE
    return False


def _words_with_starts(text: str, offset: int) -> list[tuple[str, int]]:
    words, position = [], 0
    for word in text.split(" "):
        if word:
            words.append((word, offset + position))
        position += len(word) + 1
    return words
