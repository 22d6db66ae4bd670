"""Per-session budgets of requests and audio (speechlabel/accounts/rate_limit.py): a labeler's fastest pace
never meets them, the audit's burst of long clips does; refusals charge nothing; the buckets are
safe across threads and their number stays bounded. Then through the routes (Starlette's test
client, real SQLite and PostgreSQL): 429 with Retry-After in the reader's language, per session."""

from __future__ import annotations

import threading

import pytest

from speechlabel.accounts.rate_limit import RateLimiter, RateLimitOptions, TooManyRequests
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Role
from tests.label_routes_client import client, first_segment, person
from views import label_api


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def attempts(limiter: RateLimiter, session: str, **charge) -> bool:
    try:
        limiter.take(session, **charge)
    except TooManyRequests:
        return False
    return True


def test_the_fastest_labeler_never_meets_the_defaults():
    """One save a second for ten minutes, each with four requests and a 16 s clip (a 10 s
    segment with 3 s of context each side): nothing is refused."""
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for _ in range(600):
        for _ in range(3):
            assert attempts(limiter, "ana")
        assert attempts(limiter, "ana", audio_seconds=16.0)
        clock.now += 1.0


def test_the_audits_burst_of_long_clips_is_refused():
    """The audit: 200 requests for 120 s clips within 23 s. The burst (900 s) pays for 7 of them,
    then one every 4 s: about 12 instead of 200."""
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    served = 0
    for request in range(200):
        clock.now = 1000.0 + 23.0 * request / 200
        served += attempts(limiter, "stranger", audio_seconds=120.0)
    assert 7 <= served <= 13
    with pytest.raises(TooManyRequests) as refused:
        limiter.take("stranger", audio_seconds=120.0)
    assert 0 < refused.value.retry_after_seconds <= 4.0
    assert str(refused.value).startswith("too many requests from this session; wait ")
    assert attempts(limiter, "someone else", audio_seconds=120.0)  # other sessions keep their budget


def test_a_request_burst_is_refused_and_the_bucket_refills():
    clock = Clock()
    limiter = RateLimiter(RateLimitOptions(requests_per_minute=60, request_burst=10), clock=clock)
    assert sum(attempts(limiter, "s") for _ in range(50)) == 10
    with pytest.raises(TooManyRequests) as refused:
        limiter.take("s")
    assert refused.value.retry_after_seconds == pytest.approx(1.0)
    assert refused.value.params == {"seconds": 1}
    clock.now += 1.0  # one more request's worth
    assert attempts(limiter, "s") and not attempts(limiter, "s")


def test_a_refused_request_charges_nothing():
    clock = Clock()
    limiter = RateLimiter(RateLimitOptions(audio_seconds_per_minute=60, audio_burst_seconds=100), clock=clock)
    assert attempts(limiter, "s", audio_seconds=80)
    assert not attempts(limiter, "s", audio_seconds=30)  # 20 left: refused ...
    assert attempts(limiter, "s", audio_seconds=20)  # ... and the 20 are still there


def test_buckets_are_safe_across_threads():
    """Eight threads spend one session's budget at once: exactly the burst is granted."""
    limiter = RateLimiter(RateLimitOptions(requests_per_minute=1e-6, request_burst=300), clock=lambda: 1000.0)
    granted = []
    start = threading.Barrier(8)

    def spend() -> None:
        start.wait()
        granted.append(sum(attempts(limiter, "shared") for _ in range(100)))

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == 300


def test_memory_is_bounded_and_idle_sessions_are_forgotten():
    clock = Clock()
    options = RateLimitOptions(max_sessions=100)
    limiter = RateLimiter(options, clock=clock)
    for number in range(1000):
        limiter.take(f"session-{number}")
    assert len(limiter) == 100  # the least recently used went
    assert options.idle_seconds == 30.0  # both buckets full again after half a minute
    clock.now += options.idle_seconds
    limiter.take("new")
    assert len(limiter) == 1  # the idle ones are dropped: a full bucket is the same as none


@pytest.mark.parametrize(
    "field, value",
    [("requests_per_minute", 0), ("audio_burst_seconds", -1), ("request_burst", True), ("max_sessions", 0)],
)
def test_options_are_checked(field, value):
    with pytest.raises(ValidationError, match=field):
        RateLimitOptions(**{field: value})


# --- through the routes --------------------------------------------------------------------------


@pytest.fixture
def tight(monkeypatch):
    """A server whose sessions may fetch 5 s of audio and 6 requests before refills (2 a minute)."""
    limiter = RateLimiter(
        RateLimitOptions(requests_per_minute=2, request_burst=6, audio_seconds_per_minute=2, audio_burst_seconds=5)
    )
    monkeypatch.setattr(label_api, "limiter", lambda: limiter)
    return limiter


def test_the_clip_route_refuses_a_session_over_its_audio_budget_in_its_language(app, store, project, ldc, tight):
    token = person(store, project, "ana", Role.LEAD)
    recording = ldc[0].id
    web = client(app, token)
    assert web.get(f"/clip/{recording}.wav?start=0&end=2.5").status_code == 200
    assert web.get(f"/clip/{recording}.wav?start=0&end=2.5").status_code == 200  # 5 s spent
    refused = web.get(f"/clip/{recording}.wav?start=0&end=1")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"].startswith("too many requests from this session; wait ")
    korean = client(app, token)
    korean.headers["x-speechlabel-lang"] = "ko"
    answer = korean.get(f"/clip/{recording}.wav?start=0&end=1")
    assert answer.status_code == 429 and "요청이 너무 많습니다" in answer.json()["error"]
    # Another session (another person) still has its own budget; no session is still 401.
    other = person(store, project, "lee", Role.LEAD)
    assert client(app, other).get(f"/clip/{recording}.wav?start=0&end=1").status_code == 200
    assert client(app, None).get(f"/clip/{recording}.wav?start=0&end=1").status_code == 401


def test_the_json_routes_refuse_a_burst_of_requests(app, store, project, ldc, tight):
    token = person(store, project, "ana", Role.LABELER)
    web = client(app, token)
    segment = first_segment(store, token)
    answers = [web.get(f"/api/label/peek/{segment.id}").status_code for _ in range(8)]
    assert answers == [200] * 6 + [429] * 2
    refused = web.post("/api/label/keep", json={"segment_id": segment.id, "version": segment.version, "text": "x"})
    assert refused.status_code == 429 and refused.json()["kind"] == "TooManyRequests"
    assert refused.json()["retry_after"] >= 1


def test_a_deployment_scales_the_budgets_for_load_tests(monkeypatch, tmp_path):
    """$SPEECHLABEL_ROUTE_BUDGET multiplies every rate and burst (bench/label_capacity.py's clients
    save as fast as the server answers); the server's limiter is built with it."""
    from speechlabel.workspace.config import Settings

    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    assert Settings.from_env().route_budget == 1.0
    monkeypatch.setenv("SPEECHLABEL_ROUTE_BUDGET", "100")
    assert Settings.from_env().route_budget == 100.0
    monkeypatch.setattr(label_api, "_LIMITS", [])
    built = label_api.limiter()
    assert built.options == RateLimitOptions().scaled(100) and built.options.request_burst == 30_000
    assert built.options.idle_seconds == RateLimitOptions().idle_seconds
    for bad in ("0", "abc", "1e9", "nan"):
        monkeypatch.setenv("SPEECHLABEL_ROUTE_BUDGET", bad)
        with pytest.raises(ValidationError, match="SPEECHLABEL_ROUTE_BUDGET is .*; give a factor from 0.01 to 1000"):
            Settings.from_env()
