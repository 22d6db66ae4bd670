"""The label page's transcription convention, driven by AppTest (no browser): the scheme's tag
buttons, the lint problems of the current text, Fix, and the blocked Save & next. (Insertion at
the caret and the hotkeys need the browser: tests/e2e/test_label_conventions.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from speechlabel import accounts
from speechlabel.access import SYSTEM
from speechlabel.config import Settings
from speechlabel.conventions import KSPON
from speechlabel.ingest import import_audio
from speechlabel.models import (
    ConventionSettings,
    Draft,
    LabelSettings,
    Role,
    SegmentStatus,
)
from speechlabel.project_conventions import update_convention_settings
from speechlabel.projects import create_project
from speechlabel.workspace import Workspace

APP = str(Path(__file__).resolve().parents[1] / "workbench.py")
PASSWORD = "correct horse battery"
KSPON_LINE = "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/"


@pytest.fixture
def kspon_project(tmp_path, monkeypatch, speech_dir):
    """A KsponSpeech project (language ko) with two drafted segments of real audio; ana labels."""
    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    st.cache_resource.clear()
    settings = Settings.from_env()
    workspace = Workspace.shared(settings)
    store = workspace.store
    project = create_project(store, "kspon", language="ko", actor=SYSTEM,
                             label_settings=LabelSettings(speakers=("A", "B")))
    recording = import_audio(store, settings, project, (speech_dir / "en/LDC93S1.wav").read_bytes(), "a.wav")
    for segment, text in zip(store.replace_segments(recording.id, project.id, [(0.1, 1.2), (1.5, 2.8)], {},
                                                    "prelabel"), ("모 몬 소리야", "확률이라니")):
        store.add_draft(segment.id, Draft(text, (), -0.3, 0.02, 1.2, "ko", 0.99, "faster-whisper", "base", {}),
                        "prelabel")
    accounts.create_user(store, SYSTEM, "ana", PASSWORD)
    accounts.set_role(store, SYSTEM, "ana", "kspon", Role.LABELER)
    yield store, store.get_project("kspon")
    st.cache_resource.clear()


def open_label_page() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["session_token"] = accounts.login(Workspace.shared().store, "ana", PASSWORD)[0]
    # The project is Korean, so the page would open in Korean; these tests read the English texts
    # (tests/test_label_page_korean.py reads the Korean ones).
    app.session_state["ui_language"], app.session_state["ui_language_chosen"] = "en", True
    app.run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Label"
    return app


def transcript(app: AppTest):
    return next(t for t in app.text_area if t.label == "Transcript")


def tag_button(app: AppTest, key: str):
    return next(b for b in app.button if b.key == key)


def markdown(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


def test_the_tag_buttons_are_the_schemes_with_their_hotkeys(kspon_project):
    app = open_label_page()
    labels = [b.label for b in app.button if (b.key or "").startswith("label_tag_")]
    assert labels == ["b/ · Alt+B", "l/ · Alt+L", "n/ · Alt+N", "o/ · Alt+O", "u/ · Alt+U", r"/ · Alt+/",
                      r"\+ · Alt+=", r"\* · Alt+8", r"\(spelling\)/\(pronunciation\) · Alt+D"]
    assert any("KsponSpeech / ETRI" in c.value for c in app.caption)
    assert [tag.hotkey for tag in KSPON.tags] == [label.split(" · ")[1] for label in labels[:-1]]


def test_a_tag_button_inserts_the_tag_and_the_text_is_kept_as_the_unsaved_edit(kspon_project):
    store, _ = kspon_project
    app = open_label_page()
    transcript(app).input("모 몬 소리야").run()
    tag_button(app, "label_tag_2").click().run()  # n/; AppTest knows no caret: at the end
    assert transcript(app).value == "모 몬 소리야 n/"
    tag_button(app, "label_tag_3").click().run()  # o/ goes to the start wherever the caret is
    assert transcript(app).value == "o/ 모 몬 소리야 n/"
    segment_id = app.query_params["segment"]
    segment_id = segment_id if isinstance(segment_id, str) else segment_id[0]
    assert store.get_unsaved_edit("ana", segment_id).text == "o/ 모 몬 소리야 n/"


def test_lint_problems_of_the_current_text_are_listed_with_position_and_suggestion(kspon_project):
    app = open_label_page()
    transcript(app).input("아/  모+몬 소리야").run()
    shown = markdown(app)
    assert "1 error(s), 1 warning(s)" in shown
    assert ":red[error] characters 5–6 `+`: \\+ is joined to the next word" in shown
    assert "suggestion: `모+ 몬`" in shown
    assert "characters 2–4: 2 spaces between words" in shown and "suggestion: `␣`" in shown
    transcript(app).input(KSPON_LINE).run()
    assert "1 error(s)" not in markdown(app)
    assert any("No problems with the KsponSpeech / ETRI rules" in c.value for c in app.caption)


def test_fix_applies_the_suggestions_to_the_box(kspon_project):
    app = open_label_page()
    transcript(app).input("아/  모+몬 소리야 70%").run()
    tag_button(app, "label_lint_fix").click().run()
    assert transcript(app).value == "아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트)"
    assert any("Applied the suggested fixes (3 problem(s) gone)" in s.value for s in app.success)
    assert not [b for b in app.button if b.key == "label_lint_fix"]


def test_save_and_next_is_refused_with_the_error_when_the_project_blocks(kspon_project):
    store, project = kspon_project
    update_convention_settings(store, SYSTEM, project, ConventionSettings(KSPON, True))
    app = open_label_page()
    first = app.query_params["segment"]
    transcript(app).input("모+몬 소리야").run()
    assert any("refuses Save & next while errors are listed" in w.value for w in app.warning)
    next(b for b in app.button if b.label == "Save & next").click().run()
    assert any("breaks the project's transcription rules" in e.value for e in app.error)
    assert store.get_segment(first).status == SegmentStatus.DRAFTED
    tag_button(app, "label_lint_fix").click().run()
    next(b for b in app.button if b.label == "Save & next").click().run()
    assert not app.error
    saved = store.get_segment(first)
    assert (saved.text, saved.status) == ("모+ 몬 소리야", SegmentStatus.SUBMITTED)
    assert app.query_params["segment"] != first
