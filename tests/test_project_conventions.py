"""A project's transcription convention: the stored setting (SQLite and PostgreSQL), the blocked
submit, fixes and tag insertion at the caret."""

from __future__ import annotations

import json

import pytest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.conventions import AIHUB, GENERIC_EN, KSPON, resolve_scheme
from speechlabel.core.errors import Forbidden, ValidationError
from speechlabel.core.models import (
    ConventionSettings,
    Draft,
    LabelSettings,
    Role,
    SegmentStatus,
)
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.projects.conventions import (
    DUAL,
    LintRejected,
    check_submittable,
    fix_transcript,
    insert_at_caret,
    project_scheme,
    update_convention_settings,
)
from speechlabel.projects.manage import create_project
from speechlabel.store import schema
from speechlabel.store.rows import utc_now

KSPON_LINE = "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/"
PASSWORD = "correct horse battery"


def signed_in(store, project, name: str, role: Role):
    accounts.create_user(store, SYSTEM, name, PASSWORD)
    accounts.set_role(store, SYSTEM, name, project.name, role)
    return accounts.login(store, name, PASSWORD)[1]


def test_a_new_project_takes_its_scheme_from_the_language_and_stores_it(store):
    korean = create_project(store, "ko-calls", language="ko", actor=SYSTEM)
    english = create_project(store, "en-calls", language="en", actor=SYSTEM)
    auto = create_project(store, "any-calls", actor=SYSTEM)
    assert store.get_project("ko-calls").convention_settings == ConventionSettings(KSPON, False)
    assert project_scheme(korean) is KSPON
    assert project_scheme(english) == GENERIC_EN and project_scheme(auto) == GENERIC_EN
    assert korean.convention_settings.to_dict() == {"scheme": "kspon", "block_submit_on_lint_errors": False}


def test_a_project_from_before_the_setting_reads_its_scheme_from_the_language(store):
    project = create_project(store, "old", language="ko", actor=SYSTEM)
    with store.write() as connection:  # what migration 0009 leaves in rows of older projects
        connection.execute(schema.projects.update().values(convention_settings=None))
    old = store.get_project("old")
    assert old.convention_settings == ConventionSettings()
    assert project_scheme(old) is KSPON
    assert project.id == old.id


def test_migration_0009_adds_the_setting_to_older_projects_and_downgrades(database_url):
    from sqlalchemy import inspect

    from speechlabel.store import Store
    from speechlabel.store.engine import downgrade_schema, make_engine, upgrade_schema

    url, schema_name = database_url
    engine = make_engine(url, schema=schema_name)
    try:
        upgrade_schema(engine, "0008")
        with engine.begin() as connection:  # only columns that exist at 0008
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
        assert store.get_project("old").convention_settings == ConventionSettings()
        update_convention_settings(store, SYSTEM, "old", ConventionSettings(AIHUB, True))
        assert store.get_project("old").convention_settings == ConventionSettings(AIHUB, True)
        downgrade_schema(engine, "0008")
        assert "convention_settings" not in {c["name"] for c in inspect(engine).get_columns("projects")}
    finally:
        engine.dispose()


def test_a_lead_sets_a_builtin_or_custom_scheme_and_blocking_and_it_round_trips(store, tmp_path):
    project = create_project(store, "calls", language="ko", actor=SYSTEM)
    lead = signed_in(store, project, "lea", Role.LEAD)
    changed = update_convention_settings(store, lead, project, ConventionSettings(AIHUB, True))
    assert (
        store.get_project("calls").convention_settings == ConventionSettings(AIHUB, True) == changed.convention_settings
    )
    scheme_file = tmp_path / "factory.json"
    scheme_file.write_text(
        json.dumps(
            {
                "name": "factory-ko",
                "base": "kspon",
                "tags": [{"tag": "m/", "kind": "noise", "meaning": "machine noise", "hotkey": "Alt+M"}],
            }
        ),
        encoding="utf-8",
    )
    custom = resolve_scheme(str(scheme_file))
    update_convention_settings(store, lead, "calls", ConventionSettings(custom, False))
    stored = store.get_project("calls")
    assert stored.convention_settings.scheme == custom
    assert stored.convention_settings.scheme.by_text["m/"].hotkey == "Alt+M"
    assert project_scheme(stored).name == "factory-ko"


def test_only_a_lead_changes_the_convention_and_bad_values_are_refused(store):
    project = create_project(store, "calls", language="ko", actor=SYSTEM)
    labeler = signed_in(store, project, "ana", Role.LABELER)
    with pytest.raises(Forbidden):
        update_convention_settings(store, labeler, project, ConventionSettings(AIHUB, True))
    with pytest.raises(ValidationError, match="true or false"):
        update_convention_settings(store, SYSTEM, project, ConventionSettings(KSPON, "yes"))
    with pytest.raises(ValidationError, match="TagScheme"):
        update_convention_settings(store, SYSTEM, project, ConventionSettings("kspon", True))
    assert store.get_project("calls").convention_settings == ConventionSettings(KSPON, False)


def test_the_generic_scheme_takes_the_projects_own_tag_names_as_bracket_tags(store):
    project = create_project(
        store,
        "factory",
        language="en",
        actor=SYSTEM,
        label_settings=LabelSettings(tags=("noise", "machine hum", "beep")),
    )
    scheme = project_scheme(project)
    assert "[machine hum]" in scheme.by_text and "[beep]" in scheme.by_text
    assert len([tag for tag in scheme.tags if tag.text == "[noise]"]) == 1  # already the scheme's own
    assert labeling_problems(project, "the press [machine hum] stopped") == []
    assert "unknown-tag" in labeling_problems(project, "the press [hiss] stopped")


def labeling_problems(project, text: str) -> list[str]:
    from speechlabel.projects.conventions import lint_transcript

    return [problem.code for problem in lint_transcript(project, text)]


# --- the submit rule ---------------------------------------------------------------------------


@pytest.fixture
def korean_segment(store, settings, speech_dir):
    """A KsponSpeech project whose labeler holds one drafted segment of real audio."""
    project = create_project(store, "kspon", language="ko", actor=SYSTEM)
    recording = import_audio(store, settings, project, (speech_dir / "en/LDC93S1.wav").read_bytes(), "a.wav")
    segment = store.replace_segments(recording.id, project.id, [(0.1, 1.2)], {}, "prelabel")[0]
    draft = Draft("모 몬 소리야", (), -0.3, 0.02, 1.2, "ko", 0.99, "faster-whisper", "base", {})
    segment = store.add_draft(segment.id, draft, "prelabel")
    labeler = signed_in(store, project, "ana", Role.LABELER)
    assert labeling.next_segment(store, labeler, project).id == segment.id  # leased to ana
    return project, labeler, store.get_segment(segment.id)


def test_a_project_that_blocks_refuses_a_transcript_with_lint_errors_and_saves_nothing(store, korean_segment):
    project, labeler, segment = korean_segment
    update_convention_settings(store, SYSTEM, project, ConventionSettings(KSPON, True))
    broken = "b/ 아/ 모+몬 소리야 (70%)/(칠십 퍼센트 확률이라니"
    with pytest.raises(LintRejected, match="transcription rules") as refused:
        labeling.save_and_next(store, labeler, segment.id, segment.version, broken, None, [], None)
    assert {problem.code for problem in refused.value.problems} >= {"plus-joined", "unbalanced-parenthesis"}
    unchanged = store.get_segment(segment.id)
    assert (unchanged.version, unchanged.status, unchanged.text) == (segment.version, segment.status, segment.text)
    saved, _ = labeling.save_and_next(store, labeler, segment.id, segment.version, KSPON_LINE, None, [], None)
    assert (saved.text, saved.status) == (KSPON_LINE, SegmentStatus.SUBMITTED)


def test_warnings_never_block_and_a_project_that_does_not_block_saves_errors(store, korean_segment):
    project, labeler, segment = korean_segment
    blocking = update_convention_settings(store, SYSTEM, project, ConventionSettings(KSPON, True))
    check_submittable(blocking, "아/  모+ 몬 소리야")  # a double space is a warning only
    update_convention_settings(store, SYSTEM, project, ConventionSettings(KSPON, False))
    saved, _ = labeling.save_and_next(store, labeler, segment.id, segment.version, "모+몬 70%", None, [], None)
    assert saved.text == "모+몬 70%"


# --- fixes and insertion at the caret ------------------------------------------------------------


def test_fix_applies_every_suggested_fix_until_the_line_is_clean():
    result = fix_transcript(KSPON, "아/  모+몬 소리야 n/")
    assert result.text == "아/ 모+ 몬 소리야 n/"
    assert result.remaining == [] and result.fixed == 2


def test_fix_leaves_what_has_no_fix():
    result = fix_transcript(KSPON, "모  x/ 몬 70%")
    assert result.text == "모 x/ 몬 (70%)/(칠십 퍼센트)"
    assert [problem.code for problem in result.remaining] == ["unknown-tag"]
    assert result.fixed == 2


@pytest.mark.parametrize(
    ("text", "tag", "start", "end", "expected", "caret"),
    [
        ("아 모 몬 소리야", "n/", 2, 2, "아 n/ 모 몬 소리야", 5),  # between words, at the caret
        ("아 모 몬 소리야", "n/", 3, 3, "아 모 n/ 몬 소리야", 7),  # inside a word: after it, never splitting
        ("아 모 몬 소리야", "+", 3, 3, "아 모+ 몬 소리야", 4),  # a mark goes on the word at the caret
        ("아 모 몬 소리야", "o/", 6, 6, "o/ 아 모 몬 소리야", 9),  # o/ only at the start
        ("칠십 퍼센트 확률", DUAL, 0, 6, "(칠십 퍼센트)/() 확률", 10),  # the selection is the spelling
        ("확률", DUAL, 0, 0, "()/()확률", 1),
    ],
)
def test_insert_at_caret_puts_each_kind_of_tag_where_it_belongs(text, tag, start, end, expected, caret):
    inserted = insert_at_caret(KSPON, text, tag, start, end)
    assert (inserted.text, inserted.caret) == (expected, caret)


def test_insert_at_caret_refuses_what_the_scheme_does_not_have():
    with pytest.raises(ValidationError, match=r"not a tag of the KsponSpeech / ETRI scheme; its tags: b/"):
        insert_at_caret(KSPON, "아", "[noise]", 0)
    with pytest.raises(ValidationError, match="no dual transcription"):
        insert_at_caret(GENERIC_EN, "seventy", DUAL, 0, 7)
    with pytest.raises(ValidationError, match="outside the text"):
        insert_at_caret(KSPON, "아", "n/", 3)


# --- the command line ------------------------------------------------------------------------------


def test_project_create_and_settings_take_the_scheme_and_the_blocking(data_dir, tmp_path, capsys):
    from speechlabel.cli import main

    base = ["--data-dir", str(data_dir)]
    assert main(base + ["project", "create", "calls", "--language", "ko", "--block-on-lint-errors"]) == 0
    assert "tag scheme kspon" in capsys.readouterr().out
    assert main(base + ["project", "settings", "calls"]) == 0
    shown = capsys.readouterr().out
    assert "tag scheme: kspon — KsponSpeech / ETRI" in shown and "block submit on lint errors: yes" in shown
    scheme_file = tmp_path / "factory.toml"
    scheme_file.write_text('name = "factory"\nbase = "aihub"\n', encoding="utf-8")
    assert main(base + ["project", "settings", "calls", "--scheme", str(scheme_file), "--no-block-on-lint-errors"]) == 0
    shown = capsys.readouterr().out
    assert "tag scheme: factory — AI Hub conversational" in shown and "block submit on lint errors: no" in shown
    assert main(base + ["project", "settings", "calls", "--scheme", "espnet"]) != 0
    assert "unknown tag scheme 'espnet'; give kspon, aihub, generic or a scheme file" in capsys.readouterr().err
    assert main(base + ["project", "create", "en-calls", "--language", "en"]) == 0
    assert "tag scheme generic" in capsys.readouterr().out
