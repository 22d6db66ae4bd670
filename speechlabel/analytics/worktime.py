"""Working time and per-day counts read from save times.

Pure functions for the dashboard and tests (no database, no Streamlit). Times are UTC: naive
datetimes are taken as UTC, which is what the store keeps. The dashboard reads save times in
bulk as POSIX seconds, so every function here has a form that takes those directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from speechlabel.core.errors import ValidationError

_SECONDS_PER_DAY = 86_400
_EPOCH_DAY = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class WorkTimeOptions:
    """How working time is read from save times.

    ``idle_gap_seconds``: a gap between consecutive saves longer than this is a break, not
    work (default 5 minutes: long enough to listen to a hard segment several times).
    ``session_start_seconds``: counted once for the first save of every session (after a
    break or at the start), because the work before that save left no earlier timestamp;
    without it a one-save session would count as no time at all. The default of 30 s is about
    one short segment's correction; set it to the median in-session gap once it is measured.
    """

    idle_gap_seconds: float = 300.0
    session_start_seconds: float = 30.0

    def __post_init__(self) -> None:
        if not self.idle_gap_seconds > 0:
            raise ValidationError(message_key="error.idle_gap", params={"value": self.idle_gap_seconds})
        if not self.session_start_seconds >= 0:
            raise ValidationError(
                message_key="error.session_start",
                params={"value": self.session_start_seconds},
            )


@dataclass(frozen=True)
class WorkTime:
    """``seconds`` = sessions x session_start_seconds + every gap of at most the idle gap."""

    seconds: float
    saves: int
    sessions: int


def working_time(save_times: Iterable[datetime], options: WorkTimeOptions = WorkTimeOptions()) -> WorkTime:
    """One labeler's working time from their save times (any order; naive ones are UTC)."""
    return working_time_of_seconds((_as_utc(t).timestamp() for t in save_times), options)


def working_time_of_seconds(save_seconds: Iterable[float], options: WorkTimeOptions = WorkTimeOptions()) -> WorkTime:
    """``working_time`` of save times given as POSIX seconds (any order)."""
    times = sorted(save_seconds)
    if not times:
        return WorkTime(seconds=0.0, saves=0, sessions=0)
    sessions, worked, idle = 1, 0.0, options.idle_gap_seconds
    for before, after in pairwise(times):
        gap = after - before
        if gap <= idle:
            worked += gap
        else:
            sessions += 1
    seconds = worked + sessions * options.session_start_seconds
    return WorkTime(seconds=seconds, saves=len(times), sessions=sessions)


def per_hour(amount: float, working_seconds: float) -> float | None:
    """A rate per working hour (segments, audio minutes, ...); None without working time."""
    if amount < 0:
        raise ValidationError(message_key="error.rate_amount", params={"amount": amount})
    return amount * 3600.0 / working_seconds if working_seconds > 0 else None


@dataclass(frozen=True)
class DayCount:
    day: date  # UTC date
    count: int


def daily_counts(timestamps: Iterable[datetime], *, fill_gaps: bool = True) -> tuple[DayCount, ...]:
    """Events per UTC day, oldest first. Naive timestamps are taken as UTC (what the store
    keeps). ``fill_gaps`` adds days without events as 0 between the first and last day, so a
    chart shows the quiet days instead of joining their neighbours."""
    counts: dict[date, int] = {}
    for stamp in timestamps:
        day = _as_utc(stamp).date()
        counts[day] = counts.get(day, 0) + 1
    return tuple(DayCount(day=day, count=counts.get(day, 0)) for day in day_range(counts, fill_gaps))


def day_range(days: Iterable[date], fill_gaps: bool = True) -> list[date]:
    """The given days sorted; with ``fill_gaps`` every day from the first to the last."""
    present = sorted(set(days))
    if not present or not fill_gaps:
        return present
    return [present[0] + timedelta(days=n) for n in range((present[-1] - present[0]).days + 1)]


def utc_day(seconds: float) -> date:
    """The UTC date of a POSIX time (no datetime object made: this runs 100,000 times)."""
    return date.fromordinal(_EPOCH_DAY + int(seconds // _SECONDS_PER_DAY))


def _as_utc(stamp: datetime) -> datetime:
    if not isinstance(stamp, datetime):
        raise ValidationError(message_key="error.timestamp_type", params={"type": type(stamp).__name__})
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
