"""The shape of a transcript, the same for every scheme: words made of pieces.

One regular expression cuts the text into pieces — dual transcriptions ``(A)/(B)``, code tags
``(XX:…)``, lone parenthesised groups, bracket tags, runs of other characters, and the bracket
characters nothing accounts for — and pieces with no space between them form a word
(``(1시)/(한 시)에`` is one word of two pieces). What the pieces mean is the scheme's business
(``lint``, ``variants``, ``convert``). Offsets are character offsets into the text.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class PieceKind(enum.Enum):
    DUAL = "dual"  # (spelling)/(pronunciation)
    CODE = "code"  # (XX:content)
    GROUP = "group"  # (text) that is neither: half a dual transcription
    BRACKET = "bracket"  # [name] or <name>
    TEXT = "text"  # a run of anything else but spaces and brackets
    BRACKET_CHAR = "bracket_char"  # ( ) [ ] < > that no pattern accounts for


_PIECES = re.compile(
    r"""
      (?P<dual>\((?P<spelling>[^()]*)\)(?P<gap>\s*/\s*)\((?P<pronunciation>[^()]*)\))
    | (?P<code>\((?P<name>[A-Za-z]+):(?P<body>[^()]*)\))
    | (?P<group>\((?P<inner>[^()]*)\))
    | (?P<bracket>\[[^\[\]()<>\n]*\]|<[^<>\[\]()\n]*>)
    | (?P<space>\s+)
    | (?P<text>[^\s()\[\]<>]+)
    | (?P<bracket_char>[()\[\]<>])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Piece:
    """``parts``: DUAL (spelling, pronunciation), CODE (name, content), GROUP (inner text);
    ``part_starts`` their offsets."""

    kind: PieceKind
    start: int
    end: int
    text: str
    parts: tuple[str, ...] = ()
    part_starts: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Word:
    pieces: tuple[Piece, ...]

    @property
    def start(self) -> int:
        return self.pieces[0].start

    @property
    def end(self) -> int:
        return self.pieces[-1].end


def parse(text: str) -> tuple[Word, ...]:
    """The words of ``text`` in order."""
    words: list[Word] = []
    current: list[Piece] = []
    for match in _PIECES.finditer(text):
        kind = match.lastgroup
        assert kind is not None  # every alternative of _PIECES is a named group
        if kind == "space":
            if current:
                words.append(Word(tuple(current)))
                current = []
            continue
        current.append(_piece(kind, match))
    if current:
        words.append(Word(tuple(current)))
    return tuple(words)


def _piece(kind: str, match: re.Match) -> Piece:
    start, end = match.span()
    if kind == "dual":
        return Piece(
            PieceKind.DUAL,
            start,
            end,
            match.group(),
            (match["spelling"], match["pronunciation"]),
            (match.start("spelling"), match.start("pronunciation")),
        )
    if kind == "code":
        return Piece(
            PieceKind.CODE,
            start,
            end,
            match.group(),
            (match["name"], match["body"]),
            (match.start("name"), match.start("body")),
        )
    if kind == "group":
        return Piece(PieceKind.GROUP, start, end, match.group(), (match["inner"],), (match.start("inner"),))
    return Piece(PieceKind(kind), start, end, match.group())
