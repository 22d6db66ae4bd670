"""Review page (reviewers and leads): the submitted segments in a chosen order; each with its
clip, the draft and the final text side by side with the differences marked, speaker and tags,
and Approve (Alt+A) or Reject (Alt+X) with a reason (keys 1–6) and a comment. Leads can approve
a trusted labeler's filtered work in bulk. Widgets and domain calls only."""

from __future__ import annotations

import html

import streamlit as st

from speechlabel.accounts.access import role_in
from speechlabel.core.errors import Forbidden, NotFound, SpeechLabelError, StaleVersion
from speechlabel.core.models import Actor, Project, ReviewReason, Role
from speechlabel.labeling.clips import segment_clip
from speechlabel.review import decisions as review
from speechlabel.review.decisions import DiffPiece, ReviewContext, ReviewOrder, ReviewQuery
from views import segment_waveform, session
from views.lang import error_text, label, t, translator
from views.plain import error_md, md, tm
from views.player import PlayerData, clip_player, player_texts

workspace = st.session_state["workspace"]
store = workspace.store

ORDER_KEYS = {
    ReviewOrder.LOW_CONFIDENCE: "review.order.low_confidence",
    ReviewOrder.SAMPLE: "review.order.sample",
    ReviewOrder.LABELER: "review.order.labeler",
    ReviewOrder.RECORDING: "review.order.recording",
}
# Languages whose differences are shown per character (no spaces between words, or Korean,
# whose spacing varies between writers).
CHARACTER_DIFF_LANGUAGES = ("ko", "ja", "zh", "th")
QUEUE_PAGE = 50
REMOVED_STYLE = "background:#ffd7d5;color:#82071e"
ADDED_STYLE = "background:#ccffd8;color:#055d20;text-decoration:none"


def order_label(order: ReviewOrder) -> str:
    return t(ORDER_KEYS[order])


def order_format():
    fixed = translator()
    return lambda order: fixed(ORDER_KEYS[order])


def chosen_project(actor: Actor) -> Project | None:
    return session.pick_project(store, actor, (Role.REVIEWER, Role.LEAD), "review_project", forget_segment)


def forget_segment() -> None:
    st.session_state.pop("review_segment", None)
    st.query_params.pop("review", None)


def queue_query(project: Project) -> ReviewQuery:
    """The order and filters chosen in the sidebar."""
    order = st.sidebar.selectbox(
        t("review.order"), list(ORDER_KEYS), format_func=order_format(), key="review_order", on_change=forget_segment
    )
    labeler = (
        st.sidebar.text_input(
            t("review.labeler_filter"), key="review_labeler", max_chars=40, on_change=forget_segment
        ).strip()
        or None
    )
    recordings = {r.id: r.label for r in store.list_recordings(project.id)}
    every = t("review.every_recording")
    recording = st.sidebar.selectbox(
        t("review.recording"),
        [None, *recordings],
        key="review_recording",
        format_func=lambda rid: every if rid is None else recordings[rid],
        on_change=forget_segment,
    )
    if order == ReviewOrder.LABELER and labeler is None:
        st.sidebar.caption(t("review.type_labeler"))
    if order == ReviewOrder.RECORDING and recording is None:
        st.sidebar.caption(t("review.choose_recording"))
    return ReviewQuery(order=order, labeler=labeler, recording_id=recording, limit=QUEUE_PAGE)


def go_to(segment_id: str | None, message: str | None = None) -> None:
    st.session_state["review_segment"] = segment_id
    if segment_id is None:
        st.query_params.pop("review", None)
    if message:
        st.session_state["review_flash"] = message
    st.rerun()


def diff_html(pieces: tuple[DiffPiece, ...], side: str, language: str | None) -> str:
    """One side of the comparison: the draft with what the labeler removed struck through, or
    the final text with what they added marked."""
    joiner = "" if (language or "")[:2] in CHARACTER_DIFF_LANGUAGES else " "
    parts = []
    for piece in pieces:
        text = piece.draft if side == "draft" else piece.final
        if not text:
            continue
        escaped = html.escape(text)
        if piece.op == "equal":
            parts.append(escaped)
        elif side == "draft":
            parts.append(f'<del class="removed" style="{REMOVED_STYLE}">{escaped}</del>')
        else:
            parts.append(f'<ins class="added" style="{ADDED_STYLE}">{escaped}</ins>')
    return joiner.join(parts) or f"<i>{html.escape(t('review.empty_text'))}</i>"


def header(context: ReviewContext, waiting: int, project: Project) -> None:
    segment = context.segment
    st.subheader(
        tm(
            "review.header",
            recording=context.recording.label,
            start=segment.start,
            end=segment.end,
            duration=segment.duration,
        )
    )
    st.caption(
        tm(
            "review.header_caption",
            labeler=context.labeler or t("review.unknown"),
            status=label(segment.status),
            version=segment.version,
            waiting=waiting,
            project=project.name,
        )
    )


def texts(context: ReviewContext, language: str | None) -> None:
    draft, final = st.columns(2)
    with draft:
        st.caption(t("review.draft") + (f" · {md(context.draft.model)}" if context.draft else ""))
        st.html(f'<div class="review-draft">{diff_html(context.diff, "draft", language)}</div>')
    with final:
        st.caption(t("review.final"))
        st.html(f'<div class="review-final">{diff_html(context.diff, "final", language)}</div>')
    segment = context.segment
    st.caption(
        tm(
            "review.speaker_tags",
            speaker=segment.speaker or t("review.none"),
            tags=", ".join(segment.tags) or t("review.none"),
        )
    )
    for earlier in context.reviews:
        reason = f": {label(earlier.reason)}" if earlier.reason else ""
        note = f" — {earlier.comment}" if earlier.comment else ""
        st.caption(
            tm(
                "review.earlier",
                decision=label(earlier.decision),
                reviewer=earlier.reviewer,
                at=f"{earlier.created_at:%Y-%m-%d %H:%M}",
                reason=reason,
                note=note,
            )
        )


def decide(actor: Actor, project: Project, context: ReviewContext, query: ReviewQuery) -> None:
    segment, state = context.segment, st.session_state
    if state.get("review_for") != segment.id:  # another segment: start with no reason or comment
        state["review_for"], state["review_comment"], state["review_reason"] = segment.id, "", None
    st.text_input(t("review.comment"), key="review_comment", max_chars=2000)
    st.caption(t("review.reason_caption"))
    with st.container(horizontal=True, key="review_reasons"):
        for index, reason in enumerate(ReviewReason):
            st.button(
                label(reason),
                key=f"review_reason_{reason.value}",
                shortcut=str(index + 1),
                type="primary" if state.get("review_reason") == reason.value else "secondary",
                on_click=state.__setitem__,
                args=("review_reason", reason.value),
            )
    approve, reject, skip = st.columns(3)
    if approve.button(t("review.approve"), type="primary", shortcut="Alt+A", width="stretch"):
        act(
            lambda: review.approve(store, actor, segment.id, segment.version, state["review_comment"] or None),
            project,
            query,
            segment.id,
            t("review.approved"),
        )
    if reject.button(t("review.reject"), shortcut="Alt+X", width="stretch"):
        if not state.get("review_reason"):
            st.error(t("review.choose_reason"))
        else:
            chosen = ReviewReason(state["review_reason"])
            act(
                lambda: review.reject(
                    store, actor, segment.id, segment.version, chosen, state["review_comment"] or None
                ),
                project,
                query,
                segment.id,
                t("review.rejected", reason=label(chosen)),
            )
    if skip.button(t("review.skip"), shortcut="Alt+N", width="stretch"):
        upcoming = review.next_to_review(store, actor, project, query, after=segment.id)
        go_to(upcoming.id if upcoming else None)


def act(action, project: Project, query: ReviewQuery, segment_id: str, done: str) -> None:
    actor = st.session_state["actor"]
    try:
        action()
    except StaleVersion as error:
        st.warning(tm("review.stale", error=error_text(error)))
        go_to(segment_id)
    except SpeechLabelError as error:
        st.error(error_md(error))
    else:
        upcoming = review.next_to_review(store, actor, project, query, after=segment_id)
        go_to(upcoming.id if upcoming else None, done)


def queue_table(actor: Actor, project: Project, query: ReviewQuery, current: str | None) -> None:
    items = review.review_queue(store, actor, project, query)
    with st.expander(
        t("review.queue", order=order_label(query.order).lower(), count=len(items)), expanded=current is None
    ):
        rows = [
            {
                "": "▶" if item.segment.id == current else "",
                t("review.col.labeler"): item.labeler or "",
                t("review.col.confidence"): None if item.confidence is None else round(item.confidence, 2),
                t("review.col.start"): round(item.segment.start, 2),
                t("review.col.status"): label(item.segment.status),
                t("review.col.text"): item.segment.text,
            }
            for item in items
        ]
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            on_select=_picked_row,
            selection_mode="single-row",
            key="review_list",
        )
        st.session_state["review_list_ids"] = [item.segment.id for item in items]


def _picked_row() -> None:
    chosen = st.session_state["review_list"].selection.rows
    if chosen:
        st.session_state["review_segment"] = st.session_state["review_list_ids"][chosen[0]]


def bulk_approve(actor: Actor, project: Project, query: ReviewQuery) -> None:
    if role_in(actor, project.id) != Role.LEAD:
        return
    with st.sidebar.expander(t("review.bulk")):
        who = st.text_input(t("review.col.labeler"), key="review_bulk_labeler", max_chars=40)
        scope = "review.bulk_go_recording" if query.recording_id else "review.bulk_go_all"
        if st.button(t(scope), key="review_bulk_go"):
            try:
                count = review.bulk_approve(store, actor, project, who.strip(), query.recording_id)
            except SpeechLabelError as error:
                st.error(error_md(error))
            else:
                forget_segment()
                st.session_state["review_flash"] = tm("review.bulk_done", count=count, name=who.strip())
                st.rerun()


def review_page() -> None:
    st.title(t("page.review"))
    actor = st.session_state["actor"]
    project = chosen_project(actor)
    if project is None:
        st.info(t("review.no_project"))
        return
    query = queue_query(project)
    bulk_approve(actor, project, query)
    flash = st.session_state.pop("review_flash", None)
    messages = st.container()  # always here: a message appearing must not move the page below it
    if flash:
        messages.success(flash)
    chosen = st.session_state.get("review_segment") or st.query_params.get("review")
    if chosen is None:
        upcoming = review.next_to_review(store, actor, project, query)
        chosen = upcoming.id if upcoming else None
    if chosen is None:
        st.success(tm("review.nothing", project=project.name))
        queue_table(actor, project, query, None)
        return
    try:
        context = review.open_for_review(store, actor, chosen)
    except (NotFound, Forbidden) as error:
        st.warning(tm("review.gone", error=error_text(error)))
        forget_segment()
        return
    st.query_params["review"] = chosen
    header(context, review.count_to_review(store, actor, project), project)
    span = segment_clip(context.segment, context.recording.duration, 0.0)
    clip_player(
        PlayerData(
            url=span.url,
            caption=t("review.clip_caption"),
            autoplay=True,
            focus_key="",
            token=chosen,
            texts=player_texts(),
        )
    )
    segment_waveform.show(
        actor, chosen, f"{chosen}:{context.segment.version}", editable=False, on_request=segment_waveform.ignore
    )
    texts(context, project.language)
    decide(actor, project, context, query)
    queue_table(actor, project, query, chosen)


review_page()
