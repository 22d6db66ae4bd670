"""Per-project label settings: speakers, tags and the low-confidence threshold.

Store tests run on SQLite and PostgreSQL (the ``store`` fixture); the page is driven with AppTest.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect
from streamlit.testing.v1 import AppTest

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.errors import NotFound, ValidationError
from speechlabel.core.models import DEFAULT_TAGS, LabelSettings
from speechlabel.prelabel.local_worker import PrelabelJobs
from speechlabel.projects.manage import (
    MAX_SPEAKERS,
    MAX_TAGS,
    create_project,
    read_glossary,
    split_names,
    update_label_settings,
    validate_glossary,
    validate_label_settings,
)
from speechlabel.store import Store, schema
from speechlabel.store.engine import downgrade_schema, make_engine, upgrade_schema
from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace
from tests.app_session import shown
from tests.command_line import run

PAGE = str(Path(__file__).resolve().parents[1] / "views" / "projects.py")
DEFAULTS = LabelSettings(speakers=(), tags=DEFAULT_TAGS, low_confidence=0.5)


# --- the dataclass ------------------------------------------------------------------------------


def test_defaults_and_dict_round_trip():
    assert LabelSettings() == DEFAULTS
    settings = LabelSettings(("A", "B"), ("noise",), 0.3)
    assert settings.to_dict() == {"speakers": ["A", "B"], "tags": ["noise"], "low_confidence": 0.3}
    assert LabelSettings.from_dict(settings.to_dict()) == settings
    assert LabelSettings(["A"], ["n"]).speakers == ("A",)  # lists from JSON become tuples


@pytest.mark.parametrize(
    "stored, expected",
    [
        (None, DEFAULTS),
        ({}, DEFAULTS),
        ({"speakers": ["A"]}, LabelSettings(speakers=("A",))),
        ({"tags": [], "low_confidence": 0.2}, LabelSettings(tags=(), low_confidence=0.2)),
        ({"speakers": None, "tags": None, "low_confidence": None}, DEFAULTS),
    ],
)
def test_from_dict_fills_what_is_missing_with_defaults(stored, expected):
    assert LabelSettings.from_dict(stored) == expected


# --- validation ---------------------------------------------------------------------------------


def test_validation_cleans_names_and_keeps_order():
    decomposed = "\u1112\u1161\u11ab"  # "한" as macOS types it
    cleaned = validate_label_settings(LabelSettings((" B ", "", "A", "  ", decomposed), ("noise ",), 1))
    assert cleaned == LabelSettings(("B", "A", "한"), ("noise",), 1.0)
    assert isinstance(cleaned.low_confidence, float)


def test_validation_allows_the_limits_and_more_than_nine_speakers():
    speakers = tuple(f"speaker {i}" for i in range(MAX_SPEAKERS))  # 1-9 get keys; the rest a list
    tags = tuple(f"t{i}" for i in range(MAX_TAGS))
    settings = LabelSettings(speakers, tags, 0.0)
    assert validate_label_settings(settings) == settings
    assert validate_label_settings(LabelSettings(("x" * 40,), (), 1.0)).speakers == ("x" * 40,)


@pytest.mark.parametrize(
    "settings, message",
    [
        (LabelSettings(speakers=("A", "B", "A")), r"speaker 'A' is listed twice .*list each speaker once"),
        (LabelSettings(speakers=("Alice", "alice")), r"as 'Alice' and 'alice'.*differing only in case"),
        (LabelSettings(tags=("noise", "music", "noise ")), r"tag 'noise' is listed twice"),
        (LabelSettings(speakers=("A\x07B",)), r"speaker 'A\\x07B' contains control characters; use printable"),
        (LabelSettings(tags=("no\tise",)), r"tag 'no\\tise' contains control characters"),
        (LabelSettings(speakers=("A,B",)), r"speaker 'A,B' contains a comma; commas separate names"),
        (LabelSettings(speakers=("x" * 41,)), r"has 41 characters; at most 40 are allowed"),
        (LabelSettings(tags=("y" * 50,)), r"tag 'y+' has 50 characters; at most 40"),
        (LabelSettings(speakers=tuple(f"s{i}" for i in range(31))), r"31 speakers given; at most 30 are allowed"),
        (LabelSettings(tags=tuple(f"t{i}" for i in range(51))), r"51 tags given; at most 50 are allowed"),
        (LabelSettings(speakers=(3,)), r"speaker name 3 is not text; give each speaker as text"),
        (LabelSettings(speakers="A,B"), r"speakers must be a list of names, got the text 'A,B'"),
        (LabelSettings(low_confidence=-0.1), r"must be a number from 0 to 1 .*got -0.1"),
        (LabelSettings(low_confidence=1.01), r"must be a number from 0 to 1 .*got 1.01"),
        (LabelSettings(low_confidence=math.nan), r"must be a number from 0 to 1 .*got nan"),
        (LabelSettings(low_confidence="0.5"), r"must be a number from 0 to 1 .*got '0.5'"),
        (LabelSettings(low_confidence=True), r"must be a number from 0 to 1 .*got True"),
        (LabelSettings(low_confidence=None), r"must be a number from 0 to 1 .*got None"),
    ],
)
def test_every_broken_rule_says_what_is_wrong_and_what_is_allowed(settings, message):
    with pytest.raises(ValidationError, match=message):
        validate_label_settings(settings)


def test_split_names_takes_commas_and_lines():
    assert split_names(" A, B\nC ,,\n\n D ") == ("A", "B", "C", "D")
    assert split_names("") == ()


def test_glossary_terms_follow_the_typed_text_rules(tmp_path):
    """Like a transcript or a tag: no control character, at most 100 characters (the engines'
    limit, refused when the project is made rather than when pre-labeling starts), stripped."""
    assert validate_glossary([" PLC ", "OK\tNova", "", "PLC", "컨베이어"]) == ("PLC", "OK Nova", "컨베이어")
    with pytest.raises(ValidationError) as refused:
        validate_glossary(["PLC", "\x1b[31mred"])
    assert refused.value.message_key == "error.glossary_term_control"
    assert refused.value.params == {"code": "U+001B", "position": 1, "number": 2}
    with pytest.raises(ValidationError) as refused:
        validate_glossary(["ok", "ok", "x" * 101])
    assert (refused.value.message_key, refused.value.params) == (
        "error.glossary_term_too_long",
        {"length": 101, "most": 100, "number": 3},
    )
    assert str(refused.value) == "glossary term 3 has 101 characters; at most 100 are allowed"
    file = tmp_path / "glossary.txt"
    file.write_text("# terms\nPLC\nnul\x00here\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"glossary term 2 has a control character \(U\+0000\) at character 4"):
        read_glossary(file)


def test_a_project_is_not_made_with_a_control_character_in_its_glossary(store):
    with pytest.raises(ValidationError, match=r"glossary term 1 has a control character \(U\+0007\)"):
        create_project(store, "p", glossary=("bell\x07",), actor=SYSTEM)
    assert store.list_projects() == []


# --- the store, on SQLite and PostgreSQL --------------------------------------------------------


def test_settings_round_trip_through_create_and_update(store):
    wanted = LabelSettings(("operator", "supervisor", "운전원"), ("n/", "(NO:)", "music"), 0.35)
    created = create_project(store, "factory", language="ko", glossary=("PLC",), label_settings=wanted, actor=SYSTEM)
    assert created.label_settings == wanted
    assert store.get_project("factory").label_settings == wanted
    assert store.list_projects()[0].label_settings == wanted

    by_name = update_label_settings(store, SYSTEM, "factory", LabelSettings((" A ", "B"), (), 0.8))
    assert by_name.label_settings == LabelSettings(("A", "B"), (), 0.8)
    by_project = update_label_settings(store, SYSTEM, by_name, LabelSettings(tags=("cough",)))
    again = store.get_project("factory")
    assert again.label_settings == by_project.label_settings == LabelSettings(tags=("cough",))
    assert (again.id, again.language, again.glossary, again.created_at) == (
        created.id,
        "ko",
        ("PLC",),
        created.created_at,
    )


def test_a_refused_update_leaves_the_settings_alone(store):
    wanted = LabelSettings(("A",), ("noise",), 0.4)
    create_project(store, "p", label_settings=wanted, actor=SYSTEM)
    with pytest.raises(ValidationError, match="listed twice"):
        update_label_settings(store, SYSTEM, "p", LabelSettings(("B", "b")))
    with pytest.raises(ValidationError, match="from 0 to 1"):
        create_project(store, "q", label_settings=LabelSettings(low_confidence=2), actor=SYSTEM)
    assert store.get_project("p").label_settings == wanted
    assert [p.name for p in store.list_projects()] == ["p"]
    with pytest.raises(NotFound, match="no project named 'nope'"):
        update_label_settings(store, SYSTEM, "nope", wanted)


def test_project_without_stored_settings_reads_defaults(store):
    assert create_project(store, "plain", actor=SYSTEM).label_settings == DEFAULTS
    with store.write() as connection:  # a row as written before migration 0003: no value at all
        connection.execute(
            insert(schema.projects).values(
                name="legacy",
                language=None,
                segment_options={},
                engine_options={},
                glossary=[],
                created_at=datetime.now(UTC),
            )
        )
    assert store.get_project("legacy").label_settings == DEFAULTS


def test_migration_0003_keeps_older_projects_and_downgrades(database_url):
    url, schema_name = database_url
    engine = make_engine(url, schema=schema_name)
    try:
        upgrade_schema(engine, "0002")
        with engine.begin() as connection:  # only columns that exist at 0002
            connection.execute(
                insert(schema.projects).values(
                    name="old",
                    language="en",
                    segment_options={},
                    engine_options={"model": "base"},
                    glossary=["PLC"],
                    created_at=datetime.now(UTC),
                )
            )
        upgrade_schema(engine)
        store = Store(engine)
        old = store.get_project("old")
        assert (old.label_settings, old.glossary) == (DEFAULTS, ("PLC",))
        assert update_label_settings(store, SYSTEM, old, LabelSettings(("A",))).label_settings.speakers == ("A",)

        downgrade_schema(engine, "0002")
        assert "label_settings" not in {c["name"] for c in inspect(engine).get_columns("projects")}
        upgrade_schema(engine)
        assert store.get_project("old").label_settings == DEFAULTS  # the column came back empty
    finally:
        engine.dispose()


# --- the command line ---------------------------------------------------------------------------


def stored(data_dir, name: str) -> LabelSettings:
    workspace = Workspace.open(Settings.from_env(data_dir))
    try:
        return workspace.store.get_project(name).label_settings
    finally:
        workspace.close()


def test_cli_create_with_settings_then_change_only_what_is_given(data_dir, capsys):
    assert (
        run(
            data_dir,
            "project",
            "create",
            "demo",
            "--speakers",
            "A, B",
            "--tags",
            "noise,music",
            "--low-confidence",
            "0.4",
        )
        == 0
    )
    assert "2 speakers, 2 tags" in capsys.readouterr().out
    assert stored(data_dir, "demo") == LabelSettings(("A", "B"), ("noise", "music"), 0.4)

    assert run(data_dir, "project", "settings", "demo", "--low-confidence", "0.25") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:4] == [
        "settings of project 'demo':",
        "  speakers: A, B",
        "  tags: noise, music",
        "  low-confidence: 0.25",
    ]
    assert "  double-labeled share: 0" in out.splitlines()  # assignment settings follow, unchanged
    assert run(data_dir, "project", "settings", "demo", "--speakers", "C,D,E") == 0
    assert stored(data_dir, "demo") == LabelSettings(("C", "D", "E"), ("noise", "music"), 0.25)
    assert run(data_dir, "project", "settings", "demo", "--tags", "", "--speakers", "") == 0
    assert "speakers: (none)" in capsys.readouterr().out
    assert stored(data_dir, "demo") == LabelSettings((), (), 0.25)

    assert run(data_dir, "project", "create", "plain") == 0
    capsys.readouterr()
    assert run(data_dir, "project", "settings", "plain") == 0  # nothing given: show only
    assert f"tags: {', '.join(DEFAULT_TAGS)}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["project", "settings", "demo", "--speakers", "A,a"], "speaker 'a' is listed twice"),
        (["project", "settings", "demo", "--low-confidence", "1.5"], "must be a number from 0 to 1"),
        (["project", "settings", "demo", "--low-confidence", "nan"], "must be a number from 0 to 1"),
        (["project", "settings", "nope", "--tags", "x"], "no project named 'nope'"),
        (["project", "create", "p", "--tags", "x" * 41], "at most 40 are allowed"),
    ],
)
def test_cli_settings_errors_print_one_line(data_dir, capsys, args, message):
    assert run(data_dir, "project", "create", "demo", "--speakers", "A") == 0
    capsys.readouterr()
    assert run(data_dir, *args) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err
    assert stored(data_dir, "demo") == LabelSettings(("A",))


def test_cli_refuses_a_threshold_that_is_not_a_number(data_dir, capsys):
    assert run(data_dir, "project", "create", "demo") == 0
    with pytest.raises(SystemExit) as stop:
        run(data_dir, "project", "settings", "demo", "--low-confidence", "high")
    assert stop.value.code == 2 and "invalid float value: 'high'" in capsys.readouterr().err


# --- the projects page (AppTest, the page script on its own with the app's session state) -------


@pytest.fixture
def page(store, settings):
    """The projects page with the workspace and job registry workbench.py would put in place."""

    def open_page() -> AppTest:
        app = AppTest.from_file(PAGE, default_timeout=60)
        app.session_state["workspace"] = Workspace(settings, store)
        app.session_state["prelabel_jobs"] = PrelabelJobs(store, settings)
        app.session_state["actor"] = SYSTEM  # an admin, as workbench.py puts the signed-in actor
        return app.run()

    return open_page


def click(app: AppTest, label: str) -> AppTest:
    return next(b for b in app.button if b.label == label).click().run()


def test_a_lead_creates_a_project_with_speakers_and_tags(page, store):
    app = page()
    assert not app.exception
    assert app.text_area(key="new_project_tags").value == "\n".join(DEFAULT_TAGS)
    app.text_input[0].input("factory-ko")
    app.text_area(key="new_project_speakers").input("operator, supervisor\n운전원\n")
    app.text_area(key="new_project_tags").input("n/\n(NO:)\n")
    app.slider(key="new_project_low").set_value(0.35)
    click(app, "Create project")
    assert not app.exception and "Created project 'factory\\-ko'" in app.success[0].value
    assert store.get_project("factory-ko").label_settings == LabelSettings(
        ("operator", "supervisor", "운전원"), ("n/", "(NO:)"), 0.35
    )


def test_a_lead_changes_label_settings_in_the_expander(page, store):
    project = create_project(store, "calls", label_settings=LabelSettings(("A",), ("noise",), 0.5), actor=SYSTEM)
    app = page()
    key = f"label_settings_{project.id}"
    assert app.text_area(key=f"{key}_speakers").value == "A"
    app.text_area(key=f"{key}_speakers").input("A\nB, C")
    app.text_area(key=f"{key}_tags").input("noise\nmusic")
    app.slider(key=f"{key}_low").set_value(0.6)
    click(app, "Save label settings")
    assert not app.exception and app.success[0].value == "Label settings saved."
    wanted = LabelSettings(("A", "B", "C"), ("noise", "music"), 0.6)
    assert store.get_project("calls").label_settings == wanted

    app.text_area(key=f"{key}_speakers").input("A\na")
    click(app, "Save label settings")
    assert "speaker 'a' is listed twice" in shown(app.error[0].value)
    assert store.get_project("calls").label_settings == wanted


def test_only_leads_change_settings_upload_or_prelabel(store, settings):
    from speechlabel.accounts import users as accounts
    from speechlabel.core.errors import Forbidden
    from speechlabel.core.models import Role
    from speechlabel.ingest.files import import_uploads
    from speechlabel.prelabel.local_worker import PrelabelJobs

    project = create_project(store, "calls", actor=SYSTEM)
    accounts.create_user(store, SYSTEM, "lea", "correct horse battery")
    accounts.set_role(store, SYSTEM, "lea", "calls", Role.LABELER)
    lea = accounts.login(store, "lea", "correct horse battery")[1]
    with pytest.raises(Forbidden, match="lea is a labeler in 'calls'; changing label settings needs the lead role"):
        update_label_settings(store, lea, project, LabelSettings(("A",)))
    with pytest.raises(Forbidden, match="uploading audio needs the lead role"):
        import_uploads(store, settings, project, [("a.wav", b"x")], actor=lea)
    with pytest.raises(Forbidden, match="pre-labeling needs the lead role"):
        PrelabelJobs(store, settings).start(project, lea)
    assert store.get_project("calls").label_settings == LabelSettings()
    assert store.list_recordings(project.id) == []
