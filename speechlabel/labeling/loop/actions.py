"""The label loop's actions, as the browser component asks for them over the JSON routes.

Each names the segment and version the person was looking at (and their tab): a change is
refused unless that segment is the one the tab has open (``tabs.NotOpen``) and the version is
current (``StaleVersion``). Whatever text came with a refused request is kept as that named
segment's unsaved edit, so nothing typed is lost and nothing reaches another segment; a refused
save says where its text was kept (the error's ``kept_for``: that segment, or the one a merge
joined it to), and says nothing when it could not be kept, so the browser keeps it as unsaved.
The rules themselves (who may do what, versions, lint) are ``labeling``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from speechlabel.conventions import Insertion, Problem
from speechlabel.core.errors import MergedAway, SpeechLabelError, ValidationError
from speechlabel.core.labor import Labor
from speechlabel.core.models import Actor, Project
from speechlabel.core.segment_rules import MAX_TRANSCRIPT_CHARS
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import waveform
from speechlabel.labeling.draft_view import split_time_for, word_index_at
from speechlabel.labeling.loop.cards import SegmentCard, segment_card
from speechlabel.labeling.loop.tabs import OpenSegments, TabKey
from speechlabel.projects.conventions import FixResult, fix_transcript, insert_at_caret, lint_transcript, project_scheme
from speechlabel.store import Store
from speechlabel.workspace.config import Settings

MAX_TEXT_CHARS = MAX_TRANSCRIPT_CHARS  # longest transcript a request may carry (labeling_rules)
MAX_ID_CHARS = 100  # segment ids are ~30 characters


@dataclass(frozen=True)
class Loop:
    """What every action needs: the store, the settings and this server's open-segment registry."""

    store: Store
    settings: Settings
    tabs: OpenSegments


@dataclass(frozen=True)
class Edit:
    """The editor's content for one segment, as the browser kept it for that segment."""

    segment_id: str
    version: int
    text: str
    speaker: str | None = None
    tags: tuple[str, ...] = ()
    comment: str | None = None


@dataclass(frozen=True)
class Saved:
    segment_id: str
    version: int
    status: str
    next_id: str | None  # the segment open next (None: the user's work is done)
    next: SegmentCard | None = None  # its card, unless the browser already opened it
    prefetched: SegmentCard | None = None  # the card the browser asked to have fetched ahead


@dataclass(frozen=True)
class Moved:
    """After a skip, split, merge, bounds change or discard: the card to show now."""

    card: SegmentCard | None
    notes: dict[str, object] = field(default_factory=dict)


def open_card(loop: Loop, actor: Actor, tab: TabKey, segment_id: str) -> SegmentCard:
    """Open a segment in a tab: its card, and the tab now has it open."""
    card = segment_card(loop.store, loop.settings, actor, segment_id)
    loop.tabs.opened(tab, segment_id)
    return card


def peek_card(loop: Loop, actor: Actor, segment_id: str) -> SegmentCard:
    """A segment's card without opening it (the browser's prefetch of the upcoming one)."""
    return segment_card(loop.store, loop.settings, actor, segment_id)


def keep_edit(loop: Loop, actor: Actor, tab: TabKey, edit: Edit) -> None:
    """The browser's copy of what is typed in one segment, kept as that segment's unsaved edit.
    Allowed for any segment the user may open, open in the tab or not: it names its segment."""
    _check_edit(edit)
    labeling.keep_unsaved_edit(
        loop.store, actor, edit.segment_id, edit.version, edit.text, edit.speaker, edit.tags, tab.tab
    )


def save(
    loop: Loop,
    actor: Actor,
    tab: TabKey,
    edit: Edit,
    then_open: str | None = None,
    prefetch: str | None = None,
    labor: Labor | None = None,
) -> Saved:
    """Save & next. ``then_open``: the segment the browser opens next (the card's ``upcoming``,
    prefetched with the user's rights); it becomes the tab's open segment and nothing more is
    read. Without it the server picks the next segment and sends its card. ``prefetch``: a
    segment whose card the browser would otherwise ask for next (the one after those it holds);
    its card comes back with the save, which spares the server a request per segment. ``labor``:
    the browser's telemetry of the segment since its last save (``core.labor.read_labor``)."""
    _check_edit(edit)
    _check_id(then_open)
    _check_id(prefetch)
    try:
        _require_open(loop, actor, tab, edit)
        saved, project = labeling.submit(
            loop.store,
            actor,
            edit.segment_id,
            edit.version,
            edit.text,
            edit.speaker,
            edit.tags,
            edit.comment,
            tab.tab,
            labor=labor,
        )
    except SpeechLabelError as refused:
        raise _kept(loop, actor, tab, edit, refused) from None
    if then_open is not None:
        # Every request about it checks the user's rights again; the registry only refuses mismatches.
        loop.tabs.opened(tab, then_open)
        return Saved(saved.id, saved.version, saved.status.value, then_open, prefetched=_peek(loop, actor, prefetch))
    upcoming = labeling.next_segment(loop.store, actor, project, after=edit.segment_id)
    card = open_card(loop, actor, tab, upcoming.id) if upcoming else None
    return Saved(saved.id, saved.version, saved.status.value, upcoming.id if upcoming else None, card)


def _peek(loop: Loop, actor: Actor, segment_id: str | None) -> SegmentCard | None:
    """A prefetch riding on a save: a card the actor may not (or no longer) open is simply not
    sent, and the save stands; the browser asks for that segment again when it gets there."""
    if segment_id is None:
        return None
    try:
        return peek_card(loop, actor, segment_id)
    except SpeechLabelError:
        return None


def previous(loop: Loop, actor: Actor, tab: TabKey, segment_id: str) -> SegmentCard | None:
    """Open the segment before this one (None at the first)."""
    before = labeling.previous_segment(loop.store, actor, segment_id)
    return open_card(loop, actor, tab, before.id) if before else None


def set_aside(
    loop: Loop,
    actor: Actor,
    tab: TabKey,
    edit: Edit,
    reason: str,
    untranscribable: bool,
    labor: Labor | None = None,
) -> Moved:
    """Skip (or mark untranscribable) with a reason, then open the user's next segment."""
    _require_open(loop, actor, tab, edit)
    action = labeling.mark_untranscribable if untranscribable else labeling.skip
    action(loop.store, actor, edit.segment_id, edit.version, reason, labor)
    # The action checked the user's rights; a second labeling given back is no longer theirs to read.
    project = loop.store.get_project_by_id(loop.store.get_segment_project(edit.segment_id))
    upcoming = labeling.next_segment(loop.store, actor, project, after=edit.segment_id)
    return Moved(open_card(loop, actor, tab, upcoming.id) if upcoming else None)


def split(
    loop: Loop, actor: Actor, tab: TabKey, edit: Edit, at_time: float | None = None, caret: int | None = None
) -> Moved:
    """Split at the playhead (``at_time``, the text cut at the matching word) or at the caret
    (``caret``, a character offset: the audio cut where the words before it end)."""
    _require_open(loop, actor, tab, edit)
    context = labeling.open_segment(loop.store, actor, edit.segment_id)
    text = edit.text.strip()
    if caret is not None:
        index = _word_index_at_caret(edit.text, caret)
        at_time = split_time_for(context.segment, text, index, context.draft)
    elif at_time is not None:
        labeling.check_seconds(at_time, message_key="error.split_time_not_seconds")
        index = word_index_at(context.segment, text, at_time, context.draft)
    else:
        raise ValidationError(message_key="error.split_needs_place")
    first, _ = labeling.split(loop.store, actor, edit.segment_id, edit.version, at_time, index, text=text)
    labeling.discard_unsaved_edit(loop.store, actor, first.id)  # the text went into the two parts
    return Moved(open_card(loop, actor, tab, first.id), {"seconds": at_time})


def _word_index_at_caret(text: str, caret: int) -> int:
    """How many words of ``text`` end before the caret (a caret inside a word cuts before it)."""
    if isinstance(caret, bool) or not isinstance(caret, int) or not 0 <= caret <= len(text):
        raise ValidationError(message_key="error.caret_position", params={"caret": repr(caret), "last": len(text)})
    before, after = text[:caret], text[caret:]
    inside_word = bool(before[-1:].strip() and after[:1].strip())
    return len(before.split()) - inside_word


def merge(loop: Loop, actor: Actor, tab: TabKey, edit: Edit, next_id: str, next_version: int) -> Moved:
    """Join the segment with the one after it (as the browser saw it: id and version)."""
    _require_open(loop, actor, tab, edit)
    labeling.merge_with_next(loop.store, actor, edit.segment_id, edit.version, next_version, next_id, text=edit.text)
    labeling.discard_unsaved_edit(loop.store, actor, edit.segment_id)  # the text went into the merge
    return Moved(open_card(loop, actor, tab, edit.segment_id))


def bounds(loop: Loop, actor: Actor, tab: TabKey, edit: Edit, start: float, end: float, edge: str | None) -> Moved:
    """New bounds from a drag (the dragged edge snaps into a pause) or from keys (exact)."""
    _require_open(loop, actor, tab, edit)
    waveform.drag_bounds(loop.store, loop.settings, actor, edit.segment_id, edit.version, start, end, edge)
    return Moved(open_card(loop, actor, tab, edit.segment_id))


def discard(loop: Loop, actor: Actor, tab: TabKey, segment_id: str) -> Moved:
    """Forget the user's unsaved edit of a segment and show it as saved."""
    labeling.discard_unsaved_edit(loop.store, actor, segment_id)
    return Moved(open_card(loop, actor, tab, segment_id))


def lint(project: Project, text: str) -> list[Problem]:
    _check_text(text)
    return lint_transcript(project, text)


def fix(project: Project, text: str) -> FixResult:
    _check_text(text)
    return fix_transcript(project_scheme(project), text)


def insert(project: Project, text: str, tag_text: str, start: int, end: int | None) -> Insertion:
    _check_text(text)
    return insert_at_caret(project_scheme(project), text, tag_text, start, end)


def _require_open(loop: Loop, actor: Actor, tab: TabKey, edit: Edit) -> None:
    """Refuse a change to a segment the tab does not have open; its text is kept for it first."""
    try:
        loop.tabs.require_open(tab, edit.segment_id)
    except SpeechLabelError as refused:
        keep_edit(loop, actor, tab, edit)
        refused.kept_for = edit.segment_id
        raise


def _kept(loop: Loop, actor: Actor, tab: TabKey, edit: Edit, refused: SpeechLabelError) -> SpeechLabelError:
    """A refused save's error, once its text is kept as the segment's unsaved edit (``kept_for``
    says so), or as the merged segment's (MergedAway: the segment was merged away). When the text
    cannot be kept (a segment the user may not open, a database that refuses writes) the error
    stays without ``kept_for``: the browser then keeps the text as unsaved."""
    if refused.kept_for is not None:
        return refused
    try:
        keep_edit(loop, actor, tab, edit)
    except MergedAway as moved:
        return moved
    except SpeechLabelError:
        return refused
    refused.kept_for = edit.segment_id
    return refused


def _check_edit(edit: Edit) -> None:
    _check_text(edit.text)
    if isinstance(edit.version, bool) or not isinstance(edit.version, int):
        raise ValidationError(message_key="error.version_number", params={"version": repr(edit.version)})


def _check_id(segment_id: str | None) -> None:
    if segment_id is not None and not 1 <= len(segment_id) <= MAX_ID_CHARS:
        raise ValidationError(message_key="error.segment_id", params={"segment": segment_id[:MAX_ID_CHARS]})


def _check_text(text: object) -> None:
    if not isinstance(text, str):
        raise ValidationError(message_key="error.transcript_not_text")
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            message_key="error.transcript_too_long", params={"length": len(text), "most": MAX_TEXT_CHARS}
        )
