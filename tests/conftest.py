"""Shared fixtures: the real recordings in ../shared/speech, isolated stores, data in them, the
label loop's routes on them, and the app's workspace for AppTest. Fixtures live here (a test
module never imports another's); the plain functions they build with are in tests/*.py helper
modules (sample_projects, review_work, label_routes_client, app_pages, app_session)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy
import streamlit as st
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from streamlit.web.server.starlette.starlette_app import create_streamlit_middleware

from speechlabel.accounts import passwords
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import Draft, Role, SegmentEdit, SegmentStatus
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import assignment
from speechlabel.labeling.loop import Loop, OpenSegments
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace
from tests.review_work import Work, label_all, load_segments
from tests.sample_projects import add_calls_project, add_kspon_project, add_recording, drafts_for_all, member
from views import label_api, routes

SPEECH_DIR = Path(os.environ.get("SPEECHLABEL_SPEECH_DIR", Path(__file__).resolve().parents[2] / "shared" / "speech"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With ``--dist loadscope`` (pyproject.toml's addopts), a worker takes a whole test module at a
    time, so module-scoped fixtures (loaded models, drafts of real speech) are made once; and the
    browser tests are one unit, sent first (the longest), so one Streamlit server and one Chromium
    run at a time while the other workers take the modules."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModulesBrowserTestsFirst(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "e2e" if nodeid.startswith("tests/e2e/") else super()._split_scope(nodeid)

        def _assign_work_unit(self, node) -> None:
            if "e2e" in self.workqueue:
                self.workqueue.move_to_end("e2e", last=False)
            super()._assign_work_unit(node)

    return ModulesBrowserTestsFirst(config, log)


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


def _worker() -> str:
    """The pytest-xdist worker (``gw0``, ``gw1``...; ``main`` without xdist), in the names of what
    a session creates on the shared PostgreSQL server."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def postgres_admin():
    """An engine on the test database for creating and dropping the tests' schemas."""
    engine = sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    yield engine
    engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """A fresh, empty database per test: a SQLite file, or a PostgreSQL schema of its own (the
    migration tests start from here; the store's tests take ``migrated_database_url``).

    Yields (url, schema). PostgreSQL is required: the store must pass on both, so a missing
    server fails the run instead of silently testing half.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'speechlabel.db'}", None
        return
    admin = request.getfixturevalue("postgres_admin")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield POSTGRES_URL, schema
    finally:
        _drop_schema(admin, schema)


def _drop_schema(admin, schema: str) -> None:
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite file migrated to the newest revision once per session (per xdist worker: each has
    its own temporary folder); every test gets a copy of it."""
    path = tmp_path_factory.mktemp("migrated-sqlite") / "speechlabel.db"
    Store.open(f"sqlite:///{path}").close()
    beside = sorted(p.name for p in path.parent.iterdir() if p != path)
    assert not beside, f"the closed database left {beside} beside it: a copy of the file alone would miss them"
    return path


@dataclass(frozen=True)
class PostgresTemplate:
    """A schema migrated to the newest revision once per session, as the SQL that recreates it
    (``pg_dump`` of the schema, its ``alembic_version`` row included) with the schema's name in
    it; ``sql`` is None where ``pg_dump`` could not make it (then every test migrates its own)."""

    name: str
    sql: str | None

    def create(self, admin, schema: str) -> None:
        with admin.begin() as connection:
            if self.sql is None:
                connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            else:
                connection.exec_driver_sql(self.sql.replace(self.name, schema))
                connection.exec_driver_sql("RESET ALL")  # the dump's SETs (search_path...) end here


@pytest.fixture(scope="session")
def migrated_postgresql(postgres_admin) -> PostgresTemplate:
    name = f"speechlabel_template_{_worker()}_{uuid.uuid4().hex[:8]}"
    with postgres_admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    try:
        Store.open(POSTGRES_URL, schema=name).close()
        return PostgresTemplate(name, _dump_schema(name))
    finally:
        _drop_schema(postgres_admin, name)


def _dump_schema(name: str) -> str | None:
    command = ["pg_dump", "--dbname", POSTGRES_URL, "--schema", name, "--inserts", "--no-owner", "--no-privileges"]
    try:
        dumped = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout
    except (OSError, subprocess.SubprocessError) as error:
        details = getattr(error, "stderr", None) or error
        warnings.warn(
            f"pg_dump could not copy the migrated schema ({details}); every PostgreSQL test "
            "migrates a schema of its own instead (slower, as thorough)",
            stacklevel=1,
        )
        return None
    # psql's meta-commands (\restrict...) are not SQL; the rest names the schema in full everywhere.
    statements = "\n".join(line for line in dumped.splitlines() if not line.startswith("\\"))
    assert f"CREATE SCHEMA {name};" in statements and "alembic_version VALUES" in statements, dumped[:2000]
    return statements


@pytest.fixture(params=DATABASES)
def migrated_database_url(request, tmp_path):
    """A fresh database per test at the newest revision, copied from one migrated once per
    session: a copy of the SQLite file, or a PostgreSQL schema of its own made by the migrated
    schema's SQL. Yields (url, schema), as ``database_url``."""
    if request.param == "sqlite":
        path = tmp_path / "speechlabel.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        yield f"sqlite:///{path}", None
        return
    admin = request.getfixturevalue("postgres_admin")
    template = request.getfixturevalue("migrated_postgresql")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    template.create(admin, schema)
    try:
        yield POSTGRES_URL, schema
    finally:
        _drop_schema(admin, schema)


@pytest.fixture
def store(migrated_database_url):
    url, schema = migrated_database_url
    opened = Store.open(url, schema=schema, migrate=False)  # a copy of a database Store.open migrated
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
    """A project with no from-scratch share (``drafts_for_all``): tests/test_labor.py tests the share."""
    return drafts_for_all(store, create_project(store, "demo", language="en", actor=SYSTEM))


# --- data in the test's store (SQLite and PostgreSQL) ------------------------------------------


@pytest.fixture
def ldc(store, settings, project, speech_dir):
    """LDC93S1 in two drafted segments (version 2 each)."""
    return add_recording(
        store,
        settings,
        project,
        speech_dir,
        "en/LDC93S1.wav",
        [(0.1, 1.2), (1.5, 2.8)],
        ["she had your dark suit", "in greasy wash water all year"],
    )


@pytest.fixture
def team(store, project):
    """ana, ben and eva label the project, lead leads it; all signed in (name -> Actor)."""
    people = {name: member(store, project, name) for name in ("ana", "ben", "eva")}
    people["lead"] = member(store, project, "lead", Role.LEAD)
    return people


@pytest.fixture
def pool(store, settings, project, speech_dir):
    """jfk.wav cut into 12 drafted segments of ~0.9 s."""
    recording = import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    bounds = [(round(i * 0.9, 3), round(i * 0.9 + 0.8, 3)) for i in range(12)]
    segments = store.replace_segments(recording.id, project.id, bounds, {}, "prelabel")
    for segment in segments:
        store.save_segment(segment.id, segment.version, SegmentEdit(status=SegmentStatus.DRAFTED), "prelabel")
    return recording, [store.get_segment(s.id) for s in segments]


@pytest.fixture
def rita(store, project):
    """A reviewer of the project, signed in."""
    return member(store, project, "rita", Role.REVIEWER)


@pytest.fixture
def work(store, settings, project, speech_dir, team):
    """12 drafted segments: Ana labeled the first six, Ben the other six, all submitted."""
    recording, segments = load_segments(store, settings, project, speech_dir)
    ids = [segment.id for segment in segments]
    assignment.assign_segments(store, team["lead"], project, "ana", 6)
    assignment.assign_segments(store, team["lead"], project, "ben", 6)
    label_all(store, team["ana"], ids[:6])
    label_all(store, team["ben"], ids[6:])
    return Work(recording.id, ids)


@pytest.fixture
def labeled(store, settings, project, speech_dir):
    """The pyannote call cut in three segments: one approved by a person, two drafted."""
    data = (speech_dir / "diarization" / "pyannote_sample.wav").read_bytes()
    recording = import_audio(store, settings, project, data, "call 01.wav")
    segments = store.replace_segments(
        recording.id, project.id, [(6.69, 7.12), (8.32, 10.02), (10.57, 14.7)], {}, "prelabel"
    )
    for segment in segments:
        draft = Draft(f"draft {segment.start}", (), -0.3, 0.02, 1.2, "en", 0.99, "faster-whisper", "base", {})
        store.add_draft(segment.id, draft, "prelabel")
    store.save_segment(
        segments[1].id, 2, SegmentEdit(text="hello there", speaker="A", status=SegmentStatus.APPROVED), "ana"
    )
    return recording, [store.get_segment(s.id) for s in segments]


@pytest.fixture
def calls(store, settings, speech_dir):
    """The project "calls": jfk.wav and LDC93S1.wav with tiny.en's real drafts (tests/sample_projects.py)."""
    return add_calls_project(store, settings, speech_dir)


@pytest.fixture
def kspon(store, settings, speech_dir):
    """The KsponSpeech project in the test's store (SQLite and PostgreSQL), for the routes."""
    return add_kspon_project(store, settings, speech_dir)


# --- the label loop's JSON routes on the test's store (tests/label_routes_client.py) -----------


@pytest.fixture
def loop(store, settings, monkeypatch):
    current = Loop(store, settings, OpenSegments())
    monkeypatch.setattr(label_api, "loop", lambda: current)
    return current


@pytest.fixture
def app(loop):
    """The label loop's routes as the server answers them, on the test's store: ahead of
    Streamlit's middleware (``OwnRoutesFirst``, as workbench.py's ``st.App`` has it) and of every
    other route, which here answers "not ours"."""
    middleware = [Middleware(routes.OwnRoutesFirst), *create_streamlit_middleware()]
    return Starlette(routes=[Route("/{rest:path}", not_ours)], middleware=middleware)


async def not_ours(request):
    return PlainTextResponse("not ours " * 200, status_code=418)  # long enough for Streamlit's gzip


# --- the app's own workspace in a fresh data folder, for AppTest (tests/app_pages.py) ----------


@pytest.fixture
def app_data(tmp_path, monkeypatch):
    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    st.cache_resource.clear()  # the app caches its workspace per process
    yield Settings.from_env()
    st.cache_resource.clear()


@pytest.fixture
def app_store(tmp_path, monkeypatch):
    """The store of the app's own workspace in a fresh data folder, with no admin password set."""
    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    monkeypatch.delenv("SPEECHLABEL_ADMIN_PASSWORD", raising=False)
    st.cache_resource.clear()
    yield Workspace.shared().store
    st.cache_resource.clear()


@pytest.fixture
def labeled_project(tmp_path, monkeypatch, speech_dir):
    """jfk.wav and LDC93S1.wav with tiny.en's real drafts, in small segments, in the app's workspace."""
    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    st.cache_resource.clear()
    workspace = Workspace.shared(Settings.from_env())
    yield workspace, add_calls_project(workspace.store, workspace.settings, speech_dir)
    st.cache_resource.clear()


@pytest.fixture
def kspon_project(tmp_path, monkeypatch, speech_dir):
    """The KsponSpeech project in the app's own workspace (a SQLite file), for AppTest."""
    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    st.cache_resource.clear()
    workspace = Workspace.shared(Settings.from_env())
    yield workspace.store, add_kspon_project(workspace.store, workspace.settings, speech_dir)
    st.cache_resource.clear()
