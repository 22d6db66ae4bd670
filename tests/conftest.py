"""Shared fixtures: the real recordings in ../shared/speech and isolated stores."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy

from speechlabel.accounts import passwords
from speechlabel.accounts.access import SYSTEM
from speechlabel.workspace.config import Settings
from speechlabel.projects.manage import create_project
from speechlabel.store import Store

SPEECH_DIR = Path(
    os.environ.get("SPEECHLABEL_SPEECH_DIR", Path(__file__).resolve().parents[2] / "shared" / "speech")
)


@pytest.fixture(scope="session")
def speech_dir() -> Path:
    """The shared real recordings; tests that need them skip with a reason where absent."""
    if not SPEECH_DIR.is_dir():
        pytest.skip(f"real recordings not found at {SPEECH_DIR} (set SPEECHLABEL_SPEECH_DIR)")
    return SPEECH_DIR


# Hashes at OWASP's cost take ~0.1–0.5 s and 128 MiB each; the tests sign in hundreds of times.
TEST_SCRYPT_COST = passwords.ScryptCost(n=2**10, r=8, p=1)


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """New hashes at a low cost in this process (tests/test_accounts.py checks the production
    cost and the renewal of older hashes; servers started by the browser tests use it)."""
    monkeypatch.setattr(passwords, "COST", TEST_SCRYPT_COST)


POSTGRES_URL = os.environ.get("SPEECHLABEL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
DATABASES = ("sqlite", "postgresql")


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """A fresh, empty database per test: a SQLite file, or a PostgreSQL schema of its own.

    Yields (url, schema). PostgreSQL is required: the store must pass on both, so a missing
    server fails the run instead of silently testing half.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'speechlabel.db'}", None
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield POSTGRES_URL, schema
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store(database_url):
    url, schema = database_url
    opened = Store.open(url, schema=schema)
    yield opened
    opened.close()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh data folder for the command line, on its default SQLite database, with no locale:
    the command line's messages follow LC_ALL / LC_MESSAGES / LANG, and its tests read English
    unless they ask for Korean."""
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "data"


@pytest.fixture
def project(store):
    return create_project(store, "demo", language="en", actor=SYSTEM)
