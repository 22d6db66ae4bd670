"""Conversion between tag schemes: KsponSpeech <-> AI Hub (and English), with what could not be
mapped reported at its position in the source."""

from __future__ import annotations

import pytest

from speechlabel.conventions import AIHUB, GENERIC_EN, KSPON, convert, lint
from speechlabel.core.errors import ValidationError
from tests.conventions_lines import AIHUB_GOOD, KSPON_GOOD

LINE = "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/"


def test_kspon_to_aihub():
    result = convert(LINE, KSPON, AIHUB)
    assert result.text == "(SN:) (FP:아) 모 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 (NO:)"
    # AI Hub has no repetition mark: the word stays, the mark is reported where it was.
    [unmapped] = result.unmapped
    assert (unmapped.start, unmapped.end, unmapped.source, unmapped.written) == (6, 8, "모+", None)
    assert LINE[unmapped.start : unmapped.end] == "모+"
    assert "no mark for repetition" in unmapped.reason
    # Breath has no AI Hub tag of its own: speaker noise is the broader one.
    [approximate] = result.approximate
    assert (approximate.source, approximate.written) == ("b/", "(SN:)")
    assert lint(result.text, AIHUB) == []


def test_aihub_to_kspon():
    line = "(NO:) 그래서 (FP:음) 제가 (SP:그렇게) 말했잖아요 (SN:) (SP:) 70% (10시)/(열 시)에"
    result = convert(line, AIHUB, KSPON)
    assert result.text == "n/ 그래서 음/ 제가 그렇게* 말했잖아요 n/ u/ (70%)/(칠십 퍼센트) (10시)/(열 시)에"
    assert result.unmapped == ()
    assert [(note.source, note.written) for note in result.approximate] == [
        ("(SN:)", "n/"),  # speaker noise -> noise
        ("70%", "(70%)/(칠십 퍼센트)"),  # KsponSpeech writes numbers as dual transcriptions
    ]
    assert lint(result.text, KSPON) == []


def test_what_the_target_cannot_write_is_reported_with_its_position():
    line = "o/ 나도 몰라. 나 그/ (3G)/(쓰리 쥐)* 하나도 안 봤음. 어."
    result = convert(line, KSPON, AIHUB)
    assert result.text == "나도 몰라. 나 (FP:그) (3G)/(쓰리 쥐) 하나도 안 봤음. 어."
    assert [(line[note.start : note.end], note.written) for note in result.unmapped] == [
        ("o/", None),  # AI Hub has no overlap tag: left out
        ("(3G)/(쓰리 쥐)*", None),  # a code tag cannot hold a dual transcription: the mark goes
    ]


def test_unknown_text_in_the_source_is_kept_and_reported():
    result = convert("그래서 [noise] 뭐", KSPON, AIHUB)
    assert result.text == "그래서 [noise] 뭐"
    assert [(note.source, note.written) for note in result.unmapped] == [("[noise]", "[noise]")]


@pytest.mark.parametrize("line", KSPON_GOOD)
def test_kspon_lines_survive_a_round_trip_through_aihub_up_to_what_was_reported(line):
    there = convert(line, KSPON, AIHUB)
    assert not [problem for problem in lint(there.text, AIHUB) if problem.is_error], there.text
    back = convert(there.text, AIHUB, KSPON)
    assert not [problem for problem in lint(back.text, KSPON) if problem.is_error], back.text
    if not there.unmapped and not there.approximate:
        assert back.text == line


@pytest.mark.parametrize("line", AIHUB_GOOD)
def test_aihub_lines_convert_to_clean_kspon(line):
    assert not [problem for problem in lint(convert(line, AIHUB, KSPON).text, KSPON) if problem.is_error]


def test_to_and_from_generic_english():
    result = convert("[noise] so %um I was like [laughter] going", GENERIC_EN, KSPON)
    assert result.text == "n/ so um/ I was like l/ going"
    back = convert("b/ 아/ (70%)/(칠십 퍼센트) u/", KSPON, GENERIC_EN)
    assert back.text == "[breath] %아 칠십 퍼센트 [unintelligible]"
    assert [note.reason for note in back.approximate] == [
        "generic has no dual transcription; the pronunciation side is kept"
    ]


def test_convert_checks_its_text():
    with pytest.raises(ValidationError, match="text must be a string"):
        convert(None, KSPON, AIHUB)
