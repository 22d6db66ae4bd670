"""Accounts, roles, sessions and the audit log, on SQLite and PostgreSQL (the ``store`` fixture).

Time is controlled with ``now=``: nothing here sleeps.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select

from speechlabel.accounts import passwords
from speechlabel.accounts.access import (
    SYSTEM,
    Forbidden,
    require_admin,
    require_role,
    role_in,
    visible_projects,
)
from speechlabel.accounts.login_limits import LOGIN_LIMITS
from speechlabel.accounts.passwords import OWASP_COST, ScryptCost, hash_password, needs_rehash, verify_password
from speechlabel.accounts.users import (
    SESSION_SECONDS,
    authenticate,
    create_user,
    ensure_admin,
    list_audit,
    list_users,
    login,
    logout,
    project_members,
    remove_role,
    set_disabled,
    set_role,
    token_hash,
    validate_password,
    validate_username,
)
from speechlabel.cli import build_parser, main
from speechlabel.cli.users import read_password
from speechlabel.core.errors import (
    Conflict,
    NotFound,
    NotSignedIn,
    SessionExpired,
    TooManyAttempts,
    ValidationError,
    WrongCredentials,
)
from speechlabel.core.models import Role
from speechlabel.export import export_jsonl
from speechlabel.projects.manage import create_project
from speechlabel.store import Store, schema
from speechlabel.store.engine import _MIGRATIONS, make_engine, upgrade_schema
from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
FAILURE_WINDOW = LOGIN_LIMITS.window
PASSWORD = "correct horse battery"
MEGABYTE = "x" * 1_000_000


@pytest.fixture
def team(store):
    """Two projects; lee leads 'calls', ana labels in it, rob reviews in it; 'other' has no one."""
    calls = create_project(store, "calls", actor=SYSTEM)
    other = create_project(store, "other", actor=SYSTEM)
    for name in ("lee", "ana", "rob", "zoe"):
        create_user(store, SYSTEM, name, PASSWORD)
    set_role(store, SYSTEM, "lee", calls, Role.LEAD)
    set_role(store, SYSTEM, "ana", calls, Role.LABELER)
    set_role(store, SYSTEM, "rob", calls, "reviewer")
    return calls, other


def actor(store, name: str, now=T0):
    return login(store, name, PASSWORD, now=now)[1]


# --- passwords ----------------------------------------------------------------------------------


def test_hash_round_trip_and_stored_format_has_no_clear_password():
    stored = hash_password(PASSWORD)
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(passwords.COST.n), "8", "1")
    assert PASSWORD not in stored and len(key) == 44 and len(salt) == 24  # 32 and 16 bytes, base64
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "!", stored)
    assert hash_password(PASSWORD) != stored  # a fresh salt every time
    for broken in (
        "",
        "plain text",
        "bcrypt$1$2$3$4$5",
        stored.replace(f"${n}$", "$1000$"),
        "scrypt$1073741824$8$1$AAAA$" + "A" * 44,
    ):  # no gigabyte allocations on a bad row
        assert not verify_password(PASSWORD, broken)


def test_outside_the_tests_new_hashes_are_made_at_owasps_cost():
    """tests/conftest.py lowers the cost of new hashes in this process; the app, started afresh,
    makes them at OWASP's (and a hash records its cost, so it verifies whatever COST is later)."""
    code = (
        "from speechlabel.accounts import passwords; stored = passwords.hash_password('correct horse battery'); "
        "print(passwords.COST == passwords.OWASP_COST, stored.split('$')[1:4], "
        "passwords.verify_password('correct horse battery', stored))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.split() == ["True", "['131072',", "'8',", "'1']", "True"]
    assert passwords.COST != OWASP_COST  # and here it is lowered
    assert verify_password(PASSWORD, hash_password(PASSWORD, OWASP_COST))


def test_production_cost_is_owasps_and_older_hashes_are_renewed_at_sign_in(store, monkeypatch):
    """OWASP's Password Storage Cheat Sheet: scrypt N=2^17, r=8, p=1. A user whose hash was made
    at the old cost (N=2^14) signs in as before, and their hash is then stored at the new cost."""
    monkeypatch.setattr(passwords, "COST", OWASP_COST)  # the tests' conftest lowers it; not here
    assert OWASP_COST == ScryptCost(n=2**17, r=8, p=1)
    old_hash = hash_password(PASSWORD, ScryptCost(n=2**14, r=8, p=1))
    assert old_hash.startswith("scrypt$16384$8$1$") and needs_rehash(old_hash)
    create_user(store, SYSTEM, "ana", "placeholder password")
    store.set_password_hash(store.get_user("ana").id, old_hash)  # as the old code stored it
    assert login(store, "ana", PASSWORD, now=T0)[1].username == "ana"
    renewed = store.user_credentials("ana")[1]
    assert renewed.startswith("scrypt$131072$8$1$") and not needs_rehash(renewed)
    assert verify_password(PASSWORD, renewed)
    assert login(store, "ana", PASSWORD, now=T0)[1].username == "ana"
    assert store.user_credentials("ana")[1] == renewed  # a current hash is left alone
    with pytest.raises(WrongCredentials):  # a wrong password renews nothing
        login(store, "ana", "wrong password", now=T0)
    assert store.user_credentials("ana")[1] == renewed


# --- input rules --------------------------------------------------------------------------------


def test_usernames_are_lowercased_and_the_rules_are_stated():
    assert validate_username("  Ana.Kim_2-b ") == "ana.kim_2-b"
    assert validate_username("7x") == "7x" and validate_username("a" * 40) == "a" * 40


@pytest.mark.parametrize(
    "name, message",
    [
        ("../x", r"username '\.\./x' is not allowed; use 2 to 40 characters: lowercase letters a-z, digits"),
        ("a/b", "is not allowed"),
        ("a b", "is not allowed"),
        ("a\x00b", "is not allowed"),
        ("a\nb", "is not allowed"),
        ("-ab", "starting with a letter or digit"),
        (".hidden", "is not allowed"),
        ("ana@example.com", "is not allowed"),
        ("한국", "is not allowed"),
        ("a", "has 1 characters; use 2 to 40"),
        ("", "has 0 characters"),
        ("x" * 41, "has 41 characters"),
        ("cli", "reserved for the audit log"),
        ("system", "reserved"),
        (None, "a username must be text, got NoneType"),
    ],
)
def test_bad_usernames_are_refused(name, message):
    with pytest.raises(ValidationError, match=message):
        validate_username(name)


def test_a_megabyte_username_is_refused_fast_and_not_echoed(store):
    started = time.perf_counter()
    with pytest.raises(ValidationError) as refused:
        create_user(store, SYSTEM, MEGABYTE, PASSWORD)
    assert "has 1000000 characters; use 2 to 40" in str(refused.value) and len(str(refused.value)) < 300
    with pytest.raises(WrongCredentials):
        login(store, MEGABYTE, PASSWORD, now=T0)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "password, message",
    [
        ("short", "the password has 5 characters; use 8 to 200 characters"),
        ("", "has 0 characters"),
        ("p" * 201, "has 201 characters; use 8 to 200"),
        (None, "must be text"),
    ],
)
def test_bad_passwords_are_refused_without_echoing_them(store, password, message):
    with pytest.raises(ValidationError, match=message) as refused:
        create_user(store, SYSTEM, "ana", password)
    assert not password or password not in str(refused.value)
    with pytest.raises(NotFound):
        store.get_user("ana")


def test_a_megabyte_password_is_refused_before_hashing(store):
    create_user(store, SYSTEM, "ana", PASSWORD)
    started = time.perf_counter()
    with pytest.raises(ValidationError, match="has 1000000 characters; use 8 to 200"):
        create_user(store, SYSTEM, "bob", MEGABYTE)
    with pytest.raises(ValidationError, match="the password has 1000000 characters; at most 200"):
        login(store, "ana", MEGABYTE, now=T0)
    assert time.perf_counter() - started < 0.5  # one scrypt of a megabyte alone takes longer
    assert validate_password("p" * 200) == "p" * 200
    assert store.login_failures_since("ana", T0 - FAILURE_WINDOW) == []  # not an attempt at all


# --- signing in ---------------------------------------------------------------------------------


def test_login_opens_a_session_kept_only_as_a_hash(store, team):
    calls, _ = team
    token, signed_in = login(store, " Ana ", PASSWORD, now=T0)
    assert len(token) >= 40 and signed_in.username == "ana" and not signed_in.is_admin
    assert signed_in.roles == {calls.id: Role.LABELER}
    assert signed_in.session_expires_at == T0 + timedelta(seconds=SESSION_SECONDS) == T0 + timedelta(hours=12)
    again = authenticate(store, token, now=T0 + timedelta(hours=1))
    assert (again.user, again.roles, again.session_expires_at) == (
        signed_in.user,
        signed_in.roles,
        signed_in.session_expires_at,
    )
    with store.read() as connection:
        sessions = connection.execute(select(schema.sessions)).all()
        users = connection.execute(select(schema.users)).all()
    assert [row.token_hash for row in sessions] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token_hash(token) == sessions[0].token_hash
    assert not any(token in str(value) for row in sessions for value in row)
    assert not any(PASSWORD in str(value) for row in users for value in row)
    second, _ = login(store, "ana", PASSWORD, now=T0)
    assert second != token  # a fresh token each time; both sessions stay valid
    assert authenticate(store, token, now=T0).username == authenticate(store, second, now=T0).username


def test_roles_are_read_fresh_on_every_request(store, team):
    calls, other = team
    token, _ = login(store, "zoe", PASSWORD, now=T0)
    assert authenticate(store, token, now=T0).roles == {}
    set_role(store, SYSTEM, "zoe", calls, Role.REVIEWER)
    assert authenticate(store, token, now=T0).roles == {calls.id: Role.REVIEWER}
    set_role(store, SYSTEM, "zoe", other, Role.LABELER)
    assert authenticate(store, token, now=T0).roles == {calls.id: Role.REVIEWER, other.id: Role.LABELER}
    assert authenticate(store, token, now=T0).username == "zoe"


def test_unknown_user_and_wrong_password_get_the_identical_message(store, team):
    messages = set()
    for username, password in (
        ("ana", "wrong password"),
        ("nobody", PASSWORD),
        ("../etc", PASSWORD),
        ("ana", "short"),
        ("ana", None),
    ):
        with pytest.raises(WrongCredentials) as refused:
            login(store, username, password, now=T0)
        messages.add(str(refused.value))
    assert messages == {"wrong username or password"}


def test_rate_limit_pauses_a_username_even_for_the_right_password(store, team):
    for second in range(5):
        with pytest.raises(WrongCredentials):
            login(store, "ana", "wrong password", now=T0 + timedelta(seconds=second))
    with pytest.raises(TooManyAttempts) as paused:
        login(store, "ana", PASSWORD, now=T0 + timedelta(minutes=1))
    assert str(paused.value) == "too many failed sign-ins for 'ana' from your address; try again in 14 minutes"
    assert 13 * 60 < paused.value.retry_after_seconds <= 14 * 60
    with pytest.raises(TooManyAttempts, match="try again in 1 minute$"):
        login(store, "ana", PASSWORD, now=T0 + FAILURE_WINDOW - timedelta(seconds=5))
    other = login(store, "lee", PASSWORD, now=T0 + timedelta(minutes=1))  # only that username waits
    assert other[1].username == "lee"

    # The oldest failure has left the window: four recent ones remain, below the limit.
    token, signed_in = login(store, "ana", PASSWORD, now=T0 + FAILURE_WINDOW + timedelta(seconds=0.5))
    assert signed_in.username == "ana" and token
    assert store.login_failures_since("ana", T0 - FAILURE_WINDOW) == []  # success clears the count


def test_a_success_clears_the_count_and_unknown_names_are_paused_too(store, team):
    for second in range(4):
        with pytest.raises(WrongCredentials):
            login(store, "ana", "wrong password", now=T0 + timedelta(seconds=second))
    login(store, "ana", PASSWORD, now=T0 + timedelta(seconds=10))
    for second in range(4):
        with pytest.raises(WrongCredentials):
            login(store, "ana", "wrong password", now=T0 + timedelta(seconds=20 + second))
    assert login(store, "ana", PASSWORD, now=T0 + timedelta(seconds=30))[1].username == "ana"

    for second in range(5):  # a name that does not exist behaves the same: no probing by pause
        with pytest.raises(WrongCredentials):
            login(store, "ghost", PASSWORD, now=T0 + timedelta(seconds=second))
    with pytest.raises(TooManyAttempts, match="too many failed sign-ins for 'ghost'"):
        login(store, "ghost", PASSWORD, now=T0 + timedelta(seconds=6))


def test_expired_session(store, team):
    token, _ = login(store, "ana", PASSWORD, now=T0)
    assert authenticate(store, token, now=T0 + timedelta(hours=11, minutes=59)).username == "ana"
    with pytest.raises(SessionExpired, match=r"your session expired at 2025-03-01 21:00 UTC; sign in again"):
        authenticate(store, token, now=T0 + timedelta(hours=12))
    short, _ = login(store, "ana", PASSWORD, now=T0, session_seconds=60)
    with pytest.raises(NotSignedIn):  # SessionExpired is a NotSignedIn: one except for the login page
        authenticate(store, short, now=T0 + timedelta(minutes=2))


def test_logout_ends_the_session(store, team):
    token, _ = login(store, "ana", PASSWORD, now=T0)
    other, _ = login(store, "ana", PASSWORD, now=T0)
    logout(store, token, now=T0 + timedelta(minutes=5))
    with pytest.raises(NotSignedIn, match="sign in again") as refused:
        authenticate(store, token, now=T0 + timedelta(minutes=6))
    assert not isinstance(refused.value, SessionExpired)
    assert authenticate(store, other, now=T0).username == "ana"  # the other browser stays in
    logout(store, token)  # twice is fine
    logout(store, None)
    for bad in (None, "", "x" * 10_000, "made-up-token"):
        with pytest.raises(NotSignedIn):
            authenticate(store, bad, now=T0)


def test_a_disabled_user_cannot_sign_in_and_their_sessions_end(store, team):
    token, _ = login(store, "ana", PASSWORD, now=T0)
    assert set_disabled(store, SYSTEM, "ana").disabled
    with pytest.raises(NotSignedIn):
        authenticate(store, token, now=T0)
    with pytest.raises(Forbidden, match="the account 'ana' is disabled; ask an admin to enable it"):
        login(store, "ana", PASSWORD, now=T0)
    with pytest.raises(WrongCredentials):  # without the password, nothing tells it is disabled
        login(store, "ana", "wrong password", now=T0)
    assert not set_disabled(store, SYSTEM, "ana", disabled=False).disabled
    assert login(store, "ana", PASSWORD, now=T0)[1].username == "ana"

    create_user(store, SYSTEM, "root", PASSWORD, is_admin=True)
    admin = actor(store, "root")
    with pytest.raises(Forbidden, match="root cannot disable their own account; ask another admin"):
        set_disabled(store, admin, "root")
    with pytest.raises(Forbidden, match="lee is not an admin; disabling users needs an admin"):
        set_disabled(store, actor(store, "lee"), "ana")


# --- roles --------------------------------------------------------------------------------------


def test_a_labeler_calling_lead_and_admin_functions_is_refused(store, team, tmp_path):
    calls, _ = team
    ana = actor(store, "ana")
    with pytest.raises(Forbidden, match=r"^ana is a labeler in 'calls'; changing roles needs the lead role$"):
        set_role(store, ana, "ana", "calls", Role.LEAD)
    with pytest.raises(Forbidden, match=r"^ana is a labeler in 'calls'; removing roles needs the lead role$"):
        remove_role(store, ana, "rob", calls.id)
    with pytest.raises(Forbidden, match=r"^ana is not an admin; creating users needs an admin$"):
        create_user(store, ana, "mallory", PASSWORD, is_admin=True)
    with pytest.raises(Forbidden, match="listing users needs an admin or a lead"):
        list_users(store, ana)
    with pytest.raises(Forbidden, match="ana is a labeler in 'calls'; listing members needs the lead role"):
        project_members(store, ana, calls)
    with pytest.raises(Forbidden, match="reading the audit log needs one of those"):
        list_audit(store, ana)
    with pytest.raises(Forbidden, match="ana is a labeler in 'calls'; reading the audit log needs the lead"):
        list_audit(store, ana, project_id=calls.id)
    with pytest.raises(Forbidden, match=r"^ana is a labeler in 'calls'; exporting needs the lead role$"):
        export_jsonl(store, Settings(data_dir=tmp_path), calls, tmp_path / "out", actor=ana)
    with pytest.raises(Forbidden, match=r"^rob is a reviewer in 'calls'; exporting needs the lead role$"):
        export_jsonl(store, Settings(data_dir=tmp_path), calls, tmp_path / "out", actor=actor(store, "rob"))
    for who in (ana, actor(store, "lee")):
        with pytest.raises(Forbidden, match=rf"^{who.username} is not an admin; creating projects needs an admin$"):
            create_project(store, "mine", actor=who)
    assert not (tmp_path / "out").exists()
    assert actor(store, "ana").roles == {calls.id: Role.LABELER}  # nothing changed
    with pytest.raises(NotFound):
        store.get_user("mallory")


def test_require_role_names_user_project_and_role(store, team):
    calls, other = team
    ana, rob, lee = actor(store, "ana"), actor(store, "rob"), actor(store, "lee")
    with pytest.raises(Forbidden, match=r"^ana is a labeler in 'calls'; exporting needs the lead role$"):
        require_role(ana, calls, Role.LEAD, action="exporting")
    with pytest.raises(Forbidden, match=r"^ana is a labeler in 'calls'; reviewing needs the reviewer or lead role$"):
        require_role(ana, calls, Role.REVIEWER, action="reviewing")
    with pytest.raises(Forbidden, match=r"^rob has no role in 'other'; labeling needs the labeler or lead role$"):
        require_role(rob, other, Role.LABELER, action="labeling")
    with pytest.raises(Forbidden, match=r"^ana has no role in project 999; this needs the lead role$"):
        require_role(ana, 999)
    assert require_role(rob, calls, Role.REVIEWER) is rob
    assert require_role(lee, calls, Role.LABELER, action="labeling") is lee  # a lead passes anything
    assert require_role(SYSTEM, other, Role.LABELER) is SYSTEM  # and an admin everywhere
    with pytest.raises(NotSignedIn, match="you are not signed in"):
        require_role(None, calls, Role.LABELER)  # None is nobody, never the system
    with pytest.raises(NotSignedIn):
        create_user(store, None, "mallory", PASSWORD)
    with pytest.raises(Forbidden, match="lee is not an admin; this needs an admin"):
        require_admin(lee)
    assert (role_in(ana, calls.id), role_in(ana, other.id), role_in(SYSTEM, other.id), role_in(None, 1)) == (
        Role.LABELER,
        None,
        Role.LEAD,
        None,
    )
    assert [p.name for p in visible_projects(store, ana)] == ["calls"]
    assert [p.name for p in visible_projects(store, actor(store, "zoe"))] == []
    assert [p.name for p in visible_projects(store, SYSTEM)] == ["calls", "other"]


def test_a_lead_manages_their_project_only_and_makes_no_admins(store, team):
    calls, other = team
    lee = actor(store, "lee")
    member = set_role(store, lee, "zoe", "calls", "labeler")
    assert (member.project_name, member.user.username, member.role) == ("calls", "zoe", Role.LABELER)
    assert set_role(store, lee, "ZOE", calls.id, Role.REVIEWER).role == Role.REVIEWER  # replaces
    with pytest.raises(Forbidden, match=r"^lee has no role in 'other'; changing roles needs the lead role$"):
        set_role(store, lee, "zoe", "other", Role.LABELER)
    with pytest.raises(Forbidden, match="lee is not an admin; creating users needs an admin"):
        create_user(store, lee, "boss", PASSWORD, is_admin=True)
    with pytest.raises(ValidationError, match="admin is not a project role; allowed: labeler, reviewer, lead"):
        set_role(store, lee, "zoe", calls, "admin")
    with pytest.raises(ValidationError, match="unknown role 'owner'; allowed: labeler, reviewer, lead"):
        set_role(store, lee, "zoe", calls, "owner")
    with pytest.raises(NotFound, match="no user named 'nobody'"):
        set_role(store, lee, "nobody", calls, Role.LABELER)
    with pytest.raises(NotFound, match="no project named 'nope'"):
        set_role(store, lee, "zoe", "nope", Role.LABELER)

    assert [(m.user.username, m.role) for m in project_members(store, lee, calls)] == [
        ("ana", Role.LABELER),
        ("lee", Role.LEAD),
        ("rob", Role.REVIEWER),
        ("zoe", Role.REVIEWER),
    ]
    assert remove_role(store, lee, "zoe", calls) == Role.REVIEWER
    with pytest.raises(NotFound, match="zoe has no role in 'calls'; there is nothing to remove"):
        remove_role(store, lee, "zoe", calls)

    set_role(store, SYSTEM, "ana", other, Role.LEAD)
    listed = {entry.user.username: dict(entry.roles) for entry in list_users(store, lee)}
    assert listed["ana"] == {"calls": Role.LABELER}  # lee sees every user, but roles only in 'calls'
    assert listed["zoe"] == {} and set(listed) == {"ana", "lee", "rob", "zoe"}
    everything = {entry.user.username: dict(entry.roles) for entry in list_users(store, SYSTEM)}
    assert everything["ana"] == {"calls": Role.LABELER, "other": Role.LEAD}
    assert other.id not in lee.roles


def test_duplicate_usernames_conflict(store, team):
    with pytest.raises(Conflict, match="a user named 'ana' already exists; choose another username"):
        create_user(store, SYSTEM, "ANA", "another password")
    assert login(store, "ana", PASSWORD, now=T0)[1].username == "ana"  # the first one is untouched


def test_deleting_a_project_or_user_cascades_to_roles_and_sessions(store, team):
    calls, _ = team
    token, _ = login(store, "ana", PASSWORD, now=T0)
    with store.write() as connection:
        connection.execute(schema.projects.delete().where(schema.projects.c.id == calls.id))
    assert authenticate(store, token, now=T0).roles == {}
    with store.write() as connection:
        connection.execute(schema.users.delete().where(schema.users.c.username == "ana"))
    with pytest.raises(NotSignedIn):
        authenticate(store, token, now=T0)


# --- audit --------------------------------------------------------------------------------------


def test_every_account_action_is_in_the_audit_log_without_passwords(store, team, caplog):
    caplog.set_level(logging.DEBUG)
    calls, other = team
    lee = actor(store, "lee")
    set_role(store, lee, "zoe", calls, Role.LABELER)
    set_role(store, lee, "zoe", calls, Role.REVIEWER)
    remove_role(store, lee, "zoe", calls)
    with pytest.raises(WrongCredentials):
        login(store, "zoe", "not the password", now=T0 + timedelta(minutes=1))
    with pytest.raises(WrongCredentials):
        login(store, "nobody", "not the password", now=T0 + timedelta(minutes=1))
    token, _ = login(store, "zoe", PASSWORD, now=T0 + timedelta(minutes=2))
    logout(store, token, now=T0 + timedelta(minutes=3))
    set_role(store, SYSTEM, "ana", other, Role.LEAD)

    entries = list_audit(store, SYSTEM, limit=1000)
    assert [e.id for e in entries] == sorted((e.id for e in entries), reverse=True)  # newest first
    lines = [(e.actor, e.action, e.target, e.project_id, dict(e.details)) for e in reversed(entries)]
    assert lines[:4] == [
        ("cli", "user_created", name, None, {"is_admin": False}) for name in ("lee", "ana", "rob", "zoe")
    ]
    assert ("cli", "role_set", "lee", calls.id, {"role": "lead", "previous": None}) in lines
    assert lines[7:] == [
        ("lee", "login", "lee", None, {}),
        ("lee", "role_set", "zoe", calls.id, {"role": "labeler", "previous": None}),
        ("lee", "role_set", "zoe", calls.id, {"role": "reviewer", "previous": "labeler"}),
        ("lee", "role_removed", "zoe", calls.id, {"role": "reviewer"}),
        ("zoe", "login_failed", "zoe", None, {"reason": "wrong password"}),
        ("nobody", "login_failed", "nobody", None, {"reason": "unknown user"}),
        ("zoe", "login", "zoe", None, {}),
        ("zoe", "logout", "zoe", None, {}),
        ("cli", "role_set", "ana", other.id, {"role": "lead", "previous": None}),
    ]
    assert all(e.at.tzinfo is not None for e in entries)
    assert entries[1].at == T0 + timedelta(minutes=3)  # the logout, at the time given

    dumped = json.dumps([[str(value) for value in line] for line in lines])
    assert PASSWORD not in dumped and "not the password" not in dumped
    assert PASSWORD not in caplog.text and "not the password" not in caplog.text

    # A lead reads only the lines about the projects they lead; sign-ins are for admins.
    led = list_audit(store, lee)
    assert {e.project_id for e in led} == {calls.id} and len(led) == 6
    assert [e.action for e in list_audit(store, lee, project_id=calls.id, target="zoe")] == [
        "role_removed",
        "role_set",
        "role_set",
    ]
    assert len(list_audit(store, SYSTEM, limit=2)) == 2
    with pytest.raises(Forbidden, match="lee has no role in 'other'; reading the audit log needs the lead role"):
        list_audit(store, lee, project_id=other.id)
    with pytest.raises(ValidationError, match="limit 0 is not allowed; use 1 to 1000 lines"):
        list_audit(store, SYSTEM, limit=0)


def test_refused_and_invalid_sign_ins_are_logged(store, team):
    for second in range(5):
        with pytest.raises(WrongCredentials):
            login(store, "ana", "wrong password", now=T0 + timedelta(seconds=second))
    with pytest.raises(TooManyAttempts):
        login(store, "ana", PASSWORD, now=T0 + timedelta(seconds=10))
    with pytest.raises(WrongCredentials):
        login(store, "../../etc/passwd", PASSWORD, now=T0)
    actions = [(e.actor, e.action, dict(e.details)) for e in list_audit(store, SYSTEM, limit=3)]
    assert actions == [
        ("anonymous", "login_failed", {"reason": "invalid username"}),
        ("ana", "login_refused", {"reason": "too many failures"}),
        ("ana", "login_failed", {"reason": "wrong password"}),
    ]


# --- the first admin ----------------------------------------------------------------------------


def test_ensure_admin_creates_the_first_admin_once(store):
    generated = ensure_admin(store, None)
    assert generated and len(generated) >= 16
    _, admin = login(store, "admin", generated, now=T0)
    assert admin.is_admin and admin.roles == {}
    assert ensure_admin(store, None) is None and ensure_admin(store, "another password") is None
    assert [u.username for u in store.list_users()] == ["admin"]
    entry = list_audit(store, admin, target="admin", limit=1000)[-1]
    assert (entry.actor, entry.action, dict(entry.details)) == ("system", "user_created", {"is_admin": True})
    assert generated not in json.dumps([dict(e.details) for e in list_audit(store, admin)])
    # The admin can now do everything through the same functions.
    create_project(store, "calls", actor=SYSTEM)
    create_user(store, admin, "lee", PASSWORD)
    assert set_role(store, admin, "lee", "calls", Role.LEAD).role == Role.LEAD


def test_ensure_admin_takes_the_password_from_the_environment(store, monkeypatch):
    with pytest.raises(ValidationError, match="SPEECHLABEL_ADMIN_PASSWORD has 5 characters; use 8 to 200"):
        ensure_admin(store, "short")
    assert not store.has_admin()
    assert ensure_admin(store, "from the environment") is None
    assert login(store, "admin", "from the environment", now=T0)[1].is_admin

    monkeypatch.setenv("SPEECHLABEL_ADMIN_PASSWORD", "s3cret-from-env")
    monkeypatch.setenv("SPEECHLABEL_SESSION_HOURS", "8")
    settings = Settings.from_env("/tmp/x")
    assert settings.admin_password == "s3cret-from-env" and settings.session_seconds == 8 * 3600
    assert "s3cret" not in repr(settings)
    monkeypatch.setenv("SPEECHLABEL_SESSION_HOURS", "forever")
    with pytest.raises(ValidationError, match="SPEECHLABEL_SESSION_HOURS is 'forever'; give a number of hours"):
        Settings.from_env("/tmp/x")


def test_ensure_admin_when_the_name_admin_is_taken_by_a_non_admin(store):
    create_user(store, SYSTEM, "admin", PASSWORD)
    with pytest.raises(Conflict, match="no admin exists and the username 'admin' is taken"):
        ensure_admin(store, None)


# --- the migration ------------------------------------------------------------------------------


def test_migration_0004_adds_and_removes_the_account_tables(database_url):
    url, schema_name = database_url
    engine = make_engine(url, schema=schema_name)
    tables = {"users", "project_members", "sessions", "login_failures", "audit_log"}
    try:
        upgrade_schema(engine, "0003")
        assert not tables & set(inspect(engine).get_table_names())
        upgrade_schema(engine)
        assert tables <= set(inspect(engine).get_table_names())
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0003")
        assert not tables & set(inspect(engine).get_table_names())
        upgrade_schema(engine)
        assert ensure_admin(Store(engine), "back again!") is None
    finally:
        engine.dispose()


# --- the command line ---------------------------------------------------------------------------


def cli(workspace: Workspace, *args) -> int:
    """A command against the test's store (SQLite or PostgreSQL), as ``main`` would run it."""
    parsed = build_parser().parse_args(list(args))
    return parsed.handler(workspace, parsed)


@pytest.fixture
def workspace(store, settings):
    return Workspace(settings, store)


def test_cli_user_add_and_list(workspace, store, capsys, monkeypatch):
    create_project(store, "calls", actor=SYSTEM)
    monkeypatch.setattr("sys.stdin", io.StringIO("admin password\nignored second line\n"))
    assert cli(workspace, "user", "add", "Boss", "--role", "admin", "--password-stdin") == 0
    assert capsys.readouterr().out == "created user 'boss' (admin)\n"
    assert login(store, "boss", "admin password", now=T0)[1].is_admin

    assert cli(workspace, "user", "add", "ana", "--role", "labeler", "--project", "calls") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "created user 'ana' (labeler in project 'calls')"
    assert out[1].startswith("password (shown once, only its hash is stored): ")
    generated = out[1].rsplit(" ", 1)[1]
    assert login(store, "ana", generated, now=T0)[1].roles == {store.get_project("calls").id: Role.LABELER}

    create_project(store, "other", actor=SYSTEM)
    assert cli(workspace, "user", "add", "ana", "--role", "lead", "--project", "other") == 0
    assert capsys.readouterr().out == "user 'ana' is now lead in project 'other'\n"
    set_disabled(store, SYSTEM, "ana")
    assert cli(workspace, "user", "list") == 0
    assert capsys.readouterr().out.splitlines() == [
        "ana\t-\tcalls: labeler, other: lead\tdisabled",
        "boss\tadmin\t-",
    ]
    actors = {(e.actor, e.action, e.target) for e in list_audit(store, SYSTEM)}
    assert {("cli", "user_created", "boss"), ("cli", "user_created", "ana"), ("cli", "role_set", "ana")} <= actors


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["ana", "--role", "labeler"], "", "--role labeler is a role in one project; add --project NAME"),
        (["ana", "--role", "admin", "--project", "calls"], "", "an admin has every project; leave out --project"),
        (["ana", "--role", "lead", "--project", "nope"], "", "no project named 'nope'"),
        (["../ana", "--role", "admin"], "", "username '../ana' is not allowed"),
        (["ana", "--role", "admin", "--password-stdin"], "short\n", "the password has 5 characters; use 8 to 200"),
        (["ana", "--role", "admin", "--password-stdin"], MEGABYTE, "the password on stdin is longer than 200"),
        (["zoe", "--role", "admin"], "", "a user named 'zoe' already exists"),
        (
            ["zoe", "--role", "labeler", "--project", "calls", "--password-stdin"],
            "new password\n",
            "a user named 'zoe' already exists and keeps their password",
        ),
    ],
)
def test_cli_user_add_refusals(workspace, store, capsys, monkeypatch, args, stdin, message):
    create_project(store, "calls", actor=SYSTEM)
    create_user(store, SYSTEM, "zoe", PASSWORD)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(
        ValidationError if "exists" not in message and "no project" not in message else (Conflict, NotFound),
        match=message,
    ):
        cli(workspace, "user", "add", *args)
    assert [u.username for u in store.list_users()] == ["zoe"]
    assert login(store, "zoe", PASSWORD, now=T0)[1].roles == {}


def test_read_password_takes_one_line_and_refuses_huge_input():
    assert read_password(io.StringIO("pass word\r\nnext")) == "pass word"
    assert read_password(io.StringIO("no newline")) == "no newline"
    assert read_password(io.StringIO("p" * 200 + "\n")) == "p" * 200
    for too_long in ("p" * 201 + "\n", "p" * 201, MEGABYTE):
        with pytest.raises(ValidationError, match="longer than 200 characters"):
            read_password(io.StringIO(too_long))


def test_cli_main_prints_one_line_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    data = str(tmp_path / "data")
    assert main(["--data-dir", data, "user", "add", "boss", "--role", "admin"]) == 0
    assert "password (shown once" in capsys.readouterr().out
    assert main(["--data-dir", data, "user", "add", "boss", "--role", "admin"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: a user named 'boss' already exists") and err.count("\n") == 1
    assert main(["--data-dir", data, "user", "list"]) == 0
    assert capsys.readouterr().out == "boss\tadmin\t-\n"
    with pytest.raises(SystemExit) as stop:
        main(["--data-dir", data, "user", "add", "x", "--role", "owner"])
    assert stop.value.code == 2 and "invalid choice: 'owner'" in capsys.readouterr().err
