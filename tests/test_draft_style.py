"""Drafts in the project's convention (``conventions.draft_style``) and the readings behind them
(``korean_numbers``): numbers, spacing, fillers, and every styled draft passing the scheme's lint."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from speechlabel.conventions import (
    AIHUB,
    GENERIC_EN,
    KSPON,
    NumberStyle,
    TagScheme,
    accept_dual,
    lint,
    scheme_from_mapping,
    scheme_to_mapping,
)
from speechlabel.conventions.draft_style import DraftStyleOptions, style_draft
from speechlabel.conventions.korean_numbers import read_counted, read_digits, read_native
from speechlabel.conventions.schemes import ACCEPT_DUAL
from speechlabel.core.errors import ValidationError

# --- readings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "counter", "said"),
    [
        ("70%", "", "칠십 퍼센트"),
        ("3", "시", "세 시"),
        ("12", "시", "열두 시"),
        ("13", "시", "십삼 시"),  # 24-hour clock: Sino-Korean
        ("3", "시간", "세 시간"),
        ("1", "개", "한 개"),
        ("3", "개월", "삼 개월"),  # 개월 is Sino-Korean, 개 native
        ("2", "명", "두 명"),
        ("100", "명", "백 명"),  # native numbers stop at 99
        ("20", "살", "스무 살"),
        ("21", "살", "스물한 살"),
        ("3", "번", "세 번"),
        ("1", "번째", "첫 번째"),
        ("2", "번째", "두 번째"),
        ("10,000", "원", "만 원"),
        ("2024", "년", "이천이십사 년"),
        ("6", "월", "유월"),
        ("10", "월", "시월"),
        ("3", "월", "삼월"),
        ("5", "일", "오 일"),
        ("1.5", "배", "일 점 오 배"),
        ("7", "", "칠"),
    ],
)
def test_a_counter_picks_the_reading(number, counter, said):
    assert read_counted(number, counter) == said


def test_native_numbers_and_digit_strings():
    assert [read_native(n) for n in (1, 4, 10, 20, 35, 99)] == ["한", "네", "열", "스무", "서른다섯", "아흔아홉"]
    assert read_native(0) is None and read_native(100) is None
    assert read_digits("010-1234-5678") == "공일공 일이삼사 오육칠팔"
    assert read_digits("02-123-4567") == "공이 일이삼 사오육칠"


# --- the three steps, per scheme -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "styled"),
    [
        ("어 70% 확률이라니", "어/ (70%)/(칠십 퍼센트) 확률이라니"),
        ("음, 3시에 만나요.", "음/, (3시)/(세 시)에 만나요."),
        ("그 사람이 2명 왔어요", "그 사람이 (2명)/(두 명) 왔어요"),  # 그 "that": a word here
        ("그, 뭐 그냥 그래요 뭐", "그/, 뭐 그냥 그래요 뭐/"),  # before a pause: fillers
        ("번호는 010-1234-5678 이에요", "번호는 (010-1234-5678)/(공일공 일이삼사 오육칠팔) 이에요"),
        ("2024년 6월 5일에 1,000원", "(2024년)/(이천이십사 년) (6월)/(유월) (5일)/(오 일)에 (1,000원)/(천 원)"),
        ("  안녕하세요 ,  반가워요 !", "안녕하세요, 반가워요!"),
        ('"진짜" 그래~', "진짜 그래"),
        ("70 % 정도", "(70%)/(칠십 퍼센트) 정도"),
        ("", ""),
    ],
)
def test_kspon_drafts(raw, styled):
    assert style_draft(raw, KSPON) == styled
    assert lint(styled, KSPON) == [] or styled == ""


def test_aihub_marks_fillers_with_its_code_tag():
    assert style_draft("음, 그러니까 어 3개", AIHUB) == "(FP:음), 그러니까 (FP:어) (3개)/(세 개)"


def test_english_keeps_digits_and_marks_fillers_ldc_style():
    # No English number reading exists in speechlabel: digits stay, which the generic scheme allows.
    assert style_draft("Um, I think uh it's 5 o'clock .", GENERIC_EN) == "%Um, I think %uh it's 5 o'clock."
    assert style_draft("it was 50/50", GENERIC_EN) == "it was 50/50"


def test_a_scheme_without_filler_tags_leaves_fillers_and_read_writes_hangul_only():
    plain = TagScheme(name="plain-ko", language="ko", tags=KSPON.tags[:5], numbers=NumberStyle.READ)
    assert style_draft("어 3시에 70%", plain) == "어 세 시에 칠십 퍼센트"


def test_options_turn_steps_off():
    options = DraftStyleOptions(numbers=False, fillers=False)
    assert style_draft("어 3시", KSPON, options) == "어 3시"
    assert options.to_dict() == {"numbers": False, "fillers": False, "punctuation": True}


def test_styled_text_is_left_as_it_is():
    styled = "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/"
    assert style_draft(styled, KSPON) == styled


# --- the scheme's fields ---------------------------------------------------------------------


def test_number_style_follows_the_digit_rule_unless_given():
    assert KSPON.draft_numbers == NumberStyle.DUAL and AIHUB.draft_numbers == NumberStyle.DUAL
    assert GENERIC_EN.draft_numbers == NumberStyle.KEEP


def test_fillers_and_numbers_round_trip_through_a_mapping():
    mine = TagScheme(
        name="mine", tags=KSPON.tags, fillers=("어",), pause_fillers=("그",), numbers="read", accept_dual_hotkey="alt+a"
    )
    assert scheme_from_mapping(scheme_to_mapping(mine)) == mine
    assert scheme_from_mapping({"name": "x", "base": "kspon"}).fillers == KSPON.fillers
    assert mine.accept_dual_hotkey == "Alt+A"


def test_a_scheme_file_whose_tag_has_alt_a_keeps_it_and_loses_the_inherited_accept_key():
    mine = scheme_from_mapping(
        {"name": "mine", "base": "kspon", "tags": [{"tag": "[m]", "kind": "noise", "hotkey": "Alt+A"}]}
    )
    assert mine.by_text["[m]"].hotkey == "Alt+A" and mine.accept_dual_hotkey is None


@pytest.mark.parametrize("fillers", ["어", ("두 말",), ("",), ("(어)",)])
def test_bad_fillers_are_refused(fillers):
    with pytest.raises(ValidationError, match="fillers"):
        TagScheme(name="bad", tags=KSPON.tags, fillers=fillers)


def test_accept_dual_hotkey_may_not_clash():
    with pytest.raises(ValidationError, match="Alt\\+D"):
        TagScheme(name="bad", tags=KSPON.tags, dual_hotkey="Alt+D", accept_dual_hotkey="Alt+D")
    assert ACCEPT_DUAL


# --- every styled draft passes the scheme's own lint ------------------------------------------

_SYLLABLES = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
_HANGUL_WORD = st.text(_SYLLABLES, min_size=1, max_size=4)
_NUMBER = st.one_of(
    st.integers(0, 10**9).map(str),
    st.integers(0, 100).map(lambda n: f"{n}%"),
    st.integers(1, 99_999).map(lambda n: f"{n:,}"),
    st.tuples(st.integers(0, 99), st.integers(0, 99)).map(lambda p: f"{p[0]}.{p[1]}"),
    st.tuples(st.integers(10, 99), st.integers(100, 9999), st.integers(1000, 9999)).map(
        lambda p: f"0{p[0]}-{p[1]}-{p[2]}"
    ),
)
_COUNTER = st.sampled_from(["", "시", "시간", "개", "개월", "명", "살", "번", "번째", "원", "년", "월", "일", "층"])
_PARTICLE = st.sampled_from(["", "에", "이", "은", "까지", "이에요"])
_KOREAN_WORD = st.one_of(
    _HANGUL_WORD,
    st.sampled_from(["어", "음", "아", "그", "뭐", "이제", "저", "막"]),
    st.tuples(_NUMBER, _COUNTER, _PARTICLE).map("".join),
    st.tuples(_HANGUL_WORD, _NUMBER).map("".join),
)
_ENGLISH_WORD = st.one_of(
    st.text(st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")), min_size=1, max_size=8),
    st.sampled_from(["um", "Uh", "hmm", "it's", "o'clock", "50/50", "well-known"]),
    _NUMBER,
)
_PUNCTUATION = st.sampled_from(["", "", "", ",", ".", "?", "!", "...", "~", '"', " ,", " .", "-"])
_SPACE = st.sampled_from([" ", " ", "  ", "\t", " \u3000 "])


def _utterances(words):
    word = st.tuples(st.sampled_from(["", "", '"']), words, _PUNCTUATION).map("".join)
    return st.lists(st.tuples(word, _SPACE).map("".join), min_size=1, max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(_utterances(_KOREAN_WORD))
def test_every_styled_korean_draft_lints_clean(raw):
    for scheme in (KSPON, AIHUB):
        styled = style_draft(raw, scheme)
        assert lint(styled, scheme) == [], (raw, styled)
        assert style_draft(styled, scheme) == styled


@settings(max_examples=200, deadline=None)
@given(_utterances(_ENGLISH_WORD))
def test_every_styled_english_draft_lints_clean(raw):
    styled = style_draft(raw, GENERIC_EN)
    if any(char.isalnum() for char in raw):
        assert lint(styled, GENERIC_EN) == [], (raw, styled)
    assert style_draft(styled, GENERIC_EN) == styled


# --- the labeler keeps a proposal with one key -----------------------------------------------


def test_accept_dual_goes_from_proposal_to_proposal():
    text = "(3시)/(세 시)에 가서 (2명)/(두 명) 봤어"
    first = accept_dual(text, 0)
    assert first.text == text and text[: first.caret] == "(3시)/(세 시)"
    inside = accept_dual(text, 3)  # the caret inside a proposal keeps that one
    assert inside.caret == first.caret
    second = accept_dual(text, first.caret)
    assert text[: second.caret].endswith("(2명)/(두 명)")
    assert accept_dual(text, second.caret).caret == second.caret  # none left: the caret stays
    assert accept_dual("(1)/( 일 )", 0).text == "(1)/(일)"
