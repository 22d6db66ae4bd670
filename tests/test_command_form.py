"""The Projects page's form of a project's kind and commands (AppTest), in English and Korean,
and what the label page hands its loop for a command project (the vocabulary, the classes and
their keys; no transcription tags) next to a free-conversation one."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.commands import Command, CommandSettings, ProjectKind
from speechlabel.core.models import Role
from speechlabel.prelabel.local_worker import PrelabelJobs
from speechlabel.projects.commands import update_command_settings
from speechlabel.projects.manage import create_project
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import loop_data, open_label_page
from tests.app_session import PASSWORD

PAGE = str(Path(__file__).resolve().parents[1] / "views" / "projects.py")


def open_projects_page(store, settings, lang: str) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.session_state["workspace"] = Workspace(settings, store)
    app.session_state["prelabel_jobs"] = PrelabelJobs(store, settings)
    app.session_state["actor"] = SYSTEM  # an admin, as workbench.py puts the signed-in actor
    app.session_state["ui_language"] = lang
    app.run()
    assert not app.exception, app.exception
    return app


def save(app: AppTest, label: str) -> AppTest:
    return next(b for b in app.button if b.label == label).click().run()


def test_the_form_makes_a_command_project(store, settings):
    project = create_project(store, "factory", language="ko", actor=SYSTEM)
    app = open_projects_page(store, settings, "en")
    key = f"commands_{project.id}"
    kind = app.radio(key=f"{key}_kind")
    assert kind.label == "Project kind" and kind.value == ProjectKind.CONVERSATION
    kind.set_value(ProjectKind.COMMANDS)
    app.text_area(key=f"{key}_text").set_value("불 켜 | 불 좀 켜 줘 | lights on\n불 꺼\n")
    assert not app.checkbox(key=f"{key}_steer").value  # off unless the lead asks
    app.checkbox(key=f"{key}_steer").check()
    save(app, "Save kind and commands")
    assert app.success[0].value == "Saved: commands, 2 commands"
    assert store.get_project("factory").command_settings == CommandSettings(
        ProjectKind.COMMANDS, (Command("불 켜", ("불 좀 켜 줘", "lights on")), Command("불 꺼")), steer=True
    )


def test_the_form_refuses_a_vocabulary_in_korean_and_keeps_the_old_one(store, settings):
    project = create_project(store, "factory", language="ko", actor=SYSTEM)
    app = open_projects_page(store, settings, "ko")
    key = f"commands_{project.id}"
    app.radio(key=f"{key}_kind").set_value(ProjectKind.COMMANDS)
    app.text_area(key=f"{key}_text").set_value("불 켜\n불켜\n")
    save(app, "종류와 명령어 저장")
    shown = app.error[0].value.replace("\\", "")  # escaped for Markdown: shown literally
    assert shown.startswith("'불켜'은(는) 두 명령어('불 켜', '불켜')에서 같은 말입니다")
    assert store.get_project("factory").command_settings == CommandSettings()


def test_the_label_page_hands_the_loop_the_vocabulary_of_a_command_project(app_store, speech_dir):
    store = app_store
    project = create_project(store, "factory", language="ko", actor=SYSTEM)
    accounts.create_user(store, SYSTEM, "ana", PASSWORD)
    accounts.set_role(store, SYSTEM, "ana", "factory", Role.LABELER)
    conversation = loop_data(open_label_page("ana"))
    assert not conversation["command_mode"] and conversation["commands"] == [] and conversation["scheme_tags"]
    vocabulary = CommandSettings(ProjectKind.COMMANDS, (Command("불 켜", ("불 좀 켜 줘",)),))
    update_command_settings(store, SYSTEM, project, vocabulary)
    data = loop_data(open_label_page("ana"))
    assert data["command_mode"] and data["commands"] == [{"label": "불 켜", "variants": ["불 좀 켜 줘"]}]
    assert data["classes"] == [
        {"label": "_unknown_", "name": "알 수 없음", "hotkey": "Alt+0"},
        {"label": "_silence_", "name": "무음", "hotkey": "Alt+Shift+0"},
    ]
    assert data["scheme_tags"] == [] and data["hotkeys"] == {}  # no transcription tags in a class label
    assert [keys for keys, _ in data["help"][:2]] == ["Alt+Enter", "Alt+K"]
