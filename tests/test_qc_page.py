"""The recording checks on the projects page (AppTest): each recording's flags in the table, in
English and Korean; a lead changes the rules on the form (a refused value shows its message and
changes nothing); the upload route's report names the flags in the reader's language."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.qc import QcAction, QcRules
from speechlabel.i18n import Lang
from speechlabel.ingest.files import import_paths
from speechlabel.projects.manage import create_project
from speechlabel.projects.qc import update_qc_rules
from speechlabel.workspace.workspace import Workspace
from tests import qc_recordings as made
from tests.app_pages import APP
from tests.app_session import sign_in
from views.upload_api import report_json


def _widget(widgets, label: str):
    (found,) = [widget for widget in widgets if widget.label == label]
    return found


def _checks(app: AppTest, column: str) -> dict[str, str]:
    table = app.dataframe[0].value
    names = table["recording" if column == "checks" else "녹음"]
    return dict(zip(names, table[column]))


def test_flags_show_per_file_and_a_lead_edits_the_rules(app_data, speech_dir, tmp_path):
    workspace = Workspace.open(app_data)
    store = workspace.store
    project = create_project(store, "plant", language="en", actor=SYSTEM)
    project = update_qc_rules(store, SYSTEM, project, QcRules(leading_silence_min=0.3))
    ldc = speech_dir / "en" / "LDC93S1.wav"
    narrow = made.upsampled_from_8k(ldc, tmp_path / "narrow.wav", 44100)
    report = import_paths(store, workspace.settings, project, [ldc, narrow, speech_dir / "en" / "jfk.wav"])
    assert len(report.imported) == 3

    app = sign_in(AppTest.from_file(APP, default_timeout=60), store, "boss", admin=True).run()
    assert not app.exception, app.exception
    checks = _checks(app, "checks")
    assert checks["LDC93S1.wav"] == "leading silence 0.20 s (allowed at least 0.30 s)"
    # Two failures, one after the other.
    assert checks["narrow.wav"].startswith("leading silence 0.22 s (allowed at least 0.30 s); energy above 4 kHz -6")
    assert checks["narrow.wav"].endswith("dB (allowed at least -50.0 dB)")
    assert checks["jfk.wav"] == "—"

    _widget(app.number_input, "Leading silence, at least (s; 0: off)").set_value(0.0)
    _widget(app.number_input, "Peak level, at most (dBFS; 0: off)").set_value(-1.0)
    _widget(app.radio, "A recording that breaks a check is").set_value(QcAction.REFUSE)
    _widget(app.button, "Save the recording checks").click().run()
    assert not app.exception and app.success[-1].value == "Recording checks saved."
    wanted = QcRules(peak_max=-1.0, action=QcAction.REFUSE)
    assert store.get_project("plant").qc_rules == wanted

    _widget(app.number_input, "Speech, first to last, at least (s; 0: off)").set_value(3.0)
    _widget(app.number_input, "Speech, first to last, at most (s; 0: off)").set_value(1.0)
    _widget(app.button, "Save the recording checks").click().run()
    assert app.error[-1].value == "speech \\(first to last\\)\\: the lower limit 3 is above the upper limit 1"
    assert store.get_project("plant").qc_rules == wanted  # nothing changed

    app.radio(key="ui_language").set_value("ko").run()
    assert not app.exception, app.exception
    assert _checks(app, "검사")["LDC93S1.wav"] == "앞 무음 0.20초 (허용 범위 0.30초 이상)"
    workspace.close()


def test_the_upload_report_names_the_flags_in_the_readers_language(store, settings, project, speech_dir):
    project = update_qc_rules(store, SYSTEM, project, QcRules(leading_silence_min=0.3))
    report = import_paths(store, settings, project, [speech_dir / "en" / "LDC93S1.wav"])
    (korean,) = report_json(report, Lang.KO)["warnings"]
    assert korean["message"] == (
        "'LDC93S1.wav'은(는) 프로젝트의 녹음 검사를 통과하지 못해 표시와 함께 가져왔습니다: "
        "앞 무음 0.20초 (허용 범위 0.30초 이상)"
    )
    (english,) = report_json(report, Lang.EN)["warnings"]
    assert english["message"].endswith("with flags: leading silence 0.20 s (allowed at least 0.30 s)")
