"""Label page for labelers: the next segment's clip, its draft with unsure words marked, and a
text box to correct it; the scheme's transcript tags inserted at the caret and the text's lint
problems (views/label_conventions.py); speaker keys 1–9, whole-segment tag toggles, Save & next
on Ctrl+Enter; previous, skip, untranscribable, boundary nudges, split and merge; a paged list
of the recording.

Widgets and domain calls only. What the labeler types is kept on the server as their unsaved
edit whenever a widget commits (blur, a click, Ctrl+Enter), so it survives reruns, page switches
and reloads. Widget keys carry the segment's id and version: a new version (someone's save, a
nudge) starts from fresh values instead of stale ones.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from speechlabel import labeling
from speechlabel.clips import segment_clip
from speechlabel.draft_view import split_time_for
from speechlabel.errors import Forbidden, NotFound, SpeechLabelError, StaleVersion
from speechlabel.labeling import LabelContext
from speechlabel.models import Actor, Project, Role
from speechlabel.project_conventions import LintRejected
from views import label_conventions, label_list, segment_waveform, session
from views.label_parts import (
    SKIP,
    UNTRANSCRIBABLE,
    SetAside,
    clock,
    draft_line,
    lint_rejected_text,
    player_texts,
)
from views.lang import error_text, label, t
from views.player import PlayerData, clip_player

NUDGES = (-0.25, -0.05, 0.05, 0.25)
CONTEXT_SECONDS = 1.0

workspace = st.session_state["workspace"]
store = workspace.store


def chosen_project(actor: Actor) -> Project | None:
    """A project where the actor may label (labeler or lead), remembered in the page address."""
    return session.pick_project(store, actor, (Role.LABELER, Role.LEAD), "label_project", _forget_segment)


def _forget_segment() -> None:
    st.session_state.pop("label_segment", None)
    st.query_params.pop("segment", None)


def current_segment_id(actor: Actor, project: Project) -> str | None:
    chosen = st.session_state.get("label_segment") or st.query_params.get("segment")
    if chosen is None:
        upcoming = labeling.next_segment(store, actor, project)
        chosen = upcoming.id if upcoming else None
    return chosen


def go_to(segment_id: str | None, message: str | None = None) -> None:
    """Open ``segment_id`` on the next run; None: the next one from the queue."""
    st.session_state["label_segment"] = segment_id
    if segment_id is None:
        st.query_params.pop("segment", None)  # else the address would reopen the one just done
    if message:
        st.session_state["label_flash"] = message
    st.rerun()


# Widget keys are the same for every segment: Streamlit keeps a record of every key a session
# ever used, so per-segment keys grew a labeler's session by ~80 kB per segment (bench/label_page.py).
# The editor is reset explicitly when another segment (or version) opens instead.
EDITOR_KEYS = {name: f"label_{name}" for name in ("text", "speaker", "tags", "comment", "restored")}
# Text fields that belong to one segment and start empty with the next. They are set, not
# deleted: the browser keeps a widget's last value and would send a deleted one back.
CLEARED_KEYS = ("label_comment", "label_Skip_reason", "label_Untranscribable_reason")


def keys_of(context: LabelContext) -> dict[str, str]:
    return EDITOR_KEYS | {"token": f"{context.segment.id}:{context.segment.version}"}


def start_values(context: LabelContext, keys: dict[str, str]) -> None:
    """First values of the editor when a segment (or a new version of it) opens, or when the
    page comes back after a switch: the user's unsaved edit if there is one, else the segment."""
    state = st.session_state
    if state.get("label_token") == keys["token"] and keys["text"] in state:
        return
    state["label_token"] = keys["token"]
    for key in CLEARED_KEYS:
        state[key] = ""
    state["label_list_page"] = context.position // label_list.PAGE_SIZE + 1
    segment, unsaved = context.segment, context.unsaved
    source = unsaved if unsaved is not None and not context.conflicting_edit else None
    st.session_state[keys["text"]] = source.text if source else segment.text
    st.session_state[keys["speaker"]] = source.speaker if source else segment.speaker
    st.session_state[keys["tags"]] = list(source.tags if source else segment.tags)
    suggest_split(context, 1)
    st.session_state[keys["restored"]] = source is not None and (
        source.text, source.speaker, tuple(source.tags)) != (segment.text, segment.speaker, tuple(segment.tags))


def suggest_split(context: LabelContext, word_index: int | None = None) -> None:
    """Put the split form on ``word_index`` (or the chosen word) and its suggested time."""
    state = st.session_state
    text = state["label_text"]
    index = word_index if word_index is not None else state.get("label_split_word", 1)
    if len(text.split()) < 2:
        return
    index = min(max(1, index), len(text.split()) - 1)
    state["label_split_word"] = index
    state["label_split_time"] = split_time_for(context.segment, text, index, context.draft)


def remember_edit(actor: Actor, context: LabelContext, keys: dict[str, str]) -> None:
    """Widget callback: keep what is in the editor on the server, per user and segment."""
    state = st.session_state
    try:
        labeling.keep_unsaved_edit(store, actor, context.segment.id, context.segment.version,
                                   state[keys["text"]], state[keys["speaker"]], state[keys["tags"]])
    except (NotFound, Forbidden):
        pass  # merged away or no longer theirs meanwhile; the next run shows that


def choose_speaker(actor: Actor, context: LabelContext, keys: dict[str, str], name: str) -> None:
    current = st.session_state[keys["speaker"]]
    st.session_state[keys["speaker"]] = None if current == name else name
    remember_edit(actor, context, keys)


def header(project: Project, context: LabelContext) -> None:
    segment, recording = context.segment, context.recording
    todo = labeling.count_todo(store, project.id)  # one grouped count over the project
    st.subheader(t("label.heading", recording=recording.label, position=context.position + 1,
                   total=context.recording_segments))
    saved_by = t("label.saved_by", user=segment.updated_by) if segment.updated_by else ""
    state = t("label.state", status=label(segment.status), version=segment.version, saved_by=saved_by)
    if context.second_labeling:
        state = t("label.second_labeling")
    st.caption(t("label.timing", start=clock(segment.start), end=clock(segment.end), seconds=segment.duration,
                 state=state, todo=todo, project=project.name))
    if context.rejection is not None:
        rejected = context.rejection
        note = f" — “{rejected.comment}”" if rejected.comment else ""
        st.error(t("label.rejected", reviewer=rejected.reviewer, when=f"{rejected.created_at:%Y-%m-%d %H:%M}",
                   reason=label(rejected.reason) if rejected.reason else t("label.no_reason"), note=note))
    if context.second_labeling:
        st.info(t("label.second_labeling_info"))


def player(context: LabelContext, keys: dict[str, str]) -> None:
    with_context = st.toggle(t("label.context"), key="label_context", help=t("label.context_help"))
    span = segment_clip(context.segment, context.recording.duration, CONTEXT_SECONDS if with_context else 0.0)
    caption = t("label.clip_lead_in", seconds=span.lead_in) if with_context else t("label.clip_only")
    clip_player(PlayerData(url=span.url, caption=caption, autoplay=st.session_state.get("label_autoplay", True),
                           focus_key="transcript_box", token=keys["token"], texts=player_texts()))


def editor(actor: Actor, project: Project, context: LabelContext, keys: dict[str, str]) -> None:
    settings = project.label_settings
    with st.container(key="transcript_box"):
        st.text_area(t("label.transcript"), key=keys["text"], height=110, on_change=remember_edit,
                     args=(actor, context, keys), help=t("label.transcript_help"))
    conventions = label_conventions.Editor(project, keys["text"], partial(remember_edit, actor, context, keys))
    label_conventions.tag_buttons(conventions)
    label_conventions.lint_panel(conventions)
    speakers = list(settings.speakers)
    current = st.session_state[keys["speaker"]]
    if current and current not in speakers:
        speakers.append(current)  # a speaker no longer in the project's list is still shown
    if speakers:
        st.caption(t("label.speaker_caption", speaker=current or t("label.no_speaker")))
        with st.container(horizontal=True, key="speakers"):
            for index, name in enumerate(speakers):
                st.button(f"{name}", key=f"label_speaker{index}",
                          type="primary" if name == current else "secondary",
                          shortcut=str(index + 1) if index < 9 else None,
                          on_click=choose_speaker, args=(actor, context, keys, name))
    tags = list(settings.tags) + [tag for tag in st.session_state[keys["tags"]] if tag not in settings.tags]
    st.pills(t("label.segment_tags"), tags, selection_mode="multi", key=keys["tags"], on_change=remember_edit,
             args=(actor, context, keys))
    st.text_input(t("label.comment"), key=keys["comment"], max_chars=1000)


def actions(actor: Actor, project: Project, context: LabelContext, keys: dict[str, str]) -> None:
    segment, state = context.segment, st.session_state
    left, middle, right, far = st.columns([1.6, 1, 1, 1.4])
    if left.button(t("label.save_next"), type="primary", shortcut="Ctrl+Enter", width="stretch"):
        try:
            _, upcoming = labeling.save_and_next(
                store, actor, segment.id, segment.version, state[keys["text"]], state[keys["speaker"]],
                state[keys["tags"]], state[keys["comment"]])
        except StaleVersion:
            go_to(segment.id)  # the edit was kept; the conflict view shows both versions
        except LintRejected as error:
            st.error(lint_rejected_text(project, error))
        except SpeechLabelError as error:
            st.error(error_text(error))
        else:
            done = "label.saved" if upcoming else "label.saved_last"
            go_to(upcoming.id if upcoming else None,
                  t(done, position=context.position + 1, recording=context.recording.label))
    if middle.button(t("label.previous"), shortcut="Alt+P", width="stretch"):
        before = labeling.previous_segment(store, actor, segment.id)
        if before is None:
            st.info(t("label.no_previous"))
        else:
            go_to(before.id)
    set_aside(actor, project, context, right, SKIP)
    if not context.second_labeling:
        set_aside(actor, project, context, far, UNTRANSCRIBABLE)


def set_aside(actor: Actor, project: Project, context: LabelContext, column, kind: SetAside) -> None:
    segment = context.segment
    with column.popover(t(kind.label_key), width="stretch"):
        reason = st.text_input(t("label.why", hint=t(kind.hint_key)), key=f"label_{kind.name}_reason")
        if st.button(t(kind.go_key), key=f"label_{kind.name}_go"):
            try:
                kind.action(store, actor, segment.id, segment.version, reason)
            except SpeechLabelError as error:
                st.error(error_text(error))
            else:
                upcoming = labeling.next_segment(store, actor, project, after=segment.id)
                go_to(upcoming.id if upcoming else None, t(kind.done_key, reason=reason.strip()))


def boundaries(actor: Actor, context: LabelContext) -> None:
    segment = context.segment
    st.caption(t("label.bounds_help"))
    for edge, edge_key in (("start", "label.edge_start"), ("end", "label.edge_end")):
        st.markdown(f"**{t(edge_key)}** {clock(getattr(segment, edge))}")
        with st.container(horizontal=True, gap="small", key=f"nudge-{edge}"):
            for delta in NUDGES:
                if st.button(f"{delta:+.2f}", key=f"label_nudge_{edge}{delta:+.2f}"):
                    start_delta, end_delta = (delta, 0.0) if edge == "start" else (0.0, delta)
                    try:
                        labeling.nudge(store, actor, segment.id, segment.version, start_delta, end_delta)
                    except SpeechLabelError as error:
                        st.error(error_text(error))
                    else:
                        go_to(segment.id)


def split_form(actor: Actor, context: LabelContext, keys: dict[str, str]) -> None:
    segment = context.segment
    text = st.session_state[keys["text"]]
    words = text.split()
    with st.popover(t("label.split"), width="stretch"):
        if len(words) < 2:
            st.caption(t("label.split_needs_words"))
            return
        if not 1 <= st.session_state.get("label_split_word", 0) < len(words):
            suggest_split(context, 1)  # the text changed length since
        index = st.selectbox(t("label.split_before"), range(1, len(words)), key="label_split_word",
                             format_func=lambda i: f"{' '.join(words[max(0, i - 3):i])} ‖ {' '.join(words[i:i + 3])}",
                             on_change=suggest_split, args=(context,))
        at_time = st.number_input(t("label.split_at"), min_value=segment.start, max_value=segment.end, step=0.05,
                                  format="%.3f", key="label_split_time",
                                  help=t("label.split_at_help"))
        if st.button(t("label.split_go"), key="label_split_go"):
            try:
                first, _ = labeling.split(store, actor, segment.id, segment.version, at_time, index, text=text)
            except SpeechLabelError as error:
                st.error(error_text(error))
            else:
                go_to(first.id, t("label.split_done", seconds=at_time))


def merge_form(actor: Actor, context: LabelContext, keys: dict[str, str]) -> None:
    segment = context.segment
    following = store.neighbour_segment(segment.id, after=True)
    with st.popover(t("label.merge"), width="stretch", disabled=following is None):
        if following is None:
            return
        st.caption(t("label.merge_next", start=clock(following.start), end=clock(following.end),
                     text=following.text or t("label.no_text")))
        if st.button(t("label.merge_go"), key="label_merge_go"):
            try:
                labeling.merge_with_next(store, actor, segment.id, segment.version, following.version,
                                         following.id, text=st.session_state[keys["text"]])
            except SpeechLabelError as error:
                st.error(error_text(error))
            else:
                go_to(segment.id, t("label.merged"))


def restored_notice(actor: Actor, context: LabelContext, keys: dict[str, str]) -> None:
    if not st.session_state.get(keys["restored"]):
        return
    when = context.unsaved.updated_at.strftime("%Y-%m-%d %H:%M UTC")
    left, right = st.columns([4, 1])
    left.info(t("label.restored", when=when))
    if right.button(t("label.discard"), key="label_discard"):
        labeling.discard_unsaved_edit(store, actor, context.segment.id)
        st.session_state.pop("label_token", None)  # the editor starts again from the segment
        st.rerun()


def conflict(actor: Actor, context: LabelContext) -> None:
    """Someone saved this segment after the user started typing: show both, lose neither."""
    segment, mine = context.segment, context.unsaved
    st.warning(t("label.conflict", who=segment.updated_by or t("label.someone"), version=segment.version,
                 base=mine.base_version))
    theirs_column, mine_column = st.columns(2)
    theirs_column.markdown(t("label.theirs", who=segment.updated_by, speaker=segment.speaker or "—",
                             tags=", ".join(segment.tags) or "—"))
    theirs_column.code(segment.text or t("label.empty"), language=None, wrap_lines=True)
    mine_column.markdown(t("label.mine", speaker=mine.speaker or "—", tags=", ".join(mine.tags) or "—"))
    mine_column.code(mine.text or t("label.empty"), language=None, wrap_lines=True)
    if mine_column.button(t("label.continue_mine"), type="primary"):
        labeling.keep_unsaved_edit(store, actor, segment.id, segment.version, mine.text, mine.speaker, mine.tags)
        st.rerun()
    if theirs_column.button(t("label.continue_theirs")):
        labeling.discard_unsaved_edit(store, actor, segment.id)
        st.rerun()


def label_page() -> None:
    st.title(t("page.label"))
    actor = st.session_state["actor"]
    project = chosen_project(actor)
    if project is None:
        st.info(t("label.no_project"))
        return
    flash, notice = st.session_state.pop("label_flash", None), st.session_state.pop("label_notice", None)
    # One container whether or not a message shows: the browser keys elements by their place, so
    # a message appearing above would mount everything below afresh (the waveform reloading,
    # losing its focus) on the run after a save.
    messages = st.container()
    if flash:
        messages.success(flash)
    if notice:
        messages.warning(notice)
    st.sidebar.toggle(t("label.autoplay"), value=True, key="label_autoplay")
    segment_id = current_segment_id(actor, project)
    if segment_id is None:
        st.success(t("label.all_done", project=project.name))
        return
    try:
        context = labeling.open_segment(store, actor, segment_id)
    except (NotFound, Forbidden) as error:
        _forget_segment()
        st.session_state["label_notice"] = t("label.gone", error=error_text(error))
        go_to(None)
        return
    st.query_params["segment"] = segment_id
    header(project, context)
    if context.conflicting_edit:
        conflict(actor, context)
        return
    keys = keys_of(context)
    start_values(context, keys)
    restored_notice(actor, context, keys)
    work, side = st.columns([2.4, 1])
    with work:
        player(context, keys)
        segment_waveform.waveform_section(actor, context, keys)
        draft_line(context.draft, project.label_settings.low_confidence)
        editor(actor, project, context, keys)
        actions(actor, project, context, keys)
    with side:
        if not context.second_labeling:  # bounds belong to the first labeling
            boundaries(actor, context)
            split_form(actor, context, keys)
            merge_form(actor, context, keys)
    label_list.segment_list(store, actor, project, context)


label_page()
