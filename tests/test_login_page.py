"""Signing in and what each role sees (AppTest): the page list is built from the roles, and the
domain refuses what a role may not do even when a page is reached."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import Role
from speechlabel.projects.manage import create_project
from speechlabel.store.rows import utc_now
from tests.app_session import PASSWORD, sign_in

APP = str(Path(__file__).resolve().parents[1] / "workbench.py")


def known_pages(app: AppTest) -> str:
    """The pages the session was given, read from AppTest's refusal to open an unknown one."""
    with pytest.raises(ValueError) as refused:
        app.switch_page("views/forms.py")  # a module of views/, never a page
    return str(refused.value)


def test_the_sign_in_page_of_a_first_start_shows_no_password(app_store):
    """The first admin's password goes to the server's console (tests/test_workbench.py), never to
    whoever opens the sign-in page first."""
    first = AppTest.from_file(APP, default_timeout=60).run()
    assert not first.exception and first.title[0].value == "Sign in"
    shown = " ".join(
        element.value for kind in (first.warning, first.info, first.markdown, first.caption) for element in kind
    )
    assert "password" not in shown.lower()  # before: "First start: ... password `...`"


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(app_store):
    accounts.create_user(app_store, SYSTEM, "boss", PASSWORD, is_admin=True)
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.text_input[0].input("boss")
    app.text_input[1].input("wrong password")
    app.button[0].click().run()
    assert app.error[0].value == "wrong username or password"
    app.text_input[1].input(PASSWORD)
    app.button[0].click().run()
    assert not app.exception and app.title[0].value == "Projects"
    assert "Signed in as **boss** (admin)" in app.sidebar.caption[0].value


def test_each_role_gets_its_pages(app_store):
    create_project(app_store, "calls", actor=SYSTEM)
    labeler = sign_in(AppTest.from_file(APP, default_timeout=60), app_store, "lea", Role.LABELER, "calls").run()
    assert labeler.title[0].value == "Label"
    assert "views/label.py" in known_pages(labeler) and "views/projects.py" not in known_pages(labeler)
    reviewer = sign_in(AppTest.from_file(APP, default_timeout=60), app_store, "rex", Role.REVIEWER, "calls").run()
    assert reviewer.title[0].value == "Projects"
    assert "views/label.py" not in known_pages(reviewer) and "views/users.py" not in known_pages(reviewer)
    labels = [b.label for b in reviewer.button]
    assert "Pre-label new recordings" not in labels and "Create project" not in labels
    assert not reviewer.get("file_uploader")
    lead = sign_in(AppTest.from_file(APP, default_timeout=60), app_store, "lou", Role.LEAD, "calls").run()
    assert all(page in known_pages(lead) for page in ("views/projects.py", "views/label.py", "views/users.py"))
    nobody = sign_in(AppTest.from_file(APP, default_timeout=60), app_store, "new").run()
    assert nobody.title[0].value == "Waiting for a role"


def test_an_expired_session_goes_back_to_sign_in_with_the_reason(app_store):
    accounts.create_user(app_store, SYSTEM, "lea", PASSWORD)
    token, _ = accounts.login(app_store, "lea", PASSWORD, now=utc_now() - timedelta(days=2), session_seconds=3600)
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["session_token"] = token
    app.run()
    assert app.title[0].value == "Sign in"
    assert "expired" in app.warning[0].value.lower()


def test_admin_adds_a_user_and_a_lead_gives_a_role_on_the_users_page(app_store):
    create_project(app_store, "calls", actor=SYSTEM)
    admin = sign_in(AppTest.from_file(APP, default_timeout=60), app_store, "boss", admin=True).run()
    admin.switch_page("views/users.py").run()
    form_inputs = [t for t in admin.text_input if t.label in ("Username", "Password (8–200 characters)")]
    form_inputs[0].input("nina")
    form_inputs[1].input("nina password 1")
    next(b for b in admin.button if b.label == "Add user").click().run()
    assert "Added nina." in admin.success[0].value
    lead = sign_in(AppTest.from_file(APP, default_timeout=60), app_store, "lou", Role.LEAD, "calls").run()
    lead.switch_page("views/users.py").run()
    assert not [b for b in lead.button if b.label == "Add user"]  # only admins create users
    lead.text_input(key="role_user").input("nina")
    next(b for b in lead.button if b.label == "Give role").click().run()
    assert "nina is now labeler in calls." in lead.success[0].value
    entries = accounts.list_audit(app_store, SYSTEM, project_id=app_store.get_project("calls").id)
    assert any(e.action == "role_set" and e.actor == "lou" and e.target == "nina" for e in entries)


def test_with_oidc_configured_the_page_offers_the_provider_instead_of_a_password(app_store):
    app = AppTest.from_file(APP, default_timeout=60)
    app.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "speechlabel",
        "client_secret": "s",
        "server_metadata_url": "https://id.example.com/.well-known/openid-configuration",
    }
    app.run()
    assert not app.exception
    assert [b.label for b in app.button] == ["Sign in with your organisation"]
    assert not app.text_input  # no password form
