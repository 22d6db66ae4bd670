"""``speechlabel lint``: output format and exit codes, run in-process through ``main``."""

from __future__ import annotations

import pytest

from speechlabel.cli import main

FACTORY = """
name = "factory-ko"
base = "kspon"

[[tags]]
tag = "[machine]"
kind = "noise"
meaning = "machine noise"
hotkey = "Alt+M"
"""


def lint(data_dir, *args) -> int:
    return main(["--data-dir", str(data_dir), "lint", *args])


def test_a_clean_transcript_exits_zero(data_dir, capsys):
    assert lint(data_dir, "--scheme", "kspon", "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/") == 0
    assert capsys.readouterr().out == "0 errors, 0 warnings (kspon)\n"


def test_lint_needs_no_data_folder(tmp_path, capsys):
    data_dir = tmp_path / "never-made"
    assert lint(data_dir, "--scheme", "generic", "[noise] turn on the light") == 0
    assert not data_dir.exists()


def test_errors_print_column_message_and_suggestion(data_dir, capsys):
    assert lint(data_dir, "--scheme", "kspon", "모+몬 소리야  70% 확률") == 1
    assert capsys.readouterr().out.splitlines() == [
        ("2: error: + is joined to the next word: ESPnet drops the whole line; a repetition mark ends a word, "
         "so put a space after it (suggestion: 모+ 몬)"),
        "8: warning: 2 spaces between words; one is enough (suggestion: one space)",
        ("10: error: this scheme writes numbers as a dual transcription (digits)/(as said): (70%)/(칠십 퍼센트) "
         "(suggestion: (70%)/(칠십 퍼센트))"),
        "2 errors, 1 warning (kspon)",
    ]


def test_warnings_alone_exit_zero(data_dir, capsys):
    assert lint(data_dir, "--scheme", "aihub", "(NO:) 그래서  (FP:음) 제가 ") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "0 errors, 2 warnings (aihub)"
    assert out[1] == "21: warning: space at the end of the transcript (suggestion: delete it)"


def test_a_file_reports_line_and_column(data_dir, tmp_path, capsys):
    transcripts = tmp_path / "text.txt"
    transcripts.write_text("b/ 아/ 모+ 몬 소리야\n\n그래서 o/ 뭐\r\n[machine] 삼번 라인 멈췄어\n", encoding="utf-8")
    assert lint(data_dir, "--scheme", "kspon", "--file", str(transcripts)) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("3:5: error: o/ (other speaker") and out[0].endswith("(suggestion: o/ 그래서)")
    assert out[1].startswith("4:1: error: [machine] is not a tag of this scheme (kspon)")
    assert out[-1] == "2 errors, 0 warnings in 3 lines (kspon)"


def test_a_scheme_file(data_dir, tmp_path, capsys):
    scheme = tmp_path / "factory.toml"
    scheme.write_text(FACTORY, encoding="utf-8")
    assert lint(data_dir, "--scheme", str(scheme), "[machine] 삼번 라인 멈췄어 n/") == 0
    assert capsys.readouterr().out == "0 errors, 0 warnings (factory-ko)\n"


@pytest.mark.parametrize("scheme_text, message", [
    (None, "cannot read scheme file"),
    ('name = "x"\n[[tags]]\ntag = "n/"\nkind = "noise"\n[[tags]]\ntag = "n/"\nkind = "noise"', "defined twice"),
])
def test_an_unusable_scheme_file_exits_two(data_dir, tmp_path, capsys, scheme_text, message):
    scheme = tmp_path / "scheme.toml"
    if scheme_text is not None:
        scheme.write_text(scheme_text, encoding="utf-8")
    assert lint(data_dir, "--scheme", str(scheme), "그래서") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_unknown_scheme_and_unreadable_file_exit_two(data_dir, tmp_path, capsys):
    assert lint(data_dir, "--scheme", "ksponspeech", "그래서") == 2
    assert "give kspon, aihub, generic or a scheme file" in capsys.readouterr().err
    assert lint(data_dir, "--scheme", "kspon", "--file", str(tmp_path / "missing.txt")) == 2
    assert "cannot read" in capsys.readouterr().err
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    assert lint(data_dir, "--scheme", "kspon", "--file", str(tmp_path / "latin1.txt")) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--scheme", "kspon"], ["--scheme", "kspon", "그래서", "--file", "x.txt"], ["그래서"]])
def test_bad_usage_exits_two(data_dir, args):
    with pytest.raises(SystemExit) as exited:
        lint(data_dir, *args)
    assert exited.value.code == 2


def convert_text(data_dir, *args) -> int:
    return main(["--data-dir", str(data_dir), "convert-text", *args])


def test_convert_text_kspon_to_aihub_reports_what_did_not_map(tmp_path, capsys):
    line = "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/"
    assert convert_text(tmp_path / "unused", "--from", "kspon", "--to", "aihub", line) == 1
    out, err = capsys.readouterr()
    assert out == "(SN:) (FP:아) 모 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 (NO:)\n"
    assert err.splitlines() == [
        "7: unmapped: 모+ -> (left out) (aihub has no mark for repetition (+); the word is kept without it)",
        "1: approximate: b/ -> (SN:) (aihub has no tag for breath; written as the broader (SN:))",
    ]
    assert not (tmp_path / "unused").exists()


def test_convert_text_file_keeps_lines_and_exact_mappings_exit_zero(tmp_path, capsys):
    source = tmp_path / "aihub.txt"
    source.write_text("\ufeff(FP:음) 그게 (NO:) 맞아요\r\n\r\n네 (NO:)\r\n", encoding="utf-8")
    assert convert_text(tmp_path, "--from", "aihub", "--to", "kspon", "--file", str(source)) == 0
    out, err = capsys.readouterr()
    assert out == "음/ 그게 n/ 맞아요\n\n네 n/\n" and err == ""


def test_convert_text_with_an_unknown_scheme_exits_two(tmp_path, capsys):
    assert convert_text(tmp_path, "--from", "kspon", "--to", "timit", "네") == 2
    assert "timit" in capsys.readouterr().err
