"""Text variants (side of dual transcriptions x verbatim / disfluent / fluent) for KsponSpeech,
AI Hub and English, and their agreement with ``metrics.strip_tags``."""

from __future__ import annotations

import pytest

from speechlabel.analytics.metrics import strip_tags
from speechlabel.conventions import (
    AIHUB,
    GENERIC_EN,
    KSPON,
    Side,
    Style,
    TextVariantOptions,
    text_variant,
)
from speechlabel.core.errors import ValidationError
from tests.conventions_lines import AIHUB_GOOD, GENERIC_GOOD, KSPON_GOOD

LINE = "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/"


@pytest.mark.parametrize(
    "side, style, expected",
    [
        ("spelling", "verbatim", "b/ 아/ 모+ 몬 소리야 70% 확률이라니 n/"),
        ("pronunciation", "verbatim", "b/ 아/ 모+ 몬 소리야 칠십 퍼센트 확률이라니 n/"),
        ("both", "verbatim", LINE),
        ("spelling", "disfluent", "아 모 몬 소리야 70% 확률이라니"),
        ("pronunciation", "disfluent", "아 모 몬 소리야 칠십 퍼센트 확률이라니"),
        ("both", "disfluent", "아 모 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니"),
        ("spelling", "fluent", "몬 소리야 70% 확률이라니"),
        ("pronunciation", "fluent", "몬 소리야 칠십 퍼센트 확률이라니"),
        ("both", "fluent", "몬 소리야 (70%)/(칠십 퍼센트) 확률이라니"),
    ],
)
def test_kspon_variants_of_the_issue_line(side, style, expected):
    assert text_variant(LINE, KSPON, TextVariantOptions(side, style)) == expected


@pytest.mark.parametrize(
    "line, style, expected",
    [
        # uncertain marks go, the hard-to-hear word stays; a repeated dual goes whole in fluent text
        (
            "o/ 나도 몰라. 나 그/ (3G)/(쓰리 쥐)* 하나도 안 봤음. 어.",
            "disfluent",
            "나도 몰라. 나 그 쓰리 쥐 하나도 안 봤음. 어.",
        ),
        (
            "o/ 나도 몰라. 나 그/ (3G)/(쓰리 쥐)* 하나도 안 봤음. 어.",
            "fluent",
            "나도 몰라. 나 쓰리 쥐 하나도 안 봤음. 어.",
        ),
        ("(3)/(세)번+ (3)/(세)번 말했잖아", "fluent", "세번 말했잖아"),
        ("n/ 아/ 근데 (1시)/(한 시)에 닫는 게", "disfluent", "아 근데 한 시에 닫는 게"),
        ("까* 오히려 b/ 대신 돔* 먹+ 먹, 음식 거리", "fluent", "까 오히려 대신 돔 먹, 음식 거리"),
    ],
)
def test_kspon_marks_in_each_style(line, style, expected):
    assert text_variant(line, KSPON, TextVariantOptions(Side.PRONUNCIATION, style)) == expected


def test_unintelligible_tags_become_the_chosen_token():
    line = "l/ 아/ 진짜? 나 그거 u/ 몰랐어 l/"
    assert text_variant(line, KSPON) == "아 진짜? 나 그거 몰랐어"
    assert text_variant(line, KSPON, TextVariantOptions(unintelligible="[unk]")) == "아 진짜? 나 그거 [unk] 몰랐어"
    aihub = "(SP:) 다시 한 번 (SP:말씀해) 주시겠어요?"
    assert (
        text_variant(aihub, AIHUB, TextVariantOptions(unintelligible="<unk>")) == "<unk> 다시 한 번 말씀해 주시겠어요?"
    )


@pytest.mark.parametrize(
    "style, expected",
    [
        ("verbatim", "(NO:) 그래서 (FP:음) 제가 (SP:그렇게) 말했잖아요 (SN:) 열 시에"),
        ("disfluent", "그래서 음 제가 그렇게 말했잖아요 열 시에"),
        ("fluent", "그래서 제가 그렇게 말했잖아요 열 시에"),
    ],
)
def test_aihub_variants(style, expected):
    line = "(NO:) 그래서 (FP:음) 제가 (SP:그렇게) 말했잖아요 (SN:) (10시)/(열 시)에"
    assert text_variant(line, AIHUB, TextVariantOptions("pronunciation", style)) == expected


@pytest.mark.parametrize(
    "style, expected",
    [
        ("verbatim", "[noise] so %um I was like [laughter] going to the store"),
        ("disfluent", "so um I was like going to the store"),
        ("fluent", "so I was like going to the store"),
    ],
)
def test_generic_english_variants(style, expected):
    assert text_variant(GENERIC_GOOD[0], GENERIC_EN, TextVariantOptions(style=style)) == expected


def test_text_the_scheme_does_not_define_is_kept():
    # KsponSpeech does not know AI Hub codes: nothing in them is dropped silently.
    assert text_variant("(NO:) 그래서 (70%) 확률", KSPON) == "(NO:) 그래서 (70%) 확률"


def test_options_are_checked():
    assert TextVariantOptions("spelling", "fluent") == TextVariantOptions(Side.SPELLING, Style.FLUENT)
    with pytest.raises(ValidationError, match="side is 'left'; allowed: spelling, pronunciation, both"):
        TextVariantOptions(side="left")
    with pytest.raises(ValidationError, match="style is 'clean'; allowed: verbatim, disfluent, fluent"):
        TextVariantOptions(style="clean")
    with pytest.raises(ValidationError, match="one token"):
        TextVariantOptions(unintelligible="two words")
    with pytest.raises(ValidationError, match="text must be a string"):
        text_variant(b"bytes", KSPON)


# --- agreement with metrics.strip_tags (exports and metrics use it today) ----------------------


@pytest.mark.parametrize("scheme, lines", [(KSPON, KSPON_GOOD), (AIHUB, AIHUB_GOOD)], ids=["kspon", "aihub"])
@pytest.mark.parametrize("side", ["spelling", "pronunciation"])
def test_disfluent_variant_equals_strip_tags_on_clean_lines(scheme, lines, side):
    for line in lines:
        assert text_variant(line, scheme, TextVariantOptions(side, "disfluent")) == strip_tags(line, dual_side=side)


def test_generic_lines_without_fillers_equal_strip_tags():
    for line in GENERIC_GOOD:
        if "%" not in line:
            assert text_variant(line, GENERIC_EN) == strip_tags(line)


def test_strip_tags_and_the_variant_agree_on_the_english_filler_mark_and_glued_tags():
    # Once the known differences: strip_tags now removes the "%" of "%um" and, as ESPnet does,
    # KsponSpeech tokens glued to a word; text_variant removes glued tokens too.
    assert text_variant("so %um yes", GENERIC_EN) == strip_tags("so %um yes") == "so um yes"
    assert strip_tags("growth of 70% now") == "growth of 70% now"
    for line, expected in (
        ("소리n/ 야", "소리 야"),
        ("n/소리 야", "소리 야"),
        ("맞아.n/ 그래", "맞아. 그래"),
        ("then/ okay", "then okay"),
    ):
        assert text_variant(line, KSPON) == strip_tags(line) == expected
    assert text_variant("소리n/ 야", KSPON, TextVariantOptions(style="verbatim")) == "소리n/ 야"
