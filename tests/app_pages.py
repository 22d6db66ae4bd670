"""The app's pages in Streamlit's AppTest (no browser): a new session signed in on a page, what
the page handed the label loop, its buttons, and work submitted for review."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import Role
from speechlabel.labeling import actions as labeling
from speechlabel.workspace.workspace import Workspace
from tests.app_session import PASSWORD

APP = str(Path(__file__).resolve().parents[1] / "workbench.py")
LOOP = "speechlabel_label_loop"


def open_label_page(user: str = "ana") -> AppTest:
    """A new browser session signed in as ``user`` on the label page."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["session_token"] = accounts.login(Workspace.shared().store, user, PASSWORD)[0]
    app.run()
    if app.title[0].value != "Label":  # a lead lands on Projects; a labeler has only the Label page
        app.switch_page("views/label.py").run()
    assert not app.exception, app.exception
    return app


def loop_data(app: AppTest) -> dict:
    """The data the page handed the label loop component."""
    mounted = [e for e in app.get("bidi_component") if e.proto.component_name == LOOP]
    assert len(mounted) == 1, [e.proto.component_name for e in app.get("bidi_component")]
    return json.loads(mounted[0].proto.json)


def actor(workspace, name: str):
    return accounts.login(workspace.store, name, PASSWORD)[1]


def button(app: AppTest, label: str):
    """The page's button with that label (the review, dashboard and export page tests use it)."""
    return next(b for b in app.button if b.label == label)


def open_review_page(user: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["session_token"] = accounts.login(Workspace.shared().store, user, PASSWORD)[0]
    app.run()
    app.switch_page("views/review.py").run()
    assert not app.exception, app.exception
    return app


def submitted(workspace, project, text: str = "And so my fellow Americans, ask"):
    ana = actor(workspace, "ana")
    first = labeling.next_segment(workspace.store, ana, project)
    labeling.save_and_next(workspace.store, ana, first.id, first.version, text, "Kennedy", ["noise"], None)
    return workspace.store.get_segment(first.id)


def reviewer(workspace) -> None:
    accounts.create_user(workspace.store, SYSTEM, "rita", PASSWORD)
    accounts.set_role(workspace.store, SYSTEM, "rita", "calls", Role.REVIEWER)
