"""Label page for labelers: the next segment's clip, its draft with unsure words marked, and a
text box to correct it; speaker keys 1–9, tag toggles, Save & next on Ctrl+Enter; previous,
skip, untranscribable, boundary nudges, split and merge; a paged list of the recording.

Widgets and domain calls only. What the labeler types is kept on the server as their unsaved
edit whenever a widget commits (blur, a click, Ctrl+Enter), so it survives reruns, page switches
and reloads. Widget keys carry the segment's id and version: a new version (someone's save, a
nudge) starts from fresh values instead of stale ones.
"""

from __future__ import annotations

import html

import streamlit as st

from speechlabel import labeling
from speechlabel.access import role_in, visible_projects
from speechlabel.clips import segment_clip
from speechlabel.draft_view import DraftView, split_time_for
from speechlabel.errors import Forbidden, NotFound, SpeechLabelError, StaleVersion
from speechlabel.labeling import LabelContext
from speechlabel.models import Actor, Project, Role
from views import label_list
from views.player import PlayerData, clip_player

NUDGES = (-0.25, -0.05, 0.05, 0.25)
CONTEXT_SECONDS = 1.0

workspace = st.session_state["workspace"]
store = workspace.store


def chosen_project(actor: Actor) -> Project | None:
    """A project where the actor may label (labeler or lead), remembered in the page address."""
    projects = [p for p in visible_projects(store, actor) if role_in(actor, p.id) in (Role.LABELER, Role.LEAD)]
    if not projects:
        return None
    names = [p.name for p in projects]
    if st.session_state.get("label_project") not in names:
        wanted = st.query_params.get("project") or st.session_state.get("project_name")
        st.session_state["label_project"] = wanted if wanted in names else names[0]
    name = st.sidebar.selectbox("Project", names, key="label_project", on_change=_forget_segment)
    st.query_params["project"] = name
    return next(p for p in projects if p.name == name)


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
    st.subheader(f"{recording.label} — segment {context.position + 1} of {context.recording_segments}")
    saved_by = f" · last saved by {segment.updated_by}" if segment.updated_by else ""
    state = f"status **{segment.status.value}** · version {segment.version}{saved_by}"
    if context.second_labeling:
        state = "**second labeling**"
    st.caption(f"{_clock(segment.start)}–{_clock(segment.end)} ({segment.duration:.2f} s) · {state} · "
               f"{todo} segments to do in {project.name}")
    if context.rejection is not None:
        rejected = context.rejection
        note = f" — “{rejected.comment}”" if rejected.comment else ""
        st.error(f"Rejected by {rejected.reviewer} ({rejected.created_at:%Y-%m-%d %H:%M} UTC): "
                 f"**{rejected.reason.label if rejected.reason else 'no reason given'}**{note}. "
                 "Fix it and save: it goes back to review.")
    if context.second_labeling:
        st.info("This segment is double-labeled: transcribe it independently. You start from the draft; "
                "the first labeler's text is not shown, and its bounds stay as they are.")


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{rest:06.3f}" if hours else f"{minutes}:{rest:06.3f}"


def player(context: LabelContext, keys: dict[str, str]) -> None:
    with_context = st.toggle("±1 s context", key="label_context",
                             help="Play a second before and after the segment.")
    span = segment_clip(context.segment, context.recording.duration, CONTEXT_SECONDS if with_context else 0.0)
    caption = (f"segment starts {span.lead_in:.2f} s into the clip" if with_context else "segment only")
    clip_player(PlayerData(url=span.url, caption=caption, autoplay=st.session_state.get("label_autoplay", True),
                           focus_key="transcript_box", token=keys["token"]))


def draft_line(draft: DraftView | None, threshold: float) -> None:
    if draft is None:
        st.caption("No draft for this segment.")
        return
    marked = " ".join(
        f'<mark title="confidence {w.score:.2f}">{html.escape(w.symbol)}</mark>' if w.low_confidence
        else html.escape(w.symbol)
        for w in draft.words
    ) if draft.words else html.escape(draft.text)
    st.html(f'<div class="draft"><b>Draft</b> <small>({html.escape(draft.model)}; '
            f'{draft.low_confidence_count} word(s) below {threshold:.2f} marked)</small><br>{marked}</div>')


def editor(actor: Actor, project: Project, context: LabelContext, keys: dict[str, str]) -> None:
    settings = project.label_settings
    with st.container(key="transcript_box"):
        st.text_area("Transcript", key=keys["text"], height=110, on_change=remember_edit,
                     args=(actor, context, keys), help="Ctrl+Enter saves and opens the next segment.")
    speakers = list(settings.speakers)
    current = st.session_state[keys["speaker"]]
    if current and current not in speakers:
        speakers.append(current)  # a speaker no longer in the project's list is still shown
    if speakers:
        st.caption(f"Speaker (keys 1–9 outside the text box) — now: **{current or 'none'}**")
        with st.container(horizontal=True, key="speakers"):
            for index, name in enumerate(speakers):
                st.button(f"{name}", key=f"label_speaker{index}",
                          type="primary" if name == current else "secondary",
                          shortcut=str(index + 1) if index < 9 else None,
                          on_click=choose_speaker, args=(actor, context, keys, name))
    tags = list(settings.tags) + [t for t in st.session_state[keys["tags"]] if t not in settings.tags]
    st.pills("Tags", tags, selection_mode="multi", key=keys["tags"], on_change=remember_edit,
             args=(actor, context, keys))
    st.text_input("Comment (optional)", key=keys["comment"], max_chars=1000)


def actions(actor: Actor, project: Project, context: LabelContext, keys: dict[str, str]) -> None:
    segment, state = context.segment, st.session_state
    left, middle, right, far = st.columns([1.6, 1, 1, 1.4])
    if left.button("Save & next", type="primary", shortcut="Ctrl+Enter", width="stretch"):
        try:
            _, upcoming = labeling.save_and_next(
                store, actor, segment.id, segment.version, state[keys["text"]], state[keys["speaker"]],
                state[keys["tags"]], state[keys["comment"]])
        except StaleVersion:
            go_to(segment.id)  # the edit was kept; the conflict view shows both versions
        except SpeechLabelError as error:
            st.error(str(error))
        else:
            done = f"Saved segment {context.position + 1} of {context.recording.label}."
            go_to(upcoming.id if upcoming else None, done if upcoming else done + " Nothing left to label.")
    if middle.button("Previous", shortcut="Alt+P", width="stretch"):
        before = labeling.previous_segment(store, actor, segment.id)
        if before is None:
            st.info("There is no segment before this one in your work.")
        else:
            go_to(before.id)
    set_aside(actor, project, context, right, "Skip", labeling.skip, "e.g. other language, two people at once")
    if not context.second_labeling:
        set_aside(actor, project, context, far, "Untranscribable", labeling.mark_untranscribable,
                  "e.g. music only, no speech")


def set_aside(actor: Actor, project: Project, context: LabelContext, column, label: str, action, hint: str) -> None:
    segment = context.segment
    with column.popover(label, width="stretch"):
        reason = st.text_input(f"Why? ({hint})", key=f"label_{label}_reason")
        if st.button(f"{label} this segment", key=f"label_{label}_go"):
            try:
                action(store, actor, segment.id, segment.version, reason)
            except SpeechLabelError as error:
                st.error(str(error))
            else:
                upcoming = labeling.next_segment(store, actor, project, after=segment.id)
                go_to(upcoming.id if upcoming else None, f"Marked {label.lower()}: {reason.strip()}")


def boundaries(actor: Actor, context: LabelContext) -> None:
    segment = context.segment
    st.caption("Move the start or the end (seconds); the clip is cut again.")
    for edge in ("start", "end"):
        st.markdown(f"**{edge}** {_clock(getattr(segment, edge))}")
        with st.container(horizontal=True, gap="small", key=f"nudge-{edge}"):
            for delta in NUDGES:
                if st.button(f"{delta:+.2f}", key=f"label_nudge_{edge}{delta:+.2f}"):
                    start_delta, end_delta = (delta, 0.0) if edge == "start" else (0.0, delta)
                    try:
                        labeling.nudge(store, actor, segment.id, segment.version, start_delta, end_delta)
                    except SpeechLabelError as error:
                        st.error(str(error))
                    else:
                        go_to(segment.id)


def split_form(actor: Actor, context: LabelContext, keys: dict[str, str]) -> None:
    segment = context.segment
    text = st.session_state[keys["text"]]
    words = text.split()
    with st.popover("Split…", width="stretch"):
        if len(words) < 2:
            st.caption("Type at least two words to split the text between the parts.")
            return
        if not 1 <= st.session_state.get("label_split_word", 0) < len(words):
            suggest_split(context, 1)  # the text changed length since
        index = st.selectbox("Split before word", range(1, len(words)), key="label_split_word",
                             format_func=lambda i: f"{' '.join(words[max(0, i - 3):i])} ‖ {' '.join(words[i:i + 3])}",
                             on_change=suggest_split, args=(context,))
        at_time = st.number_input("at (s)", min_value=segment.start, max_value=segment.end, step=0.05,
                                  format="%.3f", key="label_split_time",
                                  help="Suggested: the pause between the two words in the draft.")
        if st.button("Split here", key="label_split_go"):
            try:
                first, _ = labeling.split(store, actor, segment.id, segment.version, at_time, index, text=text)
            except SpeechLabelError as error:
                st.error(str(error))
            else:
                go_to(first.id, f"Split at {at_time:.3f} s.")


def merge_form(actor: Actor, context: LabelContext, keys: dict[str, str]) -> None:
    segment = context.segment
    following = store.neighbour_segment(segment.id, after=True)
    with st.popover("Merge with next…", width="stretch", disabled=following is None):
        if following is None:
            return
        st.caption(f"Next: {_clock(following.start)}–{_clock(following.end)} — {following.text or '(no text)'}")
        if st.button("Merge", key="label_merge_go"):
            try:
                labeling.merge_with_next(store, actor, segment.id, segment.version, following.version,
                                         following.id, text=st.session_state[keys["text"]])
            except SpeechLabelError as error:
                st.error(str(error))
            else:
                go_to(segment.id, "Merged with the next segment.")


def restored_notice(actor: Actor, context: LabelContext, keys: dict[str, str]) -> None:
    if not st.session_state.get(keys["restored"]):
        return
    when = context.unsaved.updated_at.strftime("%Y-%m-%d %H:%M UTC")
    left, right = st.columns([4, 1])
    left.info(f"Your unsaved edit from {when} is back in the editor.")
    if right.button("Discard it", key="label_discard"):
        labeling.discard_unsaved_edit(store, actor, context.segment.id)
        st.session_state.pop("label_token", None)  # the editor starts again from the segment
        st.rerun()


def conflict(actor: Actor, context: LabelContext) -> None:
    """Someone saved this segment after the user started typing: show both, lose neither."""
    segment, mine = context.segment, context.unsaved
    st.warning(f"{segment.updated_by or 'Someone'} saved this segment (version {segment.version}) after you "
               f"started editing version {mine.base_version}. Both texts are below; choose which to continue from.")
    theirs_column, mine_column = st.columns(2)
    theirs_column.markdown(f"**Saved by {segment.updated_by}** · speaker {segment.speaker or '—'} · "
                           f"tags {', '.join(segment.tags) or '—'}")
    theirs_column.code(segment.text or "(empty)", language=None, wrap_lines=True)
    mine_column.markdown(f"**Yours (not saved)** · speaker {mine.speaker or '—'} · tags {', '.join(mine.tags) or '—'}")
    mine_column.code(mine.text or "(empty)", language=None, wrap_lines=True)
    if mine_column.button("Continue from mine", type="primary"):
        labeling.keep_unsaved_edit(store, actor, segment.id, segment.version, mine.text, mine.speaker, mine.tags)
        st.rerun()
    if theirs_column.button("Continue from theirs"):
        labeling.discard_unsaved_edit(store, actor, segment.id)
        st.rerun()


def label_page() -> None:
    st.title("Label")
    actor = st.session_state["actor"]
    project = chosen_project(actor)
    if project is None:
        st.info("You have no project to label yet: a lead adds you to one.")
        return
    flash, notice = st.session_state.pop("label_flash", None), st.session_state.pop("label_notice", None)
    if flash:
        st.success(flash)
    if notice:
        st.warning(notice)
    st.sidebar.toggle("Play each segment when it opens", value=True, key="label_autoplay")
    segment_id = current_segment_id(actor, project)
    if segment_id is None:
        st.success(f"Nothing left to label in {project.name}. 🎉")
        return
    try:
        context = labeling.open_segment(store, actor, segment_id)
    except (NotFound, Forbidden) as error:
        _forget_segment()
        st.session_state["label_notice"] = f"{error}. Here is your next segment."
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
