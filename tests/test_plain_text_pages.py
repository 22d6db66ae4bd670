"""User text is shown literally on the real pages (AppTest): a project, a file, speakers, tags and a
review comment named like Markdown (an image beacon, links, a colour directive, LaTeX, HTML)
reach every Markdown body escaped (views/plain.py), and the dataset card escapes them too."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.markdown_text import markdown_literal
from speechlabel.core.models import LabelSettings, ReviewReason, Role
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.vad import SegmentOptions
from speechlabel.projects.manage import create_project
from speechlabel.review import decisions as review
from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP, actor, button
from tests.app_session import PASSWORD, shown
from tests.sample_projects import real_drafts

# 72 characters: a project name may have up to 100; speaker and tag names up to 40 each.
PROJECT = "![x](http://127.0.0.1:9/beacon) [link](http://evil) :red[red] $x^2$ <b>b</b>"
SPEAKER = "![s](http://127.0.0.1:9/s) :red[s]"
TAG = "[t](http://evil) $t^2$ <i>t</i>"
FILE = "[f](http://evil) <b>f</b>.wav"
COMMENT = "see ![c](http://127.0.0.1:9/c) and [here](http://evil) :blue[now] $c^2$ <b>c</b> www.evil.com"
# What may never reach a Markdown body unescaped: an image, a link, a directive, math, a tag.
RAW = ("![", "](http", ":red[", ":blue[", "$x^2$", "$t^2$", "$c^2$", "<b>", "<i>", "http://", "www.")


@pytest.fixture
def hostile_project(tmp_path, monkeypatch, speech_dir):
    """jfk.wav (uploaded under a hostile file name) with real drafts, in a project, speakers and tags
    named like Markdown; ana labels, rita reviews, ben leads."""
    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    st.cache_resource.clear()
    workspace = Workspace.shared(Settings.from_env())
    store = workspace.store
    project = create_project(
        store,
        PROJECT,
        language="en",
        actor=SYSTEM,
        segment_options=SegmentOptions(target_duration=0.0, min_silence=0.3),
        transcribe_options=TranscribeOptions(model="tiny.en"),
        label_settings=LabelSettings(speakers=(SPEAKER, "Reporter"), tags=(TAG, "noise")),
    )
    recording = import_audio(store, workspace.settings, project, (speech_dir / "en/jfk.wav").read_bytes(), FILE)
    spans = real_drafts(speech_dir)["jfk.wav"]
    segments = store.replace_segments(
        recording.id, project.id, [(start, end) for start, end, _ in spans], {}, "prelabel"
    )
    for segment, (_, _, draft) in zip(segments, spans):
        store.add_draft(segment.id, replace(draft, id=None, segment_id=None, created_at=None), "prelabel")
    for name, role in (("ana", Role.LABELER), ("rita", Role.REVIEWER), ("ben", Role.LEAD)):
        accounts.create_user(store, SYSTEM, name, PASSWORD)
        accounts.set_role(store, SYSTEM, name, PROJECT, role)
    yield workspace, store.get_project(PROJECT)
    st.cache_resource.clear()


def rejected_then_reworked(workspace, project) -> None:
    """ana submits with the hostile speaker and tag, rita rejects with the hostile comment, ana
    submits again: the review page now shows all of it."""
    store, ana = workspace.store, actor(workspace, "ana")
    first = labeling.next_segment(store, ana, project)
    labeling.save_and_next(store, ana, first.id, first.version, "And so my fellow Americans", SPEAKER, [TAG], None)
    segment = store.get_segment(first.id)
    review.reject(store, actor(workspace, "rita"), segment.id, segment.version, ReviewReason.TEXT_MINOR, COMMENT)
    context = labeling.open_segment(store, ana, segment.id)
    labeling.save_and_next(store, ana, segment.id, context.segment.version, segment.text, SPEAKER, [TAG], None)


def open_page(user: str, page: str | None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["session_token"] = accounts.login(Workspace.shared().store, user, PASSWORD)[0]
    app.run()
    if page is not None:
        app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def markdown_bodies(app: AppTest) -> list[str]:
    """Every text of the page Streamlit renders as Markdown: the texts, alerts and captions, the
    titles, the expanders', buttons' and widgets' labels, the radio options."""
    bodies = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "caption", "success", "info", "warning", "error")
        for e in getattr(app, kind)
    ]
    bodies += [
        e.label
        for kind in (
            "expander",
            "button",
            "text_input",
            "text_area",
            "selectbox",
            "multiselect",
            "radio",
            "checkbox",
            "toggle",
            "number_input",
            "slider",
        )
        for e in getattr(app, kind)
    ]
    bodies += [option for radio in app.radio for option in radio.options]
    return bodies


def assert_literal(app: AppTest, *user_texts: str) -> None:
    bodies = markdown_bodies(app)
    for body in bodies:
        assert not any(raw in body for raw in RAW), body
    for text in user_texts:  # each was shown (so this test can fail), escaped, and reads as typed
        assert any(markdown_literal(text) in body for body in bodies), (text, bodies)
        assert any(text in shown(body) for body in bodies)


def test_the_review_page_shows_names_speakers_tags_file_names_and_comments_literally(hostile_project):
    workspace, project = hostile_project
    rejected_then_reworked(workspace, project)
    app = open_page("rita", "views/review.py")
    assert app.title[0].value == "Review"
    assert_literal(app, PROJECT, SPEAKER, TAG, FILE, COMMENT)


def test_the_label_page_shows_the_project_literally_in_the_sidebar_and_the_list(hostile_project):
    workspace, project = hostile_project
    app = open_page("ana", None)
    assert app.title[0].value == "Label"
    assert any(markdown_literal(PROJECT) in e.label for e in app.expander)  # "Your work in <project>"
    assert_literal(app, PROJECT)


def test_the_projects_and_export_pages_and_the_dataset_card_show_names_literally(hostile_project):
    workspace, project = hostile_project
    rejected_then_reworked(workspace, project)
    store = workspace.store
    segment = store.list_segments(store.list_recordings(project.id)[0].id)[0]
    review.approve(store, actor(workspace, "rita"), segment.id, store.get_segment(segment.id).version)
    app = open_page("ben", None)  # a lead lands on Projects: "Label <project>"
    assert app.title[0].value == "Projects"
    assert_literal(app, PROJECT)
    app.switch_page("views/export.py").run()
    assert_literal(app, PROJECT)  # "No exports of <project> in the data folder yet."
    button(app, "Run export").click().run()
    assert not app.exception, app.exception
    card = next(m.value for m in app.markdown if m.value.startswith("# "))
    assert card.startswith(f"# {markdown_literal(PROJECT)}: speech dataset")
    assert_literal(app, PROJECT, SPEAKER, TAG)
    assert markdown_literal(SPEAKER) in card and markdown_literal(TAG) in card
    written = next(Path(workspace.settings.data_dir, "exports").rglob("README.md")).read_text(encoding="utf-8")
    assert written.strip() == card.strip() and not any(raw in written for raw in RAW)


def test_the_users_page_shows_the_project_literally_when_a_role_is_given(hostile_project):
    workspace, project = hostile_project
    accounts.create_user(workspace.store, SYSTEM, "newcomer", PASSWORD)
    app = open_page("ben", "views/users.py")
    app.text_input(key="role_user").input("newcomer")
    next(b for b in app.button if b.label == "Give role").click().run()
    assert not app.exception, app.exception
    assert shown(app.success[0].value) == f"newcomer is now labeler in {PROJECT}."
    assert_literal(app, PROJECT)
