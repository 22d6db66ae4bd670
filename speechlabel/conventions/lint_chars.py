"""Character rules: which characters a word, a dual side or a tag's content may hold, where
digits may be written, and invisible control characters."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from speechlabel.conventions.korean_numbers import NUMBER, read_number, read_numbers_in
from speechlabel.conventions.problems import Fix, Problem, problem
from speechlabel.conventions.schemes import DigitRule, TagScheme

# ESPnet deletes "*" and "#" everywhere, removes "/" after any run of characters and drops
# lines with a "+" it cannot place: none of them may sit inside a dual transcription.
MARKS_IN_DUAL = "+/*"
_SPELLING_BAD = re.compile(r"[+/*#\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
# One slash with a letter or digit on each side: "and/or", "50/50", "km/h".
_JOINING_SLASH = re.compile(r"(?<=[^\W_])/(?=[^\W_])")


@lru_cache(maxsize=64)
def _not_allowed(word_characters: str, also: str) -> re.Pattern:
    return re.compile(f"[^{word_characters}{also}]+")


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Cn")


def _name(chars: str) -> str:
    if len(set(chars)) > 1:
        return "characters"
    return unicodedata.name(chars[0], f"U+{ord(chars[0]):04X}")


def check_word_characters(
    text: str,
    offset: int,
    scheme: TagScheme,
    out: list[Problem],
    skip: frozenset[int] = frozenset(),
    marks_allowed: bool = True,
) -> None:
    """Characters of a word (or a tag's content) outside dual transcriptions; ``skip`` holds
    offsets other rules have reported already (glued tags). Suffix marks are left to the mark
    rules unless ``marks_allowed`` is False (inside a code tag, where they have no place). A
    slash joining two words or numbers is text in a scheme that writes nothing with "/"."""
    numbers: set[int] = set()
    if scheme.digits == DigitRule.SPELLING_SIDE_ONLY and any(char.isdigit() for char in text):
        for match in NUMBER.finditer(text):
            start, end = offset + match.start(), offset + match.end()
            written = match.group()
            suggestion = f"({written})/({read_number(written)})"
            out.append(problem("digits-outside-dual", start, end, Fix(start, end, suggestion), suggestion=suggestion))
            numbers.update(range(start, end))
    joining = (
        {offset + match.start() for match in _JOINING_SLASH.finditer(text)}
        if scheme.slash_joins_words and "/" in text
        else set()
    )
    marks = re.escape("".join(scheme.suffix_marks)) if marks_allowed else ""
    for match in _not_allowed(scheme.word_characters, r"\d" + marks).finditer(text):
        run_start = offset + match.start()
        for start, chars in _runs(match.group(), run_start, numbers | joining | skip):
            out.append(_character_problem(chars, start, scheme))


def _runs(chars: str, start: int, skip: set[int] | frozenset[int]):
    """Consecutive characters of one class (control, Latin, other), skipping reported offsets."""
    run, run_start, run_class = "", start, None
    for index, char in enumerate(chars, start):
        char_class = (
            None
            if index in skip
            else ("control" if _is_control(char) else "latin" if char.isascii() and char.isalpha() else "other")
        )
        if char_class != run_class or char_class == "control":
            if run_class is not None:
                yield run_start, run
            run, run_start = "", index
        run_class = char_class
        if char_class is not None:
            run += char
    if run_class is not None and run:
        yield run_start, run


def _character_problem(chars: str, start: int, scheme: TagScheme) -> Problem:
    end = start + len(chars)
    if _is_control(chars[0]):
        return problem("control-character", start, end, Fix(start, end, ""), name=_name(chars))
    if chars.isascii() and chars.isalpha() and scheme.dual_transcription:
        return problem("latin-outside-dual", start, end, text=chars)
    normal = unicodedata.normalize("NFKC", chars)
    fits = normal != chars and _not_allowed(scheme.word_characters, r"\d").search(normal) is None
    return problem(
        "stray-character",
        start,
        end,
        Fix(start, end, normal) if fits else None,
        char=chars,
        name=_name(chars),
        scheme=scheme.name,
    )


def check_dual_side(text: str, offset: int, side: str, scheme: TagScheme, out: list[Problem]) -> None:
    """One side of ``(spelling)/(pronunciation)``. The spelling side may hold anything printable
    but marks; the pronunciation side holds the scheme's word characters, numbers spelled out."""
    reported = set()
    for match in _SPELLING_BAD.finditer(text):
        out.append(_dual_character_problem(match.group(), offset + match.start(), side))
        reported.add(offset + match.start())
    if side == "spelling":
        return
    if scheme.digits != DigitRule.ANYWHERE and any(char.isdigit() for char in text):
        numbers = list(NUMBER.finditer(text))
        if numbers:
            written = text[numbers[0].start() : numbers[-1].end()]
            start, end = offset + numbers[0].start(), offset + numbers[-1].end()
            reading = read_numbers_in(written)
            out.append(
                problem(
                    "digits-in-pronunciation", start, end, Fix(start, end, reading), number=written, reading=reading
                )
            )
    # Digits were judged just above; spaces separate the words of a side.
    for match in _not_allowed(scheme.word_characters, r"\d ").finditer(text):
        for start, chars in _runs(match.group(), offset + match.start(), frozenset(reported)):
            if _is_control(chars[0]):
                out.append(
                    problem(
                        "control-character",
                        start,
                        start + len(chars),
                        Fix(start, start + len(chars), ""),
                        name=_name(chars),
                    )
                )
                continue
            hint = "; write it as it is said, in Hangul" if scheme.language == "ko" else ""
            out.append(
                problem(
                    "stray-character-in-dual",
                    start,
                    start + len(chars),
                    char=chars,
                    name=_name(chars),
                    side=side,
                    hint=hint,
                )
            )


def _dual_character_problem(char: str, start: int, side: str) -> Problem:
    if char in MARKS_IN_DUAL:
        return problem("mark-in-dual", start, start + 1, char=char)
    if _is_control(char):
        return problem("control-character", start, start + 1, Fix(start, start + 1, ""), name=_name(char))
    return problem(
        "stray-character-in-dual", start, start + 1, char=char, name=_name(char), side=side, hint="; ESPnet deletes it"
    )
