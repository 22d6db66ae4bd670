"""User text is shown literally on the real pages (AppTest): a project, a file, speakers, tags and a
review comment named like Markdown (an image beacon, links, a colour directive, LaTeX, HTML)
reach every Markdown body escaped (views/plain.py), and the dataset card escapes them too. So do a
labeler's name on the Dashboard, a lead's own tag scheme's title and tag meanings, lint messages
quoting a hostile transcript, and a second labeling's text on the Users page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from starlette.applications import Starlette
from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.conventions.scheme_file import scheme_from_bytes
from speechlabel.core.markdown_text import markdown_literal
from speechlabel.core.models import (
    AssignmentSettings,
    ConventionSettings,
    LabelSettings,
    ReviewReason,
    ReviewSettings,
    Role,
    SegmentEdit,
    SegmentStatus,
)
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import assignment
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.vad import SegmentOptions
from speechlabel.projects.conventions import update_convention_settings
from speechlabel.projects.manage import create_project
from speechlabel.review import decisions as review
from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP, actor, button, loop_data
from tests.app_session import PASSWORD, shown
from tests.label_routes_client import client
from tests.sample_projects import real_drafts
from views import routes

# 72 characters: a project name may have up to 100; speaker and tag names up to 40 each.
PROJECT = "![x](http://127.0.0.1:9/beacon) [link](http://evil) :red[red] $x^2$ <b>b</b>"
SPEAKER = "![s](http://127.0.0.1:9/s) :red[s]"
TAG = "[t](http://evil) $t^2$ <i>t</i>"
FILE = "[f](http://evil) <b>f</b>.wav"
COMMENT = "see ![c](http://127.0.0.1:9/c) and [here](http://evil) :blue[now] $c^2$ <b>c</b> www.evil.com"
# Names written straight to the store (old data, another sign-in), and a lead's scheme file's text.
LABELER = "![x](http://127.0.0.1:9/b.png) [l](http://evil) :red[x] $x^2$ <b>x</b>"
SCHEME_TITLE = "![t](http://127.0.0.1:9/t.png) [title](http://evil) :red[t] $t^2$ <b>t</b>"
MEANING = "![m](http://127.0.0.1:9/m.png) [meaning](http://evil) :red[m] $m^2$ <b>m</b>"
SECOND_TEXT = "![y](http://127.0.0.1:9/y.png) [two](http://evil) :red[y] $y^2$ <b>y</b>"
# What may never reach a Markdown body unescaped: an image, a link, a directive, math, a tag.
RAW = (
    "![",
    "](http",
    ":red[",
    ":blue[",
    "$x^2$",
    "$t^2$",
    "$c^2$",
    "$m^2$",
    "$y^2$",
    "<b>",
    "<i>",
    "http://",
    "www.",
)


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


def test_the_dashboard_shows_the_project_and_a_labelers_name_literally(hostile_project):
    """A labeler's name from the store (usernames allow none of this; old data and other sign-ins
    might): in the labelers table, its chart and the flagged-labelers warning."""
    workspace, project = hostile_project
    store = workspace.store
    segments = store.list_segments(store.list_recordings(project.id)[0].id)[:2]
    for segment in segments:
        store.save_segment(
            segment.id, segment.version, SegmentEdit(text="ask not", status=SegmentStatus.SUBMITTED), LABELER
        )
        saved = store.get_segment(segment.id)
        review.reject(store, actor(workspace, "rita"), segment.id, saved.version, ReviewReason.TEXT_MINOR, None)
    ben = actor(workspace, "ben")
    review.update_review_settings(store, ben, project, ReviewSettings(defect_threshold=0.1, min_reviews=1))
    app = open_page("ben", "views/dashboard.py")
    assert app.title[0].value == "Dashboard"
    assert any(markdown_literal(LABELER) in w.value for w in app.warning), [w.value for w in app.warning]
    assert_literal(app, PROJECT, LABELER)
    labelers = next(frame.value for frame in app.dataframe if "labeler" in frame.value.columns)
    assert list(labelers["labeler"]) == [LABELER]  # a table cell is plain text: kept as it is


SCHEME_FILE = f"""
name = "hostile"
base = "generic"
title = {SCHEME_TITLE!r}

[[tags]]
tag = "[machine]"
kind = "noise"
meaning = {MEANING!r}
hotkey = "Alt+Q"
""".encode()


def test_a_leads_own_scheme_title_and_tag_meanings_show_literally(hostile_project):
    workspace, project = hostile_project
    scheme = scheme_from_bytes(SCHEME_FILE, "hostile.toml", ".toml")
    assert (scheme.title, scheme.by_text["[machine]"].meaning) == (SCHEME_TITLE, MEANING)
    update_convention_settings(workspace.store, SYSTEM, project, ConventionSettings(scheme, False))
    app = open_page("ben", None)  # Projects: the scheme form offers "<title> (this project's scheme file)"
    assert_literal(app, PROJECT, SCHEME_TITLE)
    button(app, "Save transcription convention").click().run()
    assert not app.exception, app.exception
    assert shown(app.success[0].value) == f"Transcription convention saved: {SCHEME_TITLE}."
    assert_literal(app, PROJECT, SCHEME_TITLE)

    app = open_page("ana", None)  # the label page: the loop shows meanings as text (textContent)
    tags = {tag["text"]: tag for tag in loop_data(app)["scheme_tags"]}
    assert tags["[machine]"]["meaning"] == MEANING  # unescaped: a plain sink would show backslashes
    assert_literal(app, PROJECT)


def test_lint_messages_quote_a_hostile_transcript_as_plain_text(hostile_project):
    """The loop shows lint messages as text (textContent; tests/e2e/test_content_safety.py checks
    the browser): the route hands them over as they are, quoting the tags it does not know."""
    workspace, project = hostile_project
    update_convention_settings(
        workspace.store, SYSTEM, project, ConventionSettings(scheme_from_bytes(SCHEME_FILE, "h.toml", ".toml"), False)
    )
    token, ana = accounts.login(workspace.store, "ana", PASSWORD)
    first = labeling.next_segment(workspace.store, ana, project)
    web = client(Starlette(routes=routes.routes()), token)
    answer = web.post("/api/label/lint", json={"segment_id": first.id, "text": "okay <b>x</b> [l](http://evil)"})
    assert answer.status_code == 200, answer.text
    messages = [problem["message"] for problem in answer.json()["problems"]]
    assert any(message.startswith("<b> is not a tag of this scheme") for message in messages), messages
    assert any("(http://evil)" in message for message in messages), messages


def test_the_users_page_shows_a_second_labeling_literally(hostile_project):
    workspace, project = hostile_project
    store = workspace.store
    project = store.update_assignment_settings(
        project.id, AssignmentSettings(batch_size=2, double_share=1.0, from_scratch_share=0.0)
    )
    accounts.create_user(store, SYSTEM, "lea", PASSWORD)
    accounts.set_role(store, SYSTEM, "lea", PROJECT, Role.LABELER)
    first = assignment.next_for(store, actor(workspace, "ana"), project)
    lea = actor(workspace, "lea")
    second = assignment.next_for(store, lea, project)
    assert second.id == first.id
    seen = labeling.open_segment(store, lea, first.id)
    labeling.save_and_next(store, lea, first.id, seen.segment.version, SECOND_TEXT, None, [], None)
    app = open_page("ben", "views/users.py")
    app.text_input(key="history_segment").input(first.id).run()
    assert not app.exception, app.exception
    caption = next(c.value for c in app.caption if "Second labeling by lea" in shown(c.value))
    assert shown(caption).endswith(f"(independent): {SECOND_TEXT}")
    assert_literal(app, PROJECT, SECOND_TEXT)
