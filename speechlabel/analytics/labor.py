"""Labor per audio minute, from the label loop's telemetry (``core.labor``), and the measured
speed-up of pre-labeling: the project's from-scratch share against the segments labeled with
the draft, side by side with confidence intervals and the final quality of both.

Definitions (tests/test_labor.py checks each against hand-computed values):

- A **unit** is one labeler's work on one segment: their telemetry rows of it in the window,
  summed (a segment saved, reopened and saved again is one unit). Its audio is the segment's
  duration at their last save; its day (UTC) and whether the draft was shown are those of that
  save. A second labeling is its second labeler's unit. Saves without telemetry (the command
  line, older pages) are not units: the figures cover only measured work.
- **Labor per audio minute** of a set of units = the sum of their active seconds / the sum of
  their audio minutes (a ratio of sums: a one-second "yes" does not weigh like a sentence).
- Its **confidence interval** is the percentile bootstrap over units (``LaborOptions``: 95 %,
  2,000 resamples, fixed seed, so the same data give the same interval); past 10,000 units, the
  normal approximation of the ratio (its linearised standard error), which agrees at that size. The **speed-up** is
  from-scratch labor per audio minute / with-draft labor per audio minute; its interval pairs
  independent resamples of the two groups. Fewer than two units in a group: no interval.
- **Quality** of a group: its review rejection rate (rejected / reviewed, every decision in the
  window on its segments, as the dashboard counts them) and its CER against the double-labeled
  text (each saved second labeling made on the same bounds against the segment's newest
  labeling, pooled as edits / characters: ``metrics.labeler_agreement``). The project has no
  gold texts, so double labeling is the reference there is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

from speechlabel.accounts.access import require_role
from speechlabel.analytics.dashboard import DashboardFilter
from speechlabel.analytics.metrics import ScoreOptions, labeler_agreement
from speechlabel.core.bounds import same_bounds
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Actor, Project, ReviewDecision
from speechlabel.store import Store
from speechlabel.store.labor import LaborRow, LaborRows


@dataclass(frozen=True)
class LaborOptions:
    """``confidence`` of the intervals (0.5-0.999); ``resamples`` of the bootstrap (100 or more);
    a group whose bootstrap would draw more than ``max_draws`` unit indices (10,000 segments at
    the defaults) takes the normal approximation instead (``_resampled``); ``seed`` makes the
    intervals repeatable."""

    confidence: float = 0.95
    resamples: int = 2_000
    max_draws: int = 20_000_000
    seed: int = 0
    score: ScoreOptions = ScoreOptions()

    def __post_init__(self) -> None:
        if isinstance(self.confidence, bool) or not 0.5 <= self.confidence <= 0.999:
            raise ValidationError(message_key="error.labor_confidence", params={"value": repr(self.confidence)})
        if isinstance(self.resamples, bool) or not isinstance(self.resamples, int) or not 100 <= self.resamples:
            raise ValidationError(message_key="error.labor_resamples", params={"value": repr(self.resamples)})


@dataclass(frozen=True, slots=True)
class LaborRate:
    """Labor of a set of units. ``low``/``high``: the interval (None without one)."""

    units: int
    active_seconds: float
    audio_minutes: float
    keys: int
    edits: int
    plays: int
    seconds_per_audio_minute: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class LaborGroup:
    """The units labeled with the draft shown, or from scratch, and the quality of their work."""

    draft_shown: bool
    rate: LaborRate
    reviewed: int
    rejected: int
    rejection_rate: float | None
    agreement_pairs: int
    agreement_cer: float | None


@dataclass(frozen=True, slots=True)
class LabelerLabor:
    labeler: str
    rate: LaborRate


@dataclass(frozen=True, slots=True)
class DayLabor:
    day: date
    rate: LaborRate


@dataclass(frozen=True, slots=True)
class LaborReport:
    project: LaborRate
    labelers: tuple[LabelerLabor, ...]  # by name
    days: tuple[DayLabor, ...]  # oldest first, days with units only
    with_draft: LaborGroup
    from_scratch: LaborGroup
    speedup: float | None  # from-scratch / with-draft labor per audio minute
    speedup_low: float | None
    speedup_high: float | None
    clamped_saves: int  # saves whose telemetry was cut to the limits (a broken or hostile client)


@dataclass(frozen=True)
class _Units:
    """The units as columns, one entry per unit, so that any group's sums are numpy sums."""

    segments: list[str]
    labelers: np.ndarray  # str
    days: np.ndarray  # datetime64[D], UTC
    draft_shown: np.ndarray  # bool
    audio_seconds: np.ndarray
    active_seconds: np.ndarray
    counts: np.ndarray  # int, one row per unit: keys, edits, plays


_ALL = DashboardFilter()  # every date, every labeler


def build_labor_report(
    store: Store,
    actor: Actor | None,
    project: Project,
    filter: DashboardFilter = _ALL,  # noqa: A002 - the dashboard's name for it
    options: LaborOptions = LaborOptions(),
) -> LaborReport:
    """The labor figures of one project (leads only), from three bulk reads."""
    require_role(actor, project, action="reading the labor figures")
    chosen = filter.validate()
    start, end = chosen.window()
    return labor_report(store.read_labor(project.id, start, end), project.language, chosen.labelers, options)


def labor_report(
    rows: LaborRows, language: str | None, labelers: tuple[str, ...] = (), options: LaborOptions = LaborOptions()
) -> LaborReport:
    """The report of rows read by ``Store.read_labor`` (``labelers``: keep only theirs)."""
    units = _units(rows.labor, labelers)
    rng = np.random.default_rng(options.seed)
    drafted, scratch = np.flatnonzero(units.draft_shown), np.flatnonzero(~units.draft_shown)
    draft_ratios, scratch_ratios = _resampled(units, drafted, rng, options), _resampled(units, scratch, rng, options)
    with_draft = _group(True, units, drafted, draft_ratios, rows, language, options)
    from_scratch = _group(False, units, scratch, scratch_ratios, rows, language, options)
    speedup = _ratio(from_scratch.rate.seconds_per_audio_minute, with_draft.rate.seconds_per_audio_minute)
    low = high = None
    if draft_ratios is not None and scratch_ratios is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = _interval(scratch_ratios / draft_ratios, options.confidence)
    everyone = np.arange(len(units.segments))
    return LaborReport(
        project=_rate(units, everyone, _resampled(units, everyone, rng, options), options.confidence),
        labelers=tuple(LabelerLabor(str(name), _rate(units, picked)) for name, picked in _split(units.labelers)),
        days=tuple(DayLabor(day.astype(date), _rate(units, picked)) for day, picked in _split(units.days)),
        with_draft=with_draft,
        from_scratch=from_scratch,
        speedup=speedup,
        speedup_low=low,
        speedup_high=high,
        clamped_saves=sum(row.clamped for row in rows.labor if not labelers or row.labeler in labelers),
    )


def _units(rows: Iterable[LaborRow], labelers: tuple[str, ...]) -> _Units:
    """Rows (oldest first) of the chosen labelers summed per (segment, labeler); the last save
    gives the unit's audio, day and whether the draft was shown."""
    index: dict[tuple[str, str], int] = {}
    segments: list[str] = []
    names: list[str] = []
    days: list[date] = []
    shown: list[bool] = []
    audio: list[float] = []
    active: list[float] = []
    counts: list[list[int]] = []
    for row in rows:
        if labelers and row.labeler not in labelers:
            continue
        at = index.setdefault((row.segment_id, row.labeler), len(segments))
        if at == len(segments):
            segments.append(row.segment_id)
            names.append(row.labeler)
            days.append(row.at.date())
            shown.append(row.draft_shown)
            audio.append(row.audio_seconds)
            active.append(row.active_seconds)
            counts.append([row.keys, row.edits, row.plays])
            continue
        days[at], shown[at], audio[at] = row.at.date(), row.draft_shown, row.audio_seconds
        active[at] += row.active_seconds
        counts[at] = [counts[at][0] + row.keys, counts[at][1] + row.edits, counts[at][2] + row.plays]
    return _Units(
        segments,
        np.array(names, dtype=str),
        np.array(days, dtype="datetime64[D]"),
        np.array(shown, dtype=bool),
        np.array(audio, dtype=float),
        np.array(active, dtype=float),
        np.array(counts, dtype=np.int64).reshape(-1, 3),
    )


def _split(keys: np.ndarray) -> list[tuple[np.generic, np.ndarray]]:
    """The units' indices per distinct key, keys in sorted order."""
    if not keys.size:
        return []
    distinct, inverse = np.unique(keys, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    return list(zip(distinct, np.split(order, np.cumsum(np.bincount(inverse))[:-1]), strict=True))


def _rate(units: _Units, picked: np.ndarray, ratios: np.ndarray | None = None, confidence: float = 0.95) -> LaborRate:
    active = float(units.active_seconds[picked].sum())
    minutes = float(units.audio_seconds[picked].sum()) / 60
    keys, edits, plays = (int(total) for total in units.counts[picked].sum(axis=0))
    low, high = _interval(ratios, confidence) if ratios is not None else (None, None)
    return LaborRate(
        units=len(picked),
        active_seconds=active,
        audio_minutes=minutes,
        keys=keys,
        edits=edits,
        plays=plays,
        seconds_per_audio_minute=_ratio(active, minutes),
        low=low,
        high=high,
    )


def _resampled(units: _Units, picked: np.ndarray, rng: np.random.Generator, options: LaborOptions) -> np.ndarray | None:
    """Labor per audio minute of each bootstrap resample of the picked units (None: fewer than
    two). A group so large that its resamples would draw more than ``max_draws`` indices gets
    its resamples from the normal approximation of the ratio instead (its linearised standard
    error): at that size the central limit theorem makes the two agree (bench/labor_report.py
    prints both), and the dashboard stays fast."""
    count = len(picked)
    if count < 2:
        return None
    active, minutes = units.active_seconds[picked], units.audio_seconds[picked] / 60
    if count * options.resamples > options.max_draws:
        ratio = active.sum() / minutes.sum()
        error = np.sqrt(((active - ratio * minutes) ** 2).sum() / (count * (count - 1))) / minutes.mean()
        return rng.normal(ratio, error, size=options.resamples)
    chunk = max(1, 2_000_000 // count)  # at most two million indices in memory at once
    ratios = []
    for first in range(0, options.resamples, chunk):
        draws = rng.integers(0, count, size=(min(chunk, options.resamples - first), count))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios.append(active[draws].sum(axis=1) / minutes[draws].sum(axis=1))
    return np.concatenate(ratios)


def _interval(ratios: np.ndarray | None, confidence: float) -> tuple[float | None, float | None]:
    if ratios is None:
        return None, None
    finite = ratios[np.isfinite(ratios)]
    if finite.size == 0:
        return None, None
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def _group(
    draft_shown: bool,
    units: _Units,
    picked: np.ndarray,
    ratios: np.ndarray | None,
    rows: LaborRows,
    language: str | None,
    options: LaborOptions,
) -> LaborGroup:
    segments = {units.segments[at] for at in picked}
    reviews = [review for review in rows.reviews if review.segment_id in segments]
    rejected = sum(review.decision == ReviewDecision.REJECTED.value for review in reviews)
    pairs = [
        labeler_agreement(pair.first_text, pair.second_text, language, options.score)
        for pair in rows.pairs
        if pair.segment_id in segments
        and same_bounds(pair.first_start, pair.first_duration, pair.second_start, pair.second_duration)
    ]
    chars = sum(pair.chars for pair in pairs)
    return LaborGroup(
        draft_shown=draft_shown,
        rate=_rate(units, picked, ratios, options.confidence),
        reviewed=len(reviews),
        rejected=rejected,
        rejection_rate=rejected / len(reviews) if reviews else None,
        agreement_pairs=len(pairs),
        agreement_cer=(sum(pair.edits for pair in pairs) / chars if chars else 0.0) if pairs else None,
    )


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


@dataclass(frozen=True, slots=True)
class LaborCsvRow:
    """One line of the labor download: ``scope`` project | with_draft | from_scratch | labeler |
    day, ``name`` the labeler or the day (empty otherwise), then the rate's figures."""

    scope: str
    name: str
    units: int
    active_seconds: float
    audio_minutes: float
    seconds_per_audio_minute: float | None
    low: float | None
    high: float | None
    keys: int
    edits: int
    plays: int


def labor_csv_rows(report: LaborReport) -> tuple[LaborCsvRow, ...]:
    """Every rate of the report as one flat table (the dashboard's CSV)."""
    named: list[tuple[str, str, LaborRate]] = [
        ("project", "", report.project),
        ("with_draft", "", report.with_draft.rate),
        ("from_scratch", "", report.from_scratch.rate),
        *(("labeler", row.labeler, row.rate) for row in report.labelers),
        *(("day", row.day.isoformat(), row.rate) for row in report.days),
    ]
    return tuple(
        LaborCsvRow(
            scope,
            name,
            rate.units,
            rate.active_seconds,
            rate.audio_minutes,
            rate.seconds_per_audio_minute,
            rate.low,
            rate.high,
            rate.keys,
            rate.edits,
            rate.plays,
        )
        for scope, name, rate in named
    )
