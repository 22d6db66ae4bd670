"""The session's UI language: ``t()`` for the pages and the sidebar's language switch.

Until someone picks a language with the switch, it follows the current project's language
(ko: Korean, anything else: English), and with no project the browser's language
(``st.context.locale``, else the ``Accept-Language`` header). The choice lives in this
session's state (a browser reload starts over from the default).
"""

from __future__ import annotations

import enum
from collections.abc import Callable

import streamlit as st

from speechlabel.accounts.access import visible_projects
from speechlabel.core.errors import SpeechLabelError
from speechlabel.core.models import Actor
from speechlabel.i18n import (
    LANGUAGE_NAMES,
    Lang,
    default_language,
    enum_label,
    error_message,
    translate,
)
from speechlabel.store import Store

LANG_KEY = "ui_language"
_CHOSEN_KEY = "ui_language_chosen"
# Where the pages keep the project someone is looking at, most general first.
_PROJECT_KEYS = ("project_name", "review_project", "dashboard_project", "export_project", "users_project")


def current_lang() -> Lang:
    return Lang(st.session_state.get(LANG_KEY, Lang.EN.value))


def t(key: str, **params: object) -> str:
    """The message ``key`` in the session's language."""
    return translate(key, current_lang(), **params)


def label(member) -> str:
    """A status, reason, role, ... in the session's language."""
    return enum_label(member, current_lang())


def translator() -> Callable[..., str]:
    """``t`` fixed to this run's language, for widgets' ``format_func``: Streamlit's AppTest calls
    those outside the script run, where the session's language cannot be read."""
    lang = current_lang()
    return lambda key, **params: translate(key, lang, **params)


def label_format() -> Callable[[enum.Enum], str]:
    """``label`` fixed to this run's language, for widgets' ``format_func`` (see ``translator``)."""
    lang = current_lang()
    return lambda member: enum_label(member, lang)


def error_text(error: SpeechLabelError) -> str:
    return error_message(error, current_lang())


def language_switch(store: Store, actor: Actor | None) -> None:
    """The sidebar's switch; call before anything is written, so every text of the run uses it."""
    state = st.session_state
    if not state.get(_CHOSEN_KEY):
        state[LANG_KEY] = _default(store, actor).value
    st.sidebar.radio(
        t("sidebar.language"),
        [lang.value for lang in Lang],
        key=LANG_KEY,
        horizontal=True,
        format_func=lambda code: LANGUAGE_NAMES[Lang(code)],
        on_change=_chosen,
    )


def _chosen() -> None:
    st.session_state[_CHOSEN_KEY] = True


def _default(store: Store, actor: Actor | None) -> Lang:
    context = st.context
    browser = context.locale
    accept = context.headers.get("Accept-Language")
    return default_language(_project_language(store, actor), browser, accept)


def _project_language(store: Store, actor: Actor | None) -> str | None:
    if actor is None:
        return None
    projects = visible_projects(store, actor)
    by_name = {project.name: project for project in projects}
    for key in _PROJECT_KEYS:
        chosen = by_name.get(st.session_state.get(key, ""))  # project names are never empty
        if chosen is not None:
            return chosen.language
    return projects[0].language if projects else None
