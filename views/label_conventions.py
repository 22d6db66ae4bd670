"""The transcription convention on the label page: the scheme's tag buttons (inserted at the
caret, hotkeys while typing), the linter's problems for the current text, and a Fix button.

The text is linted whenever it commits (blur, a click, a tag insertion), not per keystroke:
the box commits only on blur so that reruns never break Hangul IME composition.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from speechlabel.conventions import Insertion, Problem, Severity, TagScheme, lint
from speechlabel.errors import ValidationError
from speechlabel.i18n.lint_text import problem_message, tag_meaning
from speechlabel.models import Project
from speechlabel.project_conventions import (
    DUAL,
    fix_transcript,
    insert_at_caret,
    project_scheme,
)
from views.caret import (
    CaretData,
    Selection,
    caret_helper,
    last_selection,
    pending_insert,
)
from views.lang import current_lang, error_text, t

CARET_STATE = "label_caret"
_CARET_COUNTER = "label_caret_count"
BOX_KEY = "transcript_box"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:$])")


@dataclass(frozen=True)
class Editor:
    """What the panel needs of the label page's editor: where the text lives and how to keep it."""

    project: Project
    text_key: str
    remember: Callable[[], None]  # keep the editor's content as the user's unsaved edit

    @property
    def scheme(self) -> TagScheme:
        return project_scheme(self.project)


def tag_buttons(editor: Editor) -> None:
    scheme = editor.scheme
    st.caption(t("conventions.tags", scheme=scheme.title or scheme.name))
    with st.container(horizontal=True, gap="small", key="scheme_tags"):
        for index, tag in enumerate(scheme.tags):
            label = _escape(tag.text) + (f" · {tag.hotkey}" if tag.hotkey else "")
            st.button(label, key=f"label_tag_{index}", help=tag_meaning(scheme, tag, current_lang()) or None,
                      on_click=_insert_from_button, args=(editor, tag.text))
        if scheme.dual_transcription:
            label = _escape(t("conventions.dual")) + (f" · {scheme.dual_hotkey}" if scheme.dual_hotkey else "")
            st.button(label, key="label_tag_dual", help=t("conventions.dual_help"),
                      on_click=_insert_from_button, args=(editor, DUAL))
    hotkeys = {tag.hotkey: tag.text for tag in scheme.tags if tag.hotkey}
    if scheme.dual_transcription and scheme.dual_hotkey:
        hotkeys[scheme.dual_hotkey] = DUAL
    # One run only: a later run (or a reload) must never write an old insertion into the box.
    caret_helper(CaretData(BOX_KEY, hotkeys, st.session_state.pop(CARET_STATE, None)),
                 on_insert=lambda: _insert_from_hotkey(editor))


def _insert_from_button(editor: Editor, tag_text: str) -> None:
    text = st.session_state[editor.text_key]
    selection = last_selection()
    if selection is None or selection.text != text:  # caret unknown (or stale): the end
        selection = Selection(len(text), len(text), text)
    _insert(editor, tag_text, selection)


def _insert_from_hotkey(editor: Editor) -> None:
    asked = pending_insert()
    if asked is not None:
        _insert(editor, *asked)  # the browser's live text: it may hold typing not committed yet


def _insert(editor: Editor, tag_text: str, selection: Selection) -> None:
    text = selection.text
    start = min(max(0, selection.start), len(text))
    end = min(max(start, selection.end), len(text))
    try:
        inserted: Insertion = insert_at_caret(editor.scheme, text, tag_text, start, end)
    except ValidationError as error:
        st.session_state["label_notice"] = error_text(error)
        return
    _replace_text(editor, text, inserted.text, inserted.caret)


def _replace_text(editor: Editor, before: str, text: str, caret: int) -> None:
    """Put ``text`` in the editor (and on the server); the browser is told once, by the next
    run, to show it in place of ``before`` with the caret at ``caret``."""
    state = st.session_state
    state[editor.text_key] = text
    state[_CARET_COUNTER] = state.get(_CARET_COUNTER, 0) + 1
    state[CARET_STATE] = {"id": state[_CARET_COUNTER], "before": before, "text": text, "at": caret}
    editor.remember()


def lint_panel(editor: Editor) -> None:
    text = st.session_state[editor.text_key]
    scheme = editor.scheme
    name = scheme.title or scheme.name
    with st.container(key="lint_problems"):
        if not text.strip():
            return  # an empty box is refused on save anyway; no list of complaints while starting
        problems = sorted(lint(text, scheme), key=lambda p: (p.start, p.end))
        if not problems:
            st.caption(t("conventions.clean", scheme=name))
            return
        errors = sum(p.is_error for p in problems)
        st.markdown(t("conventions.count", errors=errors, warnings=len(problems) - errors, scheme=name))
        for problem in problems:
            st.markdown(_problem_line(text, problem, scheme))
        if any(problem.fix for problem in problems):
            st.button(t("conventions.fix"), key="label_lint_fix", help=t("conventions.fix_help"), on_click=_fix, args=(editor,))
        if errors and editor.project.convention_settings.block_submit_on_lint_errors:
            st.warning(t("conventions.blocks"))


def _problem_line(text: str, problem: Problem, scheme: TagScheme) -> str:
    error = problem.severity == Severity.ERROR
    snippet = text[problem.start:problem.end]
    line = t("conventions.line", color="red" if error else "orange",
             severity=t("conventions.error" if error else "conventions.warning"), start=problem.start,
             end=problem.end, snippet=" " + _code(snippet) if snippet.strip() else "",
             message=_escape(problem_message(problem, scheme, current_lang())))
    if problem.fix is not None:
        replacement = problem.fix.replacement.replace(" ", "␣") if not problem.fix.replacement.strip() \
            else problem.fix.replacement  # a space to type is shown, not left invisible
        line += t("conventions.suggest", replacement=_code(replacement)) if replacement else t("conventions.delete")
    return line


def _fix(editor: Editor) -> None:
    text = st.session_state[editor.text_key]
    result = fix_transcript(editor.scheme, text)
    if result.text != text:
        _replace_text(editor, text, result.text, len(result.text))
        st.session_state["label_flash"] = t("conventions.fixed", count=result.fixed)


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else _escape(text)
