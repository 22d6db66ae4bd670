"""The label loop's JSON routes (Starlette, served beside the pages: ``views/routes.py``), which the
label page's browser component calls instead of rerunning the page for every save.

Every route needs the session cookie of a signed-in user (401 otherwise) and the tab header
``X-Speechlabel-Tab`` (a custom header: a cross-site form or script cannot send it without a
CORS preflight this app never grants, and the cookie is SameSite=Strict). The domain functions
check the roles (403): a segment that does not exist and one the user may not open get the same
403, word for word (``NoSuchSegment``). Answers are JSON; an error is ``{"error": message, "kind":
...}`` in the reader's language (``X-Speechlabel-Lang``, else Accept-Language), never a
traceback, with ``kept_for`` when the text the request carried was kept as a segment's unsaved
edit (a refused save: the browser forgets its copy only then).

The body is read on the event loop; the work runs in Starlette's thread pool, so database and
disk work never blocks the loop that also serves the app's websockets.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from typing import Any, Literal, TypeVar, overload

import anyio.to_thread
from anyio.lowlevel import RunVar
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from speechlabel.accounts import users as accounts
from speechlabel.accounts.rate_limit import RateLimiter, RateLimitOptions, TooManyRequests
from speechlabel.conventions import Problem
from speechlabel.conventions.lint_text import problem_message
from speechlabel.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    NotSignedIn,
    SpeechLabelError,
    StaleVersion,
    StoreUnavailable,
    ValidationError,
)
from speechlabel.core.labor import read_labor
from speechlabel.core.models import Actor, ReviewReason, SegmentStatus
from speechlabel.i18n import Lang, default_language, enum_label, error_message, translate
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import loop as label_loop
from speechlabel.labeling.loop import Edit, Loop, OpenSegments, SegmentCard, TabKey, actions
from speechlabel.projects.conventions import LintRejected, project_scheme
from speechlabel.store import Store
from speechlabel.workspace.workspace import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")

API = "/api/label"
TAB_HEADER = "x-speechlabel-tab"
LANG_HEADER = "x-speechlabel-lang"
MAX_BODY_BYTES = 256 * 1024  # a transcript is at most 20,000 characters (actions.MAX_TEXT_CHARS)
_TABS = OpenSegments()  # one per server process, like the workspace
_LIMITS: list[RateLimiter] = []  # the sessions' budgets of requests and audio, one per server process
_LIMITS_LOCK = threading.Lock()


class BadRequest(ValidationError):
    pass


def loop() -> Loop:
    workspace = Workspace.shared()
    return Loop(workspace.store, workspace.settings, _TABS)


def limiter() -> RateLimiter:
    if not _LIMITS:
        with _LIMITS_LOCK:
            if not _LIMITS:
                factor = Workspace.shared().settings.route_budget
                _LIMITS.append(RateLimiter(RateLimitOptions().scaled(factor)))
    return _LIMITS[0]


def signed_in(store: Store, request: Request) -> Actor:
    """The actor of the request's session cookie (NotSignedIn: 401), once the session's budget
    has paid for the request (TooManyRequests: 429)."""
    actor = accounts.authenticate(store, request.cookies.get(accounts.SESSION_COOKIE))
    limiter().take(_session_key(request))
    return actor


def charge_audio(request: Request, seconds: float) -> None:
    """The signed-in session's audio budget pays for ``seconds`` served (TooManyRequests: 429)."""
    limiter().take(_session_key(request), requests=0, audio_seconds=seconds)


def _session_key(request: Request) -> str:
    return accounts.token_hash(request.cookies.get(accounts.SESSION_COOKIE) or "")


def reader_language(request: Request) -> Lang:
    chosen = request.headers.get(LANG_HEADER)
    if chosen in {lang.value for lang in Lang}:
        return Lang(chosen)
    return default_language(None, accept_language=request.headers.get("accept-language"))


def endpoint(handler):
    """Wrap a handler ``(loop, actor, tab, body, request, lang) -> payload`` with the session
    check, the tab header, the JSON body and the mapping of domain errors to HTTP answers."""

    async def route(request: Request) -> Response:
        lang = reader_language(request)
        try:
            raw = await _read_limited(request) if request.method == "POST" else b""

            def work() -> Response:
                current = loop()
                with current.store.shared():  # the request's reads on one connection
                    actor = signed_in(current.store, request)
                    return _json(handler(current, actor, tab_key(request), _body(raw), request, lang))

            return await in_worker(work)
        except SpeechLabelError as error:
            return _error(error, lang)

    route.__name__ = handler.__name__
    route.__doc__ = handler.__doc__
    return route


# How many requests do their work at once. The work is Python holding the GIL, so more threads
# only take turns with it, and every turn costs CPU: with 20 labelers saving at full speed on
# SQLite, 4 workers spent 21 ms of server CPU per save and 2 spent 15-18 ms, with a third more
# saves per second (bench.label_capacity, 2 cores; on PostgreSQL, where reads wait on the
# network, 2 and 4 were alike). A request beyond these waits on the event loop, costing
# nothing. Waits for SQLite's write lock happen in ``Store.write``'s queue, inside a worker;
# two workers keep one free while the other waits.
WORKERS = 2
_workers: RunVar[anyio.CapacityLimiter] = RunVar("speechlabel_workers")  # one per event loop


async def in_worker(work: Callable[[], T]) -> T:
    """``work()`` in a worker thread (never on the event loop that also serves the app's
    websockets), at most WORKERS at once."""
    try:
        workers = _workers.get()
    except LookupError:
        workers = anyio.CapacityLimiter(WORKERS)
        _workers.set(workers)
    return await anyio.to_thread.run_sync(work, limiter=workers)


def tab_key(request: Request) -> TabKey:
    """The request's tab (its session and X-Speechlabel-Tab): a request without the header is refused
    (BadRequest), the routes' guard against cross-site requests."""
    tab = request.headers.get(TAB_HEADER, "")
    if not 1 <= len(tab) <= 64:
        raise BadRequest(message_key="error.api_no_tab")
    return TabKey(_session_key(request), tab)


async def _read_limited(request: Request) -> bytes:
    """The body, refused as soon as it grows past MAX_BODY_BYTES (never read whole into memory)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadRequest(message_key="error.api_too_large", params={"size": size, "most": MAX_BODY_BYTES})
        chunks.append(chunk)
    return b"".join(chunks)


def _body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise BadRequest(message_key="error.api_not_json")
    return body


def _json(payload: Any) -> Response:
    return JSONResponse(payload, headers={"Cache-Control": "no-store"})


def _error(error: SpeechLabelError, lang: Lang) -> Response:
    if isinstance(error, TooManyRequests):
        return too_many(error, lang)
    status = (
        401
        if isinstance(error, NotSignedIn)
        else 403
        if isinstance(error, Forbidden)
        else 404
        if isinstance(error, NotFound)
        else 409
        if isinstance(error, Conflict)
        else 503
        if isinstance(error, StoreUnavailable)
        else 422
    )
    body: dict[str, Any] = {"error": _message(error, lang), "kind": type(error).__name__}
    if isinstance(error, StaleVersion):
        body["current_version"] = error.current_version
    if isinstance(error, label_loop.NotOpen):
        body["open"] = error.open_id
    if isinstance(error, LintRejected):
        body["problems"] = len(error.problems)
    if error.kept_for is not None:  # the text the request carried is the unsaved edit of that segment
        body["kept_for"] = error.kept_for
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def too_many(error: TooManyRequests, lang: Lang) -> Response:
    """429 with Retry-After, the message in the reader's language (the clip route's answer too)."""
    body = {"error": error_message(error, lang), "kind": type(error).__name__, "retry_after": error.params["seconds"]}
    return JSONResponse(
        body, status_code=429, headers={"Cache-Control": "no-store", "Retry-After": str(error.params["seconds"])}
    )


def _message(error: SpeechLabelError, lang: Lang) -> str:
    if isinstance(error, LintRejected):
        return lint_rejected_message(error, lang)
    return error_message(error, lang)


def lint_rejected_message(error: LintRejected, lang: Lang) -> str:
    """Save refused for lint errors: the first error (and how many more) in the reader's
    language. (LintRejected carries the problems, not a message key: this is its rendering.)"""
    first = error.problems[0]
    more = len(error.problems) - 1
    message = problem_message(first, project_scheme(error.project), lang) if error.project else first.message
    return translate(
        "label.lint_rejected",
        lang,
        position=first.start,
        message=message,
        more=translate("label.lint_rejected_more", lang, count=more) if more else "",
    )


# --- what goes out -------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A dataclass as dicts and lists for JSON. Unlike ``dataclasses.asdict`` it does not deep-copy
    lists of numbers (a card's draft words' times, its neighbours' spans)."""
    if is_dataclass(value):
        return {item.name: plain(getattr(value, item.name)) for item in fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value] if value and is_dataclass(value[0]) else list(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def card_json(card: SegmentCard | None, lang: Lang) -> dict[str, Any] | None:
    """A card as JSON, its error and labels in the reader's language."""
    if card is None:
        return None
    out = plain(replace(card, wave_error=None))
    out["wave_error"] = error_message(card.wave_error, lang) if card.wave_error else None
    out["status_label"] = enum_label(SegmentStatus(card.status), lang)
    if card.rejection and card.rejection.reason:
        out["rejection"]["reason"] = enum_label(ReviewReason(card.rejection.reason), lang)
    return out


def problems_json(problems: list[Problem], project, lang: Lang) -> list[dict[str, Any]]:
    scheme = project_scheme(project)
    return [
        {
            "start": p.start,
            "end": p.end,
            "error": p.is_error,
            "code": p.code,
            "message": problem_message(p, scheme, lang),
            "suggestion": p.suggestion,
        }
        for p in problems
    ]


# --- what comes in -------------------------------------------------------------------------------


@overload
def _text(body: dict, name: str, required: Literal[True] = True) -> str: ...
@overload
def _text(body: dict, name: str, required: bool) -> str | None: ...
def _text(body: dict, name: str, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise BadRequest(message_key="error.api_field_text", params={"field": name})
    return value


def _number(body: dict, name: str, whole: bool = False, required: bool = True):
    value = body.get(name)
    if value is None and not required:
        return None
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise BadRequest(message_key="error.api_field_number", params={"field": name})
    return value


def _edit(body: dict) -> Edit:
    tags = body.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise BadRequest(message_key="error.api_field_tags")
    return Edit(
        segment_id=_text(body, "segment_id"),
        version=_number(body, "version", whole=True),
        text=_text(body, "text"),
        speaker=_text(body, "speaker", required=False),
        tags=tuple(tags),
        comment=_text(body, "comment", required=False),
    )


# --- the routes ----------------------------------------------------------------------------------


@endpoint
def open_segment(current, actor, tab, body, request, lang):
    """GET /api/label/open/{segment_id}: open it in this tab; its card."""
    return card_json(actions.open_card(current, actor, tab, request.path_params["segment_id"]), lang)


@endpoint
def peek_segment(current, actor, tab, body, request, lang):
    """GET /api/label/peek/{segment_id}: its card, not opened (the prefetch)."""
    return card_json(actions.peek_card(current, actor, request.path_params["segment_id"]), lang)


@endpoint
def save(current, actor, tab, body, request, lang):
    """POST /api/label/save {segment_id, version, text, speaker, tags, comment, then_open, prefetch, labor}:
    ``labor`` the browser's telemetry of the segment ({active_seconds, keys, edits, plays}), refused
    when malformed (422, nothing saved) and clamped when implausible (``core.labor.read_labor``)."""
    saved = actions.save(
        current,
        actor,
        tab,
        _edit(body),
        then_open=_text(body, "then_open", required=False),
        prefetch=_text(body, "prefetch", required=False),
        labor=read_labor(body.get("labor")),
    )
    return {
        **plain(replace(saved, next=None, prefetched=None)),
        "next": card_json(saved.next, lang),
        "prefetched": card_json(saved.prefetched, lang),
    }


@endpoint
def keep(current, actor, tab, body, request, lang):
    """POST /api/label/keep {segment_id, version, text, speaker, tags}: the unsaved edit."""
    actions.keep_edit(current, actor, tab, _edit(body))
    return {"kept": True}


@endpoint
def previous(current, actor, tab, body, request, lang):
    """POST /api/label/previous {segment_id}: open the one before."""
    return {"card": card_json(actions.previous(current, actor, tab, _text(body, "segment_id")), lang)}


def _moved(moved: label_loop.Moved, lang: Lang) -> dict[str, Any]:
    return {"card": card_json(moved.card, lang), **moved.notes}


@endpoint
def set_aside(current, actor, tab, body, request, lang):
    """POST /api/label/set-aside {segment_id, version, text, reason, untranscribable, labor}."""
    moved = actions.set_aside(
        current,
        actor,
        tab,
        _edit(body),
        _text(body, "reason"),
        bool(body.get("untranscribable")),
        read_labor(body.get("labor")),
    )
    return _moved(moved, lang)


@endpoint
def split(current, actor, tab, body, request, lang):
    """POST /api/label/split {segment_id, version, text, at | caret}."""
    moved = actions.split(
        current,
        actor,
        tab,
        _edit(body),
        at_time=_number(body, "at", required=False),
        caret=_number(body, "caret", whole=True, required=False),
    )
    return _moved(moved, lang)


@endpoint
def merge(current, actor, tab, body, request, lang):
    """POST /api/label/merge {segment_id, version, text, next_id, next_version}."""
    moved = actions.merge(
        current, actor, tab, _edit(body), _text(body, "next_id"), _number(body, "next_version", whole=True)
    )
    return _moved(moved, lang)


@endpoint
def bounds(current, actor, tab, body, request, lang):
    """POST /api/label/bounds {segment_id, version, text, start, end, edge}."""
    edge = body.get("edge")
    if edge not in (None, "start", "end"):
        raise BadRequest(message_key="error.api_field_edge")
    moved = actions.bounds(current, actor, tab, _edit(body), _number(body, "start"), _number(body, "end"), edge)
    return _moved(moved, lang)


@endpoint
def discard(current, actor, tab, body, request, lang):
    """POST /api/label/discard {segment_id}: forget the unsaved edit, show the saved segment."""
    return _moved(actions.discard(current, actor, tab, _text(body, "segment_id")), lang)


@endpoint
def lint(current, actor, tab, body, request, lang):
    """POST /api/label/lint {segment_id, text}: the text's problems and, if any fix, the fixed text."""
    project = _readable_project(current, actor, body)
    text = _text(body, "text")
    problems = actions.lint(project, text)
    fixed = actions.fix(project, text).text if any(p.fix for p in problems) else None
    return {"problems": problems_json(problems, project, lang), "fixed": fixed}


@endpoint
def insert(current, actor, tab, body, request, lang):
    """POST /api/label/insert {segment_id, text, tag, start, end}: a scheme tag put at the caret."""
    project = _readable_project(current, actor, body)
    inserted = actions.insert(
        project,
        _text(body, "text"),
        _text(body, "tag"),
        _number(body, "start", whole=True),
        _number(body, "end", whole=True, required=False),
    )
    return {"text": inserted.text, "caret": inserted.caret}


def _readable_project(current: Loop, actor: Actor, body: dict):
    return labeling.readable_project(current.store, actor, _text(body, "segment_id"))


def routes() -> list[Route]:
    return [
        Route(f"{API}/open/{{segment_id}}", open_segment, methods=["GET"]),
        Route(f"{API}/peek/{{segment_id}}", peek_segment, methods=["GET"]),
        Route(f"{API}/save", save, methods=["POST"]),
        Route(f"{API}/keep", keep, methods=["POST"]),
        Route(f"{API}/previous", previous, methods=["POST"]),
        Route(f"{API}/set-aside", set_aside, methods=["POST"]),
        Route(f"{API}/split", split, methods=["POST"]),
        Route(f"{API}/merge", merge, methods=["POST"]),
        Route(f"{API}/bounds", bounds, methods=["POST"]),
        Route(f"{API}/discard", discard, methods=["POST"]),
        Route(f"{API}/lint", lint, methods=["POST"]),
        Route(f"{API}/insert", insert, methods=["POST"]),
    ]
