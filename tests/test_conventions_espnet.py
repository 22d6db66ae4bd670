"""The linter agrees with ESPnet's KsponSpeech recipe (ported in tests/espnet_ksponspeech.py):
every line it accepts comes through the recipe's parse non-empty and as the text variants say,
and every line the parse drops is a lint error."""

from __future__ import annotations

import re

import pytest

from speechlabel.conventions import (
    KSPON,
    TextVariantOptions,
    has_errors,
    lint,
    text_variant,
)
from tests.conventions_lines import KSPON_GOOD, generated_kspon_lines
from tests.espnet_ksponspeech import parse_transcript

NOTATION_SIDES = (("char", "spelling"), ("pron", "pronunciation"))


def comparable(text: str) -> str:
    """ESPnet upper-cases and removes punctuation only where it stands apart from words; compare
    without case and sentence punctuation."""
    return " ".join(re.sub(r"[,.?!]", " ", text.upper()).split())


def expected(line: str, side: str, style: str) -> str:
    return comparable(text_variant(line, KSPON, TextVariantOptions(side, style, unintelligible="[unk]")))


# --- the port itself, on the examples in the recipe's own comments ------------------------------


@pytest.mark.parametrize(
    "line, notation, out",
    [
        ("b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/", "char", "아 모 몬 소리야 70% 확률이라니"),
        ("b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/", "pron", "아 모 몬 소리야 칠십 퍼센트 확률이라니"),
        ("w1 +w2", "char", "W1 W2"),  # 'w1 +w2' -> 'w1+ w2', then the repetition mark goes
        ("w1+, w2", "char", "W1, W2"),
        ("u/ 뭐라고", "char", "[UNK] 뭐라고"),
        (". 아/ 그래 .", "char", "아 그래"),
    ],
)
def test_port_reproduces_the_recipe(line, notation, out):
    assert parse_transcript(line, "df", notation) == out


@pytest.mark.parametrize("line", ["w1+w2 나", "n/", "b/ . n/", "그 (A)]"])  # "(A)]": stage 3 INVALID EXPR
def test_port_drops_what_the_recipe_drops(line):
    assert parse_transcript(line) is None


# --- realistic lines ---------------------------------------------------------------------------


@pytest.mark.parametrize("line", KSPON_GOOD)
@pytest.mark.parametrize("notation, side", NOTATION_SIDES)
def test_accepted_lines_come_through_as_the_disfluent_variant(line, notation, side):
    assert not has_errors(lint(line, KSPON))
    parsed = parse_transcript(line, "df", notation)
    assert parsed is not None
    assert comparable(parsed) == expected(line, side, "disfluent")


@pytest.mark.parametrize("line", KSPON_GOOD)
@pytest.mark.parametrize("notation, side", NOTATION_SIDES)
def test_accepted_lines_come_through_the_fluent_parse_as_the_fluent_variant(line, notation, side):
    # An all-filler line is legitimately empty in the fluent text: the recipe drops it there.
    assert comparable(parse_transcript(line, "fl", notation) or "") == expected(line, side, "fluent")


@pytest.mark.parametrize(
    "line, code",
    [
        ("모+몬 소리야", "plus-joined"),
        ("+몬 소리야", "mark-at-word-start"),
        ("모++ 몬", "repeated-mark"),
        ("모+/ 몬", "mark-order"),
        ("(1+1)/(일 더하기 일)은 이", "mark-in-dual"),
        ("n/", "no-words"),
        ("b/ n/ .", "no-words"),
    ],
)
def test_lines_the_recipe_drops_are_errors(line, code):
    assert parse_transcript(line) is None
    assert code in {problem.code for problem in lint(line, KSPON) if problem.is_error}


@pytest.mark.parametrize(
    "line, mangled, code",
    [
        ("아n/ 그래", "아 그래", "tag-glued"),  # the tag letters are cut out of the word
        ("(a/s)/(에이에스) 받았어", "AS 받았어", "mark-in-dual"),
        ("아/그래서", "아그래서", "mark-in-word"),
        ("()/(칠십) 퍼센트", "()(칠십) 퍼센트", "empty-dual-side"),
        ("(LTE)/(엘티이)/ (3G)/(쓰리 쥐) 근데", "LTE3G 근데", "slash-between-parentheses"),
        ("(#1)/(샵 일) 버튼", "1 버튼", "stray-character-in-dual"),
        ("N/ 그래서", "N 그래서", "unknown-tag"),
    ],
)
def test_lines_the_recipe_mangles_are_errors(line, mangled, code):
    assert parse_transcript(line) == mangled
    assert code in {problem.code for problem in lint(line, KSPON) if problem.is_error}


# --- generated lines with the usual mistakes ---------------------------------------------------

GENERATED = generated_kspon_lines(3000, seed=20240607)


def test_generated_lines_agree_with_the_recipe():
    accepted = dropped = 0
    for line in GENERATED:
        problems = lint(line, KSPON)
        for notation, side in NOTATION_SIDES:
            parsed = parse_transcript(line, "df", notation)
            if parsed is None:
                dropped += 1
                assert has_errors(problems), f"the recipe drops {line!r} but the linter accepts it"
            elif not has_errors(problems):
                accepted += 1
                assert comparable(parsed) == expected(line, side, "disfluent"), line
        if not problems:  # the fluent parse also mangles some lines the linter only warns about
            for notation, side in NOTATION_SIDES:
                assert comparable(parse_transcript(line, "fl", notation) or "") == expected(line, side, "fluent"), line
    # The corpus exercises both sides of the rule, not just one.
    assert accepted > 500 and dropped > 500
