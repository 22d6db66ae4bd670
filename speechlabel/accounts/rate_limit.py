"""Per-session budgets for the app's routes: requests and seconds of audio served per minute.

An audit fetched 768 MB of audio in 23 s with 200 clip requests of 120 s each. Each signed-in
session gets two token buckets: one refilled with ``requests_per_minute`` requests, one with
``audio_seconds_per_minute`` seconds of audio, each holding at most its ``burst``. A request
takes one request token and, for a clip, its span's seconds; when either bucket is short it is
refused with ``TooManyRequests`` (429) and nothing is taken.

The defaults are generous for a person: a fast labeler saves at most about once a second, and
each save costs the loop about four requests (save, the prefetch's card, its clip, a lint or a
kept edit) and one clip of at most ~16 s (a segment of ≤ 10 s and 3 s of context each side).
That is ~240 requests and ~960 audio seconds a minute at a pace nobody keeps; the budgets are
600 requests (burst 300) and 1,800 audio seconds (burst 900, 15 minutes) a minute. The audit's
burst gets 7 of its 120 s clips and is then held to one clip every 4 s (15× real time).

Buckets live in memory, per server process (the routes run in worker threads, so one lock
guards them). A bucket idle long enough to be full again is the same as no bucket and is
dropped; at most ``max_sessions`` are kept (the least recently used go first), so memory stays
bounded whatever the number of sessions.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

from speechlabel.core.errors import SpeechLabelError, ValidationError


@dataclass(frozen=True)
class RateLimitOptions:
    """Budgets per session; a bucket starts full (``*_burst``) and refills at ``*_per_minute``."""

    requests_per_minute: float = 600.0
    request_burst: float = 300.0
    audio_seconds_per_minute: float = 1800.0
    audio_burst_seconds: float = 900.0
    max_sessions: int = 10_000

    def __post_init__(self) -> None:
        for name in ("requests_per_minute", "request_burst", "audio_seconds_per_minute", "audio_burst_seconds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValidationError(message_key="error.rate_limit_option", params={"name": name, "value": value})
        if isinstance(self.max_sessions, bool) or not isinstance(self.max_sessions, int) or self.max_sessions < 1:
            raise ValidationError(message_key="error.rate_limit_sessions", params={"value": self.max_sessions})

    def scaled(self, factor: float) -> RateLimitOptions:
        """Every rate and burst times ``factor`` (Settings.route_budget: load tests)."""
        return replace(
            self,
            requests_per_minute=self.requests_per_minute * factor,
            request_burst=self.request_burst * factor,
            audio_seconds_per_minute=self.audio_seconds_per_minute * factor,
            audio_burst_seconds=self.audio_burst_seconds * factor,
        )

    @property
    def idle_seconds(self) -> float:
        """After this long without a request both buckets are full again: the session is forgotten."""
        return 60.0 * max(
            self.request_burst / self.requests_per_minute, self.audio_burst_seconds / self.audio_seconds_per_minute
        )


class TooManyRequests(SpeechLabelError):
    """A session went over its budget of requests or of audio; it may try again after a wait."""

    def __init__(self, retry_after_seconds: float):
        self.retry_after_seconds = retry_after_seconds
        seconds = max(1, math.ceil(retry_after_seconds))  # round up: never "0 seconds"
        super().__init__(message_key="error.too_many_requests", params={"seconds": seconds})


@dataclass
class _Buckets:
    requests: float
    audio: float
    at: float


class RateLimiter:
    """The buckets of every session of a server process; ``take`` is safe from any thread."""

    def __init__(self, options: RateLimitOptions | None = None, clock: Callable[[], float] = time.monotonic):
        self.options = options or RateLimitOptions()
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, _Buckets] = OrderedDict()

    def take(self, session: str, requests: int = 1, audio_seconds: float = 0.0) -> None:
        """Charge ``requests`` and ``audio_seconds`` of audio to ``session`` (e.g. its token's
        hash), or raise TooManyRequests (charging nothing) when either budget is short."""
        options = self.options
        requests, audio_seconds = max(0, requests), max(0.0, float(audio_seconds))
        with self._lock:
            now = self._clock()
            self._forget_idle(now)
            buckets = self._refilled(session, now)
            short = max(
                (requests - buckets.requests) * 60.0 / options.requests_per_minute,
                (min(audio_seconds, options.audio_burst_seconds) - buckets.audio)
                * 60.0
                / options.audio_seconds_per_minute,
            )
            if short > 0:
                raise TooManyRequests(short)
            buckets.requests -= requests
            buckets.audio -= audio_seconds  # a span over the burst leaves the bucket in debt

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def _refilled(self, session: str, now: float) -> _Buckets:
        options = self.options
        buckets = self._sessions.pop(session, None)
        if buckets is None:
            buckets = _Buckets(options.request_burst, options.audio_burst_seconds, now)
        elapsed = max(0.0, now - buckets.at) / 60.0
        buckets.requests = min(options.request_burst, buckets.requests + elapsed * options.requests_per_minute)
        buckets.audio = min(options.audio_burst_seconds, buckets.audio + elapsed * options.audio_seconds_per_minute)
        buckets.at = now
        self._sessions[session] = buckets  # the most recently used last
        while len(self._sessions) > options.max_sessions:
            self._sessions.popitem(last=False)
        return buckets

    def _forget_idle(self, now: float) -> None:
        """Drop sessions (oldest first) whose buckets have had time to fill up again."""
        idle = self.options.idle_seconds
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest.at < idle:
                return
            self._sessions.popitem(last=False)
