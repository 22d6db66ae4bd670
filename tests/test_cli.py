"""The command line, run in-process and as the installed program, on a real data folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from speechlabel.analytics.metrics import word_error_rate
from tests.command_line import run


def test_create_import_prelabel_status_export(data_dir, tmp_path, speech_dir, capsys):
    glossary = tmp_path / "glossary.txt"
    glossary.write_text("# device names\nAmericans\n\n", encoding="utf-8")
    upload = tmp_path / "upload"
    upload.mkdir()
    shutil.copy(speech_dir / "en" / "LDC93S1.wav", upload / "timit sample.wav")
    (upload / "broken.wav").write_bytes(b"not audio")

    assert (
        run(
            data_dir,
            "project",
            "create",
            "demo",
            "--language",
            "en",
            "--model",
            "tiny.en",
            "--beam-size",
            "1",
            "--glossary",
            str(glossary),
        )
        == 0
    )
    assert "1 glossary terms" in capsys.readouterr().out
    assert run(data_dir, "import", "demo", str(upload)) == 1  # one file failed, the other went in
    captured = capsys.readouterr()
    assert "1 imported, 0 duplicates, 1 failed" in captured.out
    assert "broken.wav" in captured.err and "not audio we can read" in captured.err
    assert run(data_dir, "import", "demo", str(upload / "timit sample.wav")) == 0
    assert "0 imported, 1 duplicates" in capsys.readouterr().out

    assert run(data_dir, "prelabel", "demo") == 0
    assert "pre-labeled 1 recordings" in capsys.readouterr().out
    assert run(data_dir, "status", "demo") == 0
    status = capsys.readouterr().out
    assert "recordings: 1 (0 not yet pre-labeled)" in status and "drafted" in status

    out = tmp_path / "export"
    assert run(data_dir, "export", "demo", "--format", "jsonl", "--out", str(out), "--status", "drafted") == 0
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert lines and all(line["model"] == "tiny.en" for line in lines)
    reference = (speech_dir / "en" / "LDC93S1.txt").read_text()
    # tiny.en hears "dog suit" for "dark suit": one error in eleven words.
    assert word_error_rate(reference, " ".join(line["text"] for line in lines)) <= 0.1


def test_export_takes_approved_segments_unless_asked_for_more_and_says_so(data_dir, tmp_path, speech_dir, capsys):
    assert run(data_dir, "project", "create", "demo", "--language", "en", "--model", "tiny.en") == 0
    assert run(data_dir, "import", "demo", str(speech_dir / "en" / "LDC93S1.wav")) == 0
    assert run(data_dir, "prelabel", "demo") == 0
    capsys.readouterr()
    # Nothing is approved yet: the default export is empty and says which statuses it took.
    assert run(data_dir, "export", "demo", "--out", str(tmp_path / "default")) == 0
    assert "exported 0 segments (0.0 min; statuses: approved)" in capsys.readouterr().out
    assert (tmp_path / "default" / "manifest.jsonl").read_text() == ""
    assert run(data_dir, "export", "demo", "--out", str(tmp_path / "all"), "--status", "all") == 0
    printed = capsys.readouterr().out
    drafted = (tmp_path / "all" / "manifest.jsonl").read_text().splitlines()
    assert drafted and f"exported {len(drafted)} segments" in printed and "statuses: every status)" in printed
    assert run(data_dir, "export", "demo", "--out", str(tmp_path / "two"), "--status", "approved,drafted") == 0
    assert "statuses: approved, drafted)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        run(data_dir, "export", "--help")
    assert "(default: approved)" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize(
    "args, message",
    [
        (["status", "nope"], "no project named 'nope'"),
        (["export", "demo", "--out", "x", "--status", "finished"], "unknown status 'finished'"),
        (["project", "create", "demo"], "a project named 'demo' already exists"),
        (["project", "create", "p", "--language", "klingon"], "unknown language 'klingon'"),
        (["project", "create", "p", "--beam-size", "0"], "beam_size"),
        (["project", "create", "p", "--glossary", "/nonexistent/terms.txt"], "does not exist"),
        (["export", "demo", "--out", "/proc/version/out"], "Not a directory"),
    ],
)
def test_errors_print_one_line_and_exit_non_zero(data_dir, capsys, args, message):
    assert run(data_dir, "project", "create", "demo") == 0
    capsys.readouterr()
    assert run(data_dir, *args) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err


def test_installed_command_and_module_entry_point(data_dir):
    for command in (["speechlabel"], [sys.executable, "-m", "speechlabel"]):
        result = subprocess.run(
            [*command, "--data-dir", str(data_dir), "project", "list"], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr


def test_assign_leases_segments_or_a_recording_to_a_labeler(data_dir, speech_dir, capsys, monkeypatch):
    import io

    from speechlabel.store.rows import utc_now
    from speechlabel.workspace.config import Settings
    from speechlabel.workspace.workspace import Workspace

    assert run(data_dir, "project", "create", "demo", "--language", "en") == 0
    assert run(data_dir, "import", "demo", str(speech_dir / "en" / "jfk.wav")) == 0
    workspace = Workspace.open(Settings.from_env(data_dir))
    store = workspace.store
    [recording] = store.list_recordings(store.get_project("demo").id)
    store.replace_segments(recording.id, store.get_project("demo").id, [(0, 1), (1.5, 2.5), (3, 4)], {}, "test")
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert run(data_dir, "user", "add", "ana", "--role", "labeler", "--project", "demo", "--password-stdin") == 0
    capsys.readouterr()
    assert run(data_dir, "assign", "demo", "--to", "ana", "--segments", "2") == 0
    assert "2 segments leased to ana for 30 minutes" in capsys.readouterr().out
    assert run(data_dir, "assign", "demo", "--to", "ana", "--recording", recording.id) == 0
    assert "1 segments leased to ana" in capsys.readouterr().out  # the one still free
    assert run(data_dir, "assign", "demo", "--to", "nobody", "--segments", "1") == 1
    assert "'nobody' has no role in 'demo'" in capsys.readouterr().err
    holders = {store.lease_of(s.id, utc_now()).username for s in store.list_segments(recording.id)}
    workspace.close()
    assert holders == {"ana"}


def test_text_printed_to_the_terminal_shows_control_characters_instead_of_running_them():
    from speechlabel.cli.users import terminal_safe

    # A transcript saved before control characters were refused must not recolour or clear the
    # lead's terminal when `speechlabel review` lists it.
    assert terminal_safe("she had \x1b[2J\x1b[31myour\x07 dark suit") == "she had \\x1b[2J\\x1b[31myour\\x07 dark suit"
    assert terminal_safe("한국어 text") == "한국어 text"
