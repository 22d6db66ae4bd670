"""The Export page through Streamlit's AppTest on a real pre-labeled project: a lead exports
NeMo and Kaldi into the data folder with a progress bar, a result, the dataset card and a zip;
a bad name and an existing name are refused with clear errors (nothing lost, nothing written);
labelers and reviewers have no Export page."""

from __future__ import annotations

import json
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import Role, SegmentEdit, SegmentStatus
from speechlabel.export import ExportFormat
from speechlabel.workspace.workspace import Workspace
from tests.app_pages import APP, actor, button
from tests.app_session import PASSWORD, shown
from views.navigation import page_specs

EVERY = "Included: every segment, whatever its status, reviewed or not."


def open_export_page(user: str = "ben") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state["session_token"] = accounts.login(Workspace.shared().store, user, PASSWORD)[0]
    app.run()
    app.switch_page("views/export.py").run()
    assert not app.exception, app.exception
    return app


def run_export(app: AppTest) -> AppTest:
    button(app, "Run export").click().run()
    assert not app.exception, app.exception
    return app


def all_segments(store, project):
    return [s for r in store.list_recordings(project.id) for s in store.list_segments(r.id)]


def test_a_lead_exports_nemo_and_kaldi_into_the_data_folder(labeled_project):
    workspace, project = labeled_project
    segments = all_segments(workspace.store, project)
    exports = workspace.settings.data_dir / "exports" / "calls"
    app = open_export_page()
    assert app.title[0].value == "Export"
    app.selectbox(key="export_format").set_value(ExportFormat.NEMO).run()
    name = app.text_input(key="export_name").value
    assert name.startswith("calls-nemo-") and name.endswith("Z")  # <project>-<format>-<UTC timestamp>
    app.checkbox(key="export_every_status").check().run()  # the drafts too: approved only by default
    assert EVERY in [caption.value for caption in app.caption]

    run_export(app)
    manifest = exports / name / "manifest.jsonl"
    lines = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["segment_id"] for line in lines) == sorted(s.id for s in segments)
    assert all((manifest.parent / line["audio_filepath"]).is_file() for line in lines)
    assert f"Exported {len(segments)} segments" in app.success[0].value and str(exports / name) in shown(
        app.success[0].value
    )
    assert app.get("progress")[0].proto.text == f"Done: {len(segments)} segments"
    assert any(m.value.startswith("# calls: speech dataset") for m in app.markdown)  # the card, rendered
    [download] = [b for b in app.get("download_button") if b.key == "export_download"]
    assert shown(download.proto.label).startswith(f"Download {name}.zip")
    with zipfile.ZipFile(exports / f".{name}.zip") as archive:
        assert "manifest.jsonl" in archive.namelist() and "README.md" in archive.namelist()

    # Kaldi, whole recordings with offsets, only the drafted segments, under a name of our own.
    app.selectbox(key="export_format").set_value(ExportFormat.KALDI).run()
    app.radio(key="export_clips").set_value(False).run()
    app.checkbox(key="export_every_status").uncheck().run()
    app.multiselect(key="export_statuses").set_value([SegmentStatus.DRAFTED]).run()
    app.text_input(key="export_name").input("calls-kaldi").run()
    app.checkbox(key="export_make_zip").uncheck().run()
    run_export(app)
    assert not [b for b in app.get("download_button") if b.key == "export_download"]
    kaldi = exports / "calls-kaldi"
    assert {p.name for p in kaldi.iterdir()} >= {"wav.scp", "segments", "text", "utt2spk", "spk2utt", "README.md"}
    drafted = [s for s in segments if s.status == SegmentStatus.DRAFTED]
    assert len((kaldi / "text").read_text(encoding="utf-8").splitlines()) == len(drafted)
    assert app.dataframe[0].value["segments"].tolist() == [len(drafted)]  # counts per split: one, "(all)"
    earlier = app.dataframe[-1].value
    assert sorted(earlier["name"]) == sorted([name, "calls-kaldi"])
    assert set(earlier["format"]) == {"nemo", "kaldi"}

    # An earlier export without a zip gets one on demand.
    app.selectbox(key="export_earlier_name").set_value("calls-kaldi").run()
    button(app, "Make its zip").click().run()
    assert not app.exception, app.exception
    assert [
        shown(b.proto.label).split(" (")[0] for b in app.get("download_button") if b.key == "export_earlier_download"
    ] == ["Download calls-kaldi.zip"]
    with zipfile.ZipFile(exports / ".calls-kaldi.zip") as archive:
        assert "wav.scp" in archive.namelist()


def test_the_page_exports_approved_segments_unless_told_otherwise_and_says_so(labeled_project):
    workspace, project = labeled_project
    store = workspace.store
    first, *others = all_segments(store, project)
    store.save_segment(first.id, first.version, SegmentEdit(status=SegmentStatus.APPROVED), "rob")
    app = open_export_page()
    assert app.multiselect(key="export_statuses").value == [SegmentStatus.APPROVED]
    assert "Included: approved segments only." in [caption.value for caption in app.caption]
    app.text_input(key="export_name").input("approved-only").run()
    run_export(app)
    manifest = workspace.settings.data_dir / "exports" / "calls" / "approved-only" / "manifest.jsonl"
    assert [json.loads(line)["segment_id"] for line in manifest.read_text(encoding="utf-8").splitlines()] == [first.id]
    assert "Exported 1 segments" in app.success[0].value

    # No status at all: the page says nothing would go out, and the export is refused, not written empty.
    app.multiselect(key="export_statuses").set_value([]).run()
    assert "no status is chosen" in app.warning[0].value
    app.text_input(key="export_name").input("nothing").run()
    run_export(app)
    assert "no status is chosen" in app.error[0].value
    assert not (manifest.parent.parent / "nothing").exists()

    app.checkbox(key="export_every_status").check().run()
    assert EVERY in [caption.value for caption in app.caption]
    app.text_input(key="export_name").input("everything").run()
    run_export(app)
    lines = (manifest.parent.parent / "everything" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + len(others)


def test_a_bad_or_taken_name_is_refused_and_the_choices_stay(labeled_project):
    workspace, _ = labeled_project
    exports = workspace.settings.data_dir / "exports"
    app = open_export_page()
    app.text_input(key="export_name").input("../../etc").run()
    run_export(app)
    assert "the export name '../../etc' contains '/'" in shown(app.error[0].value)
    assert "letters, digits, '-', '_' and '.'" in shown(app.error[0].value)
    assert not exports.exists()

    app.selectbox(key="export_format").set_value(ExportFormat.LHOTSE).run()
    app.text_input(key="export_name").input("calls-take-1").run()
    run_export(app)
    assert not app.error and (exports / "calls" / "calls-take-1" / "supervisions.jsonl.gz").is_file()
    written = (exports / "calls" / "calls-take-1" / "README.md").read_text(encoding="utf-8")

    app.selectbox(key="export_format").set_value(ExportFormat.JSONL).run()
    app.text_input(key="export_name").input("calls-take-1").run()
    run_export(app)
    assert "already has an export named 'calls-take-1'" in shown(app.error[0].value)
    assert "tick Overwrite" in app.error[0].value
    assert (exports / "calls" / "calls-take-1" / "README.md").read_text(encoding="utf-8") == written
    # Nothing lost: the choices are still there; ticking Overwrite replaces the export.
    assert app.text_input(key="export_name").value == "calls-take-1"
    assert app.selectbox(key="export_format").value == ExportFormat.JSONL
    app.checkbox(key="export_overwrite").check().run()
    run_export(app)
    assert not app.error and (exports / "calls" / "calls-take-1" / "manifest.jsonl").is_file()
    assert not (exports / "calls" / "calls-take-1" / "supervisions.jsonl.gz").exists()


def test_bad_options_show_the_rule(labeled_project):
    app = open_export_page()
    app.selectbox(key="export_format").set_value(ExportFormat.HF).run()
    app.radio(key="export_clips").set_value(False).run()
    run_export(app)
    assert "needs one file per example" in app.error[0].value
    app.radio(key="export_clips").set_value(True).run()
    app.selectbox(key="export_split_by").set_value("speaker").run()
    app.number_input(key="export_share_train").set_value(0.9).run()
    run_export(app)
    assert "split shares" in app.error[0].value and "sum to 1" in app.error[0].value


@pytest.mark.parametrize("user, role", [("ana", Role.LABELER), ("rita", Role.REVIEWER)])
def test_labelers_and_reviewers_cannot_reach_the_export_page(labeled_project, user, role):
    workspace, _ = labeled_project
    if role == Role.REVIEWER:
        accounts.create_user(workspace.store, SYSTEM, user, PASSWORD)
        accounts.set_role(workspace.store, SYSTEM, user, "calls", role)
    assert "Export" not in [spec.title for spec in page_specs(actor(workspace, user))]
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["session_token"] = accounts.login(workspace.store, user, PASSWORD)[0]
    app.run()
    with pytest.raises(ValueError, match="not a registered page|Could not find"):
        app.switch_page("views/export.py")
    assert "Export" in [spec.title for spec in page_specs(actor(workspace, "ben"))]
