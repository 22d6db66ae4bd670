"""Grouping segments into Whisper windows and handing each its words back."""

from speechlabel.prelabel.windowing import (
    ScoredStretch,
    TimedWord,
    assign_words,
    compression_ratio,
    group_into_windows,
    join_words,
    overlapping_scores,
)


def test_consecutive_segments_share_a_window_up_to_its_length():
    bounds = [(0.0, 4.0), (4.5, 10.0), (12.0, 27.9), (28.5, 30.0), (31.0, 60.0)]
    assert group_into_windows(bounds, 28.0) == [[0, 1, 2], [3], [4]]
    assert group_into_windows(bounds, 0) == [[0], [1], [2], [3], [4]]
    assert group_into_windows([], 28.0) == []


def test_words_go_to_the_segment_holding_their_middle_or_the_nearest():
    words = [
        TimedWord(" ask", 0.10, 0.40, 0.9),
        TimedWord(" not", 0.45, 0.95, 0.8),  # middle 0.70 inside the first span
        TimedWord(" what", 1.15, 1.35, 0.7),  # middle 1.25, in the pause: nearer the second span
        TimedWord(" your", 1.50, 1.80, 0.6),
    ]
    first, second = assign_words(words, [(0.0, 1.0), (1.4, 2.0)])
    assert join_words(first) == "ask not"
    assert join_words(second) == "what your"


def test_korean_words_keep_their_spacing():
    words = [TimedWord(" 컨베이어", 0.0, 0.5, 0.9), TimedWord("를", 0.5, 0.6, 0.9), TimedWord(" 멈춰", 0.7, 1.0, 0.9)]
    assert join_words(words) == "컨베이어를 멈춰"


def test_scores_come_from_the_overlapping_whisper_segments():
    stretches = [ScoredStretch(0.0, 2.0, -0.2, 0.01), ScoredStretch(2.0, 6.0, -1.0, 0.30)]
    logprob, no_speech = overlapping_scores(stretches, (1.0, 3.0))
    assert logprob == -0.6 and no_speech == 0.30
    assert overlapping_scores(stretches, (0.5, 1.5)) == (-0.2, 0.01)
    assert overlapping_scores(stretches, (7.0, 8.0)) is None


def test_compression_ratio_flags_repetition():
    assert compression_ratio("") == 0.0
    assert compression_ratio("yeah, " * 40) > 2.4 > compression_ratio("And so my fellow Americans, ask not.")
