"""The Export page's domain: zips of export folders, checked export names under the data folder,
the list of earlier exports, and who may do any of it. Real audio, both databases."""

from __future__ import annotations

import os
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.errors import Forbidden, NotFound, ValidationError
from speechlabel.core.models import Role
from speechlabel.export import ExportOptions, SplitBy, export_dataset
from speechlabel.export.archive import folder_files, zip_folder
from speechlabel.export.destinations import (
    MAX_NAME_LENGTH,
    check_export_name,
    default_export_name,
    export_destination,
    list_exports,
)
from speechlabel.export.saved import Stage, export_to_data_folder, zip_saved_export
from speechlabel.projects.manage import create_project

PASSWORD = "correct horse battery"


def person(store, name: str, role: Role, project: str = "demo"):
    accounts.create_user(store, SYSTEM, name, PASSWORD)
    accounts.set_role(store, SYSTEM, name, project, role)
    return accounts.login(store, name, PASSWORD)[1]


@pytest.mark.usefixtures("labeled")
def test_the_zip_holds_every_file_of_the_export_under_relative_names(store, settings, project, tmp_path):
    out = tmp_path / "kaldi-split"
    export_dataset(
        store,
        settings,
        project,
        out,
        ExportOptions(statuses=None, format="kaldi", split_by=SplitBy.SPEAKER, split_shares=(0.5, 0.5, 0.0)),
        actor=SYSTEM,
    )
    calls = []
    zip_path = zip_folder(out, tmp_path / "kaldi-split.zip", on_file=lambda done, total: calls.append((done, total)))
    files = folder_files(out)
    assert len(files) > 5 and calls[-1] == (len(files), len(files))
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.testzip() is None
        members = archive.infolist()
        assert [m.filename for m in members] == [f.relative_to(out).as_posix() for f in files]
        for member, path in zip(members, files):
            assert archive.read(member) == path.read_bytes()
            assert not member.filename.startswith("/") and ".." not in member.filename.split("/")
            expected = zipfile.ZIP_STORED if path.suffix == ".wav" else zipfile.ZIP_DEFLATED
            assert member.compress_type == expected, member.filename
    names = {m.filename for m in members}
    assert "README.md" in names and any(n.endswith("/wav.scp") for n in names)
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_a_zip_is_never_written_inside_the_folder_and_links_are_left_out(tmp_path):
    folder = tmp_path / "export"
    (folder / "audio").mkdir(parents=True)
    (folder / "manifest.jsonl").write_text('{"text": "hello"}\n', encoding="utf-8")
    (folder / "audio" / "a.wav").write_bytes(b"RIFF....WAVE")
    secret = tmp_path / "secret.txt"
    secret.write_text("server file", encoding="utf-8")
    os.symlink(secret, folder / "leak.txt")
    with pytest.raises(ValidationError, match="would be inside the folder it zips"):
        zip_folder(folder, folder / "export.zip")
    with pytest.raises(ValidationError, match="is not a folder"):
        zip_folder(tmp_path / "missing", tmp_path / "missing.zip")
    with zipfile.ZipFile(zip_folder(folder, tmp_path / "export.zip")) as archive:
        assert archive.namelist() == ["manifest.jsonl", "audio/a.wav"]  # no leak.txt


@pytest.mark.parametrize(
    "name, problem",
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("../etc", "contains '/'"),
        ("/tmp/x", "contains '/'"),
        (".hidden", "starts with a dot"),
        ("..", "starts with a dot"),
        ("a" * (MAX_NAME_LENGTH + 1), "has 65 characters"),
        ("calls v1", "contains ' '"),
        ("통화", "contains '통화'"),
        ("a\\b", r"contains '\\'"),
    ],
)
def test_bad_export_names_are_refused_with_the_rule(name, problem):
    with pytest.raises(ValidationError, match=re.escape(problem)) as refused:
        check_export_name(name)
    if name.strip():
        assert "ASCII letters, digits, '-', '_' and '.', not starting with a dot" in str(refused.value)


def test_good_names_and_the_default_name_fit_the_rule(store):
    assert check_export_name("  calls-nemo_v1.2  ") == "calls-nemo_v1.2"
    assert check_export_name("a" * MAX_NAME_LENGTH) == "a" * MAX_NAME_LENGTH
    moment = datetime(2026, 5, 1, 14, 30, tzinfo=UTC)
    calls = create_project(store, "calls", actor=SYSTEM)
    assert default_export_name(calls, "nemo", moment) == "calls-nemo-20260501T143000Z"
    long_korean = create_project(store, "공장 소음 " + "x" * 60, actor=SYSTEM)
    name = default_export_name(long_korean, "lhotse", moment)
    assert check_export_name(name) == name and name.endswith("-lhotse-20260501T143000Z")


@pytest.mark.usefixtures("labeled")
def test_exports_go_under_the_data_folder_are_listed_and_never_replaced_unasked(store, settings, project):
    seen = []
    run = export_to_data_folder(
        store, settings, project, "calls-v1", ExportOptions(statuses=None, format="nemo"), seen.append, actor=SYSTEM
    )
    folder = settings.data_dir / "exports" / "demo" / "calls-v1"
    assert run.report.out_dir == folder and (folder / "manifest.jsonl").is_file()
    assert [p.done for p in seen if p.stage == Stage.SEGMENTS] == [1, 2, 3]
    assert seen[-1].stage == Stage.ZIP and seen[-1].fraction == 1.0
    with zipfile.ZipFile(run.zip_path) as archive:
        assert sorted(archive.namelist()) == sorted(f.relative_to(folder).as_posix() for f in folder_files(folder))
    [listed] = list_exports(settings, project, actor=SYSTEM)
    assert (listed.name, listed.format, listed.segments, listed.created_by) == ("calls-v1", "nemo", 3, "cli")
    assert listed.size_bytes == sum(f.stat().st_size for f in folder_files(folder)) and listed.zip_path == run.zip_path

    with pytest.raises(ValidationError, match="already has an export named 'calls-v1'.*tick Overwrite"):
        export_to_data_folder(
            store, settings, project, "calls-v1", ExportOptions(statuses=None, format="kaldi"), actor=SYSTEM
        )
    assert (folder / "manifest.jsonl").is_file()
    again = export_to_data_folder(
        store,
        settings,
        project,
        "calls-v1",
        ExportOptions(statuses=None, format="kaldi", overwrite=True),
        actor=SYSTEM,
        make_zip=False,
    )
    assert (folder / "wav.scp").is_file() and not (folder / "manifest.jsonl").exists()
    assert again.zip_path is None and not run.zip_path.exists()  # the old zip went with the old export
    [listed] = list_exports(settings, project, actor=SYSTEM)
    assert (listed.format, listed.zip_path) == ("kaldi", None)
    assert zip_saved_export(settings, project, "calls-v1", actor=SYSTEM) == run.zip_path and run.zip_path.is_file()


@pytest.mark.usefixtures("labeled")
def test_a_folder_without_the_pages_summary_is_listed_from_its_card(store, settings, project):
    export_dataset(
        store,
        settings,
        project,
        settings.data_dir / "exports" / "demo" / "by-cli",
        ExportOptions(statuses=None, format="lhotse"),
        actor=SYSTEM,
    )
    [listed] = list_exports(settings, project, actor=SYSTEM)
    assert (listed.name, listed.format, listed.segments, listed.zip_path) == ("by-cli", "lhotse", 3, None)
    with pytest.raises(NotFound, match="no export named 'nothing'"):
        zip_saved_export(settings, project, "nothing", actor=SYSTEM)


@pytest.mark.usefixtures("labeled")
def test_only_leads_export_list_or_zip(store, settings, project):
    export_to_data_folder(store, settings, project, "first", ExportOptions(statuses=None), actor=SYSTEM, make_zip=False)
    lead = person(store, "lou", Role.LEAD)
    assert [s.name for s in list_exports(settings, project, actor=lead)] == ["first"]
    for name, role in (("rex", Role.REVIEWER), ("ana", Role.LABELER)):
        someone = person(store, name, role)
        with pytest.raises(Forbidden, match="exporting needs the lead role"):
            export_to_data_folder(store, settings, project, "mine", ExportOptions(statuses=None), actor=someone)
        with pytest.raises(Forbidden):
            list_exports(settings, project, actor=someone)
        with pytest.raises(Forbidden):
            zip_saved_export(settings, project, "first", actor=someone)
    assert sorted(p.name for p in (settings.data_dir / "exports" / "demo").iterdir()) == [".first.export.json", "first"]


@pytest.mark.usefixtures("labeled")
def test_a_bad_name_or_bad_options_write_nothing(store, settings, project):
    with pytest.raises(ValidationError, match="contains '/'"):
        export_to_data_folder(store, settings, project, "../../outside", ExportOptions(statuses=None), actor=SYSTEM)
    with pytest.raises(ValidationError, match="needs one file per example"):
        export_to_data_folder(
            store, settings, project, "hf", ExportOptions(statuses=None, format="hf", cut_clips=False), actor=SYSTEM
        )
    assert not (settings.data_dir / "exports").exists()
    assert export_destination(settings, project, "ok").folder == settings.data_dir / "exports" / "demo" / "ok"


def test_what_a_killed_export_or_zip_left_is_cleared_by_the_next_one(store, settings, project, labeled, tmp_path):
    out = tmp_path / "exports" / "calls"
    out.parent.mkdir()
    day_ago = datetime.now(UTC).timestamp() - 24 * 3600

    def left_behind(name: str, *, folder: bool, stale: bool) -> Path:
        path = out.parent / name
        if folder:
            (path / "clips").mkdir(parents=True)
            (path / "clips" / "a.wav").write_bytes(b"RIFF")
            for inner in (path / "clips", path):
                os.utime(inner, (day_ago, day_ago) if stale else None)
        else:
            path.write_bytes(b"PK")
            if stale:
                os.utime(path, (day_ago, day_ago))
        return path

    killed = left_behind(".calls.partial-0badc0de", folder=True, stale=True)
    replaced = left_behind(".calls.previous-0badc0de", folder=True, stale=True)
    running = left_behind(".calls.partial-12345678", folder=True, stale=False)  # another export, still writing
    other = left_behind(".other.partial-0badc0de", folder=True, stale=True)  # not this name's
    export_dataset(store, settings, project, out, ExportOptions(statuses=None), actor=SYSTEM)
    assert not killed.exists() and not replaced.exists()
    assert running.exists() and other.exists() and (out / "README.md").is_file()

    zip_path = out.parent / "calls.zip"
    killed_zip = left_behind(".calls.zip.partial-0badc0de", folder=False, stale=True)
    running_zip = left_behind(".calls.zip.partial-12345678", folder=False, stale=False)
    zip_folder(out, zip_path)
    assert not killed_zip.exists() and running_zip.exists() and zipfile.is_zipfile(zip_path)
