"""The projects page's metadata forms (AppTest): a lead saves a speaker's and a recording's
metadata; a bad value is refused with its message and nothing is stored."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.metadata import AgeGroup, Gender, MicDistance, RecordingMetadata, SpeakerMetadata
from speechlabel.core.models import LabelSettings
from speechlabel.ingest.files import import_audio
from speechlabel.projects.manage import create_project
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP
from tests.app_session import sign_in


def _widget(widgets, label: str):
    (found,) = [widget for widget in widgets if widget.label == label]
    return found


def _button(app: AppTest, label: str):
    return _widget(app.button, label)


def test_a_lead_saves_speaker_and_recording_metadata_on_the_projects_page(app_data, speech_dir):
    workspace = Workspace.open(app_data)
    project = create_project(
        workspace.store, "plant", language="en", label_settings=LabelSettings(speakers=("A", "B")), actor=SYSTEM
    )
    wav = speech_dir / "en" / "LDC93S1.wav"
    recording = import_audio(workspace.store, workspace.settings, project, wav.read_bytes(), "LDC93S1.wav")
    app = sign_in(AppTest.from_file(APP, default_timeout=60), workspace.store, "boss", admin=True).run()
    assert not app.exception
    _widget(app.selectbox, "gender").select(Gender.FEMALE)
    _widget(app.selectbox, "age group").select(AgeGroup.SIXTIES_PLUS)
    _widget(app.text_input, "dialect or region").input("Seoul")
    _button(app, "Save speaker").click().run()
    assert not app.exception and app.success[-1].value == "Saved"
    _widget(app.text_input, "environment").input("factory")
    _widget(app.selectbox, "microphone distance").select(MicDistance.MID)
    _button(app, "Save recording").click().run()
    assert not app.exception
    _widget(app.text_input, "device").input("x" * 101)
    _button(app, "Save recording").click().run()
    assert "at most 100 characters" in app.error[-1].value
    store = workspace.store
    assert store.speaker_metadata(project.id) == {"A": SpeakerMetadata(Gender.FEMALE, AgeGroup.SIXTIES_PLUS, "Seoul")}
    assert store.recording_metadata(project.id) == {recording.id: RecordingMetadata("factory", None, MicDistance.MID)}
    workspace.close()
