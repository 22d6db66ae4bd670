"""The lead's dashboard on a real SQLite file and the real PostgreSQL: every figure of a small
project checked against values computed by hand (the computation is in the comments).

The project is built through the store's own calls (segmentation, drafts, versioned saves);
revision times are then set to chosen instants. Reviews and second labelings are inserted as
rows, as the review and double-labeling code would leave them.

The story, all times UTC, all in the English project "demo" unless said otherwise:

    segment  bounds  draft -> what happened
    s1       2.0 s   "turn on the kitchen light" -> ana submits "Turn on the kitchen lights, please."
                     5-01 09:00; approved 5-01 11:00; ben's second labeling 5-02 09:50
    s2       3.0 s   "Ask not what your country can do for you." -> ana submits it unchanged 5-01
                     09:01; rejected (wrong speaker) 5-03 08:00; ben's second labeling on other
                     bounds 5-02 09:55
    s3       1.5 s   "machine seven is grinding" -> ana saves in progress 5-01 09:02, submits "Machine
                     seven is grinding." 09:03; rejected (minor text error) 5-01 12:00; ben reworks it
                     to "Machine seven is grinding again." 5-02 10:00; approved 5-02 11:00
    s4       2.5 s   no draft -> ana submits "Open the door." 5-01 10:00 (after an idle hour)
    s5       4.0 s   ben skips it ("music only") 5-02 09:58
    s6       1.0 s   drafted, untouched
    s7       0.5 s   new, untouched
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, update

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.analytics.csv_rows import to_csv
from speechlabel.analytics.dashboard import (
    Dashboard,
    DashboardFilter,
    DayThroughput,
    LabelerDay,
    ReasonCount,
    SegmentQuality,
    StatusCount,
    build_dashboard,
)
from speechlabel.core.errors import Forbidden, NotSignedIn, ValidationError
from speechlabel.core.models import (
    AudioProbe,
    Draft,
    PrelabelState,
    Recording,
    ReviewReason,
    Role,
    SegmentEdit,
    SegmentStatus,
)
from speechlabel.projects.manage import create_project
from speechlabel.store import schema

PASSWORD = "correct horse battery"
BOUNDS = [(0.0, 2.0), (2.0, 5.0), (5.0, 6.5), (6.5, 9.0), (9.0, 13.0), (13.0, 14.0), (14.0, 14.5)]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=UTC)


def recording(store, project, number: int = 1) -> Recording:
    probe = AudioProbe(
        format="WAV",
        subtype="PCM_16",
        sampling_rate=16000,
        channels=1,
        num_samples=16000 * 15,
        duration=15.0,
        peak_dbfs=-3.0,
        rms_dbfs=-20.0,
        clipped_ratio=0.0,
        snr_db=30.0,
    )
    return store.insert_recording(
        Recording(
            id=f"rec-{project.id}-{number}",
            project_id=project.id,
            label=f"call-{number}.wav",
            sha256=f"{number:064d}",
            original_path="call.wav",
            normalized_path="call.wav",
            probe=probe,
            prelabel_state=PrelabelState.DRAFTED,
            created_at=at(1, 8),
        )
    )


def draft(store, segment_id: str, text: str, language: str = "en") -> None:
    store.add_draft(
        segment_id,
        Draft(
            text=text,
            words=(),
            avg_logprob=-0.3,
            no_speech_prob=0.01,
            compression_ratio=1.2,
            language=language,
            language_probability=0.99,
            engine="faster-whisper",
            model="base",
            options={},
        ),
        "prelabel",
    )


def save(store, segment_id: str, author: str, when: datetime, **edit) -> None:
    """A versioned save as the label and review pages make it, then dated ``when``."""
    current = store.get_segment(segment_id)
    saved = store.save_segment(segment_id, current.version, SegmentEdit(**edit), author)
    with store.write() as connection:
        connection.execute(
            update(schema.revisions)
            .values(created_at=when)
            .where(schema.revisions.c.segment_id == segment_id, schema.revisions.c.version == saved.version)
        )


def review(store, project, segment_id: str, labeler: str, when: datetime, reason: ReviewReason | None = None) -> None:
    """A review row plus the reviewer's revision, as the review code leaves them."""
    decision = SegmentStatus.REJECTED if reason else SegmentStatus.APPROVED
    save(store, segment_id, "rev", when, status=decision)
    with store.write() as connection:
        connection.execute(
            insert(schema.reviews).values(
                segment_id=segment_id,
                project_id=project.id,
                segment_version=store.get_segment(segment_id).version,
                labeler=labeler,
                reviewer="rev",
                decision=decision.value,
                reason=reason.value if reason else None,
                comment=None,
                created_at=when,
            )
        )


def second_label(
    store, project, segment_id: str, labeler: str, text: str, when: datetime, start: float, duration: float
) -> None:
    with store.write() as connection:
        connection.execute(
            insert(schema.second_labels).values(
                segment_id=segment_id,
                project_id=project.id,
                picked_at=at(1, 8),
                labeler=labeler,
                text=text,
                speaker=None,
                tags=[],
                comment=None,
                start=start,
                duration=duration,
                saved_at=when,
            )
        )


@pytest.fixture
def story(store, project):
    segments = store.replace_segments(recording(store, project).id, project.id, BOUNDS, {}, "prelabel")
    s1, s2, s3, s4, s5, s6, _s7 = (segment.id for segment in segments)
    draft(store, s1, "turn on the kitchen light")
    draft(store, s2, "Ask not what your country can do for you.")
    draft(store, s3, "machine seven is grinding")
    draft(store, s5, "la la la")
    draft(store, s6, "stop the line")
    submitted = SegmentStatus.SUBMITTED
    save(store, s1, "ana", at(1, 9, 0), text="Turn on the kitchen lights, please.", status=submitted)
    save(store, s2, "ana", at(1, 9, 1), text="Ask not what your country can do for you.", status=submitted)
    save(store, s3, "ana", at(1, 9, 2), text="machine seven", status=SegmentStatus.IN_PROGRESS)
    save(store, s3, "ana", at(1, 9, 3), text="Machine seven is grinding.", status=submitted)
    save(store, s4, "ana", at(1, 10, 0), text="Open the door.", status=submitted)
    review(store, project, s1, "ana", at(1, 11))
    review(store, project, s3, "ana", at(1, 12), ReviewReason.TEXT_MINOR)
    second_label(store, project, s1, "ben", "Turn on the kitchen light please", at(2, 9, 50), 0.0, 2.0)
    second_label(store, project, s2, "ben", "Ask what your country", at(2, 9, 55), 2.5, 2.5)  # other bounds
    save(store, s5, "ben", at(2, 9, 58), status=SegmentStatus.SKIPPED, comment="music only")
    save(store, s3, "ben", at(2, 10, 0), text="Machine seven is grinding again.", status=SegmentStatus.REWORKED)
    review(store, project, s3, "ben", at(2, 11))
    review(store, project, s2, "ana", at(3, 8), ReviewReason.WRONG_SPEAKER)
    return [segment.id for segment in segments]


def lead_of(store, project, name: str = "lea", role: Role = Role.LEAD):
    accounts.create_user(store, SYSTEM, name, PASSWORD)
    accounts.set_role(store, SYSTEM, name, project.name, role)
    return accounts.login(store, name, PASSWORD)[1]


def by_name(dashboard: Dashboard) -> dict:
    return {stats.labeler: stats for stats in dashboard.labelers}


def test_progress_is_the_current_state_of_every_segment(store, project, story):
    dashboard = build_dashboard(store, lead_of(store, project), project)
    seconds = {
        SegmentStatus.APPROVED: 2.0 + 1.5,
        SegmentStatus.REJECTED: 3.0,
        SegmentStatus.SUBMITTED: 2.5,
        SegmentStatus.SKIPPED: 4.0,
        SegmentStatus.DRAFTED: 1.0,
        SegmentStatus.NEW: 0.5,
    }
    counts = {
        SegmentStatus.APPROVED: 2,
        SegmentStatus.REJECTED: 1,
        SegmentStatus.SUBMITTED: 1,
        SegmentStatus.SKIPPED: 1,
        SegmentStatus.DRAFTED: 1,
        SegmentStatus.NEW: 1,
    }
    assert dashboard.progress == tuple(
        StatusCount(status, counts.get(status, 0), pytest.approx(seconds.get(status, 0.0) / 3600))
        for status in SegmentStatus
    )
    assert dashboard.audio_hours_total == pytest.approx(14.5 / 3600)
    assert dashboard.audio_hours_done == pytest.approx((3.5 + 2.5) / 3600)  # approved + submitted
    assert dashboard.audio_hours_set_aside == pytest.approx(4.0 / 3600)  # skipped


def test_each_segment_is_scored_against_its_draft_and_belongs_to_its_last_labeler(store, project, story):
    s1, s2, s3, s4, *_ = story
    segments = {quality.segment_id: quality for quality in build_dashboard(store, SYSTEM, project).segments}
    assert [q.segment_id for q in build_dashboard(store, SYSTEM, project).segments] == [s1, s2, s4, s3]  # by time
    assert set(segments) == {s1, s2, s3, s4}  # s5 was skipped, s6 and s7 never labeled
    one = segments[s1]
    assert (one.labeler, one.status, one.submitted_at, one.duration) == ("ana", SegmentStatus.APPROVED, at(1, 9), 2.0)
    assert (one.draft_text, one.final_text) == ("turn on the kitchen light", "Turn on the kitchen lights, please.")
    # Words: light -> lights, "please" missing: 2 of 6. Characters: "turn on the kitchen lights please"
    # is 33 with spaces; the draft lacks "s" and " please": 8 edits.
    assert (one.wer, one.cer, one.saving) == (pytest.approx(2 / 6), pytest.approx(8 / 33), pytest.approx(25 / 33))
    assert (segments[s2].wer, segments[s2].cer, segments[s2].saving) == (0.0, 0.0, 1.0)
    # Reworked by ben: his text against the draft: " again" is 6 characters of 31, one word of 5.
    three = segments[s3]
    assert (three.labeler, three.submitted_at) == ("ben", at(2, 10))
    assert three.final_text == "Machine seven is grinding again."
    assert (three.wer, three.cer, three.saving) == (pytest.approx(1 / 5), pytest.approx(6 / 31), pytest.approx(25 / 31))
    # No draft: everything typed. "open the door" is 13 characters, 3 words.
    four = segments[s4]
    assert (four.draft_text, four.wer, four.cer, four.saving) == ("", 1.0, 1.0, 0.0)


def test_project_figures_pool_edits_over_lengths(store, project, story):
    dashboard = build_dashboard(store, SYSTEM, project)
    # Characters: s1 8/33, s2 0/40 ("ask not what your country can do for you": 32 letters + 8
    # spaces), s4 13/13, s3 6/31 -> 27/117. Words: 2/6 + 0/9 + 3/3 + 1/5 -> 6/23.
    assert dashboard.cer == pytest.approx(27 / 117)
    assert dashboard.saving == pytest.approx(1 - 27 / 117)
    assert dashboard.wer == pytest.approx(6 / 23)
    reasons = {count.reason: count.count for count in dashboard.rejections}
    assert list(reasons) == list(ReviewReason)  # every reason, zeros included, for the chart
    assert reasons == {reason: 0 for reason in ReviewReason} | {
        ReviewReason.TEXT_MINOR: 1,
        ReviewReason.WRONG_SPEAKER: 1,
    }
    # ana submitted s1, s2, s3, s4 on 5-01 (s3's in-progress save is no submission); ben reworked
    # s3 on 5-02. Audio: 2 + 3 + 1.5 + 2.5 = 9 s, and 1.5 s.
    assert dashboard.throughput == (
        DayThroughput(date(2024, 5, 1), 4, pytest.approx(9 / 60)),
        DayThroughput(date(2024, 5, 2), 1, pytest.approx(1.5 / 60)),
    )
    assert dashboard.throughput_by_labeler == (
        LabelerDay(date(2024, 5, 1), "ana", 4, pytest.approx(9 / 60)),
        LabelerDay(date(2024, 5, 2), "ben", 1, pytest.approx(1.5 / 60)),
    )
    # Only s1's pair counts (s2's second labeling was made on other bounds): "turn on the kitchen
    # lights please" (33) against "... light please" (32): 1 edit over the longer text.
    assert (dashboard.agreement_cer, dashboard.agreement_pairs) == (pytest.approx(1 / 33), 1)


def test_labeler_figures(store, project, story):
    stats = by_name(build_dashboard(store, SYSTEM, project))
    assert list(stats) == ["ana", "ben"]  # not "rev" (only reviewed) nor "prelabel"
    ana, ben = stats["ana"], stats["ben"]
    # ana: s1, s2, s4 (s3 went to ben): 2 + 3 + 2.5 = 7.5 s of audio.
    assert (ana.segments, ana.audio_minutes) == (3, pytest.approx(7.5 / 60))
    # Saves 9:00, 9:01, 9:02, 9:03 (three 60 s gaps) | idle 57 min | 10:00: 180 s + two session
    # starts of 30 s = 240 s.
    assert ana.working_hours == pytest.approx(240 / 3600)
    assert ana.segments_per_hour == pytest.approx(3 / (240 / 3600))  # 45
    assert ana.audio_minutes_per_hour == pytest.approx((7.5 / 60) / (240 / 3600))  # 1.875
    # Reviews of her work: s1 approved, s3 rejected (minor), s2 rejected (speaker).
    assert (ana.reviewed, ana.rejected, ana.rejection_rate) == (3, 2, pytest.approx(2 / 3))
    assert ana.rejections == (ReasonCount(ReviewReason.TEXT_MINOR, 1), ReasonCount(ReviewReason.WRONG_SPEAKER, 1))
    assert (ana.agreement_cer, ana.agreement_pairs) == (pytest.approx(1 / 33), 1)
    # Pooled over her segments: (8 + 0 + 13) / (33 + 40 + 13) = 21/86.
    assert (ana.cer, ana.saving) == (pytest.approx(21 / 86), pytest.approx(65 / 86))
    # ben: the rework of s3 (1.5 s). His saves: second labelings 9:50 and 9:55 (exactly the idle
    # gap: still work), skip 9:58, rework 10:00: 300 + 180 + 120 + one session start 30 = 630 s.
    # The reviewer's revisions on his segment are not his work.
    assert (ben.segments, ben.audio_minutes, ben.working_hours) == (1, pytest.approx(1.5 / 60), pytest.approx(0.175))
    assert ben.segments_per_hour == pytest.approx(1 / 0.175)  # 5.71
    assert ben.audio_minutes_per_hour == pytest.approx((1.5 / 60) / 0.175)  # 0.143
    assert (ben.reviewed, ben.rejected, ben.rejection_rate, ben.rejections) == (1, 0, 0.0, ())
    assert (ben.agreement_cer, ben.agreement_pairs) == (pytest.approx(1 / 33), 1)
    assert (ben.cer, ben.saving) == (pytest.approx(6 / 31), pytest.approx(25 / 31))


def test_a_date_filter_takes_the_newest_labeling_within_it(store, project, story):
    s1, s2, s3, s4, *_ = story
    first_day = build_dashboard(store, SYSTEM, project, DashboardFilter(since=date(2024, 5, 1), until=date(2024, 5, 1)))
    # On 5-01 s3 was still ana's "Machine seven is grinding." (no edit against the draft, 25 chars).
    segments = {quality.segment_id: quality for quality in first_day.segments}
    assert set(segments) == {s1, s2, s3, s4}
    assert (segments[s3].labeler, segments[s3].final_text, segments[s3].cer) == (
        "ana",
        "Machine seven is grinding.",
        0.0,
    )
    assert first_day.cer == pytest.approx(21 / (86 + 25))
    assert [stats.labeler for stats in first_day.labelers] == ["ana"]  # ben's work was all on 5-02
    ana = first_day.labelers[0]
    assert (ana.segments, ana.reviewed, ana.rejected, ana.working_hours) == (4, 2, 1, pytest.approx(240 / 3600))
    assert ana.agreement_pairs == 0  # the pair was complete on 5-02 only
    assert [day.day for day in first_day.throughput] == [date(2024, 5, 1)]
    assert {c.reason: c.count for c in first_day.rejections}[ReviewReason.WRONG_SPEAKER] == 0  # 5-03
    assert first_day.progress == build_dashboard(store, SYSTEM, project).progress  # the current state

    later = build_dashboard(store, SYSTEM, project, DashboardFilter(since=date(2024, 5, 2)))
    ana, ben = by_name(later)["ana"], by_name(later)["ben"]
    # ana labeled nothing from 5-02 on but her work was reviewed (5-03) and compared (5-02 09:50).
    assert (ana.segments, ana.working_hours, ana.segments_per_hour, ana.cer) == (0, 0.0, None, None)
    assert (ana.reviewed, ana.rejected, ana.rejection_rate, ana.agreement_pairs) == (1, 1, 1.0, 1)
    assert (ben.segments, ben.working_hours) == (1, pytest.approx(0.175))
    assert [quality.segment_id for quality in later.segments] == [s3]


def test_a_labeler_filter_keeps_only_their_work(store, project, story):
    s3 = story[2]
    dashboard = build_dashboard(store, SYSTEM, project, DashboardFilter(labelers=(" ben ", "ben")))
    assert [quality.segment_id for quality in dashboard.segments] == [s3]
    assert [stats.labeler for stats in dashboard.labelers] == ["ben"]  # not ana, his pair's partner
    assert dashboard.throughput == (DayThroughput(date(2024, 5, 2), 1, pytest.approx(1.5 / 60)),)
    assert all(count.count == 0 for count in dashboard.rejections)  # his work was approved
    assert (dashboard.cer, dashboard.agreement_pairs) == (pytest.approx(6 / 31), 1)
    assert dashboard.audio_hours_total == pytest.approx(14.5 / 3600)  # progress stays the project's
    nobody = build_dashboard(store, SYSTEM, project, DashboardFilter(labelers=("zoe",)))
    assert (nobody.segments, nobody.labelers, nobody.throughput, nobody.cer, nobody.saving) == ((), (), (), None, None)


def test_korean_segments_compare_without_tags_spaces_and_punctuation(store):
    korean = create_project(store, "korean", language="ko", actor=SYSTEM)
    segments = store.replace_segments(
        recording(store, korean, 2).id, korean.id, [(0.0, 3.0), (3.0, 5.0)], {}, "prelabel"
    )
    first, second = (segment.id for segment in segments)
    draft(store, first, "아 모 몬 소리야 칠십 퍼센트 확률이라니", "ko")
    draft(store, second, "엉뚱한 초안", "ko")
    draft(store, second, "오늘 날씨가 정말 좋내요", "ko")  # the newest draft is the one compared
    save(
        store,
        first,
        "ana",
        at(1, 9),
        text="b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/",
        status=SegmentStatus.SUBMITTED,
    )
    save(store, second, "ana", at(1, 9, 1), text="오늘 날씨가 정말 좋네요.", status=SegmentStatus.SUBMITTED)
    dashboard = build_dashboard(store, SYSTEM, korean)
    kspon, weather = dashboard.segments
    # Tags go, fillers and repetitions keep their word, the dual transcription keeps the spoken
    # side, spaces do not count: 아모몬소리야칠십퍼센트확률이라니 both sides, 16 syllables.
    assert (kspon.cer, kspon.saving, kspon.wer) == (0.0, 1.0, 0.0)
    # 좋내요 -> 좋네요: one syllable of 10 (오늘 날씨가 정말 좋네요), one eojeol of 4.
    assert weather.draft_text == "오늘 날씨가 정말 좋내요"
    assert (weather.cer, weather.saving, weather.wer) == (pytest.approx(0.1), pytest.approx(0.9), pytest.approx(0.25))
    assert (dashboard.cer, dashboard.saving) == (pytest.approx(1 / 26), pytest.approx(25 / 26))


def test_a_draft_is_scored_in_the_projects_convention(store):
    """A draft that heard every number right counts no edit against a final that writes them
    the scheme's way (conventions.draft_style), with or without fillers the labeler marked."""
    korean = create_project(store, "korean-numbers", language="ko", actor=SYSTEM)
    segments = store.replace_segments(
        recording(store, korean, 3).id, korean.id, [(0.0, 3.0), (3.0, 5.0), (5.0, 7.0)], {}, "prelabel"
    )
    right, misread, untouched = (segment.id for segment in segments)
    draft(store, right, "어 70% 확률로 3시에 2명 온대요", "ko")  # as Whisper writes it, stored raw
    draft(store, misread, "3시에 봐요", "ko")
    draft(store, untouched, "음, 1,000원이요", "ko")
    final = "어/ (70%)/(칠십 퍼센트) 확률로 (3시)/(세 시)에 (2명)/(두 명) 온대요"
    save(store, right, "ana", at(1, 9), text=final, status=SegmentStatus.SUBMITTED)
    save(store, misread, "ana", at(1, 9, 1), text="(3시)/(삼 시)에 봐요", status=SegmentStatus.SUBMITTED)
    # The segment's own text is what the pipeline stored (the draft styled): kept as it is.
    save(store, untouched, "ana", at(1, 9, 2), text="음/, (1,000원)/(천 원)이요", status=SegmentStatus.SUBMITTED)
    rows = {row.segment_id: row for row in build_dashboard(store, SYSTEM, korean).segments}
    assert (rows[right].cer, rows[right].saving) == (0.0, 1.0)
    assert rows[right].draft_text == "어 70% 확률로 3시에 2명 온대요"  # shown as Whisper wrote it
    assert rows[misread].cer == pytest.approx(1 / 5)  # 세시에봐요 -> 삼시에봐요: the labeler's one edit
    assert rows[untouched].cer == 0.0


def test_english_drafts_keep_their_digits_and_fillers_count_as_said(store):
    english = create_project(store, "english-numbers", language="en", actor=SYSTEM)
    (segment,) = store.replace_segments(recording(store, english, 4).id, english.id, [(0.0, 3.0)], {}, "prelabel")
    draft(store, segment.id, "Um, it's 5 o'clock", "en")
    save(store, segment.id, "ana", at(1, 9), text="%Um, it's 5 o'clock.", status=SegmentStatus.SUBMITTED)
    (row,) = build_dashboard(store, SYSTEM, english).segments
    assert (row.cer, row.wer) == (0.0, 0.0)


def test_only_leads_and_admins_read_the_dashboard(store, project, story):
    lead = lead_of(store, project)
    assert build_dashboard(store, lead, project).segments
    labeler = lead_of(store, project, "ana", Role.LABELER)
    refusal = "ana is a labeler in 'demo'; reading the quality dashboard needs the lead role"
    with pytest.raises(Forbidden, match=refusal):
        build_dashboard(store, labeler, project)
    reviewer = lead_of(store, project, "rita", Role.REVIEWER)
    with pytest.raises(Forbidden, match="rita is a reviewer"):
        build_dashboard(store, reviewer, project)
    with pytest.raises(NotSignedIn):
        build_dashboard(store, None, project)


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (DashboardFilter(since=date(2024, 5, 3), until=date(2024, 5, 1)), "2024-05-03 to 2024-05-01 is empty"),
        (DashboardFilter(since="2024-05-01"), "since must be a date"),  # type: ignore[arg-type]
        (DashboardFilter(until=datetime(2024, 5, 1)), "until must be a date"),
        (DashboardFilter(labelers="ana"), "labelers must be a list"),  # type: ignore[arg-type]
    ],
)
def test_impossible_filters_are_refused(chosen, message):
    with pytest.raises(ValidationError, match=message):
        chosen.validate()


def test_a_filter_window_is_half_open_over_whole_utc_days():
    start, end = DashboardFilter(since=date(2024, 5, 1), until=date(2024, 5, 2)).window()
    assert (start, end) == (at(1, 0), at(3, 0))
    assert DashboardFilter().window() == (None, None)


# --- CSV -----------------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_of_the_labelers_and_segments(store, project, story):
    dashboard = build_dashboard(store, SYSTEM, project)
    labelers = read_csv(to_csv(dashboard.labelers))
    assert list(labelers[0]) == [
        "labeler",
        "segments",
        "audio_minutes",
        "working_hours",
        "segments_per_hour",
        "audio_minutes_per_hour",
        "reviewed",
        "rejected",
        "rejection_rate",
        "rejections",
        "agreement_cer",
        "agreement_pairs",
        "saving",
        "cer",
    ]
    ana = labelers[0]
    assert (ana["labeler"], ana["segments"], ana["rejections"]) == ("ana", "3", "text_minor:1;wrong_speaker:1")
    assert float(ana["working_hours"]) == pytest.approx(240 / 3600)
    segments = read_csv(to_csv(dashboard.segments))
    assert segments[0]["status"] == "approved"
    assert segments[0]["submitted_at"] == "2024-05-01T09:00:00+00:00"
    assert segments[-1]["draft_text"] == "machine seven is grinding"
    progress = read_csv(to_csv(dashboard.progress))
    assert progress[0] == {"status": "new", "segments": "1", "audio_hours": str(0.5 / 3600)}
    assert read_csv(to_csv(dashboard.throughput))[0]["day"] == "2024-05-01"


def test_csv_cells_a_spreadsheet_would_run_are_quoted_and_empty_values_are_empty():
    row = SegmentQuality(
        "s", "r", "ana", SegmentStatus.SUBMITTED, at(1, 9), 1.0, "", '=HYPERLINK("x")', None, None, None
    )
    written = read_csv(to_csv([row]))[0]
    assert written["final_text"] == '\'=HYPERLINK("x")'
    assert (written["draft_text"], written["wer"], written["saving"]) == ("", "", "")
    assert to_csv([]) == ""
    assert to_csv([], row_type=DayThroughput) == "day,segments,audio_minutes\n"
    with pytest.raises(ValidationError, match="must all be SegmentQuality"):
        to_csv([row, DayThroughput(date(2024, 5, 1), 1, 1.0)])
    with pytest.raises(ValidationError, match="CSV rows must be dataclasses"):
        to_csv([("a", 1)])


def test_other_projects_in_the_database_change_nothing(store, project, story):
    alone = build_dashboard(store, SYSTEM, project)
    other = create_project(store, "other", actor=SYSTEM)
    crowd = store.replace_segments(
        recording(store, other, 3).id, other.id, [(i, i + 0.5) for i in range(30)], {}, "prelabel"
    )
    for segment in crowd[:10]:
        save(store, segment.id, "ana", at(1, 9, 30), text="other work", status=SegmentStatus.SUBMITTED)
    # "demo" is now 7 of 37 segments: SQLite reads it through the project's index instead of
    # reading every revision in order (see store.dashboard); the figures must not change.
    assert build_dashboard(store, SYSTEM, project) == alone
