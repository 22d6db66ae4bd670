"""Quality measures (metrics) and working time (worktime): tag stripping, draft -> final scores,
saving, agreement, working time, per-day counts.

Every expected value is computed by hand; where it is not obvious the computation is in a
comment. Syllable counts of Korean strings are after spaces are removed.
"""

from __future__ import annotations

import random
import sys
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone

import jiwer
import pytest

from speechlabel.analytics.metrics import (
    _NORMALIZE_TABLE,
    Agreement,
    ScoreOptions,
    SegmentScores,
    character_error_rate,
    comparable_text,
    labeler_agreement,
    normalize_text,
    score_segments,
    segment_scores,
    strip_tags,
    summarize_scores,
)
from speechlabel.analytics.worktime import (
    DayCount,
    WorkTime,
    WorkTimeOptions,
    daily_counts,
    day_range,
    per_hour,
    utc_day,
    working_time,
    working_time_of_seconds,
)
from speechlabel.core.errors import ValidationError

KSPON_DRAFT = "아 모 몬 소리야 칠십 퍼센트 확률이라니"
KSPON_FINAL = "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/"
# 10 syllables: 오늘(2) 날씨가(3) 정말(2) 좋네요(3).
TEN_SYLLABLES = "오늘 날씨가 정말 좋네요"


# --- strip_tags ----------------------------------------------------------------------------


def test_strip_tags_kspon_keeps_pronunciation_side_by_default():
    # b/ and n/ go, 아/ (filler) and 모+ (repetition) keep their word, the pair keeps side B.
    assert strip_tags(KSPON_FINAL) == KSPON_DRAFT
    assert strip_tags(KSPON_FINAL, dual_side="spelling") == "아 모 몬 소리야 70% 확률이라니"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("o/ 그게* 뭐야 u/ l/", "그게 뭐야"),  # event tokens and the hard-to-hear star
        ("(3시)/ (세 시)에 만나", "세 시에 만나"),  # spaces around the slash of a pair
        ("(2)/(이)+ (2)/(이) 번", "이 이 번"),  # a repeated pair: the '+' follows the pair
        ("(1/2)/(이분의 일) 정도", "이분의 일 정도"),  # a slash inside the spelling side
        ("（70%）/（칠십 퍼센트）", "칠십 퍼센트"),  # full-width brackets (NFKC)
        ("n/ 그럼 어/ 뭐/, 해", "그럼 어 뭐, 해"),  # fillers, also before punctuation
        ("(NO:) 그러니까 (FP:음) 내일 (SP:거기) 가자 (SN:쿵)", "그러니까 음 내일 거기 가자"),
        ("[noise] Turn on <unk> the lights [laughter]", "Turn on the lights"),
        ("then/ okay", "then okay"),  # a word ending in "n" before "/" is a filler, not n/
        ("and/or 1/2", "and/or 1/2"),  # a slash inside a word is not a tag
        ("  Hello,   world! ", "Hello, world!"),  # no tags: only whitespace collapsed
        ("", ""),
        ("b/ n/ [noise]", ""),
    ],
)
def test_strip_tags_cases(text, expected):
    assert strip_tags(text) == expected


def test_strip_tags_rejects_bad_input():
    with pytest.raises(ValidationError, match="dual_side"):
        strip_tags("네", dual_side="spell")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="string"):
        strip_tags(None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="dual_side"):
        ScoreOptions(dual_side="both")  # type: ignore[arg-type]


def test_comparable_text_removes_spaces_only_where_they_do_not_count():
    assert comparable_text(KSPON_FINAL, "ko") == "아모몬소리야칠십퍼센트확률이라니"
    assert comparable_text("스마트 팩토리!", "ko-KR") == "스마트팩토리"
    assert comparable_text("今日は 晴れ。", "ja") == "今日は晴れ"
    assert comparable_text("[noise] Turn ON the lights.", "en") == "turn on the lights"
    assert comparable_text("Turn on", None) == "turn on"
    spelling = ScoreOptions(dual_side="spelling")
    assert comparable_text("(70%)/(칠십 퍼센트)", "ko", spelling) == "70"


# --- normalize_text stays what it was --------------------------------------------------------


def _normalize_reference(text: str) -> str:
    """The original per-character loop that ``normalize_text`` replaced with a table."""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = []
    for char in text:
        if char in "'\u2019\u02bc\u2018`":
            continue
        kept.append(char if unicodedata.category(char)[0] in "LNM" else " ")
    return " ".join("".join(kept).split())


def test_normalize_text_matches_the_per_character_rule_on_every_bmp_character():
    characters = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    characters += [chr(c) for c in (0x1F600, 0x20000, 0x1D400, 0xE0001)]
    for start in range(0, len(characters), 997):  # chunks, so neighbours interact as in text
        chunk = "".join(characters[start : start + 997])
        assert normalize_text(chunk) == _normalize_reference(chunk)


def test_plain_words_skip_the_table_and_still_follow_the_rule():
    # The fast path trusts str.isalnum: every character it accepts must be one the table keeps,
    # except the modifier letter apostrophe (a letter to Unicode, dropped here: "ŉ" -> "ʼn" -> "n").
    kept_by_isalnum = [
        c for c in map(chr, range(sys.maxunicode + 1)) if c.isalnum() and c.translate(_NORMALIZE_TABLE) != c
    ]
    assert kept_by_isalnum == ["\u02bc"]
    rng = random.Random(9)
    alphabet = "abcXYZ가나다ÀéßİŉΣς٣३ⅷ한국어0123\u02bc"
    for _ in range(3000):
        words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(rng.randint(0, 5))]
        text = " ".join(words) + rng.choice(["", ".", "?!", " .", ",", "…", " ,."])
        assert normalize_text(text) == _normalize_reference(text)
    assert normalize_text("ŉ Ascii.") == "n ascii"


# --- segment scores --------------------------------------------------------------------------


def test_kspon_final_equals_its_draft_once_tags_and_spaces_are_gone():
    scores = segment_scores(KSPON_DRAFT, KSPON_FINAL, "ko")
    # 아모몬소리야칠십퍼센트확률이라니: 16 syllables; 7 words on each side.
    assert scores == SegmentScores(wer=0.0, cer=0.0, edits=0, final_chars=16, word_edits=0, final_words=7)
    assert scores.saving == 1.0


def test_one_substituted_syllable_in_ten_is_cer_one_tenth():
    scores = segment_scores("오늘 날씨가 정말 좋내요", TEN_SYLLABLES, "ko")  # 네 -> 내
    assert (scores.edits, scores.final_chars, scores.cer) == (1, 10, pytest.approx(0.1))
    assert scores.saving == pytest.approx(0.9)
    assert scores.wer == pytest.approx(1 / 4)  # 4 eojeol, one of them differs


def test_korean_spacing_is_not_a_character_error_but_is_a_word_error():
    scores = segment_scores("스마트 팩토리", "스마트팩토리", "ko")
    assert (scores.cer, scores.edits) == (0.0, 0)
    # Words: [스마트, 팩토리] -> [스마트팩토리] is 1 substitution + 1 deletion over 1 word.
    assert scores.wer == 2.0


def test_english_substitution_and_deletion():
    final = "Turn on the kitchen lights, please."
    scores = segment_scores("turn on the kitchen light", final, "en")
    # Words: lights -> light (substitution), please missing (deletion): 2 / 6 words.
    assert (scores.word_edits, scores.final_words, scores.wer) == (2, 6, pytest.approx(2 / 6))
    # Characters, spaces kept: "turn on the kitchen lights please" has 4+2+3+7+6+6 letters +
    # 5 spaces = 33; the draft lacks "s" and " please" = 8 characters, and no shorter edit
    # exists because the lengths differ by 8.
    assert (scores.edits, scores.final_chars) == (8, 33)
    assert scores.cer == pytest.approx(8 / 33)
    assert scores.saving == pytest.approx(25 / 33)
    assert jiwer.wer("turn on the kitchen lights please", "turn on the kitchen light") == pytest.approx(2 / 6)


def test_case_and_punctuation_are_not_errors():
    scores = segment_scores("Turn on the lights.", "turn on the lights", "en")
    assert (scores.wer, scores.cer, scores.saving) == (0.0, 0.0, 1.0)


@pytest.mark.parametrize(
    ("draft", "final", "language", "expected"),
    [
        # Both empty: a perfect match with nothing to type.
        ("", "", "ko", SegmentScores(0.0, 0.0, 0, 0, 0, 0)),
        ("", "b/ n/", "ko", SegmentScores(0.0, 0.0, 0, 0, 0, 0)),  # tags only = empty
        # Empty final, non-empty draft: 5 deletions over 0 characters: undefined.
        ("hello", "", "en", SegmentScores(None, None, 5, 0, 1, 0)),
        # Empty draft: everything typed. "hello world" is 11 characters with the space.
        ("", "Hello world", "en", SegmentScores(1.0, 1.0, 11, 11, 2, 2)),
        ("", "안녕 하세요", "ko", SegmentScores(1.0, 1.0, 5, 5, 2, 2)),
    ],
)
def test_empty_texts_never_raise(draft, final, language, expected):
    assert segment_scores(draft, final, language) == expected


def test_saving_is_none_without_final_text_and_never_negative():
    assert segment_scores("", "", "en").saving is None
    assert segment_scores("hello", "", "en").saving is None
    assert segment_scores("", "Hello world", "en").saving == 0.0
    # "a long hallucinated sentence" -> "ok": at least 26 edits for 2 characters.
    scores = segment_scores("a long hallucinated sentence", "ok", "en")
    assert scores.cer > 1 and scores.saving == 0.0


def test_unspaced_languages_have_no_wer():
    scores = segment_scores("今日は晴れ", "今日は 雨", "ja")
    assert (scores.wer, scores.word_edits, scores.final_words) == (None, None, None)
    # 今日は晴れ -> 今日は雨 (4 characters): 晴 -> 雨 and れ deleted = 2 edits.
    assert (scores.edits, scores.final_chars) == (2, 4)


def test_score_segments_matches_segment_scores_in_order():
    pairs = [(KSPON_DRAFT, KSPON_FINAL), ("", ""), ("오늘 날씨가 정말 좋내요", TEN_SYLLABLES)]
    assert score_segments(pairs, "ko") == [segment_scores(d, f, "ko") for d, f in pairs]
    assert score_segments([], "ko") == []


def test_scoring_prepares_texts_exactly_like_comparable_text():
    # score_segments prepares texts on a faster path (one whitespace pass, NFKC skipped for
    # ASCII, an unchanged draft prepared once); it must give comparable_text's texts.
    pieces = [
        KSPON_FINAL,
        "(NO:) 그러니까 (FP:음) 내일",
        "[noise] Turn ON",
        "don't",
        "（70%）/（칠십 퍼센트）",
        "가*\u11a8",
        "Ｈｅｌｌｏ",
        "e\u0301",
        "n/ then/ okay+",
        "<unk> ok",
        "ß Straße",
        "\u00a0x\t y",
        "3/4",
    ]
    rng = random.Random(5)
    for _ in range(300):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
        for language in ("en", "ko"):
            expected = len(comparable_text(text, language))
            unchanged, typed = score_segments([(text, text), ("", text)], language)
            assert unchanged.final_chars == typed.final_chars == typed.edits == expected
            assert unchanged.edits == 0


# --- rapidfuzz gives jiwer's numbers ------------------------------------------------------------

JIWER_CASES = [
    ("en", "turn on the kitchen light", "Turn on the kitchen lights, please."),
    ("en", "ask not what your country can do", "And so, my fellow Americans, ask not what your country"),
    ("en", "the the conveyor stop", "the conveyor stopped again"),
    ("en", "completely different words here", "machine seven is grinding"),
    ("ko", "오늘 날씨가 정말 좋내요", TEN_SYLLABLES),
    ("ko", KSPON_DRAFT, "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 프로) 확률이라니 n/"),
    ("ko", "삼번 라인 컨베이어가 멈췄어요", "(3)/(삼)번 라인 컨베이어가 점심 이후에 또 멈췄어요"),
    ("ko", "거실 불 좀 켜줘", "거실 불 좀 꺼 줘"),
]


def _random_cases(count: int) -> list[tuple[str, str, str]]:
    rng = random.Random(3)
    cases = []
    for n in range(count):
        language, alphabet = ("ko", "가나다라 마바사 ") if n % 2 else ("en", "abcde fgh ")
        final = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        draft = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        cases.append((language, draft, final))
    return cases


@pytest.mark.parametrize(("language", "draft", "final"), JIWER_CASES + _random_cases(60))
def test_edit_counts_equal_jiwer(language, draft, final):
    scores = segment_scores(draft, final, language)
    ref, hyp = comparable_text(final, language), comparable_text(draft, language)
    if not ref:
        return  # jiwer refuses an empty reference; those cases are covered above
    chars = jiwer.process_characters(ref, hyp)
    assert scores.edits == chars.substitutions + chars.deletions + chars.insertions
    assert scores.cer == pytest.approx(jiwer.cer(ref, hyp))
    ref_words = normalize_text(strip_tags(final))
    if ref_words:
        words = jiwer.process_words(ref_words, normalize_text(strip_tags(draft)))
        assert scores.word_edits == words.substitutions + words.deletions + words.insertions


def test_korean_cer_equals_the_older_character_error_rate_on_untagged_text():
    for draft, final in [("오늘 날씨가 정말 좋내요", TEN_SYLLABLES), ("거실 불 좀 켜줘", "거실 불 좀 꺼 줘!")]:
        older = character_error_rate(final, draft, ignore_spaces=True)
        assert segment_scores(draft, final, "ko").cer == pytest.approx(older)


# --- pooled scores and the pre-labeling saving ----------------------------------------------------


def test_pooled_saving_weights_by_final_length():
    scores = score_segments(
        [
            ("오늘 날씨가 정말 좋내요", TEN_SYLLABLES),  # 1 edit / 10 syllables, 1 of 4 words
            ("", "네요"),  # 2 edits / 2 syllables (all typed), 1 of 1 word
            ("", ""),  # nothing to type: adds nothing
        ],
        "ko",
    )
    summary = summarize_scores(scores)
    assert (summary.segments, summary.edits, summary.final_chars) == (3, 3, 12)
    # 1 - (1 + 2 + 0) / (10 + 2 + 0) = 0.75; a mean of per-segment savings would be (0.9 + 0) / 2.
    assert summary.saving == pytest.approx(0.75)
    assert summary.cer == pytest.approx(3 / 12)
    assert summary.wer == pytest.approx((1 + 1) / (4 + 1))


def test_pooled_saving_counts_a_deleted_hallucination_and_clamps_at_zero():
    # "소리" typed over an empty draft (2 edits, 2 syllables) plus a hallucinated draft "감사합니다"
    # deleted from an empty final (5 edits, 0 syllables): 1 - 7/2 < 0 -> 0.
    summary = summarize_scores(score_segments([("", "소리"), ("감사합니다", "")], "ko"))
    assert (summary.edits, summary.final_chars, summary.saving) == (7, 2, 0.0)
    assert summary.cer == pytest.approx(3.5)


def test_pooling_nothing_gives_no_rates():
    summary = summarize_scores([])
    assert (summary.segments, summary.cer, summary.wer, summary.saving) == (0, None, None, None)
    unspaced = summarize_scores(score_segments([("今日", "今日")], "ja"))
    assert (unspaced.cer, unspaced.wer, unspaced.saving) == (0.0, None, 1.0)


# --- agreement between labelers ---------------------------------------------------------------


def test_agreement_is_symmetric_over_the_longer_text():
    # 날씨가 (3) vs 날씨 (2): one deletion; longer text 10 syllables.
    a, b = TEN_SYLLABLES, "오늘 날씨 정말 좋네요."
    assert labeler_agreement(a, b, "ko") == Agreement(edits=1, chars=10, cer=pytest.approx(0.1))
    assert labeler_agreement(b, a, "ko") == labeler_agreement(a, b, "ko")


def test_agreement_ignores_tags_and_handles_empty_texts():
    assert labeler_agreement("b/ 네 맞아요", "네, 맞아요 n/", "ko").cer == 0.0
    assert labeler_agreement("", "", "ko") == Agreement(0, 0, 0.0)
    assert labeler_agreement("", "네요", "ko") == Agreement(2, 2, 1.0)


# --- working time, rates, days ----------------------------------------------------------------------


def _at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2024, 5, 1, hour, minute, second, tzinfo=UTC)


def test_working_time_skips_idle_gaps_and_counts_each_session_start():
    saves = [_at(10, 3), _at(9, 0), _at(9, 2, 30), _at(10, 2, 30), _at(9, 1)]  # any order
    # Sorted: 9:00, 9:01, 9:02:30 | 10:02:30, 10:03. Gaps 60 + 90, (3600 idle), 30 = 180 s;
    # two sessions x 30 s allowance = 60 s; total 240 s.
    assert working_time(saves) == WorkTime(seconds=240.0, saves=5, sessions=2)
    no_allowance = WorkTimeOptions(session_start_seconds=0)
    assert working_time(saves, no_allowance).seconds == 180.0


def test_a_gap_of_exactly_the_threshold_is_work():
    saves = [_at(9, 0), _at(9, 5)]  # 300 s apart
    assert working_time(saves) == WorkTime(seconds=330.0, saves=2, sessions=1)
    shorter = WorkTimeOptions(idle_gap_seconds=299)
    assert working_time(saves, shorter) == WorkTime(seconds=60.0, saves=2, sessions=2)


def test_working_time_edge_cases():
    assert working_time([]) == WorkTime(0.0, 0, 0)
    assert working_time([_at(9, 0)]) == WorkTime(30.0, 1, 1)
    # A naive time is UTC; 18:01 at +09:00 is 09:01 UTC: one 60 s gap.
    seoul = timezone(timedelta(hours=9))
    mixed = [datetime(2024, 5, 1, 9, 0), datetime(2024, 5, 1, 18, 1, tzinfo=seoul)]
    assert working_time(mixed).seconds == 90.0
    with pytest.raises(ValidationError, match="idle_gap_seconds"):
        WorkTimeOptions(idle_gap_seconds=0)
    with pytest.raises(ValidationError, match="session_start_seconds"):
        WorkTimeOptions(session_start_seconds=-1)
    with pytest.raises(ValidationError, match="datetime"):
        working_time(["2024-05-01"])  # type: ignore[list-item]


def test_per_hour_rates():
    assert per_hour(40, 7200) == 20.0  # 40 segments in 2 working hours
    assert per_hour(12.5, 1800) == 25.0  # 12.5 audio minutes in half an hour
    assert per_hour(0, 600) == 0.0
    assert per_hour(5, 0) is None
    with pytest.raises(ValidationError, match="amount"):
        per_hour(-1, 60)


def test_daily_counts_by_utc_date():
    seoul = timezone(timedelta(hours=9))
    stamps = [
        datetime(2024, 5, 3, 0, 10),  # naive: UTC, 3 May
        datetime(2024, 5, 1, 23, 30, tzinfo=UTC),
        datetime(2024, 5, 2, 8, 0, tzinfo=seoul),  # = 1 May 23:00 UTC
    ]
    assert daily_counts(stamps) == (
        DayCount(date(2024, 5, 1), 2),
        DayCount(date(2024, 5, 2), 0),
        DayCount(date(2024, 5, 3), 1),
    )
    sparse = (DayCount(date(2024, 5, 1), 2), DayCount(date(2024, 5, 3), 1))
    assert daily_counts(stamps, fill_gaps=False) == sparse
    assert daily_counts([]) == ()


def test_working_time_of_posix_seconds_equals_working_time_of_datetimes():
    saves = [_at(10, 3), _at(9, 0), _at(9, 2, 30), _at(10, 2, 30), _at(9, 1)]
    seconds = [save.timestamp() for save in saves]
    assert working_time_of_seconds(seconds) == working_time(saves) == WorkTime(240.0, 5, 2)
    assert working_time_of_seconds([]) == WorkTime(0.0, 0, 0)


def test_utc_day_and_day_range():
    assert utc_day(0) == date(1970, 1, 1)
    assert utc_day(_at(23, 59, 59).timestamp()) == date(2024, 5, 1)
    assert utc_day(_at(23, 59, 59).timestamp() + 1) == date(2024, 5, 2)
    assert utc_day(-1) == date(1969, 12, 31)  # floor, not truncation towards zero
    days = [date(2024, 5, 3), date(2024, 5, 1), date(2024, 5, 3)]
    assert day_range(days) == [date(2024, 5, 1), date(2024, 5, 2), date(2024, 5, 3)]
    assert day_range(days, fill_gaps=False) == [date(2024, 5, 1), date(2024, 5, 3)]
    assert day_range([]) == []
