"""Labor telemetry and the from-scratch baseline (issue 21, points 1 and 2), on a real SQLite file
and the real PostgreSQL: what a save's telemetry may be (refused, clamped), that it is stored
with the revision the save made, that the from-scratch share is a stable hash pick whose
segments show no draft (card, list, second labeling) and record draft_shown = false, and the
labor figures against values computed by hand. The browser's side: tests/e2e/test_labor.py."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from speechlabel.analytics.dashboard import DashboardFilter
from speechlabel.analytics.labor import LaborOptions, build_labor_report, labor_csv_rows, labor_report
from speechlabel.core.errors import Forbidden, ValidationError
from speechlabel.core.labor import Labor, LaborLimits, from_scratch, read_labor
from speechlabel.core.models import AssignmentSettings, ReviewReason, SegmentStatus
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import assignment, double_labeling
from speechlabel.labeling.loop.cards import segment_card
from speechlabel.review import decisions as review
from speechlabel.store.dashboard import PairRow
from speechlabel.store.labor import LaborRow, LaborRows, SegmentReviewRow

ALL_FROM_SCRATCH = AssignmentSettings(batch_size=20, from_scratch_share=1.0)
ALL_WITH_DRAFT = AssignmentSettings(batch_size=20, from_scratch_share=0.0)


def labor(active: float, keys: int = 0, edits: int = 0, plays: int = 0) -> dict:
    return {"active_seconds": active, "keys": keys, "edits": edits, "plays": plays}


# --- what a save's telemetry may be -------------------------------------------------------------


def test_malformed_telemetry_is_refused_and_implausible_telemetry_is_clamped():
    assert read_labor(None) is None
    assert read_labor(labor(12.5, 40, 31, 3)) == Labor(12.5, 40, 31, 3, clamped=False)
    refused = [
        "12 seconds",
        [1, 2, 3, 4],
        labor(-1.0),
        labor(float("nan")),
        labor(float("inf")),
        labor(3.0, keys=-5),
        labor(3.0, keys=2.5),
        labor(3.0, plays=True),
        labor("3"),
        {"active_seconds": 3.0, "keys": 1, "edits": 1},  # plays missing
    ]
    for raw in refused:
        with pytest.raises(ValidationError):
            read_labor(raw)
    limits = LaborLimits()
    huge = read_labor(labor(1e12, 10**15, 10**15, 10**9))
    assert huge == Labor(limits.active_seconds, limits.keys, limits.edits, limits.plays, clamped=True)


def test_the_from_scratch_pick_is_stable_honours_the_share_and_is_not_the_double_labeling_pick():
    ids = [f"rec-{number:010x}" for number in range(20_000)]  # fixed ids: the figures below never vary
    for share in (0.0, 0.02, 0.1, 1.0):
        chosen = sum(from_scratch(segment_id, share) for segment_id in ids)
        assert abs(chosen / len(ids) - share) < 0.005
    assert [from_scratch(i, 0.3) for i in ids[:200]] == [from_scratch(i, 0.3) for i in ids[:200]]
    scratch = {i for i in ids if from_scratch(i, 0.1)}
    double = {i for i in ids if double_labeling.picked(i, 0.1)}
    # Independent draws: about a tenth of one set falls in the other, not all of it.
    assert 0.05 < len(scratch & double) / len(scratch) < 0.15
    assert AssignmentSettings().from_scratch_share == 0.02


def test_the_share_is_a_project_setting_refused_outside_zero_to_one(store, project, team):
    from speechlabel.projects.manage import update_assignment_settings

    for share in (-0.01, 1.5, "2 %", True):
        with pytest.raises(ValidationError, match="from-scratch share"):
            update_assignment_settings(store, team["lead"], project, AssignmentSettings(from_scratch_share=share))
    with pytest.raises(Forbidden):
        update_assignment_settings(store, team["ana"], project, ALL_FROM_SCRATCH)
    saved = update_assignment_settings(store, team["lead"], project, AssignmentSettings(from_scratch_share=0.05))
    assert (
        store.get_project(project.name).assignment_settings.from_scratch_share
        == 0.05
        == (saved.assignment_settings.from_scratch_share)
    )


# --- stored with the revision -------------------------------------------------------------------


def test_a_save_keeps_its_telemetry_beside_the_revision_it_made(store, project, ldc, team):
    _, (first, second) = ldc
    ana = team["ana"]
    assert labeling.next_segment(store, ana, project).id == first.id
    labeling.submit(
        store, ana, first.id, first.version, "she had your dark suit", None, (), None, "t", Labor(7.25, 9, 4, 2)
    )
    labeling.skip(store, ana, second.id, second.version, "noise only", Labor(3.0, 1, 0, 1))
    [row] = store.labor_of_segment(first.id)
    assert (row.labeler, row.active_seconds, row.keys, row.edits, row.plays) == ("ana", 7.25, 9, 4, 2)
    assert row.draft_shown and not row.second_labeling and not row.clamped
    assert row.audio_seconds == pytest.approx(first.duration)
    revision = store.list_revisions(first.id)[-1]
    assert revision.status == SegmentStatus.SUBMITTED and abs((revision.created_at - row.at).total_seconds()) < 1
    [skipped] = store.labor_of_segment(second.id)
    assert (skipped.active_seconds, skipped.plays) == (3.0, 1)
    # A save without telemetry (the command line) stores none; a refused save stores none.
    again = store.get_segment(first.id)
    with pytest.raises(ValidationError):
        labeling.submit(store, ana, first.id, again.version, "   ", None, (), None, None, Labor(5.0, 1, 1, 0))
    labeling.submit(store, ana, first.id, again.version, "she had your dark suit.", None, (), None)
    assert len(store.labor_of_segment(first.id)) == 1


# --- from scratch: no draft anywhere a labeler looks --------------------------------------------


def test_a_from_scratch_segment_opens_empty_without_draft_words_and_records_no_draft(
    store, settings, project, ldc, team
):
    _, (first, _) = ldc
    project = store.update_assignment_settings(project.id, ALL_FROM_SCRATCH)
    ana, lead = team["ana"], team["lead"]
    assert labeling.next_segment(store, ana, project).id == first.id
    card = segment_card(store, settings, ana, first.id)
    assert (card.text, card.saved_text, card.draft, card.draft_shown) == ("", "", None, False)
    assert [s.text for s in labeling.my_work(store, ana, project)] == ["", ""]
    # The draft is still kept and scored: only the labeler's view leaves it out.
    assert labeling.open_segment(store, lead, first.id).draft.text == "she had your dark suit"
    labeling.keep_unsaved_edit(store, ana, first.id, first.version, "she had", None, ())
    assert segment_card(store, settings, ana, first.id).text == "she had"  # their own typing comes back
    labeling.submit(
        store, ana, first.id, first.version, "she had your dark suit", None, (), None, None, Labor(20, 30, 25, 3)
    )
    assert not store.labor_of_segment(first.id)[0].draft_shown
    # Once saved, the text is the labeler's own and shows as such.
    assert segment_card(store, settings, ana, first.id).text == "she had your dark suit"

    project = store.update_assignment_settings(project.id, ALL_WITH_DRAFT)
    with_draft = segment_card(store, settings, ana, ldc[1][1].id)
    assert with_draft.draft_shown and with_draft.text == with_draft.draft.text == "in greasy wash water all year"


def test_a_second_labeler_of_a_from_scratch_segment_starts_empty_too(store, settings, project, ldc, team):
    _, (first, _) = ldc
    project = store.update_assignment_settings(
        project.id, AssignmentSettings(batch_size=3, double_share=1.0, from_scratch_share=1.0)
    )
    ana, ben = team["ana"], team["ben"]
    assert assignment.next_for(store, ana, project).id == first.id
    assert assignment.next_for(store, ben, project).id == first.id  # the waiting second labeling
    card = segment_card(store, settings, ben, first.id)
    assert card.second_labeling and (card.text, card.draft, card.draft_shown) == ("", None, False)
    assert [s.text for s in labeling.my_work(store, ben, project) if s.id == first.id] == [""]
    saved, _ = labeling.submit(
        store, ben, first.id, first.version, "she had your dark suit", None, (), None, None, Labor(9, 22, 22, 1)
    )
    assert saved.text == ""  # what ben sees of it stays without the draft
    [row] = store.labor_of_segment(first.id)
    assert (row.labeler, row.second_labeling, row.draft_shown, row.keys) == ("ben", True, False, 22)


# --- the figures --------------------------------------------------------------------------------


def test_labor_per_audio_minute_with_and_without_drafts_by_hand(store, project, pool, team, rita):
    """Six segments with the draft (10..15 s of labor each), six from scratch (30..35 s), 0.8 s of
    audio each; rita rejects one from-scratch segment and approves one with the draft."""
    _, segments = pool
    ana, ben, lead = team["ana"], team["ben"], team["lead"]
    assignment.assign_segments(store, lead, project, "ana", 6)
    assignment.assign_segments(store, lead, project, "ben", 6)
    drafted, scratch = segments[:6], segments[6:]
    store.update_assignment_settings(project.id, ALL_WITH_DRAFT)
    for index, segment in enumerate(drafted):
        labeling.submit(
            store, ana, segment.id, segment.version, f"words {index}", None, (), None, None, Labor(10 + index, 5, 4, 1)
        )
    store.update_assignment_settings(project.id, ALL_FROM_SCRATCH)
    for index, segment in enumerate(scratch):
        labeling.submit(
            store,
            ben,
            segment.id,
            segment.version,
            f"typed {index}",
            None,
            (),
            None,
            None,
            Labor(30 + index, 40, 35, 2),
        )
    review.approve(store, rita, drafted[0].id, store.get_segment(drafted[0].id).version)
    review.reject(store, rita, scratch[0].id, store.get_segment(scratch[0].id).version, ReviewReason.TEXT_MINOR)

    report = build_labor_report(store, lead, project)
    minutes = 6 * 0.8 / 60
    with_draft, from_scratch_group = report.with_draft, report.from_scratch
    assert with_draft.rate.units == from_scratch_group.rate.units == 6
    assert with_draft.rate.audio_minutes == pytest.approx(minutes)
    assert with_draft.rate.seconds_per_audio_minute == pytest.approx(75 / minutes)
    assert from_scratch_group.rate.seconds_per_audio_minute == pytest.approx(195 / minutes)
    assert report.speedup == pytest.approx(195 / 75)
    for rate in (with_draft.rate, from_scratch_group.rate):
        assert rate.low < rate.seconds_per_audio_minute < rate.high
    assert report.speedup_low < report.speedup < report.speedup_high
    # Bootstrap bounds: each resample's mean lies within the group's smallest and largest segment.
    assert with_draft.rate.low >= 10 / 0.8 * 60 and with_draft.rate.high <= 15 / 0.8 * 60
    assert (with_draft.reviewed, with_draft.rejected, with_draft.rejection_rate) == (1, 0, 0.0)
    assert (from_scratch_group.reviewed, from_scratch_group.rejected, from_scratch_group.rejection_rate) == (1, 1, 1.0)
    assert (with_draft.rate.keys, from_scratch_group.rate.keys) == (30, 240)
    assert [(row.labeler, row.rate.units) for row in report.labelers] == [("ana", 6), ("ben", 6)]
    assert report.labelers[0].rate.seconds_per_audio_minute == pytest.approx(75 / minutes)
    assert [row.rate.units for row in report.days] == [12]
    assert report.project.seconds_per_audio_minute == pytest.approx(270 / (2 * minutes))
    assert report.clamped_saves == 0
    # The same data, the same intervals (a fixed seed); the filter keeps one labeler.
    assert build_labor_report(store, lead, project) == report
    only_ben = build_labor_report(store, lead, project, DashboardFilter(labelers=("ben",)))
    assert (only_ben.with_draft.rate.units, only_ben.from_scratch.rate.units) == (0, 6)
    assert only_ben.speedup is None and only_ben.with_draft.rate.low is None
    assert {row.scope for row in labor_csv_rows(report)} == {"project", "with_draft", "from_scratch", "labeler", "day"}
    with pytest.raises(Forbidden):
        build_labor_report(store, ana, project)


def _row(segment: str, labeler: str, active: float, audio: float, shown: bool, day: int = 1) -> LaborRow:
    return LaborRow(
        segment, labeler, datetime(2026, 12, day, 9, tzinfo=UTC), False, shown, audio, active, 1, 1, 0, False
    )


def test_units_sum_a_labelers_saves_of_one_segment_and_cer_compares_with_the_second_labeling():
    rows = LaborRows(
        labor=(
            _row("a", "ana", 4.0, 2.0, True),
            _row("a", "ana", 2.0, 3.0, True, day=2),  # reopened, resized, saved again: one unit
            _row("b", "ana", 12.0, 3.0, False),
            _row("b", "tom", 6.0, 3.0, False),  # the second labeling is tom's unit
        ),
        reviews=(SegmentReviewRow("a", "ana", "approved"), SegmentReviewRow("b", "ana", "rejected")),
        pairs=(
            PairRow(
                "b",
                "ana",
                "abcdefghij",
                datetime(2026, 12, 1, tzinfo=UTC),
                0.0,
                3.0,
                "tom",
                "abcdefghXY",
                datetime(2026, 12, 1, tzinfo=UTC),
                0.0,
                3.0,
            ),
            PairRow(
                "a",
                "ana",
                "same",
                datetime(2026, 12, 1, tzinfo=UTC),
                0.0,
                3.0,
                "tom",
                "other",
                datetime(2026, 12, 1, tzinfo=UTC),
                0.0,
                2.0,
            ),  # other bounds: not compared
        ),
    )
    report = labor_report(rows, "en", options=LaborOptions(resamples=200))
    assert report.with_draft.rate.units == 1 and report.with_draft.rate.active_seconds == 6.0
    assert report.with_draft.rate.audio_minutes == pytest.approx(3.0 / 60)  # the last save's audio
    assert report.with_draft.rate.low is None  # one unit: no interval
    assert report.from_scratch.rate.seconds_per_audio_minute == pytest.approx(18.0 / (6.0 / 60))
    assert (report.from_scratch.agreement_pairs, report.from_scratch.agreement_cer) == (1, pytest.approx(0.2))
    assert report.with_draft.agreement_cer is None and report.from_scratch.rejection_rate == 1.0
    assert [row.day for row in report.days] == [date(2026, 12, 1), date(2026, 12, 2)]
    assert report.speedup == pytest.approx((18.0 / 0.1) / (6.0 / 0.05))
    assert math.isclose(report.project.active_seconds, 24.0)
    with pytest.raises(ValidationError):
        LaborOptions(confidence=1.5)
    nothing = labor_report(LaborRows((), (), ()), "en")
    assert (nothing.project.units, nothing.labelers, nothing.days, nothing.speedup) == (0, (), (), None)
    # A group too large to bootstrap within max_draws takes the normal approximation: an interval still.
    large = labor_report(rows, "en", options=LaborOptions(resamples=200, max_draws=100))
    assert large.from_scratch.rate.low < large.from_scratch.rate.seconds_per_audio_minute < large.from_scratch.rate.high
