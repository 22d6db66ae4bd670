"""The label page's pieces that only render (no store): times, the draft line, the clip
player's texts, the refused-save message and the set-aside kinds (skip, untranscribable)."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from speechlabel import labeling
from speechlabel.draft_view import DraftView
from speechlabel.i18n.lint_text import problem_message
from speechlabel.models import Project
from speechlabel.project_conventions import LintRejected, project_scheme
from views.lang import current_lang, t


def clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{rest:06.3f}" if hours else f"{minutes}:{rest:06.3f}"


def player_texts() -> dict[str, str]:
    return {"replay": t("clip_player.replay"), "replay_help": t("clip_player.replay_help"),
            "speed_help": t("clip_player.speed_help"), "keys": t("clip_player.keys")}


def draft_line(draft: DraftView | None, threshold: float) -> None:
    if draft is None:
        st.caption(t("label.no_draft"))
        return
    marked = " ".join(
        f'<mark title="{html.escape(t("label.confidence", score=w.score))}">{html.escape(w.symbol)}</mark>' if w.low_confidence
        else html.escape(w.symbol)
        for w in draft.words
    ) if draft.words else html.escape(draft.text)
    note = t("label.draft_note", model=draft.model, count=draft.low_confidence_count, threshold=threshold)
    st.html(f'<div class="draft"><b>{html.escape(t("label.draft"))}</b> <small>{html.escape(note)}</small>'
            f'<br>{marked}</div>')


def lint_rejected_text(project: Project, error: LintRejected) -> str:
    """Save refused for lint errors, with the first error in the reader's language."""
    first = error.problems[0]
    more = len(error.problems) - 1
    return t("label.lint_rejected", position=first.start,
             message=problem_message(first, project_scheme(project), current_lang()),
             more=t("label.lint_rejected_more", count=more) if more else "")


@dataclass(frozen=True)
class SetAside:
    """Skip or untranscribable: the domain call and the message keys of its popover."""

    name: str  # the widget keys' part (kept from before translation: "Skip", "Untranscribable")
    action: Callable
    label_key: str
    hint_key: str
    go_key: str
    done_key: str


SKIP = SetAside("Skip", labeling.skip, "label.skip", "label.skip_hint", "label.skip_go", "label.skipped")
UNTRANSCRIBABLE = SetAside("Untranscribable", labeling.mark_untranscribable, "label.untranscribable",
                           "label.untranscribable_hint", "label.untranscribable_go", "label.untranscribable_done")
