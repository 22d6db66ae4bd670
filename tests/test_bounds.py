"""The rules of segment times (``speechlabel.core.bounds``), each at its edge."""

from __future__ import annotations

import pytest

from speechlabel.core import bounds


def test_times_are_kept_to_the_millisecond():
    assert bounds.in_ms(1.23456) == 1.235 and bounds.in_ms(0.0004) == 0.0


@pytest.mark.parametrize(
    ("start", "end", "empty", "too_short"),
    [
        (1.0, 1.0, True, True),
        (1.0, 0.9, True, True),
        (1.0, 1.05, False, True),
        (1.0, 1.1, False, False),
        (0.7, 0.8, False, False),  # 0.8 - 0.7 is a hair under 0.1 in floats
    ],
)
def test_empty_and_too_short(start, end, empty, too_short):
    assert bounds.empty(start, end) is empty
    assert bounds.too_short(start, end) is too_short


def test_inside_the_recording():
    assert bounds.before_recording(-0.001) and not bounds.before_recording(0.0)
    assert bounds.past_end(10.001, 10.0) and not bounds.past_end(10.0, 10.0)
    assert not bounds.past_end(10.001, 10.0, tolerance=1e-3) and bounds.past_end(10.06, 10.0, tolerance=0.05)
    assert bounds.after_recording(10.0, 10.0) and not bounds.after_recording(9.999, 10.0)


def test_neighbours():
    assert bounds.overlaps_previous(4.9, 5.0) and not bounds.overlaps_previous(5.0, 5.0)
    assert not bounds.overlaps_previous(0.0, None)
    assert bounds.overlaps_next(5.1, 5.0) and not bounds.overlaps_next(5.0, 5.0) and not bounds.overlaps_next(9.0, None)


def test_where_a_split_may_fall():
    assert bounds.split_range(1.0, 2.0) == (1.1, 1.9)
    low, high = bounds.split_range(1.0, 1.15)
    assert low > high  # too short to split


def test_same_bounds_to_the_millisecond():
    assert bounds.same_bounds(1.0, 2.0, 1.0004, 1.9996)
    assert not bounds.same_bounds(1.0, 2.0, 1.001, 2.0)
    assert bounds.same_bounds(None, None, 0.0, 0.0)
