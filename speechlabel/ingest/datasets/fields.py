"""Reading JSON-lines manifests (plain or gzip) line by line, and checking one line's fields.

A field that is missing or of the wrong type raises :class:`BadField` with a message naming the
field, what it held and what is allowed; the reader turns it into a problem at that line.
"""

from __future__ import annotations

import gzip
import json
import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from speechlabel.core.errors import ValidationError

# Column widths of the store (PostgreSQL enforces them; SQLite would not).
MAX_SPEAKER_LENGTH = 100
MAX_LANGUAGE_LENGTH = 16


class BadField(Exception):
    """One field of one line is not usable; the message says why and what is allowed."""


@dataclass(frozen=True)
class JsonLine:
    number: int
    value: dict[str, Any] | None
    """The object on the line; None when the line is not a JSON object (see ``error``)."""
    error: str | None = None


def read_json_lines(path: Path) -> Iterator[JsonLine]:
    """Every non-blank line of a ``.json``/``.jsonl`` file (gzip when the name ends ``.gz``).

    A file that cannot be opened raises ValidationError; one that breaks off (a damaged gzip
    stream, a read error) ends with an error line, and the lines before it still count."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        handle = opener(path, "rb")
    except OSError as error:
        reason = error.strerror or str(error)
        raise ValidationError(message_key="error.file_unreadable", params={"path": path, "reason": reason}) from None
    number = 0
    with handle:
        try:
            for number, raw in enumerate(handle, start=1):
                if raw.strip():
                    yield _parse_line(number, raw)
        except (OSError, EOFError, zlib.error) as error:
            yield JsonLine(
                number + 1,
                None,
                f"the file cannot be read from line {number + 1} on ({error}); the lines after it were not imported",
            )


def _parse_line(number: int, raw: bytes) -> JsonLine:
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as error:
        return JsonLine(
            number, None, f"the line is not UTF-8 text ({error.reason} at byte {error.start}); manifests must be UTF-8"
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return JsonLine(
            number,
            None,
            f"the line is not JSON ({error.msg} at column {error.colno}); each line must be one JSON object",
        )
    if not isinstance(value, dict):
        return JsonLine(
            number, None, f"the line is a JSON {type(value).__name__}, not an object; each line must be one JSON object"
        )
    return JsonLine(number, value)


def required(line: dict[str, Any], key: str) -> Any:
    if key not in line or line[key] is None:
        raise BadField(f"the {key!r} field is missing; it is required")
    return line[key]


def number(line: dict[str, Any], key: str, *, positive: bool = False, default: float | None = None) -> float | None:
    """A finite number at least 0 (above 0 when ``positive``); ``default`` when absent."""
    value = line.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadField(f"{key} {value!r} is not a number; give seconds as a number")
    if value < 0 or (positive and value == 0):
        allowed = "above 0" if positive else "0 or more"
        raise BadField(f"{key} {value!r} is not allowed; give {allowed} seconds")
    return float(value)


def text(line: dict[str, Any], key: str) -> str:
    value = required(line, key)
    if not isinstance(value, str):
        raise BadField(f"the {key!r} field is a {type(value).__name__}, not a string; give the transcript as text")
    return value


def name(line: dict[str, Any], key: str, max_length: int) -> str | None:
    """An optional short name (speaker, language): a string or a whole number, trimmed; None when
    absent or empty."""
    value = line.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadField(f"{key} {value!r} is not allowed; give a string")
    value = " ".join(str(value).split())
    if len(value) > max_length:
        raise BadField(f"{key} {value[:40]!r}… is {len(value)} characters long; at most {max_length} are allowed")
    return value or None


def speaker_and_language(line: dict[str, Any], speaker_key: str, language_key: str) -> tuple[str | None, str | None]:
    return name(line, speaker_key, MAX_SPEAKER_LENGTH), name(line, language_key, MAX_LANGUAGE_LENGTH)


def optional_string(line: dict[str, Any], key: str) -> str | None:
    value = line.get(key)
    return value if isinstance(value, str) and value.strip() else None
