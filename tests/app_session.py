"""Signing a test's AppTest session in, as the sign-in page would: a real user, a real login."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.markdown_text import WORD_JOINER
from speechlabel.core.models import Role

PASSWORD = "correct horse battery"


def sign_in(
    app: AppTest, store, username: str, role: Role | None = None, project: str | None = None, admin: bool = False
) -> AppTest:
    """Create ``username`` (an admin, or ``role`` in ``project``) unless they exist, log in, and
    give the session the token; returns the app, not yet run."""
    try:
        store.get_user(username)
    except Exception:  # noqa: BLE001 — NotFound: a new user
        accounts.create_user(store, SYSTEM, username, PASSWORD, is_admin=admin)
    if role is not None:
        accounts.set_role(store, SYSTEM, username, project, role)
    app.session_state["session_token"] = accounts.login(store, username, PASSWORD)[0]
    return app


def shown(body: str) -> str:
    """What a reader sees of a Markdown body whose user text went through views/plain.py: the
    escaping backslashes and the word joiners that break autolinks taken out again."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", body).replace(WORD_JOINER, "")
