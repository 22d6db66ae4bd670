"""Pure rules of the label page: its refusals of bounds and split points (the rules themselves
are ``bounds``), text cuts, and the unsaved-edit value.

Kept apart from ``labeling.py`` (the actions) so the store can check the rules inside its write
transaction, against neighbours read in that same transaction, without importing the actions.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from speechlabel.core.bounds import (
    MIN_DURATION,
    before_recording,
    overlaps_next,
    overlaps_previous,
    past_end,
    split_range,
    too_short,
)
from speechlabel.core.errors import ValidationError

# The rules of segment times are the ``bounds`` module's (MIN_DURATION and TIME_DECIMALS stay
# importable from here too); this module has the label page's words for breaking them.
# The most characters a person may type into each kind of text. A transcript far above any
# utterance (30 s of fast speech is ~600) and far below what slows a page (a 1,000,000-character
# transcript took 19 s to open); comments and reasons are notes; a tag is a name.
MAX_TRANSCRIPT_CHARS = 20_000
MAX_COMMENT_CHARS = 2_000
MAX_TAG_CHARS = 100
# A line break or tab in a transcript is a space: Kaldi's `text`, ESPnet and most manifests are
# one line per segment.
_SPACES = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


@dataclass(frozen=True)
class UnsavedEdit:
    """What one user typed into one segment and has not saved yet (survives a browser reload)."""

    user: str
    segment_id: str
    base_version: int
    text: str
    speaker: str | None
    tags: tuple[str, ...]
    updated_at: datetime
    tab: str | None = None  # the browser tab that kept it (None: not a tab, e.g. the command line)


@dataclass(frozen=True)
class Neighbours:
    """Where a segment may extend to: the end of the one before, the start of the one after."""

    previous_end: float | None
    next_start: float | None
    recording_duration: float

    @property
    def low(self) -> float:
        return self.previous_end if self.previous_end is not None else 0.0

    @property
    def high(self) -> float:
        return self.next_start if self.next_start is not None else self.recording_duration


def check_bounds(start: float, end: float, around: Neighbours) -> None:
    """Raise ValidationError unless ``start..end`` fits the recording and its neighbours."""
    low, high = around.low, around.high
    if before_recording(start):
        raise ValidationError(
            message_key="error.start_before_recording", params=_seconds(start=start, low=low, high=end - MIN_DURATION)
        )
    if past_end(end, around.recording_duration):
        raise ValidationError(
            message_key="error.end_past_recording",
            params=_seconds(end=end, duration=around.recording_duration, low=start + MIN_DURATION, high=high),
        )
    if too_short(start, end):
        raise ValidationError(
            message_key="error.segment_too_short",
            params={
                **_seconds(start=start, end=end, length=end - start, low=start + MIN_DURATION, high=high),
                "minimum": MIN_DURATION,
            },
        )
    if around.previous_end is not None and overlaps_previous(start, around.previous_end):
        raise ValidationError(
            message_key="error.start_overlaps_previous",
            params=_seconds(start=start, previous_end=around.previous_end, low=low, high=end - MIN_DURATION),
        )
    if around.next_start is not None and overlaps_next(end, around.next_start):
        raise ValidationError(
            message_key="error.end_overlaps_next",
            params=_seconds(end=end, next_start=around.next_start, low=start + MIN_DURATION, high=high),
        )


def _seconds(**values: float) -> dict[str, str]:
    """Times as the messages print them (milliseconds), for the translated message's params."""
    return {name: f"{value:.3f}" for name, value in values.items()}


def check_split_time(at_time: float, start: float, end: float) -> None:
    """A split must leave both parts at least MIN_DURATION long."""
    low, high = split_range(start, end)
    if high < low:
        raise ValidationError(
            message_key="error.too_short_to_split",
            params={**_seconds(start=start, end=end), "minimum": MIN_DURATION},
        )
    if not low <= at_time <= high:
        raise ValidationError(message_key="error.split_outside", params=_seconds(at=at_time, low=low, high=high))


def split_words(text: str, word_index: int) -> tuple[str, str]:
    """Cut ``text`` before word ``word_index`` (0 = everything goes to the second part)."""
    words = text.split()
    if isinstance(word_index, bool) or not isinstance(word_index, int) or not 0 <= word_index <= len(words):
        raise ValidationError(
            message_key="error.word_index",
            params={"index": repr(word_index), "words": len(words)},
        )
    return " ".join(words[:word_index]), " ".join(words[word_index:])


def clean_tags(tags) -> tuple[str, ...]:
    """Stripped, non-empty, first occurrence kept: the same tag twice means nothing more."""
    if isinstance(tags, str):
        raise ValidationError(message_key="error.tags_not_list", params={"tags": tags})
    cleaned: list[str] = []
    for tag in tags or ():
        if not isinstance(tag, str):
            raise ValidationError(message_key="error.tag_not_text", params={"tag": repr(tag)})
        name = typed_text(tag, MAX_TAG_CHARS, too_long_key="error.tag_too_long", control_key="error.text_control")
        if name and name not in cleaned:
            cleaned.append(name)
    return tuple(cleaned)


def required_text(
    value: str | None,
    *,
    message_key: str,
    params: dict | None = None,
    most: int = MAX_TRANSCRIPT_CHARS,
    too_long_key: str = "error.transcript_too_long",
) -> str:
    """``message_key``/``params``: the caller's message for an empty text ("the transcript is
    empty; type what is said, ..."). The text is :func:`typed_text` (at most ``most`` characters)."""
    cleaned = typed_text(value, most, too_long_key, control_key="error.text_control")
    if not cleaned:
        raise ValidationError(message_key=message_key, params=params)
    return cleaned


def optional_text(
    value: str | None, most: int = MAX_COMMENT_CHARS, too_long_key: str = "error.comment_too_long"
) -> str | None:
    return typed_text(value, most, too_long_key, control_key="error.text_control") or None


def kept_text(value: str | None) -> str:
    """An unsaved edit's text: as typed (the save checks it), but never longer than a transcript
    may be, and without NUL, which PostgreSQL cannot store."""
    text = (value or "").replace("\x00", "")
    if len(text) > MAX_TRANSCRIPT_CHARS:
        raise ValidationError(
            message_key="error.transcript_too_long", params={"length": len(text), "most": MAX_TRANSCRIPT_CHARS}
        )
    return text


def typed_text(
    value: str | None,
    most: int,
    too_long_key: str,
    control_key: str,
    where: dict[str, object] | None = None,
) -> str:
    """What a person typed, stripped, line breaks and tabs as spaces; refused when it holds a
    control character (NUL cannot be stored in PostgreSQL; an escape sequence would reach a
    lead's terminal and the exported files) or is longer than ``most`` characters. ``where``:
    params both refusals add (which of many, e.g. a glossary's term number), for the caller's
    ``too_long_key`` and ``control_key``."""
    if value is not None and not isinstance(value, str):
        raise ValidationError(message_key="error.not_text", params={"value": value})
    cleaned = (value or "").replace("\r\n", "\n").translate(_SPACES).strip()
    control = next((index for index, char in enumerate(cleaned) if unicodedata.category(char) == "Cc"), None)
    if control is not None:
        code = f"U+{ord(cleaned[control]):04X}"
        raise ValidationError(message_key=control_key, params={"code": code, "position": control + 1, **(where or {})})
    if len(cleaned) > most:
        raise ValidationError(message_key=too_long_key, params={"length": len(cleaned), "most": most, **(where or {})})
    return cleaned
