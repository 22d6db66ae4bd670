"""Double labeling on a real SQLite file and the real PostgreSQL: a configured share of segments
is transcribed by a second labeler who starts from the draft, never sees the first text, and is
never the first labeler; their text is kept beside the segment, which it does not change."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from speechlabel.core.errors import Forbidden, ValidationError
from speechlabel.core.models import AssignmentSettings, Role, SegmentStatus
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import assignment, double_labeling
from speechlabel.prelabel.pipeline import prelabel_project
from speechlabel.projects.manage import update_assignment_settings
from speechlabel.store.rows import utc_now
from tests.command_line import run
from tests.sample_projects import member

EVERY = AssignmentSettings(batch_size=3, lease_minutes=30, double_share=1.0, from_scratch_share=0.0)


def test_the_pick_is_stable_and_honours_the_share():
    ids = [uuid.uuid4().hex for _ in range(20_000)]
    for share in (0.0, 0.1, 0.25, 1.0):
        chosen = sum(double_labeling.picked(segment_id, share) for segment_id in ids)
        assert abs(chosen / len(ids) - share) < 0.01
    assert [double_labeling.picked(i, 0.3) for i in ids[:100]] == [double_labeling.picked(i, 0.3) for i in ids[:100]]


def test_a_share_outside_zero_to_one_is_refused(store, project, team):
    for share in (-0.1, 1.5, "half", True):
        with pytest.raises(ValidationError, match="double-labeling share"):
            update_assignment_settings(store, team["lead"], project, AssignmentSettings(double_share=share))
    with pytest.raises(Forbidden, match="ana is a labeler"):
        update_assignment_settings(store, team["ana"], project, EVERY)


def test_second_labeler_works_from_the_draft_and_the_segment_keeps_the_first_labeling(
    store, settings, project, speech_dir, team
):
    project = store.update_assignment_settings(project.id, EVERY)
    import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    prelabel_project(store, settings, project)
    ana, ben = team["ana"], team["ben"]

    first = assignment.next_for(store, ana, project)
    # Ben's first claim is the waiting second labelings of Ana's batch, not new first work.
    second = assignment.next_for(store, ben, project)
    assert second.id == first.id
    seen = labeling.open_segment(store, ben, first.id)
    assert seen.second_labeling and seen.draft is not None
    assert seen.segment.text == seen.draft.text != ""

    ana_view = labeling.open_segment(store, ana, first.id)
    assert not ana_view.second_labeling
    labeling.save_and_next(store, ana, first.id, ana_view.segment.version, "Ana's words", "Kennedy", ["noise"], None)

    # Ben still sees the draft, not Ana's text, speaker or tags, and nothing conflicts.
    labeling.keep_unsaved_edit(store, ben, first.id, seen.segment.version, "ben typing", None, ())
    again = labeling.open_segment(store, ben, first.id)
    assert (again.segment.text, again.segment.speaker, again.segment.tags) == (seen.draft.text, None, ())
    assert again.unsaved.text == "ben typing" and not again.conflicting_edit
    saved, _ = labeling.save_and_next(store, ben, first.id, again.segment.version, "Ben's words", None, [], "heard it")
    assert saved.text == seen.draft.text  # what Ben sees stays masked

    segment = store.get_segment(first.id)
    assert (segment.text, segment.updated_by, segment.status) == ("Ana's words", "ana", SegmentStatus.SUBMITTED)
    kept = double_labeling.second_label_of(store, team["lead"], first.id)
    assert (kept.labeler, kept.text, kept.comment, kept.done) == ("ben", "Ben's words", "heard it", True)
    assert (kept.start, kept.duration) == (segment.start, segment.duration)
    assert labeling.unsaved_edit(store, ben, first.id) is None
    [pair] = double_labeling.label_pairs(store, team["lead"], project)
    assert (pair.first_text, pair.first_by, pair.second_text, pair.second_by, pair.same_bounds) == (
        "Ana's words",
        "ana",
        "Ben's words",
        "ben",
        True,
    )
    # A second save, and reading pairs as a labeler, are refused.
    with pytest.raises(Forbidden):
        labeling.save_and_next(store, ben, first.id, again.segment.version, "again", None, [], None)
    with pytest.raises(Forbidden, match="ben is a labeler"):
        double_labeling.label_pairs(store, ben, project)


def test_the_second_labeler_cannot_change_bounds_or_status(store, project, pool, team):
    _, segments = pool
    project = store.update_assignment_settings(project.id, EVERY)
    assignment.next_for(store, team["ana"], project)
    mine = assignment.next_for(store, team["ben"], project)
    version = store.get_segment(mine.id).version
    for action in (
        lambda: labeling.nudge(store, team["ben"], mine.id, version, 0.05, 0),
        lambda: labeling.mark_untranscribable(store, team["ben"], mine.id, version, "noise"),
        lambda: labeling.split(store, team["ben"], mine.id, version, mine.start + 0.3, 1),
    ):
        with pytest.raises(Forbidden, match="second, independent labeling"):
            action()
    assert store.get_segment(mine.id).version == version


def test_nobody_gets_both_labelings_of_a_segment(store, project, pool, team):
    _, segments = pool
    project = store.update_assignment_settings(project.id, EVERY)
    ana, ben = team["ana"], team["ben"]
    assignment.next_for(store, ana, project)
    hers = [s.id for s in labeling.my_work(store, ana, project)]
    for segment_id in hers:
        version = store.get_segment(segment_id).version
        labeling.save_and_next(store, ana, segment_id, version, "ana", None, [], None)
    # Her batch is done; the waiting second labelings are of her own segments: she gets new work.
    now_hers = [s.id for s in labeling.my_work(store, ana, project) if s.status != SegmentStatus.SUBMITTED]
    assert now_hers and not set(now_hers) & set(hers)
    # Ben takes the second labelings of the first batch; Ana's lease on her second batch runs out.
    later = utc_now() + timedelta(minutes=31)
    bens = assignment.next_for(store, ben, project, now=later)
    assert bens.id in hers
    # When Ben next claims first work (after his second labelings), the segments of which he
    # holds the second labeling are not among it.
    held = {s.id for s in double_labeling.held(store, ben, project, later)}
    claimed = store.claim_free_segments(
        project.id, "ben", assignment.LEASABLE, later, later + timedelta(minutes=30), limit=100
    )
    assert held and not held & {s.id for s in claimed}


def test_a_skipped_second_labeling_goes_to_someone_else(store, project, pool, team):
    project = store.update_assignment_settings(project.id, EVERY)
    assignment.next_for(store, team["ana"], project)
    mine = assignment.next_for(store, team["ben"], project)
    with pytest.raises(ValidationError, match="reason"):
        labeling.skip(store, team["ben"], mine.id, mine.version, " ")
    labeling.skip(store, team["ben"], mine.id, mine.version, "another language")
    assert store.get_segment(mine.id).status == mine.status  # the segment is untouched
    assert not double_labeling.holds(store, team["ben"], mine.id)
    assert mine.id not in {s.id for s in double_labeling.held(store, team["ben"], project, utc_now())}
    assert assignment.next_for(store, team["eva"], project).id == mine.id


def test_an_expired_second_labeling_cannot_be_saved(store, project, pool, team):
    project = store.update_assignment_settings(project.id, EVERY)
    assignment.next_for(store, team["ana"], project)
    start = utc_now()
    mine = assignment.next_for(store, team["ben"], project, now=start)
    assert double_labeling.holds(store, team["ben"], mine.id, now=start + timedelta(minutes=29))
    assert not double_labeling.holds(store, team["ben"], mine.id, now=start + timedelta(minutes=31))


def test_no_share_no_second_labeling(store, project, pool, team):
    project = store.update_assignment_settings(project.id, AssignmentSettings(batch_size=3, from_scratch_share=0.0))
    first = assignment.next_for(store, team["ana"], project)
    assert double_labeling.second_label_of(store, team["lead"], first.id) is None
    assert assignment.next_for(store, team["ben"], project).id != first.id


def test_cli_sets_the_assignment_settings(data_dir, capsys):
    assert run(data_dir, "project", "create", "calls", "--language", "en") == 0
    assert (
        run(
            data_dir,
            "project",
            "settings",
            "calls",
            "--double-share",
            "0.2",
            "--batch-size",
            "10",
            "--daily-quota",
            "0",
        )
        == 0
    )
    shown = capsys.readouterr().out
    assert "double-labeled share: 0.2" in shown and "batch size: 10" in shown and "daily quota: (none)" in shown
    assert run(data_dir, "project", "settings", "calls", "--double-share", "1.5") != 0
    assert "double-labeling share 1.5 is not allowed; use 0 (none) to 1" in capsys.readouterr().err
    assert run(data_dir, "project", "settings", "calls") == 0
    assert "double-labeled share: 0.2" in capsys.readouterr().out


def test_roles_read_second_labelings(store, project, pool, team):
    project = store.update_assignment_settings(project.id, EVERY)
    first = assignment.next_for(store, team["ana"], project)
    reviewer = member(store, project, "rita", Role.REVIEWER)
    assert double_labeling.second_label_of(store, reviewer, first.id).done is False
    with pytest.raises(Forbidden):
        double_labeling.second_label_of(store, team["ana"], first.id)
