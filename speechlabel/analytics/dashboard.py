"""The lead's quality dashboard: progress, throughput, quality per labeler and per segment.

Definitions (the tests check each against hand-computed values):

- A **labeling** is a revision with status submitted or reworked: a labeler's save of the text
  for review. A segment is *labeled by* the author of its newest labeling and was *submitted
  at* that revision's time; its *final text* and duration are that revision's (the work as the
  labeler handed it in). With a date filter it is the newest labeling within the window.
  Segments never labeled (in the window) are not in ``segments`` nor in the labeler figures.
- The **draft** is the segment's newest draft. Each half of a split segment carries its own
  part of the drafts, and a merge of two segments with drafts of the same engine and model
  carries them joined (``draft_cut``); a merge of segments drafted by different engines
  compares against the newest draft it carries, which may cover only part of its audio. A
  segment without a draft compares against "" (everything typed, saving 0).
- Per segment: draft -> final WER and CER from ``metrics.score_segments`` in the project's
  language (Korean: CER on text with tags stripped, punctuation and spaces removed), and
  saving = 1 - character edits / final characters. The draft is scored as the labeler got it:
  in the project's convention (``core.project_scheme.DraftStyle``), so a draft that said
  "70%" right counts no edit against a final ``(70%)/(칠십 퍼센트)``; drafts stored before
  drafts were styled are scored the same way.
- Pooled figures (a labeler's or the project's CER, WER and saving; agreement) are length
  weighted: sum of edits / sum of characters, so a two-syllable segment does not weigh like a
  sentence. This is the mean of the per-segment rates weighted by final length.
- **Working time** of a labeler: ``worktime.working_time`` over the times of their revisions in
  the window that record labeling work (in progress, submitted, reworked, skipped,
  untranscribable; not review decisions, nor the new/drafted states a boundary nudge can keep)
  plus their second-labeling saves; gaps over the idle gap are breaks. Per working hour:
  the segments and audio they are credited with (above) over that time.
- **Reviews** of a labeler's work are the ``reviews`` rows naming them as labeler, in the window
  by review time; every decision counts, so a segment rejected and then approved is two reviews
  and one rejection. Rejection rate = rejected / reviewed.
- **Agreement**: a saved second labeling against the segment's newest labeling, when both were
  made on the same bounds (a segment resized, split or merged after the second labeling is left
  out); it falls in the window by the later of the two times. A labeler's agreement pools the
  pairs where they made either labeling (``metrics.labeler_agreement``, over the longer text).
- **Throughput** per day: segments submitted or reworked that UTC day, each segment once per
  labeler per day, with their audio; days without any between the first and last are zeros.
- **Progress** is the project's current state and ignores the filter. Audio done = submitted,
  reworked and approved segments (a transcript exists and is not rejected); skipped and
  untranscribable segments are handled but have no transcript: they are ``audio_hours_set_aside``.
- The **filter**: ``since``/``until`` are inclusive UTC dates on labeling, review and save
  times; ``labelers`` keeps only their segments, stats, throughput, reviews and pairs.

Speed: 100,000 segments take about 2 s on two slow cores (``python -m bench.dashboard``), most
of it reading 200,000 rows and preparing 160,000 texts; see ``store.dashboard`` for the reads.
"""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from speechlabel.accounts.access import require_role
from speechlabel.analytics.metrics import (
    Agreement,
    ScoreOptions,
    SegmentScores,
    labeler_agreement,
    score_segments,
    summarize_scores,
)
from speechlabel.analytics.worktime import (
    WorkTime,
    WorkTimeOptions,
    day_range,
    per_hour,
    utc_day,
    working_time_of_seconds,
)
from speechlabel.core.bounds import same_bounds
from speechlabel.core.errors import ValidationError
from speechlabel.core.lifecycle import DONE, SET_ASIDE
from speechlabel.core.models import Actor, Project, ReviewDecision, ReviewReason, SegmentStatus
from speechlabel.core.project_scheme import DraftStyle, draft_style
from speechlabel.store import Store
from speechlabel.store.dashboard import LABELING_STATUSES, PairRow, ReviewCountRow, WorkRow

_DIGIT = re.compile(r"\d")
DONE_STATUSES = frozenset(DONE)
SET_ASIDE_STATUSES = frozenset(SET_ASIDE)
_LABELING = frozenset(LABELING_STATUSES)
_DAY_SECONDS = 86_400


@dataclass(frozen=True)
class DashboardFilter:
    """Which work the figures cover: ``since``/``until`` inclusive UTC dates (None: open),
    ``labelers`` usernames (empty: everyone)."""

    since: date | None = None
    until: date | None = None
    labelers: tuple[str, ...] = ()

    def validate(self) -> DashboardFilter:
        """The filter with labelers trimmed and de-duplicated; refuses impossible ranges."""
        _check_date(self.since, message_key="error.since_not_date")
        _check_date(self.until, message_key="error.until_not_date")
        if self.since and self.until and self.since > self.until:
            raise ValidationError(
                message_key="error.dashboard_date_range", params={"since": str(self.since), "until": str(self.until)}
            )
        if isinstance(self.labelers, str) or not all(isinstance(name, str) for name in self.labelers):
            raise ValidationError(message_key="error.labelers_not_list", params={"value": repr(self.labelers)})
        names = tuple(dict.fromkeys(name.strip() for name in self.labelers if name.strip()))
        return replace(self, labelers=names)

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The half-open UTC range [since 00:00, the day after until 00:00)."""
        start = datetime.combine(self.since, time(), UTC) if self.since else None
        end = datetime.combine(self.until + timedelta(days=1), time(), UTC) if self.until else None
        return start, end


def _check_date(value: object, message_key: str) -> None:
    """``message_key``: the message naming what ``value`` is (its only param is ``value``)."""
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise ValidationError(message_key=message_key, params={"value": repr(value)})


@dataclass(frozen=True)
class DashboardOptions:
    """How the figures are computed: working time (idle gap, session start) and how texts are
    made comparable (which side of a dual transcription counts)."""

    work_time: WorkTimeOptions = WorkTimeOptions()
    score: ScoreOptions = ScoreOptions()


@dataclass(frozen=True, slots=True)
class StatusCount:
    status: SegmentStatus
    segments: int
    audio_hours: float


@dataclass(frozen=True, slots=True)
class DayThroughput:
    day: date
    segments: int
    audio_minutes: float


@dataclass(frozen=True, slots=True)
class LabelerDay:
    """One labeler's throughput on one UTC day (days without work are left out)."""

    day: date
    labeler: str
    segments: int
    audio_minutes: float


@dataclass(frozen=True, slots=True)
class ReasonCount:
    reason: ReviewReason
    count: int


@dataclass(frozen=True, slots=True)
class LabelerStats:
    """One labeler's figures; rates are None when there is nothing to divide by."""

    labeler: str
    segments: int
    audio_minutes: float
    working_hours: float
    segments_per_hour: float | None
    audio_minutes_per_hour: float | None
    reviewed: int
    rejected: int
    rejection_rate: float | None
    rejections: tuple[ReasonCount, ...]  # reasons that occurred, in ReviewReason order
    agreement_cer: float | None
    agreement_pairs: int
    saving: float | None
    cer: float | None


@dataclass(frozen=True, slots=True)
class SegmentQuality:
    segment_id: str
    recording_id: str
    labeler: str
    status: SegmentStatus  # current
    submitted_at: datetime
    duration: float  # seconds, as labeled
    draft_text: str
    final_text: str
    wer: float | None
    cer: float | None
    saving: float | None


@dataclass(frozen=True, slots=True)
class Dashboard:
    progress: tuple[StatusCount, ...]  # every status, in SegmentStatus order, zeros included
    audio_hours_total: float
    audio_hours_done: float
    throughput: tuple[DayThroughput, ...]
    labelers: tuple[LabelerStats, ...]  # by name
    segments: tuple[SegmentQuality, ...]  # by submission time
    rejections: tuple[ReasonCount, ...]  # every reason, in ReviewReason order, zeros included
    saving: float | None
    cer: float | None
    wer: float | None
    audio_hours_set_aside: float = 0.0
    throughput_by_labeler: tuple[LabelerDay, ...] = ()
    agreement_cer: float | None = None
    agreement_pairs: int = 0


def build_dashboard(
    store: Store,
    actor: Actor | None,
    project: Project,
    filter: DashboardFilter = DashboardFilter(),  # noqa: A002 - the page's name for it
    options: DashboardOptions = DashboardOptions(),
) -> Dashboard:
    """Every figure of the dashboard for one project (leads only), from six bulk queries."""
    require_role(actor, project, action="reading the quality dashboard")
    chosen = filter.validate()
    with _cycle_collector_paused():
        return _build(store, project, chosen, options)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while half a million rows and results are made.
    They hold no reference cycles, so the collector only walks them again and again (a fifth of
    the time on 100,000 segments); reference counting still frees everything as usual. The
    pause is process-wide but short, and a build that finds it paused leaves it to its owner."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(store: Store, project: Project, chosen: DashboardFilter, options: DashboardOptions) -> Dashboard:
    start, end = chosen.window()
    rows = store.read_dashboard(project.id, start, end)
    work = _sort_work(rows.work, chosen.labelers)
    drafts = [rows.drafts.get(row.segment_id, "") for row in work.labelings]
    finals = [row.text for row in work.labelings]
    proposed = _as_proposed(drafts, draft_style(project))
    scores = score_segments(zip(proposed, finals, strict=True), project.language, options.score)
    pairs = _pairs_in_window(rows.pairs, start, end, chosen.labelers)
    agreements = [
        labeler_agreement(pair.first_text, pair.second_text, project.language, options.score) for pair in pairs
    ]
    reviews = [row for row in rows.review_counts if not chosen.labelers or row.labeler in chosen.labelers]
    for second in rows.second_saves:
        if not chosen.labelers or second.labeler in chosen.labelers:
            work.saves[second.labeler].append(second.at)
    summary = summarize_scores(scores)
    hours = {SegmentStatus(row.status): row.seconds / 3600 for row in rows.statuses}
    counts = {SegmentStatus(row.status): row.segments for row in rows.statuses}
    return Dashboard(
        progress=tuple(StatusCount(status, counts.get(status, 0), hours.get(status, 0.0)) for status in SegmentStatus),
        audio_hours_total=sum(hours.values()),
        audio_hours_done=sum(hours.get(status, 0.0) for status in DONE_STATUSES),
        audio_hours_set_aside=sum(hours.get(status, 0.0) for status in SET_ASIDE_STATUSES),
        throughput=_throughput(work.days),
        throughput_by_labeler=work.days,
        labelers=_labeler_stats(work, scores, reviews, pairs, agreements, chosen.labelers, options.work_time),
        segments=_segment_quality(work.labelings, drafts, scores),
        rejections=_reason_counts(reviews, keep_zeros=True),
        saving=summary.saving,
        cer=summary.cer,
        wer=summary.wer,
        agreement_cer=_pooled_agreement(agreements),
        agreement_pairs=len(agreements),
    )


@dataclass(frozen=True)
class _Work:
    """The labelers' revisions sorted out: each segment's newest labeling (of a chosen labeler),
    submissions per labeler and day, and every chosen labeler's save times."""

    labelings: list[WorkRow]
    days: tuple[LabelerDay, ...]
    saves: dict[str, list[float]]


def _sort_work(rows: Iterable[WorkRow], labelers: tuple[str, ...]) -> _Work:
    """One pass over the revisions. The newest labeling (highest id: ids grow with time) is
    chosen before the labeler filter, so a segment reworked by someone else is theirs.

    Rows are unpacked rather than read by name, here and in ``_segment_quality``: on 100,000
    rows that is a tenth of a second less."""
    newest: dict[str, WorkRow] = {}
    longest: dict[tuple[float, str, str], float] = {}  # (day since 1970, labeler, segment) -> seconds
    saves: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        revision_id, segment_id, _, _, author, at, status, duration, _ = row
        chosen = not labelers or author in labelers
        if chosen:
            saves[author].append(at)
        if status in _LABELING:
            known = newest.get(segment_id)
            if known is None or known.id < revision_id:
                newest[segment_id] = row
            key = (at // _DAY_SECONDS, author, segment_id)
            if chosen and longest.get(key, 0.0) < duration:
                longest[key] = duration
    labelings = sorted(
        (row for row in newest.values() if not labelers or row.author in labelers), key=lambda row: row.id
    )
    return _Work(labelings, _labeler_days(longest), saves)


def _labeler_days(longest: dict[tuple[float, str, str], float]) -> tuple[LabelerDay, ...]:
    segments: dict[tuple[float, str], int] = defaultdict(int)
    seconds: dict[tuple[float, str], float] = defaultdict(float)
    for (day, author, _), duration in longest.items():
        segments[day, author] += 1
        seconds[day, author] += duration
    return tuple(
        LabelerDay(utc_day(day * _DAY_SECONDS), author, count, seconds[day, author] / 60)
        for (day, author), count in sorted(segments.items())
    )


def _throughput(days: Iterable[LabelerDay]) -> tuple[DayThroughput, ...]:
    segments: dict[date, int] = defaultdict(int)
    minutes: dict[date, float] = defaultdict(float)
    for row in days:
        segments[row.day] += row.segments
        minutes[row.day] += row.audio_minutes
    return tuple(DayThroughput(day, segments.get(day, 0), minutes.get(day, 0.0)) for day in day_range(segments))


def _as_proposed(drafts: list[str], style: DraftStyle) -> list[str]:
    """Each draft (Whisper's text, as stored) as its segment started, in the project's convention.
    Only the numbers change what is compared: filler marks, spacing and punctuation go in
    ``comparable_text`` anyway. So a draft without a digit (most) is left as it is, which keeps
    100,000 segments within the dashboard's time (styling takes tens of microseconds a draft)."""
    return [style.text(draft) if _DIGIT.search(draft) else draft for draft in drafts]


def _segment_quality(
    labelings: Sequence[WorkRow], drafts: Sequence[str], scores: Sequence[SegmentScores]
) -> tuple[SegmentQuality, ...]:
    statuses = {status.value: status for status in SegmentStatus}
    return tuple(
        [
            SegmentQuality(
                segment_id,
                recording_id,
                author,
                statuses[segment_status],
                datetime.fromtimestamp(at, UTC),
                duration,
                draft,
                text,
                score.wer,
                score.cer,
                score.saving,
            )
            for (_, segment_id, recording_id, segment_status, author, at, _, duration, text), draft, score in zip(
                labelings, drafts, scores, strict=True
            )
        ]
    )


def _pairs_in_window(
    pairs: Iterable[PairRow], start: datetime | None, end: datetime | None, labelers: tuple[str, ...]
) -> list[PairRow]:
    """Pairs made on the same bounds, complete within the window, involving a chosen labeler."""
    kept = []
    for pair in pairs:
        done = max(pair.first_at, pair.second_at)
        if (start and done < start) or (end and done >= end):
            continue
        if labelers and pair.first_by not in labelers and pair.second_by not in labelers:
            continue
        if same_bounds(pair.first_start, pair.first_duration, pair.second_start, pair.second_duration):
            kept.append(pair)
    return kept


def _pooled_agreement(agreements: Sequence[Agreement]) -> float | None:
    if not agreements:
        return None
    chars = sum(agreement.chars for agreement in agreements)
    return sum(agreement.edits for agreement in agreements) / chars if chars else 0.0


def _reason_counts(rows: Iterable[ReviewCountRow], keep_zeros: bool) -> tuple[ReasonCount, ...]:
    """Rejections per reason code; a rejection without a known code counts in the rate only."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.decision == ReviewDecision.REJECTED.value and row.reason:
            counts[row.reason] += row.reviews
    return tuple(
        ReasonCount(reason, counts.get(reason.value, 0))
        for reason in ReviewReason
        if keep_zeros or counts.get(reason.value)
    )


def _labeler_stats(
    work: _Work,
    scores: Sequence[SegmentScores],
    reviews: Iterable[ReviewCountRow],
    pairs: Sequence[PairRow],
    agreements: Sequence[Agreement],
    labelers: tuple[str, ...],
    work_options: WorkTimeOptions,
) -> tuple[LabelerStats, ...]:
    """One row per person who submitted, was reviewed, or made a compared labeling."""
    seconds: dict[str, float] = defaultdict(float)
    scored: dict[str, list[SegmentScores]] = defaultdict(list)
    for row, score in zip(work.labelings, scores, strict=True):
        seconds[row.author] += row.duration
        scored[row.author].append(score)
    judged: dict[str, list[ReviewCountRow]] = defaultdict(list)
    for review in reviews:
        if review.labeler:
            judged[review.labeler].append(review)
    compared: dict[str, list[Agreement]] = defaultdict(list)
    for pair, agreement in zip(pairs, agreements, strict=True):
        for person in {pair.first_by, pair.second_by}:
            compared[person].append(agreement)
    names = {row.labeler for row in work.days} | set(scored) | set(judged) | set(compared)
    if labelers:
        names &= set(labelers)
    return tuple(
        _one_labeler(
            name,
            seconds[name] / 60,
            scored[name],
            judged[name],
            compared[name],
            working_time_of_seconds(work.saves[name], work_options),
        )
        for name in sorted(names)
    )


def _one_labeler(
    name: str,
    audio_minutes: float,
    scores: Sequence[SegmentScores],
    reviews: Sequence[ReviewCountRow],
    agreements: Sequence[Agreement],
    work: WorkTime,
) -> LabelerStats:
    reviewed = sum(review.reviews for review in reviews)
    rejected = sum(review.reviews for review in reviews if review.decision == ReviewDecision.REJECTED.value)
    summary = summarize_scores(scores)
    return LabelerStats(
        labeler=name,
        segments=len(scores),
        audio_minutes=audio_minutes,
        working_hours=work.seconds / 3600,
        segments_per_hour=per_hour(len(scores), work.seconds),
        audio_minutes_per_hour=per_hour(audio_minutes, work.seconds),
        reviewed=reviewed,
        rejected=rejected,
        rejection_rate=rejected / reviewed if reviewed else None,
        rejections=_reason_counts(reviews, keep_zeros=False),
        agreement_cer=_pooled_agreement(agreements),
        agreement_pairs=len(agreements),
        saving=summary.saving,
        cer=summary.cer,
    )
