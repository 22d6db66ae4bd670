"""Praat TextGrid files, in the long ("text") and the short text format.

Both formats hold the same values in the same order; the long one adds labels (``xmin =``,
``item [1]:``, ``intervals: size =``). So the file is read as Praat reads it: a stream of
numbers, quoted strings (``""`` is a quote inside one; a string may span lines) and flags
(``<exists>``), skipping every other word and ``!`` comments. Then: the header strings
``ooTextFile`` / ``TextGrid``, the grid's xmin and xmax, ``<exists>``, the tier count, and per
tier its class, name, xmin, xmax, item count and items (interval tiers: xmin, xmax, text; point
tiers: time, mark). Binary TextGrids are refused with a note to save them as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INTERVAL_TIER = "IntervalTier"
POINT_TIER = "TextTier"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\Z")


class TextGridError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Interval:
    line: int
    """The line of the interval's text (1-based)."""
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Tier:
    kind: str
    """``IntervalTier`` or ``TextTier`` (a point tier)."""
    name: str
    line: int
    intervals: tuple[Interval, ...] = ()


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "string" or "flag"
    value: str
    line: int


def parse_textgrid(content: str) -> list[Tier]:
    """The tiers of a TextGrid file's text; TextGridError (with the line) if it is not one."""
    if content.startswith("ooBinaryFile"):
        raise TextGridError(1, "this is a binary TextGrid; save it from Praat as a text file (long or short)")
    tokens = _Reader(_tokens(content.removeprefix("\ufeff")))
    if tokens.string("the file type") != "ooTextFile" or tokens.string("the object class") != "TextGrid":
        raise TextGridError(
            1, 'the file is not a TextGrid; it must begin with File type = "ooTextFile" and Object class = "TextGrid"'
        )
    tokens.number("the grid's start")
    tokens.number("the grid's end")
    if tokens.flag("<exists>") != "<exists>":
        return []
    return [_tier(tokens) for _ in range(tokens.count("the number of tiers"))]


def _tier(tokens: _Reader) -> Tier:
    kind = tokens.string("a tier class")
    line = tokens.last_line
    name = tokens.string("the tier name")
    tokens.number("the tier's start")
    tokens.number("the tier's end")
    count = tokens.count("the number of items")
    if kind == INTERVAL_TIER:
        intervals = []
        for _ in range(count):
            start, end = tokens.number("an interval's start"), tokens.number("an interval's end")
            text = tokens.string("an interval's text")
            intervals.append(Interval(tokens.last_line, start, end, text))
        return Tier(kind, name, line, tuple(intervals))
    if kind == POINT_TIER:
        for _ in range(count):
            tokens.number("a point's time")
            tokens.string("a point's mark")
        return Tier(kind, name, line)
    raise TextGridError(line, f"tier class {kind!r} is unknown; a TextGrid holds IntervalTier and TextTier tiers")


class _Reader:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._next = 0
        self.last_line = 1

    def _take(self, kind: str, what: str) -> str:
        if self._next >= len(self._tokens):
            raise TextGridError(self.last_line, f"the file ends where {what} should come; it is cut short")
        token = self._tokens[self._next]
        self._next += 1
        self.last_line = token.line
        if token.kind != kind:
            raise TextGridError(token.line, f"expected {what} (a {kind}) but found {token.value[:40]!r}")
        return token.value

    def string(self, what: str) -> str:
        return self._take("string", what)

    def number(self, what: str) -> float:
        return float(self._take("number", what))

    def count(self, what: str) -> int:
        value = self.number(what)
        if value < 0 or value != int(value):
            raise TextGridError(self.last_line, f"{what} is {value:g}; it must be a whole number")
        return int(value)

    def flag(self, what: str) -> str:
        return self._take("flag", what)


def _tokens(text: str) -> list[_Token]:
    tokens, position, line = [], 0, 1
    while position < len(text):
        char = text[position]
        if char == "\n":
            line += 1
            position += 1
        elif char.isspace():
            position += 1
        elif char == '"':
            value, end = _string(text, position, line)
            tokens.append(_Token("string", value, line))
            line += text.count("\n", position, end)
            position = end
        elif char == "!":  # a comment to the end of the line
            end = text.find("\n", position)
            position = len(text) if end < 0 else end
        else:
            end = position
            while end < len(text) and not text[end].isspace() and text[end] != '"':
                end += 1
            word = text[position:end]
            if _NUMBER.match(word):
                tokens.append(_Token("number", word, line))
            elif word.startswith("<") and word.endswith(">"):
                tokens.append(_Token("flag", word, line))
            position = end  # labels such as "xmin", "=", "item", "[1]:" are skipped
    return tokens


def _string(text: str, start: int, line: int) -> tuple[str, int]:
    """The quoted string at ``start`` (``""`` inside is one quote) and the index after it."""
    parts, position = [], start + 1
    while True:
        end = text.find('"', position)
        if end < 0:
            raise TextGridError(line, "a string opened here is never closed (a '\"' is missing)")
        parts.append(text[position:end])
        if text.startswith('""', end):
            parts.append('"')
            position = end + 2
        else:
            return "".join(parts), end + 1
