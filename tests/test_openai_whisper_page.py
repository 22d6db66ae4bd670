"""The projects page's create form offers the engine (AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace
from tests.app_session import sign_in

APP = str(Path(__file__).resolve().parents[1] / "workbench.py")


def test_an_admin_creates_an_openai_whisper_project_from_the_page(tmp_path, monkeypatch):
    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    st.cache_resource.clear()  # the app caches its workspace per process
    try:
        app = sign_in(AppTest.from_file(APP, default_timeout=60), Workspace.shared().store, "boss", admin=True).run()
        app.text_input[0].input("torch-en")
        engine = next(box for box in app.selectbox if box.label == "Engine")
        assert engine.options == ["faster-whisper", "openai-whisper"] and engine.value == "faster-whisper"
        engine.select("openai-whisper")
        device = next(box for box in app.selectbox if box.label == "Device")
        assert device.options == ["cpu", "cuda", "auto"] and device.value == "cpu"
        next(box for box in app.selectbox if box.label == "Model").select("tiny.en")
        app.button[0].click().run()
        assert not app.exception and "Created project 'torch\\-en'" in app.success[0].value
        workspace = Workspace.open(Settings.from_env())
        project = workspace.store.get_project("torch-en")
        workspace.close()
    finally:
        st.cache_resource.clear()
    assert project.engine_options == {
        "engine": "openai-whisper",
        "model": "tiny.en",
        "compute_type": "float32",
        "beam_size": 5,  # the default since main's ad4ab87
        "device": "cpu",
        "style_prompt": "",  # language auto: no default prompt
    }
