"""SubRip (``.srt``) and WebVTT (``.vtt``) cues: start, end, text, and the speaker of a VTT voice.

Written here rather than taken from a library: the formats are small and what a transcript
import needs is tolerance, not rendering. Handled: a byte-order mark, CRLF or CR line ends,
cue numbers and identifiers, cue settings after the end time (``align:start``, SRT's
``X1:…``), text over several lines (joined with a space), markup (``<i>``, ``<font …>``,
``<c.loud>``, ``<v Ana>``, karaoke ``<00:00:01.000>``, ASS overrides like ``{\\an8}``) removed
and entities (``&amp;``) decoded, VTT header, ``NOTE``, ``STYLE`` and ``REGION`` blocks
skipped, and times with or without hours, with ``,`` or ``.`` before the milliseconds. A
``<v Name>`` voice span names the cue's speaker (when a cue has one voice). A block that is not
a cue is reported with its line number and the others are kept.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from speechlabel.ingest.datasets.model import ImportProblem

_TIMING = re.compile(r"^\s*(?P<start>[\d:.,]+)\s*-->\s*(?P<end>[\d:.,]+)(?:\s.*)?$")
_TIME = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:[.,](?P<f>\d{1,3}))?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?(?:[A-Za-z][^<>]*|\d[\d:.]*)>")
_ASS_OVERRIDE = re.compile(r"\{\\[^{}]*\}")
_VTT_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


@dataclass(frozen=True)
class Cue:
    line: int
    """The line of the cue's timing (1-based)."""
    start: float
    end: float
    text: str
    speaker: str | None = None


def parse_subtitles(content: str, source: str, vtt: bool) -> tuple[list[Cue], list[ImportProblem]]:
    """The cues of an SRT (``vtt`` False) or WebVTT file's text, and a problem per broken block."""
    blocks = _blocks(content.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    if vtt:
        if not blocks or not blocks[0][1][0].startswith("WEBVTT"):
            return [], [ImportProblem(source, 1, "the file does not start with 'WEBVTT'; a WebVTT file must")]
        blocks = [block for block in blocks[1:] if not _skipped_vtt_block(block[1])]
    cues, problems = [], []
    for first_line, lines in blocks:
        try:
            cues.append(_cue(first_line, lines))
        except _BadCue as error:
            problems.append(ImportProblem(source, error.line, str(error), segments_skipped=1))
    return cues, problems


class _BadCue(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        elif current:
            current = []
    return blocks


def _skipped_vtt_block(lines: list[str]) -> bool:
    first = lines[0]
    return "-->" not in first and any(
        first == name or first.startswith((f"{name} ", f"{name}\t")) for name in _VTT_SKIPPED_BLOCKS
    )


def _cue(first_line: int, lines: list[str]) -> Cue:
    # The timing is the first line, or the second after a cue number / identifier.
    index = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
    if index is None:
        shown = " / ".join(line.strip() for line in lines[:2])[:80]
        raise _BadCue(
            first_line,
            f"the block {shown!r} has no timing line ('start --> end'); "
            "each cue needs one, after an optional number or identifier",
        )
    number = first_line + index
    timing = _TIMING.match(lines[index])
    if not timing:
        raise _BadCue(
            number,
            f"the timing {lines[index].strip()[:60]!r} is not 'start --> end' (times like 00:01:02,500 or 01:02.500)",
        )
    start, end = (_seconds(timing.group(name), number) for name in ("start", "end"))
    text, speaker = clean_cue_text(lines[index + 1 :])
    return Cue(number, start, end, text, speaker)


def _seconds(value: str, line: int) -> float:
    match = _TIME.match(value)
    if not match or int(match.group("m")) > 59 or int(match.group("s")) > 59:
        raise _BadCue(
            line, f"the time {value!r} is not allowed; use hh:mm:ss,mmm or mm:ss.mmm (minutes and seconds below 60)"
        )
    fraction = match.group("f") or ""
    return (
        int(match.group("h") or 0) * 3600
        + int(match.group("m")) * 60
        + int(match.group("s"))
        + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)
    )


def clean_cue_text(lines: list[str]) -> tuple[str, str | None]:
    """The cue's words on one line without markup, and the speaker of its voice span if it has
    exactly one."""
    joined = " ".join(line.strip() for line in lines)
    voices = {" ".join(voice.split()) for voice in _VOICE.findall(joined)}
    text = html.unescape(_ASS_OVERRIDE.sub("", _TAG.sub("", joined)))
    return " ".join(text.split()), voices.pop() if len(voices) == 1 else None
