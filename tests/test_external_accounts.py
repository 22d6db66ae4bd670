"""Users of the deployment's identity provider (OIDC via st.login), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.accounts.users import (
    actor_for_external_user,
    create_user,
    external_username,
    list_audit,
    login,
    set_disabled,
    set_role,
)
from speechlabel.core.errors import Conflict, Forbidden, ValidationError, WrongCredentials
from speechlabel.core.models import Role
from speechlabel.projects.manage import create_project


def test_usernames_from_emails():
    assert external_username("Ana.Kim@Example.com") == "ana.kim_example.com"
    assert external_username("ana+test@x.io") == "ana-test_x.io"
    long = external_username("a.very.long.first.and.last.name@some-company.example.co.kr")
    assert len(long) == 40 and long.startswith("a.very.long.first.and.last.name") and long[-9] == "-"
    assert external_username("_x@y.z") == "x_y.z"


def test_first_visit_creates_a_user_without_roles_then_finds_them(store):
    first = actor_for_external_user(store, " Ana.Kim@Example.com ", email_verified=True)
    assert (first.username, first.is_admin, first.roles, first.session_expires_at) == (
        "ana.kim_example.com",
        False,
        {},
        None,
    )
    calls = create_project(store, "calls", actor=SYSTEM)
    set_role(store, SYSTEM, first.username, calls, Role.LABELER)  # an admin gives the role
    again = actor_for_external_user(store, "ana.kim@example.com")
    assert again.user.id == first.user.id and again.roles == {calls.id: Role.LABELER}
    created = [e for e in list_audit(store, SYSTEM) if e.action == "user_created"]
    assert [(e.actor, e.target, e.details["external"]) for e in created] == [("system", "ana.kim_example.com", True)]
    with pytest.raises(WrongCredentials):  # no password opens an external account
        login(store, "ana.kim_example.com", "external$" + "0" * 64)


def test_a_username_held_by_another_account_is_never_taken_over(store):
    create_user(store, SYSTEM, "ana_example.com", "a password 123")
    with pytest.raises(Conflict, match="belongs to another account; ask an admin"):
        actor_for_external_user(store, "ana@example.com")
    actor_for_external_user(store, "a_b@c.d")  # "a_b_c.d"
    with pytest.raises(Conflict, match="belongs to another account"):
        actor_for_external_user(store, "a@b_c.d")  # the same username, another email


@pytest.mark.parametrize(
    "email, verified, error, message",
    [
        (None, None, ValidationError, "no usable email"),
        ("no-at-sign", None, ValidationError, "no usable email"),
        ("x" * 300 + "@a.b", None, ValidationError, "at most 254"),
        ("ana@example.com", False, Forbidden, "has not verified 'ana@example.com'"),
    ],
)
def test_unusable_emails_are_refused(store, email, verified, error, message):
    with pytest.raises(error, match=message):
        actor_for_external_user(store, email, verified)
    assert store.list_users() == []


def test_a_disabled_external_user_is_refused(store):
    actor = actor_for_external_user(store, "zoe@example.com")
    set_disabled(store, SYSTEM, actor.username)
    with pytest.raises(Forbidden, match="is disabled"):
        actor_for_external_user(store, "zoe@example.com")
