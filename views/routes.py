"""HTTP routes the app serves beside its pages (Starlette, answered by ``OwnRoutesFirst``, which
workbench.py gives ``st.App`` as middleware): the clip route, the label loop's JSON routes
(views/label_api.py) and the audio upload route (views/upload_api.py). They run outside any script run, so they take the shared workspace directly, and every one of them
checks the session cookie and the user's roles itself."""

from __future__ import annotations

import re

from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from speechlabel.accounts.rate_limit import TooManyRequests
from speechlabel.core.errors import Forbidden, NotSignedIn, ValidationError
from speechlabel.i18n import error_message
from speechlabel.labeling.clips import CLIP_ROUTE, MAX_CLIP_SECONDS, cut_clip_for, parse_seconds
from views import label_api, upload_api
from views.label_api import reader_language, signed_in


async def clip(request: Request) -> Response:
    """``GET /clip/<recording>.wav?start=1.25&end=3.5``: that span as a 16 kHz mono WAV, for a
    signed-in session that may hear it (``clips.cut_clip_for``) and has the audio budget for it
    (``rate_limit``; 429 past it): 401 without a session, 403
    for a recording that does not exist or is not the user's to hear (the same answer, so ids
    cannot be probed), 400 for a bad span of one they may hear.

    The work runs in the label loop's workers, so disk reads never block the server's event loop."""
    return await label_api.in_worker(lambda: _clip(request))


def _clip(request: Request) -> Response:
    workspace = label_api.loop()
    lang = reader_language(request)
    try:
        with workspace.store.shared():  # the request's reads on one connection
            actor = signed_in(workspace.store, request)
            start = parse_seconds(request.query_params.get("start"), "start")
            end = parse_seconds(request.query_params.get("end"), "end")
            # The span asked for is paid for even when a range of it is sent: it is cut whole.
            label_api.charge_audio(request, min(max(end - start, 0.0), MAX_CLIP_SECONDS))
            cut = cut_clip_for(
                workspace.store, workspace.settings, actor, request.path_params["recording_id"], start, end
            )
    except NotSignedIn as error:
        return PlainTextResponse(error_message(error, lang), status_code=401, headers=_NOT_STORED)
    except TooManyRequests as error:
        return label_api.too_many(error, lang)
    except Forbidden as error:
        return PlainTextResponse(error_message(error, lang), status_code=403, headers=_NOT_STORED)
    except ValidationError as error:
        return PlainTextResponse(error_message(error, lang), status_code=400, headers=_NOT_STORED)
    return ranged(cut.wav, request.headers.get("range"))


_NOT_STORED = {"Cache-Control": "no-store"}


# The bytes of a span never change (edits move the span, so the URL); the browser may keep them.
# Accept-Ranges: Chrome seeks in an <audio> only in a resource whose server answers byte ranges
# (without them, setting currentTime leaves it at 0, and the waveform could not click-to-seek).
_HEADERS = {"Cache-Control": "private, max-age=3600", "Accept-Ranges": "bytes"}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def ranged(body: bytes, range_header: str | None) -> Response:
    """``body``, or the one byte range the request asks for (206); several ranges or a malformed
    header get the whole body, as RFC 9110 allows, and a range past the end gets 416."""
    size = len(body)
    match = _RANGE.match((range_header or "").strip())
    if not match or match.groups() == ("", ""):
        return Response(body, media_type="audio/wav", headers=_HEADERS)
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:  # "bytes=-N": the last N bytes
        start, end = max(0, size - int(last)), size - 1
    if start >= size or end < start:
        return Response(b"", status_code=416, headers={**_HEADERS, "Content-Range": f"bytes */{size}"})
    return Response(
        body[start : end + 1],
        status_code=206,
        media_type="audio/wav",
        headers={**_HEADERS, "Content-Range": f"bytes {start}-{end}/{size}"},
    )


def routes() -> list[Route]:
    clips = Route(CLIP_ROUTE + "/{recording_id}.wav", clip, methods=["GET"])
    return [clips, *label_api.routes(), *upload_api.routes()]


class OwnRoutesFirst:
    """ASGI middleware (given to ``st.App`` as user middleware, which runs before Streamlit's):
    the clip, the label loop's and the upload routes are answered here, without Streamlit's
    middleware (whose gzip would have nothing to do with an upload's streamed body either).

    Those are a path check for its static files, a signed-cookie session for its own sign-in and
    gzip: none of them concerns these routes (they check their own session cookie; a card is a
    few kB of JSON and a clip is WAV), and a labeler's every segment passes through two of these
    routes, where each layer costs CPU on a server that many labelers share."""

    PREFIXES = (CLIP_ROUTE + "/", label_api.API + "/", upload_api.API + "/")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # ExceptionMiddleware: a wrong method or path is a 405 or 404, as the app's router answers.
        self.own = ExceptionMiddleware(Router(routes=routes()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.PREFIXES):
            await self.own(scope, receive, send)
        else:
            await self.app(scope, receive, send)
