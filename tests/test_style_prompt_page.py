"""The style prompt on the Projects page: the create form's blank takes the language's default,
and a lead's form changes it (AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from speechlabel.prelabel.engines.style_prompt import KOREAN_DEFAULT
from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace
from tests.app_session import sign_in

APP = str(Path(__file__).resolve().parents[1] / "workbench.py")


def stored_prompt(name: str) -> str:
    workspace = Workspace.open(Settings.from_env())
    try:
        return workspace.store.get_project(name).engine_options["style_prompt"]
    finally:
        workspace.close()


def test_the_form_creates_with_the_korean_default_and_a_lead_turns_it_off(tmp_path, monkeypatch):
    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    st.cache_resource.clear()  # the app caches its workspace per process
    try:
        app = sign_in(AppTest.from_file(APP, default_timeout=60), Workspace.shared().store, "boss", admin=True).run()
        app.text_input[0].input("ko-calls")
        next(box for box in app.selectbox if box.label == "Language").select("ko")
        assert next(area for area in app.text_area if area.label == "Style prompt").value == ""
        app.button[0].click().run()
        assert not app.exception and app.success, [e.value for e in app.error]
        assert stored_prompt("ko-calls") == KOREAN_DEFAULT
        app.run()  # the page picks its language anew (views/lang.py) on this run; a click would be lost
        # The lead's form shows the stored prompt; "none" turns it off, a control character is refused.
        area = next(area for area in app.text_area if area.key == "style_prompt_1")
        assert area.value == KOREAN_DEFAULT
        area.input("음 네\x1b[31m")
        next(
            button for button in app.button if button.key and button.key.startswith("FormSubmitter:style_prompt_1")
        ).click().run()
        assert app.error and "001B" in app.error[0].value
        assert stored_prompt("ko-calls") == KOREAN_DEFAULT
        next(area for area in app.text_area if area.key == "style_prompt_1").input("none")
        next(
            button for button in app.button if button.key and button.key.startswith("FormSubmitter:style_prompt_1")
        ).click().run()
        assert not app.exception and stored_prompt("ko-calls") == ""
    finally:
        st.cache_resource.clear()
