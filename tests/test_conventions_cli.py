"""``speechlabel lint`` and ``convert-text``: output format and exit codes, in English and in
Korean (``--lang ko`` or a Korean locale), run in-process through ``main``."""

from __future__ import annotations

import re

import pytest

from speechlabel.cli import main

HANGUL = re.compile(r"[가-힣]")

FACTORY = """
name = "factory-ko"
base = "kspon"

[[tags]]
tag = "[machine]"
kind = "noise"
meaning = "machine noise"
hotkey = "Alt+M"
"""


@pytest.fixture(autouse=True)
def no_locale(monkeypatch):
    """The messages' language follows the locale: these tests set it themselves."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


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
        (
            "2: error: + is joined to the next word: ESPnet drops the whole line; a repetition mark ends a word, "
            "so put a space after it (suggestion: 모+ 몬)"
        ),
        "8: warning: 2 spaces between words; one is enough (suggestion: one space)",
        (
            "10: error: this scheme writes numbers as a dual transcription (digits)/(as said): (70%)/(칠십 퍼센트) "
            "(suggestion: (70%)/(칠십 퍼센트))"
        ),
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


@pytest.mark.parametrize(
    "scheme_text, message",
    [
        (None, "cannot read scheme file"),
        ('name = "x"\n[[tags]]\ntag = "n/"\nkind = "noise"\n[[tags]]\ntag = "n/"\nkind = "noise"', "defined twice"),
    ],
)
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


@pytest.mark.parametrize(
    "args", [["--scheme", "kspon"], ["--scheme", "kspon", "그래서", "--file", "x.txt"], ["그래서"]]
)
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


# --- in Korean -----------------------------------------------------------------------------------------


def test_lint_with_lang_ko_prints_problems_and_the_count_in_korean(data_dir, capsys):
    assert (
        main(["--lang", "ko", "--data-dir", str(data_dir), "lint", "--scheme", "kspon", "모+몬 소리야  70% 확률"]) == 1
    )
    assert capsys.readouterr().out.splitlines() == [
        (
            "2: 오류: +이(가) 다음 단어에 붙어 있습니다. ESPnet은 이 줄 전체를 버립니다. 반복 표시는 단어 끝에 오므로 뒤에 "
            "띄어쓰기를 넣으세요. (제안: 모+ 몬)"
        ),
        "8: 경고: 단어 사이에 공백이 2개 있습니다. 하나면 됩니다. (제안: 공백 하나)",
        "10: 오류: 이 규칙은 숫자를 이중 전사 (숫자)/(읽은 대로)로 씁니다: (70%)/(칠십 퍼센트) (제안: (70%)/(칠십 퍼센트))",
        "검사 결과: 오류 2개, 경고 1개 (kspon)",
    ]


def test_a_korean_locale_alone_makes_errors_and_problems_korean(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    transcripts = tmp_path / "text.txt"
    transcripts.write_text("그래서 o/ 뭐\n", encoding="utf-8")
    assert lint(data_dir, "--scheme", "kspon", "--file", str(transcripts)) == 1
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0].startswith("1:5: 오류: o/(다른 화자 또는 겹친 말소리")
        and out[-1] == "검사 결과: 오류 1개, 경고 0개, 1줄 (kspon)"
    )
    assert lint(data_dir, "--scheme", "ksponspeech", "그래서") == 2
    assert capsys.readouterr().err == (
        "오류: 알 수 없는 태그 규칙 'ksponspeech'입니다. kspon, aihub, generic 중 하나나 `.toml` 또는 `.json`으로 끝나는 "
        "규칙 파일을 지정하세요.\n"
    )
    assert main(["--data-dir", str(data_dir), "status", "nope"]) == 1  # any command's error
    assert capsys.readouterr().err.startswith("오류: 'nope' 프로젝트가 없습니다.")


def test_convert_text_notes_in_korean(data_dir, capsys):
    line = "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/"
    assert main(["--lang", "ko", "convert-text", "--from", "kspon", "--to", "aihub", line]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "7: 변환 안 됨: 모+ -> (빠짐) (aihub에는 `repetition` 표시(+)가 없어 표시 없이 단어만 남겼습니다)",
        "1: 근사 변환: b/ -> (SN:) (aihub에는 `breath` 태그가 없어 더 넓은 뜻의 (SN:)(으)로 썼습니다)",
    ]


@pytest.mark.parametrize(
    ("environment", "option", "korean"),
    [
        ({"LANG": "ko_KR.UTF-8"}, [], True),
        ({"LC_MESSAGES": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, [], True),  # LC_MESSAGES outranks LANG
        ({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, [], False),  # and LC_ALL outranks both
        ({"LANG": "ko_KR.UTF-8"}, ["--lang", "en"], False),  # --lang outranks the locale
        ({}, ["--lang", "ko"], True),
        ({}, [], False),
    ],
)
def test_the_language_comes_from_lang_or_the_locale(data_dir, capsys, monkeypatch, environment, option, korean):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert main([*option, "--data-dir", str(data_dir), "lint", "--scheme", "kspon", "소리야 "]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == ("검사 결과: 오류 0개, 경고 1개 (kspon)" if korean else "0 errors, 1 warning (kspon)")


def test_the_help_stays_english_in_a_korean_locale(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines at the terminal's width
    assert "--lang {en,ko}" in help_text and "stay English" in help_text and not HANGUL.search(help_text)
