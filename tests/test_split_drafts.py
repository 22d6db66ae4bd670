"""A split gives each half its part of the segment's drafts and a merge joins them again: the
cutting rules as pure functions, then splits and merges on a real SQLite file and the real
PostgreSQL, what the review diff and the dashboard make of the halves, and the real draft of
JFK's speech by the bundled model."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.analytics.dashboard import build_dashboard
from speechlabel.audio.samples import load_mono_16k
from speechlabel.core.draft_cut import DraftCut, current_drafts, cut_draft, join_drafts
from speechlabel.core.models import Draft, Role, Word
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.labeling.draft_view import split_time_for
from speechlabel.prelabel.transcribe import TranscribeOptions, get_engine
from speechlabel.review import decisions as review

LDC_TEXT = "She had your dark suit, in greasy wash water all year."
# Made-up but plausible times of LDC93S1 (2.92 s): "suit," ends at 1.2 s, "in" starts at 1.5 s.
LDC_TIMES = [
    (0.19, 0.34),
    (0.34, 0.52),
    (0.52, 0.66),
    (0.66, 0.95),
    (0.95, 1.2),
    (1.5, 1.6),
    (1.6, 1.95),
    (1.95, 2.2),
    (2.2, 2.45),
    (2.45, 2.6),
    (2.6, 2.8),
]


def timed(
    text: str,
    times,
    language: str = "en",
    engine: str = "faster-whisper",
    model: str = "base",
    avg_logprob: float = -0.25,
) -> Draft:
    """A draft of ``text`` whose i-th word spans ``times[i]`` and scores 0.5 + i/100."""
    words = tuple(
        Word(symbol, start, round(end - start, 3), round(0.5 + i / 100, 2))
        for i, (symbol, (start, end)) in enumerate(zip(text.split(), times, strict=True))
    )
    return Draft(text, words, avg_logprob, 0.04, 1.3, language, 0.97, engine, model, {"beam_size": 1})


def untimed(text: str, language: str = "en") -> Draft:
    return Draft(text, (), -0.4, 0.05, 1.1, language, 0.9, "faster-whisper", "base", {})


def figures(draft: Draft) -> tuple:
    return (
        draft.avg_logprob,
        draft.no_speech_prob,
        draft.compression_ratio,
        draft.language,
        draft.language_probability,
        draft.engine,
        draft.model,
        draft.options,
    )


# --- the rules, without a database --------------------------------------------------------


def test_words_go_to_the_half_holding_their_middle_with_their_scores_and_the_draft_figures():
    draft = timed(LDC_TEXT, LDC_TIMES)
    cut = cut_draft(draft, 1.35, LDC_TEXT.split(), 5)
    assert (cut.first.text, cut.second.text) == ("She had your dark suit,", "in greasy wash water all year.")
    assert cut.first.words == draft.words[:5] and cut.second.words == draft.words[5:]
    assert [w.score for w in cut.second.words] == [0.55, 0.56, 0.57, 0.58, 0.59, 0.6]
    assert figures(cut.first) == figures(cut.second) == figures(draft)  # the whole segment's figures
    assert cut.first.id is None and cut.second.segment_id is None
    # "suit," spans 0.95-1.2 s: its middle (1.075 s) decides, not its start.
    assert cut_draft(draft, 1.05, (), 0).first.text == "She had your dark"
    assert cut_draft(draft, 1.1, (), 0).first.text == "She had your dark suit,"


def test_a_cut_before_or_after_every_word_leaves_an_empty_part():
    draft = timed(LDC_TEXT, LDC_TIMES)
    early, late = cut_draft(draft, 0.1, (), 0), cut_draft(draft, 2.9, (), 0)
    assert (early.first.text, early.first.words, early.second.text) == ("", (), LDC_TEXT)
    assert (late.first.text, late.second.text, late.second.words) == (LDC_TEXT, "", ())


def test_korean_and_japanese_parts_keep_the_texts_own_spacing_and_join_back():
    # faster-whisper's Korean words carry a leading space, which the stored symbols lose: the
    # parts are cut from the draft's text, so its eojeol spacing stays as the engine wrote it.
    korean = timed("아 뭐 먼 소리야 진짜로", [(0.0, 0.2), (0.3, 0.5), (0.6, 0.8), (0.9, 1.4), (1.6, 2.0)], "ko")
    cut = cut_draft(korean, 0.85, (), 0)
    assert (cut.first.text, cut.second.text) == ("아 뭐 먼", "소리야 진짜로")
    assert [w.symbol for w in cut.second.words] == ["소리야", "진짜로"]
    assert join_drafts(cut.first, cut.second, (0.85, 1.15)) == korean
    # Japanese has no spaces between words: none are added to the parts or the join.
    japanese = replace(timed("今日は いい 天気", [(0.0, 0.4), (0.4, 0.6), (0.6, 1.0)], "ja"), text="今日はいい天気")
    cut = cut_draft(japanese, 0.35, (), 0)
    assert (cut.first.text, cut.second.text) == ("今日は", "いい天気")
    assert join_drafts(cut.first, cut.second, (0.35, 0.65)).text == "今日はいい天気"


def test_words_missing_from_the_text_make_parts_of_the_words_joined_by_spaces():
    draft = replace(timed(LDC_TEXT, LDC_TIMES), text="she had your dark suit in greasy wash water all year")
    cut = cut_draft(draft, 1.35, (), 0)
    assert (cut.first.text, cut.second.text) == ("She had your dark suit,", "in greasy wash water all year.")


@pytest.mark.parametrize(
    ("labeler_text", "word_index", "first", "second"),
    [
        (
            "She had your dark suit in greasy wash water all year.",
            5,  # the same words: the same place
            "She had your dark suit,",
            "in greasy wash water all year.",
        ),
        (
            "she had her dark suit in greasy wash water all year",
            5,  # a corrected word moves nothing
            "She had your dark suit,",
            "in greasy wash water all year.",
        ),
        (
            "She had your dark blue suit in greasy wash water all year.",
            6,  # an inserted word neither
            "She had your dark suit,",
            "in greasy wash water all year.",
        ),
        (
            "um She had your dark suit in greasy wash water all year.",
            1,
            "",
            "She had your dark suit, in greasy wash water all year.",
        ),
    ],
)
def test_a_draft_without_timings_is_cut_where_the_labeler_cut_their_text(labeler_text, word_index, first, second):
    draft = untimed(LDC_TEXT)
    cut = cut_draft(draft, 1.35, labeler_text.split(), word_index)
    assert (cut.first.text, cut.second.text, cut.first.words, cut.second.words) == (first, second, (), ())
    assert figures(cut.second) == figures(draft)


def test_a_draft_without_timings_sharing_no_word_with_the_text_stays_whole_on_the_first_half():
    draft = untimed(LDC_TEXT)
    assert cut_draft(draft, 1.35, "completely other words here".split(), 2) == DraftCut(draft, None)
    # A draft that heard nothing heard nothing in either half.
    empty = untimed("")
    cut = cut_draft(empty, 1.35, "words typed by hand".split(), 2)
    assert (cut.first, cut.second.text, cut.second.words) == (empty, "", ())


def test_joining_two_separate_drafts_weighs_their_figures_by_duration():
    first = timed("turn on", [(0.0, 0.2), (0.2, 0.5)], avg_logprob=-0.1)
    second = replace(
        timed("the light", [(1.0, 1.2), (1.2, 1.5)]), avg_logprob=-0.7, no_speech_prob=0.3, compression_ratio=2.0
    )
    joined = join_drafts(first, second, (1.0, 3.0))
    assert joined.text == "turn on the light" and joined.words == first.words + second.words
    assert joined.avg_logprob == pytest.approx((-0.1 * 1.0 + -0.7 * 3.0) / 4.0)
    assert joined.compression_ratio == pytest.approx((1.3 * 1.0 + 2.0 * 3.0) / 4.0)
    assert joined.no_speech_prob == 0.3  # the worse one, as transcribe joins Whisper's segments


def test_the_current_drafts_are_the_newest_of_each_engine_and_model_oldest_first():
    old_base, tiny, new_base = (timed("a", [(0, 1)]), timed("b", [(0, 1)], model="tiny.en"), timed("c", [(0, 1)]))
    assert current_drafts([old_base, tiny, new_base]) == [tiny, new_base]


# --- in the store: SQLite and PostgreSQL ---------------------------------------------------


@pytest.fixture
def lead(store, project):
    accounts.create_user(store, SYSTEM, "lea", "correct horse battery")
    accounts.set_role(store, SYSTEM, "lea", project.name, Role.LEAD)
    return accounts.login(store, "lea", "correct horse battery")[1]


@pytest.fixture
def ldc(store, settings, project, speech_dir):
    """LDC93S1 as one segment (0.1-2.9 s) drafted by base (its text), then tiny.en, then base
    again (the newest draft; the first base one is replaced by it)."""
    recording = import_audio(store, settings, project, (speech_dir / "en" / "LDC93S1.wav").read_bytes(), "LDC93S1.wav")
    (segment,) = store.replace_segments(recording.id, project.id, [(0.1, 2.9)], {}, "prelabel")
    segment = store.add_draft(segment.id, timed(LDC_TEXT, LDC_TIMES, avg_logprob=-0.6), "prelabel")
    store.add_draft(segment.id, timed(LDC_TEXT.lower(), LDC_TIMES, model="tiny.en", avg_logprob=-0.5), "prelabel")
    store.add_draft(segment.id, timed(LDC_TEXT, LDC_TIMES), "prelabel")
    return segment


def test_both_halves_keep_their_part_of_every_models_draft(store, lead, ldc):
    first, second = labeling.split(store, lead, ldc.id, ldc.version, 1.35, 5)
    assert (first.text, second.text) == ("She had your dark suit,", "in greasy wash water all year.")
    whole = store.list_drafts(ldc.id)[2]
    for segment, text, words in (
        (first, "She had your dark suit,", whole.words[:5]),
        (second, "in greasy wash water all year.", whole.words[5:]),
    ):
        newest = store.latest_draft(segment.id)  # what the dashboard and exports read
        assert (newest.text, newest.words, newest.model) == (text, words, "base")
        assert figures(newest) == figures(whole) and newest.segment_id == segment.id
    # One part of each engine and model, in the drafts' order: the replaced base draft is not cut.
    assert [(d.model, d.text) for d in store.list_drafts(second.id)] == [
        ("tiny.en", "in greasy wash water all year."),
        ("base", "in greasy wash water all year."),
    ]
    # The originals are kept, unchanged, with the first half (older than its parts).
    assert [(d.model, d.text) for d in store.list_drafts(first.id)] == [
        ("base", LDC_TEXT),
        ("tiny.en", LDC_TEXT.lower()),
        ("base", LDC_TEXT),
        ("tiny.en", "she had your dark suit,"),
        ("base", "She had your dark suit,"),
    ]
    # The label page shows the second half its own words instead of "no draft".
    shown = labeling.open_segment(store, lead, second.id).draft
    assert shown.text == "in greasy wash water all year." and shown.model == "base"


def test_unchanged_halves_show_no_change_in_review_and_zero_cer_on_the_dashboard(store, project, lead, ldc):
    first, second = labeling.split(store, lead, ldc.id, ldc.version, 1.35, 5)
    for part in (first, second):
        labeling.save_and_next(store, lead, part.id, part.version, part.text, None, (), None)
        context = review.open_for_review(store, lead, part.id)
        assert {piece.op for piece in context.diff} == {"equal"}
        assert "".join(piece.draft for piece in context.diff) == part.text
    quality = {row.segment_id: row for row in build_dashboard(store, lead, project).segments}
    rows = [quality[part.id] for part in (first, second)]
    assert [(row.draft_text, row.cer, row.saving) for row in rows] == [(first.text, 0.0, 1.0), (second.text, 0.0, 1.0)]


def test_split_then_merge_gives_the_draft_back(store, lead, ldc):
    whole = store.latest_draft(ldc.id)
    first, second = labeling.split(store, lead, ldc.id, ldc.version, 1.35, 5)
    merged = labeling.merge_with_next(store, lead, first.id, first.version, second.version, second.id)
    joined = store.latest_draft(merged.id)
    assert (joined.text, joined.words, figures(joined)) == (whole.text, whole.words, figures(whole))
    tiny = [d for d in store.list_drafts(merged.id) if d.model == "tiny.en"][-1]
    assert tiny.text == LDC_TEXT.lower()
    assert labeling.open_segment(store, lead, merged.id).draft.text == LDC_TEXT
    # Split again, at another place: the joined draft is the one cut.
    first, second = labeling.split(store, lead, merged.id, merged.version, 0.5, 2)
    assert (store.latest_draft(first.id).text, store.latest_draft(second.id).text) == (
        "She had",
        "your dark suit, in greasy wash water all year.",
    )


def test_a_draft_without_timings_follows_the_labelers_cut(store, settings, project, lead, speech_dir):
    recording = import_audio(store, settings, project, (speech_dir / "en" / "LDC93S1.wav").read_bytes(), "LDC93S1.wav")
    (segment,) = store.replace_segments(recording.id, project.id, [(0.1, 2.9)], {}, "prelabel")
    segment = store.add_draft(segment.id, untimed(LDC_TEXT), "prelabel")
    typed = "She had her dark suit in greasy wash water all year"
    first, second = labeling.split(store, lead, segment.id, segment.version, 1.35, 5, text=typed)
    assert (first.text, second.text) == ("She had her dark suit", "in greasy wash water all year")
    assert (store.latest_draft(first.id).text, store.latest_draft(second.id).text) == (
        "She had your dark suit,",
        "in greasy wash water all year.",
    )
    merged = labeling.merge_with_next(store, lead, first.id, first.version, second.version, second.id)
    assert store.latest_draft(merged.id).text == LDC_TEXT
    # Rewritten beyond recognition: the draft stays whole on the first half, the second has none.
    first, second = labeling.split(store, lead, merged.id, merged.version, 1.35, 2, text="totally other words")
    assert store.latest_draft(first.id).text == LDC_TEXT and store.list_drafts(second.id) == []


def test_a_split_that_fails_after_the_first_halfs_drafts_leaves_nothing_behind(store, lead, ldc, monkeypatch):
    import speechlabel.store.labeling as store_labeling

    real_insert, calls = store_labeling._insert_drafts, []

    def insert_then_fail(connection, segment_id, drafts):
        calls.append(segment_id)
        if len(calls) == 2:  # the first half's parts are in, the second half's are next
            raise RuntimeError("disk full")
        real_insert(connection, segment_id, drafts)

    monkeypatch.setattr(store_labeling, "_insert_drafts", insert_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        labeling.split(store, lead, ldc.id, ldc.version, 1.35, 5)
    assert calls[0] == ldc.id and [s.id for s in store.list_segments(ldc.recording_id)] == [ldc.id]
    assert len(store.list_drafts(ldc.id)) == 3 and store.get_segment(ldc.id).version == ldc.version


# --- the real draft of a real recording ----------------------------------------------------


@pytest.fixture(scope="module")
def jfk_draft(speech_dir) -> Draft:
    """JFK's 11 s by the bundled faster-whisper base model, with word timings."""
    options = TranscribeOptions(model="base", language="en")
    return get_engine(options).transcribe(load_mono_16k(speech_dir / "en" / "jfk.wav"), options)


def test_the_real_jfk_draft_splits_at_the_comma_and_merges_back(store, settings, project, lead, speech_dir, jfk_draft):
    jfk = import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    (segment,) = store.replace_segments(jfk.id, jfk.project_id, [(0.0, jfk.probe.duration)], {}, "prelabel")
    segment = store.add_draft(segment.id, jfk_draft, "prelabel")
    words = segment.text.split()
    # "... do for you," | "ask ...": the model may put commas before it too ("my fellow Americans,").
    comma = words.index("you,") + 1
    shown = labeling.open_segment(store, lead, segment.id).draft
    at_time = split_time_for(segment, segment.text, comma, shown)
    first, second = labeling.split(store, lead, segment.id, segment.version, at_time, comma)
    one, two = store.latest_draft(first.id), store.latest_draft(second.id)
    assert (one.text, two.text) == (first.text, second.text)  # the labeler's cut and the draft's agree
    assert one.text.endswith("you,") and two.text.startswith("ask")
    assert one.words + two.words == jfk_draft.words and all(w.start >= at_time for w in two.words)
    assert math.isclose(two.avg_logprob, jfk_draft.avg_logprob)
    for part in (first, second):
        context = review.open_for_review(store, lead, part.id)
        assert {piece.op for piece in context.diff} == {"equal"} and context.draft.text == part.text
    merged = labeling.merge_with_next(store, lead, first.id, first.version, second.version, second.id)
    assert store.latest_draft(merged.id).text == jfk_draft.text == merged.text
