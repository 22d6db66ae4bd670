"""The transcript linter: ``lint(text, scheme)`` lists every problem with its position, a rule
code, a message and, where one exists, a fix.

Fast enough to run on every rerun of the label page (``python bench/lint_speed.py``: a
200-character line takes 0.2-0.3 ms to find its problems, and 0.5-1.8 ms with its fixes checked,
below). Errors are what a scheme forbids or what ESPnet's KsponSpeech recipe
(``egs2/ksponspeech/asr1/local/get_transcriptions.py``) would drop or mangle; warnings are
untidy but harmless. A line without errors comes through that recipe non-empty and
equal to ``text_variant(..., side=spelling, style=disfluent, unintelligible="[unk]")`` up to case
and punctuation (tested in ``tests/test_conventions_espnet.py``).

A fix never leaves more errors than the text had: each one is checked by linting the text it
makes, and one that would (a number wrapped as a dual transcription inside a parenthesis left
open, a tag rewritten next to a glued mark) is dropped; the problem is reported without it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import lru_cache

from speechlabel.conventions.lint_tags import check_bracket, check_code, check_dual, check_group, speaks, tag_only
from speechlabel.conventions.lint_words import Neighbours, check_text_piece
from speechlabel.conventions.problems import Fix, Problem, problem
from speechlabel.conventions.reading import TOKEN_TAG, split_text
from speechlabel.conventions.schemes import TagKind, TagScheme
from speechlabel.conventions.syntax import PieceKind, Word, parse
from speechlabel.core.errors import ValidationError

_WHITESPACE = re.compile(r"\s+")
_PARENTHESES = re.compile(r"[()]")
# ESPnet deletes "*" (stage 1) and a "+" before a space (stage 2) before it joins ") / (" (stage 3).
_SLASH_BETWEEN_PARENTHESES = re.compile(r"\)[\s*]*/[\s*+]*\(")


def lint(text: str, scheme: TagScheme) -> list[Problem]:
    """Problems of ``text`` under ``scheme``, in text order."""
    if not isinstance(text, str):
        raise ValidationError(message_key="error.text_not_string", params={"type": type(text).__name__})
    if not isinstance(scheme, TagScheme):
        raise ValidationError(message_key="error.scheme_not_scheme", params={"type": type(scheme).__name__})
    return _without_harmful_fixes(text, scheme, _problems(text, scheme))


def _without_harmful_fixes(text: str, scheme: TagScheme, problems: list[Problem]) -> list[Problem]:
    """Each fix is judged on its own by linting the text it makes: rules see one word at a time,
    so a fix can be right for its word and wrong for the line (``(가 1``: wrapping ``1`` as
    ``(1)/(일)`` nests it in the open parenthesis). Costs one more lint per fix, on lines with fixes."""
    if not any(item.fix for item in problems):
        return problems
    errors = sum(item.is_error for item in problems)
    return [item if _harmless(text, item.fix, errors, scheme) else replace(item, fix=None) for item in problems]


def _harmless(text: str, fix: Fix | None, errors: int, scheme: TagScheme) -> bool:
    return fix is None or _keeps_separators(text, fix) or _errors_after(text, fix, scheme) <= errors


def _keeps_separators(text: str, fix: Fix) -> bool:
    """A whitespace run made one space, or dropped at an end of the text: every word and tag
    stays as it was, with a space between each, so no rule sees anything new (skips a lint)."""
    replaced = text[fix.start : fix.end]
    at_end = fix.start == 0 or fix.end == len(text)
    return replaced.isspace() and (fix.replacement == " " or (fix.replacement == "" and at_end))


def _errors_after(text: str, fix: Fix, scheme: TagScheme) -> int:
    fixed = text[: fix.start] + fix.replacement + text[fix.end :]
    return sum(found.is_error for found in _problems(fixed, scheme))


def _problems(text: str, scheme: TagScheme) -> list[Problem]:
    if not text.strip():
        return [problem("empty-transcript", 0, len(text))]
    out: list[Problem] = []
    _check_whitespace(text, out)
    balanced = _check_parentheses(text, out)
    words = parse(text)
    if balanced:  # otherwise the parenthesis problems say it first
        _check_slashes_between_parentheses(text, words, out)
    words_before = spoken = False
    plain = _plain_word(scheme.word_characters)
    for index, word in enumerate(words):
        first = word.pieces[0]
        if (
            len(word.pieces) == 1
            and first.kind == PieceKind.TEXT
            and plain.fullmatch(first.text)
            and first.text[0] not in scheme.prefix_marks
        ):
            # Most words are just letters: nothing to check (measured: halves the time per line).
            words_before = True
            spoken = spoken or any(char.isalnum() for char in first.text)
            continue
        around = Neighbours(words[index - 1] if index else None, words[index + 1] if index + 1 < len(words) else None)
        _check_word(word, around, scheme, balanced, out)
        _check_at_start(word, words_before, text, scheme, out)
        words_before = words_before or not tag_only(word, scheme)
        spoken = spoken or speaks(word, scheme)
    if not spoken:
        out.append(problem("no-words", 0, len(text)))
    out.sort(key=lambda item: (item.start, item.end, item.code))
    return out


@lru_cache(maxsize=64)
def _plain_word(word_characters: str) -> re.Pattern:
    """A word of nothing but allowed characters, without "/" (a tag letter may precede one)."""
    return re.compile(f"(?:(?!/)[{word_characters}])+")


def _check_word(word: Word, around: Neighbours, scheme: TagScheme, balanced: bool, out: list[Problem]) -> None:
    for piece in word.pieces:
        kind = piece.kind
        if kind == PieceKind.TEXT:
            check_text_piece(piece, word, around, scheme, out)
        elif kind == PieceKind.DUAL:
            check_dual(piece, scheme, out)
        elif kind == PieceKind.CODE:
            check_code(piece, scheme, out)
        elif kind == PieceKind.BRACKET:
            check_bracket(piece, scheme, out)
        elif kind == PieceKind.GROUP and balanced:
            check_group(piece, word, scheme, out)
        elif kind == PieceKind.BRACKET_CHAR and piece.text not in "()":  # ( ) are the balance check's
            out.append(
                problem(
                    "stray-character",
                    piece.start,
                    piece.end,
                    char=piece.text,
                    name=unicodedata.name(piece.text),
                    scheme=scheme.name,
                )
            )
    _check_marks_on_dual(word, scheme, out)


def _check_marks_on_dual(word: Word, scheme: TagScheme, out: list[Problem]) -> None:
    """ESPnet's fluent text (fl) removes ``[^ +]+/`` after choosing a side, so a filler mark on
    a side with spaces takes only its last word; and it removes a repeated dual from its opening
    parenthesis, leaving what was glued before it (or the dual before it)."""
    duals = [piece for piece in word.pieces if piece.kind == PieceKind.DUAL]
    last = word.pieces[-1]
    if not duals or last.kind != PieceKind.TEXT:
        return
    kinds = {tag.kind for tag in split_text(last, scheme).marks(scheme)}
    spaced = any(" " in side.strip() for piece in duals for side in piece.parts)
    if TagKind.FILLER in kinds and spaced:
        out.append(problem("disfluency-mark-on-dual", word.start, word.end, kind="filler"))
    elif TagKind.REPETITION in kinds and word.pieces[0] is not duals[-1]:
        out.append(problem("disfluency-mark-on-dual", word.start, word.end, kind="repetition"))


def _check_at_start(word: Word, words_before: bool, text: str, scheme: TagScheme, out: list[Problem]) -> None:
    """``o/`` (other speaker) comes before every word; other tags may precede it."""
    if not words_before or len(word.pieces) != 1:
        return
    match = TOKEN_TAG.fullmatch(word.pieces[0].text)
    tag = scheme.by_text.get(match[1]) if match else None
    if tag is None or not tag.at_start:
        return
    moved = f"{tag.text} {text[: word.start].strip()}"
    out.append(
        problem(
            "tag-not-at-start",
            word.start,
            word.start + 2,
            Fix(0, word.start + 2, moved),
            tag=tag.text,
            meaning=tag.meaning,
        )
    )


def _check_slashes_between_parentheses(text: str, words: tuple[Word, ...], out: list[Problem]) -> None:
    """ESPnet first rewrites every ``) / (`` as ``)/(``, then reads dual transcriptions: a
    ``/`` between a closing and an opening parenthesis that is not a dual's own slash (a filler
    mark on a dual followed by another) joins the two into one."""
    if ")" not in text or "/" not in text:
        return
    gaps = {
        piece.part_starts[0] + len(piece.parts[0])
        for word in words
        for piece in word.pieces
        if piece.kind == PieceKind.DUAL
    }
    for match in _SLASH_BETWEEN_PARENTHESES.finditer(text):
        if match.start() not in gaps:
            slash = text.index("/", match.start())
            out.append(problem("slash-between-parentheses", slash, slash + 1))


def _check_whitespace(text: str, out: list[Problem]) -> None:
    for match in _WHITESPACE.finditer(text):
        start, end = match.span()
        run = match.group()
        if start == 0:
            out.append(problem("leading-space", start, end, Fix(start, end, "")))
        elif end == len(text):
            out.append(problem("trailing-space", start, end, Fix(start, end, "")))
        elif run.strip(" "):
            odd = next(char for char in run if char != " ")
            out.append(
                problem(
                    "whitespace-character",
                    start,
                    end,
                    Fix(start, end, " "),
                    name=unicodedata.name(odd, f"U+{ord(odd):04X}"),
                )
            )
        elif len(run) > 1:
            out.append(problem("double-space", start, end, Fix(start, end, " "), count=str(len(run))))


def _check_parentheses(text: str, out: list[Problem]) -> bool:
    """Unbalanced and nested parentheses; True when there are none (then the pieces the parser
    found are trustworthy enough to judge dual transcriptions one by one)."""
    if "(" not in text and ")" not in text:
        return True
    opened: list[int] = []
    balanced = True
    for match in _PARENTHESES.finditer(text):
        at = match.start()
        if match.group() == "(":
            if opened:
                out.append(problem("nested-parentheses", at, at + 1))
                balanced = False
            opened.append(at)
        elif opened:
            opened.pop()
        else:
            out.append(problem("unbalanced-parenthesis", at, at + 1, char=")", other="("))
            balanced = False
    for at in opened:
        out.append(problem("unbalanced-parenthesis", at, at + 1, char="(", other=")"))
        balanced = False
    return balanced
