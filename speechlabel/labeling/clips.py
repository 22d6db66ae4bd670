"""Clips of a recording cut on the server, served to the browser by URL.

``st.audio(start_time=, end_time=)`` rounds to whole seconds and keeps the bytes it is given in
server memory; the label page instead points an audio element at a URL, and the app's clip
route answers it with :func:`cut_clip`: only the requested span is read from disk (a seek, not
a load), so a 2-hour recording costs no more than a 5-second one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from speechlabel.accounts.access import role_in
from speechlabel.audio.samples import span_wav
from speechlabel.core.bounds import before_recording, empty, in_ms, past_end
from speechlabel.core.errors import Forbidden, NotFound, ValidationError
from speechlabel.core.models import Actor, Recording, Role, Segment
from speechlabel.store import Store
from speechlabel.store.rows import utc_now
from speechlabel.workspace.config import Settings

# Longer spans are not one utterance; refusing them keeps one request from reading hours of audio.
MAX_CLIP_SECONDS = 120.0
# The context a labeler may ask for on each side of a segment.
MAX_CONTEXT_SECONDS = 5.0
# A clip may end this far past the recording's end (a segment's end and the duration are each
# rounded to the millisecond).
CLIP_END_TOLERANCE = 1e-3
CLIP_ROUTE = "/clip"


@dataclass(frozen=True)
class ClipSpan:
    """What to play: ``start..end`` of a recording, of which ``segment_start..segment_end`` is
    the segment itself and the rest is context."""

    recording_id: str
    start: float
    end: float
    segment_start: float
    segment_end: float

    @property
    def lead_in(self) -> float:
        """Seconds of context before the segment begins (where the segment starts in the clip)."""
        return in_ms(self.segment_start - self.start)

    @property
    def url(self) -> str:
        query = urlencode({"start": f"{self.start:.3f}", "end": f"{self.end:.3f}"})
        return f"{CLIP_ROUTE}/{self.recording_id}.wav?{query}"


@dataclass(frozen=True)
class Clip:
    wav: bytes
    start: float
    end: float


def segment_clip(segment: Segment, recording_duration: float, context: float = 0.0) -> ClipSpan:
    """The clip of a segment with ``context`` seconds around it, kept inside the recording."""
    if isinstance(context, bool) or not isinstance(context, (int, float)) or not 0 <= context <= MAX_CONTEXT_SECONDS:
        raise ValidationError(
            message_key="error.clip_context", params={"context": repr(context), "most": f"{MAX_CONTEXT_SECONDS:g}"}
        )
    return ClipSpan(
        recording_id=segment.recording_id,
        start=in_ms(max(0.0, segment.start - context)),
        end=in_ms(min(recording_duration, segment.end + context)),
        segment_start=segment.start,
        segment_end=segment.end,
    )


def cut_clip(store: Store, settings: Settings, recording_id: str, start: float, end: float) -> Clip:
    """A 16 kHz mono WAV of ``start..end`` seconds of a recording (sample-accurate)."""
    return _cut(settings, store.get_recording(recording_id), start, end)


def _cut(settings: Settings, recording: Recording, start: float, end: float) -> Clip:
    _check_span(start, end, recording.duration)
    return Clip(wav=span_wav(settings.data_dir / recording.normalized_path, start, end), start=start, end=end)


def cut_clip_for(store: Store, settings: Settings, actor: Actor, recording_id: str, start: float, end: float) -> Clip:
    """:func:`cut_clip` for a signed-in actor who may hear that span: reviewers and leads any
    span of their projects' recordings, a labeler only around segments they hold (their batch
    or a second labeling: the segment with up to ``MAX_CONTEXT_SECONDS`` on each side). An
    unknown recording is refused exactly like one the actor may not hear (NoSuchClip), so ids
    cannot be probed."""
    try:
        recording = store.get_recording(recording_id)
    except NotFound:
        raise NoSuchClip(recording_id) from None
    project_id = recording.project_id
    role = role_in(actor, project_id)
    if role is None or (role == Role.LABELER and not _holds_around(store, actor, recording, start, end)):
        raise NoSuchClip(recording_id)
    return _cut(settings, recording, start, end)


class NoSuchClip(Forbidden):
    def __init__(self, recording_id: str):
        super().__init__(message_key="error.no_such_clip", params={"recording": recording_id})


def _holds_around(store: Store, actor: Actor, recording: Recording, start: float, end: float) -> bool:
    return store.holds_segment_around(
        recording.project_id, actor.username, recording.id, start, end, MAX_CONTEXT_SECONDS, utc_now()
    )


def parse_seconds(value: str | None, name: str) -> float:
    """A time from a URL query; a clear error instead of a 500 for ``?start=abc``."""
    try:
        seconds = float(value) if value is not None else float("nan")
    except ValueError:
        seconds = float("nan")
    if not math.isfinite(seconds):
        raise ValidationError(message_key="error.clip_time", params={"name": name, "value": repr(value)})
    return seconds


def _check_span(start: float, end: float, duration: float) -> None:
    if before_recording(start) or past_end(end, duration, CLIP_END_TOLERANCE):
        raise ValidationError(
            message_key="error.clip_outside", params=_seconds(start=start, end=end, duration=duration)
        )
    if empty(start, end):
        raise ValidationError(message_key="error.clip_empty", params=_seconds(start=start, end=end))
    if end - start > MAX_CLIP_SECONDS:
        raise ValidationError(
            message_key="error.clip_too_long",
            params={**_seconds(start=start, end=end), "length": f"{end - start:.1f}", "most": f"{MAX_CLIP_SECONDS:g}"},
        )


def _seconds(**values: float) -> dict[str, str]:
    """Times as the messages print them, for the translated message's params."""
    return {name: f"{value:.3f}" for name, value in values.items()}
