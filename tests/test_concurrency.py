"""Twenty labelers pulling work and saving at once for 30 s, on SQLite and on PostgreSQL: no
segment is given to two of them (outside double labeling: a tenth of the segments is labeled
once more, independently, by someone else), no update is lost, and nobody sees an error other
than a clear conflict. The simulation is tests/labeler_crowd.py's (bench/teams.py runs it too and
prints saves per second)."""

from __future__ import annotations

import os

import pytest

from speechlabel.core.models import SegmentStatus
from tests.labeler_crowd import build_pool, check, crowd, simulate

pytestmark = pytest.mark.slow  # a soak: 30 s per database

SECONDS = float(os.environ.get("SPEECHLABEL_CONCURRENCY_SECONDS", "30"))


def test_twenty_labelers_for_thirty_seconds(store, settings):
    project = build_pool(store, settings, segments=12_000, double_share=0.1)
    result = simulate(store, project, crowd(store, project, 20), SECONDS)
    assert check(store, result) == []
    assert result.errors == []
    # Every save is in the database as submitted, by the labeler who made it.
    assert len(result.saves) > 20 * 5  # they really worked, not just started
    assert result.second_saves  # and double labeling happened in the crowd
    counts = store.count_segments_by_status(project.id)
    assert counts[SegmentStatus.SUBMITTED] == len(result.saves)
    sample = result.saves[:: max(1, len(result.saves) // 50)]
    for segment_id, labeler, text in sample:
        segment = store.get_segment(segment_id)
        assert (segment.text, segment.updated_by) == (text, labeler)
