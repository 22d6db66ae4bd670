"""Command projects: the kind and vocabulary (rules, files, roles, the command line, the store on
SQLite and PostgreSQL), the match of a draft to the vocabulary, the hotwords that steer Whisper,
and the save rule (a command project's text is one of its classes)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.conventions.hotkeys import COMMAND_CLASS_KEYS, RESERVED_HOTKEYS
from speechlabel.core.command_match import match_command
from speechlabel.core.commands import BUILT_IN_CLASSES, SILENCE, UNKNOWN, Command, CommandSettings, ProjectKind
from speechlabel.core.errors import Forbidden, ValidationError
from speechlabel.core.models import Role
from speechlabel.labeling import actions as labeling
from speechlabel.prelabel.project_options import steering_terms, transcribe_options_for
from speechlabel.projects.commands import (
    command_settings,
    parse_commands,
    read_commands,
    save_command_form,
    update_command_settings,
    validate_commands,
)
from speechlabel.projects.manage import create_project
from tests.command_line import run
from tests.korean_errors import assert_in_korean
from tests.sample_projects import add_recording, member

VOCABULARY = """\
# the lead's list: label | variants
lights on | turn on the lights | 불 켜
lights off | turn off the lights | 불 꺼
hey factory
stop the line | 라인 정지
"""


def commands(*commands: Command, kind=ProjectKind.COMMANDS) -> CommandSettings:
    return CommandSettings(kind, commands)


def test_a_vocabulary_file_reads_as_plain_text_and_as_csv():
    typed = parse_commands(VOCABULARY)
    assert typed == (
        Command("lights on", ("turn on the lights", "불 켜")),
        Command("lights off", ("turn off the lights", "불 꺼")),
        Command("hey factory"),
        Command("stop the line", ("라인 정지",)),
    )
    csv_text = "label,variant,variant\nlights on,turn on the lights,불 켜\n\nhey factory,,\n"
    assert read_commands("vocabulary.csv", ("\ufeff" + csv_text).encode()) == (
        Command("lights on", ("turn on the lights", "불 켜")),
        Command("hey factory"),
    )
    with pytest.raises(ValidationError) as refused:
        read_commands("vocabulary.txt", "불 켜".encode("euc-kr"))
    assert "not UTF-8" in str(refused.value)
    assert_in_korean(refused.value)


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        (commands(), "needs at least one command"),
        (commands(Command("", ("turn on",))), "command 1 has no label"),
        (commands(Command("?!", ())), "command 1 has no label"),
        (commands(Command("lights on"), Command("Lights  ON!")), "said the same way for two commands"),
        (commands(Command("불 켜"), Command("lights on", ("불켜",))), "said the same way for two commands"),
        (commands(Command("x" * 61)), "61 characters long; at most 60"),
        (commands(Command("lights\x1bon")), "control character (U+001B)"),
        (commands(Command("on", ("turn\x00on",))), "control character (U+0000)"),
        (commands(Command("_unknown_")), "a name of the built-in classes"),
        (commands(Command("Silence")), "a name of the built-in classes"),
        (commands(Command("on", tuple(f"v{n}" for n in range(31)))), "31 variants; at most 30"),
        (CommandSettings("chat", ()), "unknown project kind 'chat'; allowed: conversation, commands"),
    ],
)
def test_a_vocabulary_that_breaks_a_rule_is_refused_with_its_reason(settings, says):
    with pytest.raises(ValidationError) as refused:
        validate_commands(settings)
    assert says in str(refused.value)
    assert_in_korean(refused.value)


def test_the_loop_keys_of_a_command_project_are_reserved_for_it():
    assert set(COMMAND_CLASS_KEYS) == set(BUILT_IN_CLASSES)
    for key in ("Alt+Enter", "Alt+K", *COMMAND_CLASS_KEYS.values()):
        assert key in RESERVED_HOTKEYS


def test_a_vocabulary_is_cleaned():
    cleaned = validate_commands(commands(Command(" lights on ", ("lights on", "", "turn on the lights", "불 켜"))))
    assert cleaned.commands == (Command("lights on", ("turn on the lights", "불 켜")),)
    assert cleaned.labels == ("lights on", UNKNOWN, SILENCE)
    assert validate_commands(CommandSettings()) == CommandSettings()  # free conversation needs none


def test_leads_set_the_vocabulary_everyone_in_the_project_reads_it(store, project):
    labeler = member(store, project, "ana")
    lead = member(store, project, "ben", Role.LEAD)
    assert project.command_settings == CommandSettings()  # a new project is free conversation
    with pytest.raises(Forbidden):
        update_command_settings(store, labeler, project, commands(Command("lights on")))
    changed = save_command_form(store, lead, project.name, "commands", VOCABULARY)
    assert changed.command_settings.kind == ProjectKind.COMMANDS
    assert store.get_project("demo").command_settings == changed.command_settings  # stored
    assert command_settings(store, labeler, "demo").commands[0] == Command("lights on", ("turn on the lights", "불 켜"))
    uploaded = save_command_form(store, lead, "demo", "commands", "", ("v.csv", b"hey factory\n"))
    assert uploaded.command_settings.commands == (Command("hey factory"),)
    entry, before = [e for e in store.list_audit([project.id]) if e.action == "command_settings"]
    assert (
        before.details["kind"] == "commands"
        and entry.actor == "ben"
        and entry.details["commands"] == [{"label": "hey factory", "variants": []}]
    )
    stranger = create_project(store, "other", actor=SYSTEM)
    with pytest.raises(Forbidden):
        command_settings(store, labeler, stranger)


def test_the_draft_is_matched_to_the_vocabulary():
    vocabulary = validate_commands(commands(*parse_commands(VOCABULARY)))
    found = {
        text: (m.label, m.how)
        for text in ("Lights on.", "turn on the lights", "불켜", "Please turn off the lights now", "Lites on", "")
        for m in [match_command(vocabulary, text)]
    }
    assert found == {
        "Lights on.": ("lights on", "exact"),
        "turn on the lights": ("lights on", "exact"),
        "불켜": ("lights on", "exact"),  # Korean spacing does not count
        "Please turn off the lights now": ("lights off", "contained"),
        "Lites on": ("lights on", "fuzzy"),
        "": (SILENCE, "silence"),
    }
    outside = match_command(vocabulary, "What a lovely day")
    assert outside.outside and outside.how == "none" and outside.score < 0.8
    # Whole words only: "on" inside "conveyor" is not the command "on".
    assert match_command(commands(Command("on")), "conveyor").outside


def test_a_command_project_that_asks_steers_whisper_with_every_form(store, project):
    assert steering_terms(project) == ()
    lead = member(store, project, "ben", Role.LEAD)
    vocabulary = commands(*parse_commands(VOCABULARY))
    unsteered = update_command_settings(store, lead, project, vocabulary)
    assert not unsteered.command_settings.steer and transcribe_options_for(unsteered).glossary == ()
    changed = update_command_settings(store, lead, project, replace(vocabulary, steer=True))
    assert store.get_project("demo").command_settings.steer
    terms = transcribe_options_for(changed).glossary
    assert terms[:3] == ("lights on", "turn on the lights", "불 켜") and "라인 정지" in terms and len(terms) == 9
    back = update_command_settings(store, lead, project, replace(changed.command_settings, kind="conversation"))
    assert transcribe_options_for(back).glossary == ()  # free conversation again: no steering


def test_a_command_project_saves_only_its_classes(store, settings, project, speech_dir):
    lead = member(store, project, "ben", Role.LEAD)
    update_command_settings(store, lead, project, commands(*parse_commands(VOCABULARY)))
    _, drafts = add_recording(store, settings, project, speech_dir, "en/jfk.wav", [(0, 2), (2, 4)], ["x", "y"])
    first, second = drafts  # the segments, drafted
    with pytest.raises(ValidationError) as refused:
        labeling.submit(store, lead, first.id, first.version, "turn on the lights", None, (), None)
    assert "is not a command of this project" in str(refused.value)
    assert_in_korean(refused.value)
    saved, _ = labeling.submit(store, lead, first.id, first.version, "lights on", None, (), None)
    unknown, _ = labeling.submit(store, lead, second.id, second.version, UNKNOWN, None, (), None)
    assert (saved.text, unknown.text) == ("lights on", UNKNOWN)


def test_the_command_line_sets_and_shows_the_vocabulary(data_dir, tmp_path, capsys):
    vocabulary = tmp_path / "commands.txt"
    vocabulary.write_text(VOCABULARY, encoding="utf-8")
    assert run(data_dir, "project", "create", "factory", "--language", "ko", "--commands", str(vocabulary)) == 0
    assert "commands with 4 commands" in capsys.readouterr().out
    table = tmp_path / "commands.csv"
    table.write_text("label,variant\nhey factory,헤이 팩토리\n", encoding="utf-8")
    assert run(data_dir, "project", "commands", "factory", str(table)) == 0
    assert capsys.readouterr().out.splitlines() == [
        "project 'factory': commands, 1 commands, not steering Whisper",
        "  hey factory | 헤이 팩토리",
    ]
    assert run(data_dir, "project", "commands", "factory", "--steer") == 0
    assert "commands, 1 commands, steering Whisper" in capsys.readouterr().out
    assert run(data_dir, "project", "commands", "factory", "--kind", "conversation") == 0
    assert "conversation, 1 commands, steering Whisper" in capsys.readouterr().out
    bad = tmp_path / "bad.txt"
    bad.write_text("lights on\nLights On!\n", encoding="utf-8")
    assert run(data_dir, "project", "create", "broken", "--commands", str(bad)) == 1
    assert "said the same way for two commands" in capsys.readouterr().err
    assert run(data_dir, "project", "list") == 0
    assert "broken" not in capsys.readouterr().out  # a refused vocabulary leaves no project behind


def test_a_command_class_is_saved_where_the_convention_would_block_it(store, settings, project, speech_dir):
    """A project that blocks on lint errors: the convention judges transcripts, not class labels."""
    from speechlabel.conventions.problems import has_errors
    from speechlabel.core.models import ConventionSettings
    from speechlabel.projects.conventions import lint_transcript, update_convention_settings

    update_convention_settings(store, SYSTEM, project, ConventionSettings(block_submit_on_lint_errors=True))
    project = update_command_settings(store, SYSTEM, project, commands(Command("(NO:) on")))
    assert has_errors(lint_transcript(project, "(NO:) on"))  # a transcript like it would be refused
    _, (segment,) = add_recording(store, settings, project, speech_dir, "en/jfk.wav", [(0, 2)], ["x"])
    saved, _ = labeling.submit(store, SYSTEM, segment.id, segment.version, "(NO:) on", None, (), None)
    assert saved.text == "(NO:) on"


def test_migration_0017_cmd_makes_older_projects_free_conversation_and_downgrades(database_url):
    from sqlalchemy import inspect

    from speechlabel.store import Store, schema
    from speechlabel.store.engine import downgrade_schema, make_engine, upgrade_schema
    from speechlabel.store.rows import utc_now

    url, schema_name = database_url
    engine = make_engine(url, schema=schema_name)
    try:
        upgrade_schema(engine, "0015")
        with engine.begin() as connection:  # only columns that exist at 0015
            connection.execute(
                schema.projects.insert().values(
                    name="old",
                    language="ko",
                    segment_options={},
                    engine_options={"model": "base"},
                    glossary=[],
                    created_at=utc_now(),
                )
            )
        upgrade_schema(engine)
        store = Store(engine)
        assert store.get_project("old").command_settings == CommandSettings()
        update_command_settings(store, SYSTEM, "old", commands(Command("불 켜")))
        assert store.get_project("old").command_settings == commands(Command("불 켜"))
        downgrade_schema(engine, "0015")
        assert "command_settings" not in {c["name"] for c in inspect(engine).get_columns("projects")}
    finally:
        engine.dispose()
