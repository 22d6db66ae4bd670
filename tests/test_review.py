"""Review on a real SQLite file and the real PostgreSQL: the queue and its orders, approve and
reject with a reason, the rejected segment back with its labeler and its rework reviewed again,
bulk approval, the quality policy, the draft/final diff, and the command line."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.errors import Forbidden, StaleVersion, ValidationError
from speechlabel.core.models import (
    ReviewDecision,
    ReviewReason,
    ReviewSettings,
    SegmentStatus,
)
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import assignment
from speechlabel.review import decisions as review
from speechlabel.review.decisions import DiffPiece, ReviewOrder, ReviewQuery
from speechlabel.store.rows import utc_now
from tests.command_line import run
from tests.review_work import CONFIDENCES, label_all, load_segments
from tests.sample_projects import member


def queue_ids(store, actor, project, **query) -> list[str]:
    return [item.segment.id for item in review.review_queue(store, actor, project, ReviewQuery(**query))]


def version(store, segment_id: str) -> int:
    return store.get_segment(segment_id).version


# --- the queue --------------------------------------------------------------------------------


def test_low_confidence_order_puts_the_least_sure_drafts_first_and_undrafted_last(store, project, work, rita):
    items = review.review_queue(store, rita, project)
    drafted = sorted((c, i) for i, c in enumerate(CONFIDENCES) if c is not None)
    undrafted = sorted(work.ids[i] for i, c in enumerate(CONFIDENCES) if c is None)
    assert [item.segment.id for item in items] == [work.ids[i] for _, i in drafted] + undrafted
    assert [round(item.confidence, 6) for item in items[:3]] == [0.1, 0.2, 0.3]
    assert items[-1].confidence is None
    first = items[0]
    assert (first.labeler, first.segment.status) == ("ana", SegmentStatus.SUBMITTED)
    assert first.submitted_at is not None and first.submitted_at <= utc_now()
    # Paged, and counted.
    assert queue_ids(store, rita, project, offset=2, limit=3) == [item.segment.id for item in items[2:5]]
    assert review.count_to_review(store, rita, project) == 12
    # The labeler filter applies to this order too.
    assert queue_ids(store, rita, project, labeler="ben") == [work.ids[i] for i in (6, 8, 7, 9)] + sorted(work.ids[10:])


def test_labeler_and_recording_orders_and_filters(store, project, work, rita, team):
    # By labeler, each labeler's work in submission order (they saved in time order).
    assert queue_ids(store, rita, project, order=ReviewOrder.LABELER) == work.ids
    assert queue_ids(store, rita, project, order="labeler", labeler="ben") == work.of("ben")
    assert review.count_to_review(store, rita, project, ReviewQuery(labeler="ben")) == 6
    # Ana saves her third segment again (it stays submitted): it moves to the end of her work.
    labeling.save_and_next(store, team["ana"], work.ids[2], version(store, work.ids[2]), "again", None, [], None)
    ana = work.of("ana")
    assert queue_ids(store, rita, project, order="labeler", labeler="ana") == ana[:2] + ana[3:] + ana[2:3]
    # By recording: time order within it, whoever labeled.
    assert queue_ids(store, rita, project, order="recording", recording_id=work.recording_id) == work.ids
    assert queue_ids(store, rita, project, order="recording", recording_id="nope") == []
    for bad, message in (
        ({"order": "random"}, "unknown review order 'random'"),
        ({"limit": 0}, "page size 0"),
        ({"offset": -1}, "offset -1"),
    ):
        with pytest.raises(ValidationError, match=message):
            review.review_queue(store, rita, project, ReviewQuery(**bad))


def test_the_sample_is_stable_and_honours_the_share():
    ids = [uuid.uuid4().hex for _ in range(20_000)]
    for share in (0.0, 0.1, 0.5, 1.0):
        assert abs(sum(review.in_sample(i, share) for i in ids) / len(ids) - share) < 0.01
    assert [review.in_sample(i, 0.3) for i in ids[:200]] == [review.in_sample(i, 0.3) for i in ids[:200]]


def test_sample_order_draws_each_labelers_share_and_more_of_a_flagged_labeler(store, project, work, rita, team):
    lead = team["lead"]
    half = review.update_review_settings(store, lead, project, ReviewSettings(sample_share=0.5))
    # The database computes the same hash as Python (PostgreSQL in SQL, SQLite via the function).
    expected = [i for i in work.ids if review.in_sample(i, 0.5)]
    assert queue_ids(store, rita, half, order="sample", limit=500) == expected
    assert review.count_to_review(store, rita, half, ReviewQuery(order=ReviewOrder.SAMPLE)) == len(expected)

    policy = ReviewSettings(sample_share=0.0, defect_threshold=0.2, min_reviews=1, flagged_share=1.0)
    project = review.update_review_settings(store, lead, project, policy)
    assert queue_ids(store, rita, project, order="sample") == []
    # One rejection makes Ana's defect rate 1/1 > 0.2: now all of her work is sampled, none of Ben's.
    review.reject(store, rita, work.ids[0], version(store, work.ids[0]), "text_major")
    assert [q.flagged for q in review.labeler_quality(store, rita, project)] == [True]
    assert queue_ids(store, rita, project, order="sample") == work.ids[1:6]
    # A rework is always in the sample, whoever's it is (Ben, 1 of 5 rejected, is not flagged).
    for segment_id in work.ids[7:11]:
        review.approve(store, rita, segment_id, version(store, segment_id))
    review.reject(store, lead, work.ids[6], version(store, work.ids[6]), "wrong_tags")
    label_all(store, team["ben"], work.ids[6:7], "fixed")
    assert queue_ids(store, rita, project, order="sample") == work.ids[1:7]


def test_next_to_review_walks_the_order_and_skips_the_reviewers_own_work(store, project, work, rita, team, monkeypatch):
    # One unfiltered look ahead, so skipping the lead's own work takes the filtered query.
    monkeypatch.setattr("speechlabel.store.reviews.NEXT_BATCH", 1)
    by_confidence = queue_ids(store, rita, project)
    query = ReviewQuery()
    first = review.next_to_review(store, rita, project, query)
    assert first.id == by_confidence[0]
    second = review.next_to_review(store, rita, project, query, after=first.id)
    assert second.id == by_confidence[1]
    # Deciding the first does not lose the place: its order keys still say where it was.
    review.approve(store, rita, first.id, first.version)
    assert review.next_to_review(store, rita, project, query, after=first.id).id == by_confidence[1]
    # After the last, it wraps round.
    assert review.next_to_review(store, rita, project, query, after=by_confidence[-1]).id == by_confidence[1]
    # The lead saved one of Ben's segments: it is the lead's work now, so the lead is never offered it.
    lead, mine = team["lead"], by_confidence[1]
    labeling.save_and_next(store, lead, mine, version(store, mine), "lead's words", None, [], None)
    assert review.next_to_review(store, lead, project, query).id == by_confidence[2]
    assert review.next_to_review(store, rita, project, query).id == mine


# --- decisions --------------------------------------------------------------------------------


def test_approve_writes_revision_review_and_audit(store, project, work, rita):
    segment_id = work.ids[3]
    before = store.get_segment(segment_id)
    saved = review.approve(store, rita, segment_id, before.version, comment="  clean  ")
    assert (saved.status, saved.version, saved.updated_by, saved.text) == (
        SegmentStatus.APPROVED,
        before.version + 1,
        "rita",
        before.text,
    )
    last = store.list_revisions(segment_id)[-1]
    assert (last.author, last.status, last.comment) == ("rita", SegmentStatus.APPROVED, "approved: clean")
    [kept] = review.open_for_review(store, rita, segment_id).reviews
    assert (kept.labeler, kept.reviewer, kept.decision, kept.reason, kept.comment, kept.segment_version) == (
        "ana",
        "rita",
        ReviewDecision.APPROVED,
        None,
        "clean",
        before.version,
    )
    assert segment_id not in queue_ids(store, rita, project)
    [line] = [e for e in store.list_audit([project.id]) if e.action == "segment_approved"]
    assert (line.actor, line.target, line.details["labeler"]) == ("rita", segment_id, "ana")


def test_each_reason_rejects_back_to_the_labeler_and_the_rework_is_reviewed_again(store, project, work, rita, team):
    ana = team["ana"]
    for index, (reason, segment_id) in enumerate(zip(ReviewReason, work.of("ana"))):
        given = reason.value.upper() if index % 2 else reason  # the code as text is accepted too
        saved = review.reject(store, rita, segment_id, version(store, segment_id), given, f"see {reason.value}")
        assert saved.status == SegmentStatus.REJECTED
        assert store.list_revisions(segment_id)[-1].comment == f"rejected: {reason.label} — see {reason.value}"
        lease = assignment.holder(store, segment_id)
        assert (lease.username, lease.assigned_by) == ("ana", "rita")
        assert lease.expires_at > utc_now() + review.REWORK_LEASE - timedelta(minutes=1)
    rejected = work.of("ana")
    # The rejected work is first in her queue, with the reason shown on the label page.
    first = labeling.next_segment(store, ana, project)
    assert first.id == rejected[0]
    context = labeling.open_segment(store, ana, first.id)
    assert (context.rejection.reason, context.rejection.comment, context.rejection.reviewer) == (
        ReviewReason.TEXT_MINOR,
        "see text_minor",
        "rita",
    )
    assert review.latest_rejection(store, ana, first.id) == context.rejection
    # Her fix is REWORKED and back in the review queue; saving it again keeps it REWORKED.
    fixed, _ = labeling.save_and_next(store, ana, first.id, first.version, "the fixed words", None, [], None)
    assert fixed.status == SegmentStatus.REWORKED
    # Her save renews her batch's 30-minute leases but never shortens the other rework leases.
    assert assignment.holder(store, rejected[1]).expires_at > utc_now() + review.REWORK_LEASE - timedelta(minutes=1)
    again, _ = labeling.save_and_next(store, ana, first.id, fixed.version, "the fixed words.", None, [], None)
    assert again.status == SegmentStatus.REWORKED
    assert labeling.open_segment(store, ana, first.id).rejection is None  # no longer rejected
    [item] = [i for i in review.review_queue(store, rita, project) if i.segment.id == first.id]
    assert (item.labeler, item.segment.status) == ("ana", SegmentStatus.REWORKED)
    approved = review.approve(store, rita, first.id, again.version)
    assert approved.status == SegmentStatus.APPROVED
    history = review.open_for_review(store, rita, first.id).reviews
    assert [(r.decision, r.labeler) for r in history] == [
        (ReviewDecision.REJECTED, "ana"),
        (ReviewDecision.APPROVED, "ana"),
    ]
    [ana_quality] = [q for q in review.labeler_quality(store, rita, project) if q.labeler == "ana"]
    assert (ana_quality.reviewed, ana_quality.rejected) == (7, 6)


def test_rejected_work_of_someone_who_left_goes_to_the_pool(store, project, work, rita, team):
    accounts.remove_role(store, SYSTEM, "ben", project)
    segment_id = work.ids[7]
    review.reject(store, rita, segment_id, version(store, segment_id), ReviewReason.BAD_BOUNDARIES)
    assert assignment.holder(store, segment_id) is None
    # Eva takes it from the pool; her fix is a rework, and hers.
    assert assignment.next_for(store, team["eva"], project).id == segment_id
    label_all(store, team["eva"], [segment_id], "eva's fix")
    assert store.get_segment(segment_id).status == SegmentStatus.REWORKED
    assert review.open_for_review(store, rita, segment_id).labeler == "eva"


def test_labelers_self_review_wrong_status_and_bad_input_are_refused(store, project, work, rita, team):
    ana, lead = team["ana"], team["lead"]
    segment_id = work.ids[6]
    with pytest.raises(Forbidden, match="ana is a labeler in 'demo'; reviewing needs the reviewer or lead role"):
        review.review_queue(store, ana, project)
    with pytest.raises(Forbidden, match="ana is a labeler"):
        review.approve(store, ana, segment_id, version(store, segment_id))
    with pytest.raises(Forbidden, match="ana is a labeler"):
        review.labeler_quality(store, ana, project)
    # The lead edits Ben's text and submits it: it is the lead's labeling now.
    labeling.save_and_next(store, lead, segment_id, version(store, segment_id), "lead's words", None, [], None)
    with pytest.raises(Forbidden, match="you labeled this segment; another reviewer must review it"):
        review.approve(store, lead, segment_id, version(store, segment_id))
    context = review.open_for_review(store, lead, segment_id)
    assert context.labeler == "lead" and not context.decidable_by(lead) and context.decidable_by(rita)
    with pytest.raises(ValidationError, match="unknown reason 'typo'; allowed: text_minor, text_major, wrong_speaker"):
        review.reject(store, rita, segment_id, version(store, segment_id), "typo")
    with pytest.raises(ValidationError, match="the comment has 2001 characters; at most 2000"):
        review.reject(store, rita, segment_id, version(store, segment_id), "text_minor", "x" * 2001)
    review.approve(store, rita, segment_id, version(store, segment_id))
    with pytest.raises(ValidationError, match="is approved; only submitted or reworked segments can be approved"):
        review.reject(store, rita, segment_id, version(store, segment_id), "text_minor")
    with pytest.raises(StaleVersion):
        review.approve(store, rita, segment_id, version(store, segment_id) - 1)
    assert [r.labeler for r in store.list_reviews(segment_id)] == ["lead"]


def test_two_reviewers_deciding_the_same_version_the_second_hears_who_was_first(store, project, work, rita, team):
    segment_id = work.ids[1]
    seen = version(store, segment_id)
    review.approve(store, team["lead"], segment_id, seen)
    with pytest.raises(StaleVersion, match="saved by lead"):
        review.reject(store, rita, segment_id, seen, "text_major", "nothing lost")
    assert store.get_segment(segment_id).status == SegmentStatus.APPROVED
    assert len(store.list_reviews(segment_id)) == 1


def test_bulk_approve_takes_a_labelers_work_and_refuses_the_rest(store, project, work, rita, team, monkeypatch):
    lead = team["lead"]
    monkeypatch.setattr("speechlabel.store.reviews.BULK_CHUNK", 4)  # several transactions
    with pytest.raises(Forbidden, match="rita is a reviewer in 'demo'; approving in bulk needs the lead role"):
        review.bulk_approve(store, rita, project, "ana")
    labeling.save_and_next(store, lead, work.ids[0], version(store, work.ids[0]), "lead's", None, [], None)
    with pytest.raises(Forbidden, match="you labeled these segments"):
        review.bulk_approve(store, lead, project, "lead")
    with pytest.raises(ValidationError, match="name the labeler"):
        review.bulk_approve(store, lead, project, " ")
    assert review.bulk_approve(store, lead, project, "ana", work.recording_id, "trusted") == 5
    assert review.bulk_approve(store, lead, project, "ana") == 0
    assert review.bulk_approve(store, lead, project, "ben") == 6
    assert queue_ids(store, rita, project) == [work.ids[0]]  # the lead's own labeling waits for rita
    approved = work.ids[1]
    assert store.get_segment(approved).status == SegmentStatus.APPROVED
    assert store.list_revisions(approved)[-1].comment == "approved in bulk: trusted"
    [kept] = store.list_reviews(approved)
    assert (kept.labeler, kept.reviewer, kept.decision, kept.comment) == (
        "ana",
        "lead",
        ReviewDecision.APPROVED,
        "trusted",
    )
    assert {q.labeler: q.reviewed for q in review.labeler_quality(store, rita, project)} == {"ana": 5, "ben": 6}


def test_labeler_quality_flags_above_the_threshold_after_enough_reviews(store, project, work, rita, team):
    project = review.update_review_settings(
        store, team["lead"], project, ReviewSettings(defect_threshold=0.5, min_reviews=4)
    )
    ana = work.of("ana")
    for segment_id in ana[:2]:
        review.reject(store, rita, segment_id, version(store, segment_id), "text_minor")
    for segment_id in ana[2:4]:
        review.approve(store, rita, segment_id, version(store, segment_id))
    review.reject(store, rita, work.ids[6], version(store, work.ids[6]), "wrong_speaker")

    def quality():
        return {
            q.labeler: (q.reviewed, q.rejected, q.defect_rate, q.flagged)
            for q in review.labeler_quality(store, rita, project)
        }

    # Ana at exactly the threshold is not flagged; Ben, all rejected, has too few reviews to judge.
    assert quality() == {"ana": (4, 2, 0.5, False), "ben": (1, 1, 1.0, False)}
    review.reject(store, rita, ana[4], version(store, ana[4]), "text_major")
    assert quality()["ana"] == (5, 3, 0.6, True)


def test_review_settings_are_for_leads_and_validated(store, project, rita, team):
    changed = review.update_review_settings(store, team["lead"], project, ReviewSettings(sample_share=0.25))
    assert (
        store.get_project(project.name).review_settings == changed.review_settings == ReviewSettings(sample_share=0.25)
    )
    with pytest.raises(Forbidden, match="rita is a reviewer in 'demo'; changing the review settings needs the lead"):
        review.update_review_settings(store, rita, project, ReviewSettings())
    for bad, message in (
        (ReviewSettings(sample_share=1.5), "sample share 1.5"),
        (ReviewSettings(defect_threshold=-0.1), "defect threshold -0.1"),
        (ReviewSettings(min_reviews=0), "minimum reviews 0"),
    ):
        with pytest.raises(ValidationError, match=message):
            review.update_review_settings(store, team["lead"], project, bad)


# --- draft against final ----------------------------------------------------------------------


def test_english_is_compared_by_words():
    pieces = review.diff_texts("turn on the  conveyor", "turn off the conveyor belt", "en")
    assert pieces == (
        DiffPiece("equal", "turn ", "turn "),
        DiffPiece("replace", "on", "off"),
        DiffPiece("equal", " the conveyor", " the conveyor"),
        DiffPiece("insert", "", " belt"),
    )
    assert "".join(p.draft for p in pieces) == "turn on the conveyor"
    assert "".join(p.final for p in pieces) == "turn off the conveyor belt"


def test_korean_is_compared_by_characters():
    expected = (
        DiffPiece("equal", "아 ", "아 "),
        DiffPiece("replace", "모", "뭐"),
        DiffPiece("equal", " ", " "),
        DiffPiece("replace", "몬", "먼"),
        DiffPiece("equal", " 소리야", " 소리야"),
    )
    assert review.diff_texts("아 모 몬 소리야", "아 뭐 먼 소리야", "ko") == expected
    assert review.diff_texts("아 모 몬 소리야", "아 뭐 먼 소리야", "ko-KR") == expected
    assert review.diff_texts("아 모 몬 소리야", "아 뭐 먼 소리야", None) == expected  # the script decides
    assert review.diff_texts("", "소리", "ko") == (DiffPiece("insert", "", "소리"),)
    assert review.diff_texts("same", "same", "en") == (DiffPiece("equal", "same", "same"),)


def test_open_for_review_shows_the_draft_against_the_final(store, project, work, rita):
    context = review.open_for_review(store, rita, work.ids[0])
    assert context.draft.text == "and so my fellow" and context.labeler == "ana"
    assert context.recording.id == work.recording_id and context.reviews == ()
    assert "".join(p.final for p in context.diff) == context.segment.text
    assert "replace" in {p.op for p in context.diff}
    assert review.open_for_review(store, rita, work.ids[11]).draft is None


# --- command line -----------------------------------------------------------------------------


def test_cli_lists_approves_rejects_and_sets_review_settings(data_dir, speech_dir, capsys, monkeypatch):
    from speechlabel.workspace.config import Settings
    from speechlabel.workspace.workspace import Workspace

    assert run(data_dir, "project", "create", "demo", "--language", "en") == 0
    workspace = Workspace.open(Settings.from_env(data_dir))
    store = workspace.store
    project = store.get_project("demo")
    try:
        _, segments = load_segments(store, workspace.settings, project, speech_dir)
        ana = member(store, project, "ana")
        assignment.assign_segments(store, SYSTEM, project, "ana", 12)
        ids = [segment.id for segment in segments]
        label_all(store, ana, ids)
    finally:
        workspace.close()
    capsys.readouterr()

    assert run(data_dir, "review", "demo", "--limit", "2") == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"{ids[3]}\tana\t0.10\twords {ids[3][-4:]}",
        f"{ids[6]}\tana\t0.20\twords {ids[6][-4:]}",
    ]
    assert "12 segments to review" in captured.err
    assert run(data_dir, "review", "demo", "--order", "labeler", "--labeler", "ana", "--limit", "1") == 0
    assert capsys.readouterr().out.startswith(ids[0])
    assert run(data_dir, "review", "demo", "--approve", ids[0], "--comment", "ok") == 0
    assert f"approved {ids[0]}" in capsys.readouterr().out
    assert run(data_dir, "review", "demo", "--reject", ids[1], "--reason", "wrong_tags", "--comment", "add noise") == 0
    assert f"rejected {ids[1]} (Wrong tags)" in capsys.readouterr().out
    assert run(data_dir, "review", "demo", "--reject", ids[2]) == 1
    assert "--reject needs --reason CODE; allowed: text_minor" in capsys.readouterr().err
    assert run(data_dir, "review", "demo", "--reject", ids[2], "--reason", "nope") == 1
    assert "unknown reason 'nope'; allowed:" in capsys.readouterr().err
    assert run(data_dir, "review", "demo", "--approve", ids[0]) == 1
    assert "is approved; only submitted or reworked" in capsys.readouterr().err
    assert run(data_dir, "review", "demo", "--approve-all-from", "ana") == 0
    assert "approved 10 segments of ana" in capsys.readouterr().out
    assert run(data_dir, "review", "demo") == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "0 segments to review" in captured.err

    assert (
        run(
            data_dir,
            "project",
            "settings",
            "demo",
            "--sample-share",
            "0.2",
            "--defect-threshold",
            "0.1",
            "--min-reviews",
            "5",
            "--flagged-share",
            "0.6",
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "review sample share: 0.2" in out
    assert "quality policy: defect threshold 0.1 after 5 reviews, then sample share 0.6" in out
    assert run(data_dir, "project", "settings", "demo", "--defect-threshold", "none") == 0
    assert "quality policy: (none)" in capsys.readouterr().out
    assert run(data_dir, "project", "settings", "demo", "--sample-share", "2") == 1
    assert "sample share 2.0 is not allowed" in capsys.readouterr().err
