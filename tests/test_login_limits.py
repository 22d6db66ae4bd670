"""Failed sign-ins pause a username at one client address, or one address for every username, but
never a username everywhere: a stranger cannot lock the admin out; a username guessed at from
many addresses is slowed down, and its owner still gets in. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select, text

from speechlabel.accounts.access import SYSTEM
from speechlabel.accounts.login_limits import LOGIN_LIMITS, LoginLimits, client_address
from speechlabel.accounts.users import create_user, list_audit, login
from speechlabel.core.errors import TooManyAttempts, WrongCredentials
from speechlabel.store import schema
from speechlabel.store.engine import _MIGRATIONS, make_engine, upgrade_schema

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
ATTACKER, ADMINS_DESK = "203.0.113.9", "198.51.100.7"
# The default limits with a short slowdown, so that the tests do not sleep for seconds.
QUICK = LoginLimits(slowdown_seconds=0.2, max_slowdown_seconds=0.8)


@pytest.fixture
def users(store):
    create_user(store, SYSTEM, "admin", PASSWORD, is_admin=True)
    create_user(store, SYSTEM, "lee", PASSWORD)


def fail_as(store, username: str, address: str, at: datetime, limits: LoginLimits = QUICK) -> None:
    with pytest.raises(WrongCredentials):
        login(store, username, "wrong password", now=at, address=address, limits=limits)


def test_a_stranger_cannot_lock_the_admin_out(store, users):
    for second in range(5):
        fail_as(store, "admin", ATTACKER, T0 + timedelta(seconds=second))
    with pytest.raises(TooManyAttempts) as paused:  # the guesser waits, even with the right password
        login(store, "admin", PASSWORD, now=T0 + timedelta(minutes=1), address=ATTACKER, limits=QUICK)
    assert str(paused.value) == "too many failed sign-ins for 'admin' from your address; try again in 14 minutes"
    # The admin at their own desk signs in (after the short slowdown of a username failed for).
    started = time.perf_counter()
    token, admin = login(store, "admin", PASSWORD, now=T0 + timedelta(minutes=1), address=ADMINS_DESK, limits=QUICK)
    assert admin.is_admin and token and time.perf_counter() - started >= QUICK.slowdown(5) == 0.2
    # Their success forgives nothing of the guesser's: that address stays paused for 'admin'.
    with pytest.raises(TooManyAttempts):
        login(store, "admin", PASSWORD, now=T0 + timedelta(minutes=2), address=ATTACKER, limits=QUICK)


def test_an_address_guessing_across_usernames_is_paused_for_all_of_them(store, users):
    for number in range(LOGIN_LIMITS.per_address):  # one guess per name: no username reaches its limit
        fail_as(store, f"name{number}", ATTACKER, T0 + timedelta(seconds=number))
    with pytest.raises(TooManyAttempts) as paused:
        login(store, "lee", PASSWORD, now=T0 + timedelta(minutes=1), address=ATTACKER, limits=QUICK)
    assert paused.value.username is None
    assert str(paused.value) == "too many failed sign-ins from your address; try again in 14 minutes"
    assert login(store, "lee", PASSWORD, now=T0 + timedelta(minutes=1), address=ADMINS_DESK)[1].username == "lee"
    refused = list_audit(store, SYSTEM, target="lee", limit=2)[1]
    assert (refused.action, dict(refused.details)) == (
        "login_refused",
        {"reason": "too many failures from the address", "address": ATTACKER},
    )


def test_a_username_guessed_from_many_addresses_is_slowed_not_locked(store, users):
    for number in range(10):  # ten addresses, one guess each: 10 failures for 'admin'
        fail_as(store, "admin", f"203.0.113.{number}", T0 + timedelta(seconds=number))
    delay = QUICK.slowdown(10)
    assert delay == 0.4  # doubled after five more failures
    started = time.perf_counter()
    fail_as(store, "admin", "203.0.113.200", T0 + timedelta(seconds=20))  # a wrong guess waits as long
    assert time.perf_counter() - started >= delay
    started = time.perf_counter()
    assert login(store, "admin", PASSWORD, now=T0 + timedelta(seconds=21), address=ADMINS_DESK, limits=QUICK)[
        1
    ].is_admin
    assert time.perf_counter() - started >= QUICK.slowdown(11)
    # Another username is not slowed.
    started = time.perf_counter()
    login(store, "lee", PASSWORD, now=T0 + timedelta(seconds=22), address=ADMINS_DESK, limits=QUICK)
    assert time.perf_counter() - started < delay


def test_the_slowdown_doubles_and_stops_at_its_maximum():
    assert [LOGIN_LIMITS.slowdown(count) for count in (0, 4, 5, 9, 10, 15, 20, 25, 10_000)] == [
        0,
        0,
        1,
        1,
        2,
        4,
        8,
        8,
        8,
    ]


def test_failures_keep_the_address_and_the_audit_line_names_it(store, users):
    fail_as(store, "lee", " 2001:DB8::1 ", T0)
    with store.read() as connection:
        rows = connection.execute(select(schema.login_failures.c.username, schema.login_failures.c.address)).all()
    assert [tuple(row) for row in rows] == [("lee", "2001:db8::/64")]
    line = list_audit(store, SYSTEM, target="lee", limit=1)[0]
    assert dict(line.details) == {"reason": "wrong password", "address": "2001:db8::/64"}


@pytest.mark.parametrize(
    "given, stored",
    [
        (None, ""),
        ("", ""),
        (" 203.0.113.9 ", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("2001:DB8:0::1", "2001:db8::/64"),
        ("2001:db8::ffff:1:2", "2001:db8::/64"),  # one /64: one client
        ("2001:db8:0:1::1", "2001:db8:0:1::/64"),
        ("x" * 100, "x" * 64),
        (42, ""),
    ],
)
def test_client_addresses_are_normalised(given, stored):
    assert client_address(given) == stored


def test_migration_0011_adds_the_address_to_older_failures_and_downgrades(database_url):
    url, schema_name = database_url
    engine = make_engine(url, schema=schema_name)
    try:
        upgrade_schema(engine, "0010")
        with engine.begin() as connection:  # a failure recorded before the migration
            connection.execute(text("INSERT INTO login_failures (username, at) VALUES ('ana', :at)"), {"at": T0})
        upgrade_schema(engine)
        with engine.begin() as connection:
            assert connection.execute(select(schema.login_failures.c.address)).scalars().all() == [""]
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0010")
        assert "address" not in {column["name"] for column in inspect(engine).get_columns("login_failures")}
    finally:
        engine.dispose()
