"""Tag schemes: the built-ins, hotkeys, a lead's scheme files (good and bad), storing a scheme
as a mapping, and inserting tags at the caret."""

from __future__ import annotations

import json

import pytest

from speechlabel.conventions import (
    AIHUB,
    BUILTIN_SCHEMES,
    GENERIC_EN,
    KSPON,
    SchemeFileError,
    Tag,
    TagForm,
    TagKind,
    TagScheme,
    insert_dual,
    insert_tag,
    lint,
    load_scheme_file,
    normalize_hotkey,
    resolve_scheme,
    scheme_from_mapping,
    scheme_to_mapping,
)
from speechlabel.conventions.scheme_file import scheme_from_bytes
from speechlabel.core.errors import ValidationError

FACTORY_TOML = """
name = "factory-ko"
base = "kspon"
title = "Factory floor, Korean"

[[tags]]
tag = "[machine]"
kind = "noise"
meaning = "machine noise"
hotkey = "alt+m"
time_ranged = true

[[tags]]
tag = "n/"
kind = "noise"
meaning = "noise other than machines"
hotkey = "Ctrl+Alt+N"
"""


def test_builtin_schemes():
    assert set(BUILTIN_SCHEMES) == {"kspon", "aihub", "generic"}
    assert KSPON.token_letters == "blnou"
    assert set(KSPON.suffix_marks) == {"/", "+", "*"}
    assert [tag.text for tag in AIHUB.tags] == ["(NO:)", "(SN:)", "(FP:)", "(SP:)"]
    assert AIHUB.by_code["FP"].kind == TagKind.FILLER
    assert GENERIC_EN.prefix_marks["%"].form == TagForm.PREFIX
    assert {tag.text for tag in GENERIC_EN.tags} >= {
        "[noise]",
        "[laughter]",
        "[cough]",
        "[music]",
        "[unintelligible]",
        "[crosstalk]",
    }
    assert KSPON.by_text["o/"].at_start and GENERIC_EN.by_text["[music]"].time_ranged


@pytest.mark.parametrize(
    "written, normal",
    [
        ("alt+n", "Alt+N"),
        ("Shift+Ctrl+1", "Ctrl+Shift+1"),
        ("Alt++", "Alt++"),
        ("Option+/", "Alt+/"),
        ("Cmd+k", "Meta+K"),
        ("f2", "F2"),
    ],
)
def test_hotkeys_are_normalised(written, normal):
    assert normalize_hotkey(written) == normal


@pytest.mark.parametrize(
    "written, message",
    [
        ("N", "would type a character"),
        ("Shift+N", "would type a character"),
        ("Hyper+N", "not a modifier"),
        ("Alt+Home", "not a key"),
        ("", "empty"),
    ],
)
def test_bad_hotkeys(written, message):
    with pytest.raises(ValidationError, match=message):
        normalize_hotkey(written)


def test_a_scheme_file_extends_a_builtin(tmp_path):
    path = tmp_path / "factory.toml"
    path.write_text(FACTORY_TOML, encoding="utf-8")
    scheme = load_scheme_file(path)
    assert scheme.name == "factory-ko" and scheme.dual_transcription and scheme.digits == KSPON.digits
    assert scheme.by_text["[machine]"].hotkey == "Alt+M"
    assert scheme.by_text["n/"].hotkey == "Ctrl+Alt+N"  # replaced, not duplicated
    assert [tag.text for tag in scheme.tags].count("n/") == 1
    assert lint("[machine] 삼번 라인 n/", scheme) == []
    assert [problem.code for problem in lint("[machine] 삼번 라인", KSPON)] == ["unknown-tag"]
    assert resolve_scheme(str(path)) == scheme


def test_a_json_scheme_file_without_base(tmp_path):
    data = {
        "name": "meeting-en",
        "language": "en",
        "tags": [
            {"tag": "[door]", "kind": "noise", "meaning": "door slam", "hotkey": "Alt+D"},
            {"tag": "<sil>", "kind": "silence"},
            {"tag": "~", "kind": "filler", "form": "prefix", "hotkey": "Alt+F"},
            {"tag": "(INT:)", "kind": "other", "content": "optional"},
        ],
    }
    path = tmp_path / "meeting.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    scheme = load_scheme_file(path)
    assert [tag.form for tag in scheme.tags] == [TagForm.BRACKET, TagForm.BRACKET, TagForm.PREFIX, TagForm.CODE]
    assert lint("[door] ~um we start <sil> now", scheme) == []


@pytest.mark.parametrize(
    "content, message",
    [
        (
            'name = "x"\n[[tags]]\ntag = "n/"\nkind = "noise"\n[[tags]]\ntag = "n/"\nkind = "breath"',
            "tag 'n/' is defined twice",
        ),
        (
            (
                'name = "x"\n[[tags]]\ntag = "n/"\nkind = "noise"\nhotkey = "Alt+N"\n[[tags]]\ntag = "b/"\n'
                'kind = "breath"\nhotkey = "alt+n"'
            ),
            r"hotkey Alt\+N is given to both 'n/' and 'b/'",
        ),
        ('name = "x"\n[[tags]]\ntag = "n/"\nkind = "noise"\nhotkey = "Ctrl+Enter"', "the label page's 'Save & next'"),
        ('name = "x"\n[[tags]]\ntag = "noise"\nkind = "noise"', "tag 'noise' is not written in a form"),
        ('name = "x"\n[[tags]]\ntag = "(fp:)"\nkind = "filler"', "is not written in a form"),
        ('name = "x"\nword_characters = "힣-가"\n[[tags]]\ntag = "n/"\nkind = "noise"', "not a valid character class"),
        ('name = "x"\nword_characters = "가-힣()"\n[[tags]]\ntag = "n/"\nkind = "noise"', "cannot be word characters"),
        ('name = "x"\n[[tags]]\ntag = "n/"\nkind = "hum"', "kind of tag 'n/' is 'hum'; allowed: noise"),
        ('name = "x"\n[[tags]]\ntag = "[um]"\nkind = "filler"', "cannot be a filler"),
        ('name = "x"\n[[tags]]\ntag = "+"\nkind = "noise"', "kind must be filler, repetition or uncertain"),
        ('name = "x"\n[[tags]]\ntag = "(NO:)"\nkind = "filler"\ncontent = "none"', "must hold words"),
        ('name = "x"\n[[tags]]\ntag = "n/"\nkind = "noise"\ncolour = "red"', "tag 1: unknown key 'colour'"),
        ('name = "x"\n[[tags]]\ntag = "n/"\nkind = "noise"\ntime_ranged = "yes"', "time_ranged must be a bool"),
        ('name = "x"\nbase = "espnet"', "base 'espnet' is not a built-in scheme"),
        ('name = "x"', "has no tags"),
        ('title = "x"\nbase = "kspon"', "has no name"),
        ('name = "a b"\nbase = "kspon"', "scheme name 'a b'"),
        ('name = "x"\ndigits = "roman"\nbase = "kspon"', "digits is 'roman'; allowed: anywhere"),
        ('name = "x"\n[[tags]\n', "not valid TOML"),
    ],
)
def test_bad_scheme_files_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SchemeFileError, match=message) as raised:
        load_scheme_file(path)
    assert str(path) in str(raised.value)


def test_unreadable_scheme_files(tmp_path):
    with pytest.raises(SchemeFileError, match="cannot read scheme file"):
        load_scheme_file(tmp_path / "missing.toml")
    (tmp_path / "latin1.json").write_bytes('{"name": "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(SchemeFileError, match="not UTF-8"):
        load_scheme_file(tmp_path / "latin1.json")
    (tmp_path / "bad.json").write_text('{"name": ', encoding="utf-8")
    with pytest.raises(SchemeFileError, match="not valid JSON: .* line 1"):
        load_scheme_file(tmp_path / "bad.json")
    with pytest.raises(SchemeFileError, match="unknown tag scheme 'ksponspeech'; give kspon, aihub, generic"):
        resolve_scheme("ksponspeech")


@pytest.mark.parametrize("scheme", [KSPON, AIHUB, GENERIC_EN], ids=lambda scheme: scheme.name)
def test_a_scheme_survives_its_mapping_as_json(scheme):
    assert scheme_from_mapping(json.loads(json.dumps(scheme_to_mapping(scheme)))) == scheme


def test_schemes_are_checked_when_built_in_code_too():
    with pytest.raises(ValidationError, match="no tags"):
        TagScheme("empty", ())
    with pytest.raises(ValidationError, match="'\\(NO:\\)' holds no words|only code tags"):
        Tag("n/", TagKind.NOISE, content="required")


# --- inserting tags at the caret ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, tag, start, end, expected, caret",
    [
        ("아 모 몬 소리야", "n/", 4, 4, "아 모 n/ 몬 소리야", 7),  # caret after "모 ": a word of its own
        ("아 모 몬 소리야", "n/", 3, 3, "아 모 n/ 몬 소리야", 7),  # caret at the end of "모"
        ("아 모 몬 소리야", "n/", 7, 7, "아 모 몬 소리야 n/", 12),  # inside "소리야": not cut in half
        ("아 모 몬 소리야", "+", 3, 3, "아 모+ 몬 소리야", 4),  # the mark goes on the word at the caret
        ("아 모 몬 소리야", "+", 4, 4, "아 모 몬+ 소리야", 6),  # at the start of "몬": that word
        ("아 모 ", "+", 4, 4, "아 모+ ", 4),  # typed a space after the word: the word before
        ("소리야, 그래", "/", 2, 2, "소리야/, 그래", 5),  # before the punctuation
        ("모+ 몬", "+", 1, 1, "모+ 몬", 2),  # already marked: unchanged
        ("아 모 몬 소리야", "o/", 6, 6, "o/ 아 모 몬 소리야", 9),  # o/ always at the start
    ],
)
def test_insert_kspon_tags(text, tag, start, end, expected, caret):
    inserted = insert_tag(text, KSPON.by_text[tag], start, end)
    assert (inserted.text, inserted.caret) == (expected, caret)


def test_insert_code_tags_wrap_the_selection_or_leave_the_caret_inside():
    selected = insert_tag("그래서 음 제가", AIHUB.by_text["(FP:)"], 4, 5)
    assert (selected.text, selected.caret) == ("그래서 (FP:음) 제가", 11)  # before the next word
    empty = insert_tag("그래서 제가", AIHUB.by_text["(FP:)"], 4)
    assert (empty.text, empty.caret) == ("그래서 (FP:) 제가", 8)
    noise = insert_tag("그래서 제가", AIHUB.by_text["(NO:)"], 3)
    assert (noise.text, noise.caret) == ("그래서 (NO:) 제가", 10)


def test_insert_prefix_marks_and_dual_transcriptions():
    filler = insert_tag("so um I was", GENERIC_EN.by_text["%"], 4)
    assert (filler.text, filler.caret) == ("so %um I was", 6)
    dual = insert_dual("확률이 70% 라니", 4, 7)
    assert (dual.text, dual.caret) == ("확률이 (70%)/() 라니", 11)  # inside the second ()
    empty = insert_dual("확률이  라니", 4)
    assert (empty.text, empty.caret) == ("확률이 ()/() 라니", 5)
    with pytest.raises(ValidationError, match="outside the text"):
        insert_dual("abc", 2, 9)


@pytest.mark.parametrize("body", ["a]|(?:a|a)*b|[c", "가-힣]"])
def test_word_characters_are_one_character_class_never_a_pattern(body):
    """A bare ] would end the class: the rest could backtrack for seconds per line or match
    everything and switch the linter off."""
    with pytest.raises(ValidationError, match="would end the character class"):
        scheme_from_mapping({"name": "x", "base": "kspon", "word_characters": body})


def test_a_deeply_nested_scheme_file_is_a_clear_error():
    with pytest.raises(SchemeFileError, match="nested too deeply"):
        scheme_from_bytes(b"[" * 100_000, "deep.json", ".json")


def test_editing_shortcuts_are_not_tag_hotkeys():
    for key in ("Ctrl+C", "Ctrl+V", "Ctrl+Z"):
        with pytest.raises(ValidationError, match="hotkey"):
            scheme_from_mapping(
                {
                    "name": "x",
                    "base": "generic",
                    "tags": [{"tag": "[hum]", "kind": "noise", "meaning": "hum", "hotkey": key}],
                }
            )
