"""What the label loop's browser component shows of one segment, read in one call: a card.

A card is plain data (dataclasses of numbers, strings and lists) that the JSON routes send as it
is. It carries the segment's id and version, which every request the browser makes about it
names again: the browser keeps each segment's editor state under that id, so nothing typed for
one segment can be addressed to another.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np

from speechlabel.accounts.access import role_in
from speechlabel.core.bounds import MIN_DURATION
from speechlabel.core.command_match import match_command
from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.lifecycle import DRAFT_TEXT
from speechlabel.core.models import Actor, Project, Recording, Role, Segment
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import assignment, waveform
from speechlabel.labeling.actions import LabelContext
from speechlabel.labeling.clips import segment_clip
from speechlabel.labeling.draft_view import DraftView
from speechlabel.labeling.labor import without_draft
from speechlabel.labeling.waveform import SnapOptions, WaveformView
from speechlabel.store import Store
from speechlabel.workspace.config import Settings

# Seconds of context the player may add around the segment (the page's "with context" toggle).
PLAYER_CONTEXT_SECONDS = 1.0


@dataclass(frozen=True)
class WordCard:
    symbol: str
    start: float
    end: float
    score: float
    low: bool  # below the project's low-confidence threshold: marked for the labeler


@dataclass(frozen=True)
class DraftCard:
    model: str
    text: str
    words: list[WordCard]
    low_count: int


@dataclass(frozen=True)
class CommandCard:
    """In a command project: the command the draft says (``command_match``), or ``outside``
    the vocabulary (``label`` None); ``how`` and ``score`` say how it was matched."""

    label: str | None
    form: str | None
    how: str
    score: float
    outside: bool


@dataclass(frozen=True)
class WaveCard:
    """The segment's window for the waveform. Times are seconds from ``window_start`` (what the
    browser's player counts) except ``window_start`` itself."""

    url: str
    window_start: float
    duration: float
    peaks: str  # one byte per peak (0–255 for 0–1), base64: a fifth of the JSON of the numbers
    segment: list[float]  # [start, end]
    others: list[list[float]]
    pauses: list[list[float]]
    limits: list[float]  # how far the edges may go: the neighbours' edges
    snap_seconds: float
    inset_seconds: float
    min_duration: float


@dataclass(frozen=True)
class Rejection:
    reviewer: str
    when: str
    reason: str | None
    comment: str | None


@dataclass(frozen=True)
class Conflicting:
    """Someone saved the segment after the user typed their unsaved edit on an older version."""

    theirs_by: str | None
    mine_text: str
    mine_speaker: str | None
    mine_tags: list[str]
    base_version: int


@dataclass(frozen=True)
class Neighbour:
    """Only what a merge must name: a labeler never receives a segment's text it does not hold."""

    id: str
    version: int


@dataclass(frozen=True)
class SegmentCard:
    id: str
    version: int
    project_id: int
    recording_id: str
    recording: str
    position: int  # 0-based, in the recording
    recording_segments: int
    start: float
    end: float
    status: str
    updated_by: str | None
    text: str  # what the editor starts with: the user's unsaved edit if any, else the segment's
    saved_text: str
    speaker: str | None
    tags: list[str]
    restored_at: str | None  # the unsaved edit's time when the editor starts from it
    conflict: Conflicting | None
    second_labeling: bool
    bounds_editable: bool
    rejection: Rejection | None
    draft: DraftCard | None
    clip_url: str
    context_clip_url: str
    context_lead_in: float
    wave: WaveCard | None
    wave_error: SpeechLabelError | None
    upcoming: str | None  # the segment after this one in the user's work: what to prefetch
    following: Neighbour | None  # the next segment of the recording (what a merge joins): no text
    draft_shown: bool = True  # False: a from-scratch segment (labeling.labor): no draft, no draft text
    command: CommandCard | None = None  # a command project's proposed command (None: free conversation)


def segment_card(store: Store, settings: Settings, actor: Actor, segment_id: str) -> SegmentCard:
    """The card of a segment the actor may open (labeling.open_segment's checks)."""
    return card_of(store, settings, actor, labeling.open_segment(store, actor, segment_id))


def card_of(store: Store, settings: Settings, actor: Actor, context: LabelContext) -> SegmentCard:
    segment, recording, project = context.segment, context.recording, context.project
    wave, wave_error = _wave(store, settings, segment, recording)
    clip = segment_clip(segment, recording.duration)
    with_context = segment_clip(segment, recording.duration, PLAYER_CONTEXT_SECONDS)
    start_text, restored_at = _editor_start(context)
    hidden = without_draft(project, segment.id)
    saved_text = segment.text
    if hidden and context.unsaved is None and (context.second_labeling or segment.status in DRAFT_TEXT):
        # The segment's text is still the draft's: a from-scratch labeler starts from an empty box.
        start_text, saved_text = _Start("", start_text.speaker, start_text.tags), ""
    return SegmentCard(
        id=segment.id,
        version=segment.version,
        project_id=project.id,
        recording_id=recording.id,
        recording=recording.label,
        position=context.position,
        recording_segments=context.recording_segments,
        start=segment.start,
        end=segment.end,
        status=segment.status.value,
        updated_by=segment.updated_by,
        text=start_text.text,
        saved_text=saved_text,
        speaker=start_text.speaker,
        tags=list(start_text.tags),
        restored_at=restored_at,
        conflict=_conflict(context),
        second_labeling=context.second_labeling,
        bounds_editable=not context.second_labeling,
        rejection=_rejection(context),
        draft=None if hidden else _draft(context.draft),
        clip_url=clip.url,
        context_clip_url=with_context.url,
        context_lead_in=with_context.lead_in,
        wave=wave,
        wave_error=wave_error,
        upcoming=upcoming_after(store, actor, project, segment),
        following=None if context.second_labeling else _following(store, segment),
        draft_shown=not hidden,
        command=_command(project, None if hidden else context.draft),  # from scratch: nothing proposed
    )


def _command(project: Project, draft: DraftView | None) -> CommandCard | None:
    """Matched when the card is made: a vocabulary changed after drafting applies at once."""
    if not project.command_settings.is_commands:
        return None
    if draft is None:  # not drafted yet: nothing proposed, and nothing outside either
        return CommandCard(None, None, "no_draft", 0.0, False)
    found = match_command(project.command_settings, draft.text)
    return CommandCard(found.label, found.form, found.how, found.score, found.outside)


def _following(store: Store, segment: Segment) -> Neighbour | None:
    after = store.neighbour_of(segment, after=True)
    return Neighbour(after.id, after.version) if after else None


@dataclass(frozen=True)
class _Start:
    text: str
    speaker: str | None
    tags: tuple[str, ...]


def _editor_start(context: LabelContext) -> tuple[_Start, str | None]:
    """The user's unsaved edit (when it was typed on this version), else the segment itself."""
    segment, unsaved = context.segment, context.unsaved
    if unsaved is None or context.conflicting_edit:
        return _Start(segment.text, segment.speaker, segment.tags), None
    same = (unsaved.text, unsaved.speaker, tuple(unsaved.tags)) == (segment.text, segment.speaker, segment.tags)
    return _Start(unsaved.text, unsaved.speaker, tuple(unsaved.tags)), None if same else unsaved.updated_at.isoformat()


def _conflict(context: LabelContext) -> Conflicting | None:
    mine = context.unsaved
    if mine is None or not context.conflicting_edit:  # conflicting_edit implies an unsaved edit
        return None
    return Conflicting(context.segment.updated_by, mine.text, mine.speaker, list(mine.tags), mine.base_version)


def _rejection(context: LabelContext) -> Rejection | None:
    rejected = context.rejection
    if rejected is None:
        return None
    return Rejection(
        rejected.reviewer,
        f"{rejected.created_at:%Y-%m-%d %H:%M}",
        rejected.reason.value if rejected.reason else None,
        rejected.comment,
    )


def _draft(draft: DraftView | None) -> DraftCard | None:
    if draft is None:
        return None
    words = [WordCard(w.symbol, w.start, w.end, round(w.score, 3), w.low_confidence) for w in draft.words]
    return DraftCard(draft.model, draft.text, words, draft.low_confidence_count)


def _wave(
    store: Store, settings: Settings, segment: Segment, recording: Recording
) -> tuple[WaveCard | None, SpeechLabelError | None]:
    try:  # the segment was opened with the actor's rights (labeling.open_segment) just before
        view, levels = waveform.opened_window(store, settings, segment, recording)
    except SpeechLabelError as error:  # e.g. a segment too long to draw: the keys still nudge it
        return None, error
    return wave_card(view, levels=levels), None


def wave_card(view: WaveformView, snapping: SnapOptions | None = None, levels: np.ndarray | None = None) -> WaveCard:
    """The view as the browser draws it. ``levels``: its peaks as an array, when the view was
    made without them (``waveform.opened_window``)."""
    snapping = snapping or SnapOptions()  # the server's snapping, which the browser previews
    origin = view.window.start

    def relative(start: float, end: float) -> list[float]:
        return [round(start - origin, 3), round(end - origin, 3)]

    return WaveCard(
        url=view.clip_url,
        window_start=origin,
        duration=round(view.window.duration, 3),
        peaks=peak_bytes(view.peaks if levels is None else levels),
        segment=relative(view.segment.start, view.segment.end),
        others=[relative(other.start, other.end) for other in view.others],
        pauses=[relative(pause.start, pause.end) for pause in view.pauses],
        limits=relative(view.limits.start, view.limits.end),
        snap_seconds=snapping.tolerance_seconds,
        inset_seconds=snapping.inset_seconds,
        min_duration=MIN_DURATION,
    )


def peak_bytes(peaks) -> str:
    """Peaks (0..1) as one byte each, base64. A card is sent gzipped: as numbers, the peaks were
    most of its JSON and most of the server's time compressing it; a byte is finer than a pixel
    of a 90-pixel-high waveform."""
    levels = np.rint(np.clip(np.asarray(peaks, dtype=np.float64), 0.0, 1.0) * 255).astype(np.uint8)
    return base64.b64encode(levels.tobytes()).decode("ascii")


def upcoming_after(store: Store, actor: Actor, project: Project, segment: Segment) -> str | None:
    """The segment that would open after this one, read without leasing anything (the browser
    prefetches it); None at the end of the user's held work, where the save asks the server."""
    if role_in(actor, project.id) not in (Role.LABELER, Role.LEAD):
        return None
    return assignment.peek_next(store, actor, project, after=segment)
