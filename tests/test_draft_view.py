"""Which draft words the label page shows and flags, and where a split cuts the audio."""

from __future__ import annotations

import pytest

from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Draft, Segment, SegmentStatus, Word
from speechlabel.labeling.draft_view import draft_view, split_time_for, word_index_at


def a_segment(start: float, end: float, text: str = "") -> Segment:
    return Segment("rec-1-a", "rec-1", start, round(end - start, 3), text, SegmentStatus.DRAFTED, 2)


def a_draft(*words: tuple[str, float, float, float], text: str = "") -> Draft:
    timed = tuple(Word(symbol, start, round(end - start, 3), score) for symbol, start, end, score in words)
    return Draft(
        text or " ".join(w[0] for w in words), timed, -0.3, 0.02, 1.2, "en", 0.99, "faster-whisper", "base", {}
    )


def test_words_below_the_threshold_are_flagged():
    draft = a_draft(("turn", 0.1, 0.4, 0.93), ("on", 0.4, 0.5, 0.41), ("conveyor", 0.6, 1.1, 0.2))
    view = draft_view([draft], a_segment(0.0, 1.2), threshold=0.5)
    assert [(w.symbol, w.low_confidence) for w in view.words] == [("turn", False), ("on", True), ("conveyor", True)]
    assert (view.text, view.low_confidence_count, view.model) == ("turn on conveyor", 2, "base")
    assert draft_view([draft], a_segment(0.0, 1.2), threshold=0.0).low_confidence_count == 0


def test_only_words_inside_the_current_bounds_show_after_a_nudge_or_split():
    draft = a_draft(("one", 0.0, 0.4, 0.9), ("two", 0.5, 0.9, 0.9), ("three", 1.0, 1.4, 0.9))
    assert draft_view([draft], a_segment(0.45, 1.5), 0.5).text == "two three"


def test_after_a_merge_both_drafts_show_and_the_newest_wins_where_they_overlap():
    older = a_draft(("alpha", 0.0, 0.4, 0.9), ("beta", 0.5, 0.9, 0.9))
    newer = a_draft(("gamma", 1.0, 1.3, 0.9), ("delta", 1.4, 1.8, 0.9))
    assert draft_view([older, newer], a_segment(0.0, 2.0), 0.5).text == "alpha beta gamma delta"
    redrafted = a_draft(("ALPHA", 0.0, 0.4, 0.9), ("BETA", 0.5, 0.9, 0.9))
    assert draft_view([older, newer, redrafted], a_segment(0.0, 2.0), 0.5).text == "ALPHA BETA gamma delta"


def test_a_draft_without_word_timings_shows_its_text_and_no_draft_is_none():
    assert draft_view([a_draft(text="just text")], a_segment(0, 1), 0.5).text == "just text"
    assert draft_view([], a_segment(0, 1), 0.5) is None


def test_split_time_falls_in_the_pause_between_aligned_words():
    draft = draft_view([a_draft(("one", 1.0, 1.4, 0.9), ("two", 1.6, 2.0, 0.9))], a_segment(1.0, 2.0), 0.5)
    assert split_time_for(a_segment(1.0, 2.0), "one two", 1, draft) == 1.5


def test_split_time_is_proportional_when_the_text_was_rewritten():
    segment = a_segment(10.0, 12.0)
    draft = draft_view([a_draft(("x", 10.0, 11.0, 0.9))], segment, 0.5)
    assert split_time_for(segment, "aaaa bbbb", 1, draft) == pytest.approx(10.0 + 2.0 * 4 / 9, abs=1e-3)
    assert split_time_for(segment, "한국어 문장", 1, None) == pytest.approx(10.0 + 2.0 * 3 / 6, abs=1e-3)


@pytest.mark.parametrize("index", [0, 2, -1])
def test_split_time_refuses_a_cut_outside_the_words(index):
    with pytest.raises(ValidationError, match="allowed: 1–1"):
        split_time_for(a_segment(0, 1), "one two", index, None)


def test_a_styled_draft_keeps_its_word_timings_across_a_dual_transcription():
    """The draft's ``70%`` is ``(70%)/(칠십 퍼센트)`` in the text (conventions.draft_style): one
    word of two tokens, so the words still line up and a cut falls in the pause."""
    segment = a_segment(0.0, 3.0)
    words = (("어", 0.1, 0.3, 0.9), ("70%", 0.5, 1.0, 0.9), ("확률", 1.4, 2.0, 0.9))
    draft = draft_view([a_draft(*words)], segment, 0.5)
    text = "어/ (70%)/(칠십 퍼센트) 확률"
    assert split_time_for(segment, text, 1, draft) == 0.4  # before the dual
    assert split_time_for(segment, text, 3, draft) == 1.2  # after it
    # Inside the dual there is no pause to cut in: proportional, as for a rewritten text.
    assert split_time_for(segment, text, 2, draft) == pytest.approx(3.0 * len("어/ (70%)/(칠십") / len(text), abs=1e-3)
    assert [word_index_at(segment, text, at, draft) for at in (0.0, 0.4, 1.2, 2.5)] == [0, 1, 3, 4]
