"""Rules for the plain-text pieces of words: token tags (``n/``), marks (``word+``, ``word/``,
``word*``, ``%word``) and where they may stand, and tags glued to words.

The ESPnet facts behind the errors (``get_transcriptions.py``): stage 1 deletes ``b/ l/ n/ o/
u/`` wherever they appear, stage 2 turns ``w1 +w2`` into ``w1+ w2`` and then drops every line
that still has a ``+`` not followed by a space, the end or ``, . ? !``, stage 4 deletes a ``/``
after any run of characters (``a/b`` -> ``ab``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from speechlabel.conventions.lint_chars import check_word_characters
from speechlabel.conventions.lint_tags import unknown_tag
from speechlabel.conventions.problems import Fix, Problem, problem
from speechlabel.conventions.reading import TOKEN_TAG, TextParts, split_text
from speechlabel.conventions.schemes import TagKind, TagScheme
from speechlabel.conventions.syntax import Piece, PieceKind, Word


@dataclass(frozen=True)
class Neighbours:
    """The words around the one being checked, for fixes that move a mark across a space."""

    previous: Word | None
    following: Word | None


@lru_cache(maxsize=64)
def _glued_pattern(letters: str) -> re.Pattern:
    return re.compile(f"[{re.escape(letters)}]/")


def check_text_piece(piece: Piece, word: Word, around: Neighbours, scheme: TagScheme, out: list[Problem]) -> None:
    if len(word.pieces) == 1 and (token := TOKEN_TAG.fullmatch(piece.text)):
        written = token[1]
        if written not in scheme.by_text:
            out.append(unknown_tag(written, piece.start, piece.start + 2, scheme))
        return
    if _half_of_broken_dual(piece, word):
        return  # the malformed-dual rule reports it, with the fix for both halves
    glued = _check_glued(piece, scheme, out)
    parts = split_text(piece, scheme)
    first, last = piece is word.pieces[0], piece is word.pieces[-1]
    if not parts.core and len(word.pieces) == 1:
        _mark_alone(piece, parts, around, scheme, out)
        return
    if parts.prefix and not first:
        out.append(_mark_problem("mark-in-word", piece.start, parts.prefix[0], scheme))
    reported = glued | _check_core_marks(piece, parts, word, around, scheme, glued, out)
    if last:
        _check_tail(parts, scheme, out)
    else:
        reported |= _check_inner_tail(piece, parts, scheme, out)
    check_word_characters(parts.core, parts.core_start, scheme, out, frozenset(reported))


def _half_of_broken_dual(piece: Piece, word: Word) -> bool:
    """``/칠십`` after ``(70%)``, ``70%/`` before ``(칠십)``, or a ``/`` between parentheses."""
    index = word.pieces.index(piece)
    before = word.pieces[index - 1] if index else None
    after = word.pieces[index + 1] if index + 1 < len(word.pieces) else None
    parenthesis = (PieceKind.GROUP, PieceKind.BRACKET_CHAR)
    return (before is not None and before.kind in parenthesis and piece.text.startswith("/")) or (
        after is not None and after.kind in parenthesis and piece.text.endswith("/")
    )


def _check_glued(piece: Piece, scheme: TagScheme, out: list[Problem]) -> set[int]:
    """``아n/`` or ``n/아``: ESPnet deletes the tag letters from the word."""
    if not scheme.token_letters or "/" not in piece.text:
        return set()
    reported: set[int] = set()
    for match in _glued_pattern(scheme.token_letters).finditer(piece.text):
        start = piece.start + match.start()
        before = piece.text[: match.start()]
        after = piece.text[match.end() :]
        replacement = (f"{before} " if before else "") + match.group() + (f" {after}" if after else "")
        out.append(problem("tag-glued", start, start + 2, Fix(piece.start, piece.end, replacement), tag=match.group()))
        reported.update((start, start + 1))
    return reported


def _check_core_marks(
    piece: Piece,
    parts: TextParts,
    word: Word,
    around: Neighbours,
    scheme: TagScheme,
    glued: set[int],
    out: list[Problem],
) -> set[int]:
    """Suffix marks inside the word: at its start (``+몬``) or in its middle (``모+몬``)."""
    reported: set[int] = set()
    for index, char in enumerate(parts.core):
        at = parts.core_start + index
        if char not in scheme.suffix_marks or at in glued:
            continue
        reported.add(at)
        if index == 0 and piece is word.pieces[0] and not parts.prefix:
            out.append(_mark_at_start(char, at, piece, parts, around, scheme))
        elif char == "+":
            out.append(_mark_problem("plus-joined", at, char, scheme, _space_after(piece, at)))
        else:
            out.append(_mark_problem("mark-in-word", at, char, scheme, _space_after(piece, at)))
    return reported


def _mark_at_start(
    char: str, at: int, piece: Piece, parts: TextParts, around: Neighbours, scheme: TagScheme
) -> Problem:
    """``+몬`` means the word before was repeated (ESPnet itself reads ``모 +몬`` as ``모+ 몬``);
    ``*까`` and ``/아`` mark the word they touch, so the mark moves to its end."""
    if char == "+" and scheme.suffix_marks[char].kind == TagKind.REPETITION:
        if around.previous is not None:
            previous = around.previous
            fix = Fix(previous.start, piece.end, f"{_text_of(previous)}+ {piece.text[at + 1 - piece.start :]}")
        else:
            fix = Fix(at, at + 1, "")
    else:
        fix = Fix(parts.core_start, parts.core_end, parts.core[1:] + char)
    return _mark_problem("mark-at-word-start", at, char, scheme, fix)


def _mark_alone(piece: Piece, parts: TextParts, around: Neighbours, scheme: TagScheme, out: list[Problem]) -> None:
    marks = [char for char in parts.prefix + parts.tail if char in scheme.suffix_marks or char in scheme.prefix_marks]
    if not marks:
        return  # punctuation on its own: harmless, ESPnet removes it
    mark = marks[0]
    if mark == "+" and around.previous is not None:
        fix = Fix(around.previous.start, piece.end, _text_of(around.previous) + piece.text)  # on the word before
    elif around.previous is not None:
        fix = Fix(around.previous.end, piece.end, "")
    else:
        fix = Fix(piece.start, around.following.start if around.following else piece.end, "")
    out.append(_mark_problem("mark-alone", piece.start, mark, scheme, fix, end=piece.end))


def _check_tail(parts: TextParts, scheme: TagScheme, out: list[Problem]) -> None:
    tail, start = parts.tail, parts.core_end
    marks = [char for char in tail if char in scheme.suffix_marks]
    if len(set(marks)) < len(marks):
        fixed, seen = "", set()
        for char in tail:
            if char in scheme.suffix_marks and char in seen:
                continue
            seen.add(char)
            fixed += char
        duplicate = next(char for char in marks if marks.count(char) > 1)
        out.append(
            problem("repeated-mark", start, start + len(tail), Fix(start, start + len(tail), fixed), mark=duplicate)
        )
        return
    plus = tail.find("+")
    if plus < 0 or "+" not in scheme.suffix_marks:
        return
    after = tail[plus + 1 :]
    if any(char in scheme.suffix_marks and char != "*" for char in after):
        fixed = (
            parts.core + tail.replace("+", "").rstrip(",.?!") + "+" + "".join(char for char in tail if char in ",.?!")
        )
        out.append(
            problem(
                "mark-order",
                start + plus,
                start + plus + 1,
                Fix(parts.core_start, start + len(tail), fixed),
                mark="+",
                fixed=fixed,
            )
        )
    elif any(char in ",.?!" for char in after):
        out.append(
            problem("repetition-before-punctuation", parts.core_start, start + len(tail), text=parts.core + tail)
        )


def _check_inner_tail(piece: Piece, parts: TextParts, scheme: TagScheme, out: list[Problem]) -> set[int]:
    """Marks at the end of a piece that more of the word follows (``모+(3)/(삼)``)."""
    reported = set()
    for index, char in enumerate(parts.tail):
        if char in scheme.suffix_marks:
            at = parts.core_end + index
            code = "plus-joined" if char == "+" else "mark-in-word"
            out.append(_mark_problem(code, at, char, scheme, _space_after(piece, at)))
            reported.add(at)
    return reported


def _space_after(piece: Piece, at: int) -> Fix:
    """The piece with a space after the mark at ``at``: ``모+몬`` -> ``모+ 몬``."""
    cut = at + 1 - piece.start
    return Fix(piece.start, piece.end, f"{piece.text[:cut]} {piece.text[cut:]}")


def _text_of(word: Word) -> str:
    return "".join(piece.text for piece in word.pieces)


def _mark_problem(
    code: str, at: int, mark: str, scheme: TagScheme, fix: Fix | None = None, end: int | None = None
) -> Problem:
    tag = scheme.suffix_marks.get(mark) or scheme.prefix_marks.get(mark)
    meaning = tag.meaning if tag is not None else mark
    return problem(code, at, at + 1 if end is None else end, fix, mark=mark, meaning=meaning)
