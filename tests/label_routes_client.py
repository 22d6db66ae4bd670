"""Browser tabs on the label loop's JSON routes (Starlette's test client over the ``app``
fixture of tests/conftest.py): who they are, and the requests the component sends."""

from __future__ import annotations

from starlette.testclient import TestClient

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import Role
from speechlabel.labeling import actions as labeling
from tests.app_session import PASSWORD


def person(store, project, name: str, role: Role) -> str:
    """A user with ``role`` in ``project``; their session token."""
    accounts.create_user(store, SYSTEM, name, PASSWORD)
    accounts.set_role(store, SYSTEM, name, project.name, role)
    return accounts.login(store, name, PASSWORD)[0]


def client(app, token: str | None, tab: str = "tab-1") -> TestClient:
    opened = TestClient(app, headers={"x-speechlabel-tab": tab, "x-speechlabel-lang": "en"})
    if token:
        opened.cookies.set(accounts.SESSION_COOKIE, token)
    return opened


def first_segment(store, token):
    actor = accounts.authenticate(store, token)
    project = store.get_project_by_id(next(iter(actor.roles)))
    return labeling.next_segment(store, actor, project)


def signed_in(app, store, name: str, tab: str = "tab-1"):
    """A browser tab of ``name`` (who exists in "calls")."""
    return client(app, accounts.login(store, name, PASSWORD)[0], tab=tab)


def who(store, name: str):
    return accounts.login(store, name, PASSWORD)[1]


def edit(card: dict, text: str | None = None, **more) -> dict:
    """A request body about the card's segment, as the component sends it."""
    return {
        "segment_id": card["id"],
        "version": card["version"],
        "text": card["text"] if text is None else text,
        "speaker": card["speaker"],
        "tags": card["tags"],
        **more,
    }


def first_to_do(store, project, name: str):
    """What the label page mounts the loop with: the user's next segment (a labeler leases a batch)."""
    return labeling.next_segment(store, who(store, name), project)


def opened(web, segment_id: str) -> dict:
    answer = web.get(f"/api/label/open/{segment_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def ana_on_first(web_app, store, project):
    """ana's tab with her first segment open, as the page mounts it; (client, card)."""
    token, actor = accounts.login(store, "ana", PASSWORD)
    first = labeling.next_segment(store, actor, project)
    web = client(web_app, token)
    card = web.get(f"/api/label/open/{first.id}").json()
    assert card["id"] == first.id, card
    return web, card
