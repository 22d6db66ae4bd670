"""The Projects page's transcription-convention form: the domain calls behind it (built-in
scheme, a lead's uploaded .toml/.json file, the submit rule, refusals) on SQLite and PostgreSQL,
and the form itself in English and Korean (AppTest), with the recordings' level warnings."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile
from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.conventions import AIHUB, GENERIC_EN, KSPON, SchemeFileError
from speechlabel.core.errors import Forbidden, ValidationError
from speechlabel.core.models import Role
from speechlabel.i18n import Lang
from speechlabel.ingest.files import import_audio, import_uploads
from speechlabel.prelabel.local_worker import PrelabelJobs
from speechlabel.projects.manage import create_project
from speechlabel.projects.scheme_upload import (
    KEEP_CUSTOM,
    UPLOADED,
    SchemeUpload,
    current_choice,
    save_convention_form,
    scheme_choices,
)
from speechlabel.workspace.workspace import Workspace
from views.upload_api import report_json

PAGE = str(Path(__file__).resolve().parents[1] / "views" / "projects.py")
FACTORY_TOML = b"""
name = "factory-ko"
base = "kspon"
title = "Factory floor"

[[tags]]
tag = "[machine]"
kind = "noise"
meaning = "machine noise"
hotkey = "Alt+M"
"""


def test_a_built_in_scheme_and_the_submit_rule(store):
    project = create_project(store, "calls", language="ko", actor=SYSTEM)
    assert current_choice(project) == "kspon" and scheme_choices(project) == ["kspon", "aihub", "generic", UPLOADED]
    saved = save_convention_form(store, SYSTEM, project, "aihub", True)
    assert saved.convention_settings.scheme == AIHUB and saved.convention_settings.block_submit_on_lint_errors
    assert store.get_project("calls").convention_settings == saved.convention_settings


def test_a_leads_scheme_file_is_validated_stored_and_kept(store):
    project = create_project(store, "calls", language="ko", actor=SYSTEM)
    saved = save_convention_form(store, SYSTEM, project, UPLOADED, False, SchemeUpload("factory.toml", FACTORY_TOML))
    scheme = store.get_project("calls").convention_settings.scheme
    assert scheme.name == "factory-ko" and scheme.by_text["[machine]"].hotkey == "Alt+M"
    assert "n/" in scheme.by_text  # from its base
    assert current_choice(saved) == KEEP_CUSTOM and KEEP_CUSTOM in scheme_choices(saved)
    kept = save_convention_form(store, SYSTEM, saved, KEEP_CUSTOM, True)
    assert kept.convention_settings.scheme == scheme and kept.convention_settings.block_submit_on_lint_errors
    as_json = SchemeUpload("f.json", b'{"name": "plain", "tags": [{"tag": "[beep]", "kind": "noise"}]}')
    assert (
        save_convention_form(store, SYSTEM, kept, UPLOADED, False, as_json).convention_settings.scheme.name == "plain"
    )


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SchemeUpload("factory.txt", FACTORY_TOML), "factory.txt: a scheme file ends in .toml or .json"),
        (SchemeUpload("bad.toml", b"name = \n"), "bad.toml: not valid TOML"),
        (SchemeUpload("bad.json", b"{"), "bad.json: not valid JSON"),
        (SchemeUpload("latin1.toml", "name = 'café'".encode("latin-1")), "latin1.toml: not UTF-8 text"),
        (SchemeUpload("x.toml", b'name = "x"\n[[tags]]\ntag = "[a]"\nkind = "loud"\n'), "x.toml: tag 1: "),
        (SchemeUpload("x.toml", b'name = "x"\ncolour = "red"\nbase = "kspon"\n'), "unknown key 'colour'; allowed:"),
        (SchemeUpload("big.json", b" " * 300_000), "a scheme file is at most 256 kB"),
    ],
)
def test_a_broken_scheme_file_is_refused_saying_what_is_wrong(store, upload, message):
    project = create_project(store, "calls", language="ko", actor=SYSTEM)
    with pytest.raises(SchemeFileError, match=message.replace("(", r"\(").replace(".", r"\.")):
        save_convention_form(store, SYSTEM, project, UPLOADED, True, upload)
    assert store.get_project("calls").convention_settings.scheme == KSPON  # unchanged


def test_no_file_an_unknown_choice_and_a_labeler_are_refused(store):
    project = create_project(store, "calls", language="en", actor=SYSTEM)
    with pytest.raises(ValidationError, match="no scheme file uploaded; upload a .toml or .json"):
        save_convention_form(store, SYSTEM, project, UPLOADED, False)
    with pytest.raises(
        ValidationError, match="unknown tag scheme choice 'custom'; allowed: kspon, aihub, generic, file"
    ):
        save_convention_form(store, SYSTEM, project, KEEP_CUSTOM, False)
    accounts.create_user(store, SYSTEM, "lea", "correct horse battery")
    accounts.set_role(store, SYSTEM, "lea", "calls", Role.LABELER)
    lea = accounts.login(store, "lea", "correct horse battery")[1]
    with pytest.raises(Forbidden, match="changing the transcription convention needs the lead role"):
        save_convention_form(store, lea, project, "kspon", True)
    assert store.get_project("calls").convention_settings.scheme == GENERIC_EN


# --- the form on the page (AppTest) ----------------------------------------------------------------


def open_page(store, settings, lang: str = "en") -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.session_state["workspace"] = Workspace(settings, store)
    app.session_state["prelabel_jobs"] = PrelabelJobs(store, settings)
    app.session_state["actor"] = SYSTEM  # an admin, as workbench.py puts the signed-in actor
    app.session_state["ui_language"] = lang
    app.run()
    assert not app.exception, app.exception
    return app


def click(app: AppTest, label: str) -> AppTest:
    return next(b for b in app.button if b.label == label).click().run()


def test_the_form_saves_a_scheme_and_the_submit_rule(store, settings):
    project = create_project(store, "calls", language="ko", actor=SYSTEM)
    app = open_page(store, settings)
    key = f"conventions_{project.id}"
    scheme = app.radio(key=f"{key}_scheme")
    assert scheme.value == "kspon" and scheme.options == [
        "KsponSpeech / ETRI (kspon)",
        "AI Hub conversational (aihub)",
        "Generic English (generic)",
        "a scheme file (upload below)",
    ]
    scheme.set_value("aihub")
    app.checkbox(key=f"{key}_block").check()
    click(app, "Save transcription convention")
    assert app.success[0].value == "Transcription convention saved: AI Hub conversational."
    saved = store.get_project("calls").convention_settings
    assert saved.scheme == AIHUB and saved.block_submit_on_lint_errors


def test_the_form_in_korean_refuses_a_missing_file(store, settings):
    project = create_project(store, "calls", language="ko", actor=SYSTEM)
    app = open_page(store, settings, "ko")
    key = f"conventions_{project.id}"
    assert app.radio(key=f"{key}_scheme").label == "태그 규칙"
    assert app.checkbox(key=f"{key}_block").label == "전사에 검사 오류가 있으면 '저장 후 다음'을 막기"
    app.radio(key=f"{key}_scheme").set_value(UPLOADED)
    click(app, "전사 규칙 저장")
    assert app.error[0].value == "규칙 파일(`.toml` 또는 `.json`)을 올리거나 기본 규칙을 고르세요."
    assert store.get_project("calls").convention_settings.scheme == KSPON
    app.radio(key=f"{key}_scheme").set_value("generic")
    click(app, "전사 규칙 저장")
    assert app.success[0].value == "전사 규칙을 저장했습니다: Generic English."


def test_level_warnings_in_korean_in_the_projects_table(store, settings, speech_dir):
    """A real recording played back 40 dB down: the projects table calls it quiet, in Korean."""
    project = create_project(store, "calls", language="ko", actor=SYSTEM)
    audio, rate = soundfile.read(speech_dir / "en" / "LDC93S1.wav", dtype="float32")
    quiet = io.BytesIO()
    soundfile.write(quiet, (audio * 0.01).astype(np.float32), rate, format="WAV", subtype="PCM_16")
    recording = import_audio(store, settings, project, quiet.getvalue(), "quiet.wav")
    app = open_page(store, settings, "ko")
    warnings = app.dataframe[0].value["경고"][0]
    assert warnings.startswith("소리 작음 (최고 ") and warnings.endswith(" dBFS)")
    assert f"{recording.probe.peak_dbfs:.0f} dBFS" in warnings
    english = open_page(store, settings, "en").dataframe[0].value["warnings"][0]
    assert english.startswith("quiet (peak ")


def test_an_import_duplicate_and_failure_on_the_page_in_korean(store, settings, speech_dir):
    """The upload report as the page shows it in Korean: a duplicate and a file that is not
    audio, both errors with catalog messages, so neither shows the English text."""
    project = create_project(store, "calls", language="ko", actor=SYSTEM)
    wav = (speech_dir / "en" / "LDC93S1.wav").read_bytes()
    report = import_uploads(
        store, settings, project, [("a.wav", wav), ("again.wav", wav), ("notes.wav", b"hello")], actor=SYSTEM
    )
    assert len(report.imported) == len(report.duplicates) == len(report.failures) == 1
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.session_state["workspace"] = Workspace(settings, store)
    app.session_state["prelabel_jobs"] = PrelabelJobs(store, settings)
    app.session_state["actor"] = SYSTEM
    app.session_state["ui_language"] = "ko"
    # The upload route's answer (its messages in the reader's language), as the component hands it back.
    answer = {"name": "a.wav", "status": 200, "body": report_json(report, Lang.KO)}
    app.session_state["upload_reports"] = {project.id: [answer]}
    app.run()
    assert not app.exception, app.exception
    duplicate = app.warning[0].value
    assert duplicate.startswith("again\\.wav: ")  # file names shown literally (escaped Markdown)
    assert re.search("[가-힣]", duplicate.split(": ", 1)[1])
    assert report.duplicates[0].message not in duplicate  # not the English message
    failed = app.error[0].value
    assert failed.startswith("notes\\.wav: 실패 — ") and "읽을 수 있는 오디오가 아닙니다" in failed
    assert report.failures[0].message not in failed
