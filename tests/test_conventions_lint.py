"""The linter, rule by rule, on realistic KsponSpeech, AI Hub and English lines."""

from __future__ import annotations

import pytest

from speechlabel.conventions import (
    AIHUB,
    GENERIC_EN,
    KSPON,
    RULES,
    Fix,
    Severity,
    apply_fixes,
    has_errors,
    lint,
)
from speechlabel.core.errors import ValidationError
from speechlabel.projects.conventions import fix_transcript
from tests.conventions_lines import (
    AIHUB_GOOD,
    GENERIC_GOOD,
    KSPON_GOOD,
    generated_kspon_lines,
)

SCHEMES = {"kspon": KSPON, "aihub": AIHUB, "generic": GENERIC_EN}

# scheme, line, rule code, the text the problem points at, the suggested replacement (None: no fix)
CASES = [
    ("kspon", "", "empty-transcript", "", None),
    ("kspon", "b/ n/ .", "no-words", "b/ n/ .", None),
    ("generic", "[noise]", "no-words", "[noise]", None),
    ("kspon", "N/ 그래서", "unknown-tag", "N/", "n/"),
    ("kspon", "x/ 그래서", "unknown-tag", "x/", None),
    ("kspon", "(NO:) 그래서", "unknown-tag", "(NO:)", "n/"),
    ("kspon", "그래서 (FP:음) 뭐", "unknown-tag", "(FP:음)", "음/"),
    ("kspon", "[noise] 그래서", "unknown-tag", "[noise]", "n/"),
    ("aihub", "(fp:음) 그래서", "unknown-tag", "(fp:음)", "(FP:음)"),
    ("aihub", "b/ 그래서", "unknown-tag", "b/", "(SN:)"),
    ("generic", "[nosie] ok", "unknown-tag", "[nosie]", "[noise]"),
    ("generic", "ok u/", "unknown-tag", "u/", "[unintelligible]"),
    ("aihub", "(FP:) 그래서", "tag-content-missing", "(FP:)", None),
    ("aihub", "(NO:잡음) 그래서", "tag-content-not-allowed", "(NO:잡음)", "(NO:)"),
    ("kspon", "그래서 o/ 뭐", "tag-not-at-start", "o/", "o/ 그래서"),
    ("kspon", "아n/ 그래", "tag-glued", "n/", "아 n/"),
    ("kspon", "n/아 그래", "tag-glued", "n/", "n/ 아"),
    ("kspon", "그래서 (70%", "unbalanced-parenthesis", "(", None),
    ("kspon", "그래서 70%)", "unbalanced-parenthesis", ")", None),
    ("kspon", "((70%))/(칠십 퍼센트)", "nested-parentheses", "(", None),
    ("kspon", "(70%)/칠십 퍼센트", "malformed-dual", "(70%)", "(70%)/(칠십)"),
    ("kspon", "70%/(칠십 퍼센트) 확률", "malformed-dual", "(칠십 퍼센트)", "(70%)/(칠십 퍼센트)"),
    ("kspon", "(70%) 확률", "malformed-dual", "(70%)", None),
    ("generic", "(a)/(b) ok", "dual-not-allowed", "(a)/(b)", "b"),
    ("kspon", "()/(칠십) 퍼센트", "empty-dual-side", "()", None),
    ("kspon", "(70%)/( . ) 확률", "empty-dual-side", "( . )", None),
    ("kspon", "(LTE)/(엘티이)/ (3G)/(쓰리 쥐) 근데", "slash-between-parentheses", "/", None),
    ("kspon", "(1+1)/(일 더하기 일)은 이", "mark-in-dual", "+", None),
    ("kspon", "(a/s)/(에이에스) 받았어", "mark-in-dual", "/", None),
    ("kspon", "(#1)/(샵 일) 버튼", "stray-character-in-dual", "#", None),
    ("kspon", "(70%)/(칠십 %)", "stray-character-in-dual", "%", None),
    ("kspon", "(70%)/(70 퍼센트)", "digits-in-pronunciation", "70", "칠십"),
    ("aihub", "(10시)/(10 시)에 봐요", "digits-in-pronunciation", "10", "십"),
    ("kspon", "70% 확률", "digits-outside-dual", "70%", "(70%)/(칠십 퍼센트)"),
    ("kspon", "그게 0.1프로야", "digits-outside-dual", "0.1", "(0.1)/(영 점 일)"),
    ("kspon", "LTE 요금제", "latin-outside-dual", "LTE", None),
    ("kspon", "그래서 ㅋㅋ", "stray-character", "ㅋㅋ", None),
    ("kspon", "그래서 ]", "stray-character", "]", None),
    ("kspon", "그래서？", "stray-character", "？", "?"),  # full-width: the fix is the plain form
    ("generic", "(laughs) ok", "stray-character", "(laughs)", None),
    ("aihub", "(FP:음/) 그래서", "stray-character", "/", None),
    ("kspon", "그래\u200b서", "control-character", "\u200b", ""),
    ("kspon", "모+몬 소리야", "plus-joined", "+", "모+ 몬"),
    ("kspon", "모 +몬 소리야", "mark-at-word-start", "+", "모+ 몬"),
    ("kspon", "+몬 소리야", "mark-at-word-start", "+", ""),
    ("kspon", "*까 먹", "mark-at-word-start", "*", "까*"),
    ("kspon", "그래서 / 뭐", "mark-alone", "/", ""),
    ("kspon", "a + b", "mark-alone", "+", "a+"),
    ("generic", "so % um", "mark-alone", "%", ""),
    ("kspon", "아/그래서", "mark-in-word", "/", "아/ 그래서"),
    ("kspon", "까*지 먹", "mark-in-word", "*", "까* 지"),
    ("kspon", "모++ 몬", "repeated-mark", "++", "+"),
    ("kspon", "아//", "repeated-mark", "//", "/"),
    ("kspon", "모+/ 몬", "mark-order", "+", "모/+"),
    ("kspon", "모+, 몬", "repetition-before-punctuation", "모+,", None),
    ("kspon", "(70%)/(칠십 퍼센트)/ 확률", "disfluency-mark-on-dual", "(70%)/(칠십 퍼센트)/", None),
    ("kspon", "약(70%)/(칠십 퍼센트)+ 확률", "disfluency-mark-on-dual", "약(70%)/(칠십 퍼센트)+", None),
    ("kspon", "(70%) / (칠십 퍼센트) 확률", "dual-spacing", "(70%) / (칠십 퍼센트)", "(70%)/(칠십 퍼센트)"),
    ("kspon", "( 70% )/(칠십  퍼센트) 확률", "dual-spacing", "( 70% )/(칠십  퍼센트)", "(70%)/(칠십 퍼센트)"),
    ("kspon", "(아)/(아) 그래", "identical-dual-sides", "(아)/(아)", "아"),
    ("kspon", " 그래서", "leading-space", " ", ""),
    ("kspon", "그래서 ", "trailing-space", " ", ""),
    ("kspon", "그래서  뭐", "double-space", "  ", " "),
    ("kspon", "그래서\t뭐", "whitespace-character", "\t", " "),
    ("kspon", "그래서\u00a0뭐", "whitespace-character", "\u00a0", " "),
]


def _ids(case):
    return f"{case[2]}:{case[1]!r}"


@pytest.mark.parametrize("scheme, line, code, flagged, suggestion", CASES, ids=[_ids(case) for case in CASES])
def test_rule(scheme, line, code, flagged, suggestion):
    problems = [problem for problem in lint(line, SCHEMES[scheme]) if problem.code == code]
    assert len(problems) == 1, lint(line, SCHEMES[scheme])
    problem = problems[0]
    assert line[problem.start : problem.end] == flagged
    assert problem.severity == RULES[code].severity
    assert problem.suggestion == suggestion
    assert problem.message and "{" not in problem.message  # every template value was filled in


def test_every_rule_has_a_case():
    assert {case[2] for case in CASES} == set(RULES)


@pytest.mark.parametrize(
    "scheme, line, code, flagged, suggestion",
    [case for case in CASES if case[4] is not None],
    ids=[_ids(c) for c in CASES if c[4] is not None],
)
def test_applying_the_fix_removes_the_problem(scheme, line, code, flagged, suggestion):
    fixed = apply_fixes(line, [problem for problem in lint(line, SCHEMES[scheme]) if problem.code == code])
    assert fixed != line
    assert code not in {problem.code for problem in lint(fixed, SCHEMES[scheme])}


@pytest.mark.parametrize(
    "scheme, lines",
    [(KSPON, KSPON_GOOD), (AIHUB, AIHUB_GOOD), (GENERIC_EN, GENERIC_GOOD)],
    ids=["kspon", "aihub", "generic"],
)
def test_good_lines_have_no_problems(scheme, lines):
    for line in lines:
        assert lint(line, scheme) == [], line


def test_the_issue_example_line_is_clean_and_a_broken_copy_is_fixed_in_one_go():
    line = "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/"
    assert lint(line, KSPON) == []
    broken = "b/  아/ 모+몬 소리야 70% 확률이라니 n/ "
    problems = lint(broken, KSPON)
    assert [problem.code for problem in problems] == [
        "double-space",
        "plus-joined",
        "digits-outside-dual",
        "trailing-space",
    ]
    assert has_errors(problems)
    assert apply_fixes(broken, problems) == line


def test_positions_are_character_offsets_in_order():
    line = "그래서 o/ 확률이 70%"
    problems = lint(line, KSPON)
    assert [(problem.start, problem.end) for problem in problems] == [(4, 6), (11, 14)]
    assert problems[1].fix == Fix(11, 14, "(70%)/(칠십 퍼센트)")
    assert dict(problems[1].params) == {"suggestion": "(70%)/(칠십 퍼센트)"}


def test_warnings_alone_are_not_errors():
    problems = lint("그래서  뭐", KSPON)
    assert problems and all(problem.severity == Severity.WARNING for problem in problems)
    assert not has_errors(problems)


def test_the_same_text_is_judged_by_the_scheme():
    assert [problem.code for problem in lint("(NO:) 그래서 (FP:음)", AIHUB)] == []
    assert {problem.code for problem in lint("(NO:) 그래서 (FP:음)", KSPON)} == {"unknown-tag"}
    assert {problem.code for problem in lint("70% 확률", AIHUB)} == set()


def test_bad_arguments_are_refused():
    with pytest.raises(ValidationError, match="text must be a string"):
        lint(None, KSPON)
    with pytest.raises(ValidationError, match="scheme must be a TagScheme"):
        lint("그래서", "kspon")


# --- a fix never adds errors ----------------------------------------------------------------------------

# A parenthesis left open (the labeler is still typing a dual transcription) with a number, a tag
# or a mark after it: wrapping the number as (1)/(일) used to nest it in the open parenthesis.
OPEN_PARENTHESIS_LINES = (
    "(가 1",
    "(가 1 나",
    "가 (1",
    "( 1",
    "(70%)/(칠십 1",
    "(가 o/",
    "가 (b/ 1",
    "(3G 몬+소리",
    "그게 (0.1프로 가정의",
    "(LTE 요금제가 5만 원",
    "b/ (아/ 모+몬 70%",
    "1 (2 3",
)


def _errors(text: str, scheme) -> int:
    return sum(problem.is_error for problem in lint(text, scheme))


@pytest.mark.parametrize("scheme", [KSPON, AIHUB, GENERIC_EN], ids=["kspon", "aihub", "generic"])
def test_applying_any_one_fix_never_adds_errors(scheme):
    lines = [
        *KSPON_GOOD,
        *AIHUB_GOOD,
        *GENERIC_GOOD,
        *(case[1] for case in CASES),
        *OPEN_PARENTHESIS_LINES,
        *generated_kspon_lines(1500, seed=7),
    ]
    checked = 0
    for line in lines:
        before = _errors(line, scheme)
        for problem in lint(line, scheme):
            if problem.fix is not None:
                fixed = apply_fixes(line, [problem])
                assert _errors(fixed, scheme) <= before, (line, problem.code, fixed)
                checked += 1
    assert checked > 500  # the lines have fixes to check, not none


def test_an_open_parenthesis_keeps_the_number_problem_but_not_a_fix_that_nests_it():
    problems = lint("(가 1", KSPON)
    assert {problem.code for problem in problems} == {"unbalanced-parenthesis", "digits-outside-dual"}
    digits = next(problem for problem in problems if problem.code == "digits-outside-dual")
    assert digits.fix is None and digits.params  # still reported, with its reading in the message
    assert lint("가 1", KSPON)[0].fix == Fix(2, 3, "(1)/(일)")  # no parenthesis open: the fix is offered


def test_fixing_a_whole_line_never_leaves_more_errors():
    for scheme in (KSPON, AIHUB, GENERIC_EN):
        for line in [*OPEN_PARENTHESIS_LINES, *generated_kspon_lines(500, seed=11)]:
            assert sum(p.is_error for p in fix_transcript(scheme, line).remaining) <= _errors(line, scheme), line


# --- slashes in the generic scheme ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "press and/or hold the button",
        "a 50/50 split",
        "open 24/7",
        "set it to km/h",
        "n/a for now",
        "%um and/or [noise]",
    ],
)
def test_a_slash_joining_two_words_or_numbers_is_ordinary_text_in_the_generic_scheme(line):
    assert lint(line, GENERIC_EN) == []


@pytest.mark.parametrize(
    ("line", "flagged"), [("and / or", "/"), ("word/ next", "/"), ("/word", "/"), ("and//or", "//"), ("[noise]/x", "/")]
)
def test_a_slash_that_joins_nothing_is_still_flagged_in_the_generic_scheme(line, flagged):
    problems = lint(line, GENERIC_EN)
    assert [(problem.code, line[problem.start : problem.end]) for problem in problems] == [("stray-character", flagged)]


def test_kspon_and_aihub_keep_their_slash_rules():
    assert "mark-in-word" in {problem.code for problem in lint("50/50", KSPON)}
    assert "mark-in-word" in {problem.code for problem in lint("그/래서", KSPON)}
    assert {problem.code for problem in lint("그/래서", AIHUB)} == {"stray-character"}
    assert GENERIC_EN.slash_joins_words and not KSPON.slash_joins_words and not AIHUB.slash_joins_words
