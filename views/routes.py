"""HTTP routes the app serves beside its pages (Starlette, mounted by ``st.App`` in
workbench.py). They run outside any script run, so they take the shared workspace directly."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from speechlabel.clips import CLIP_ROUTE, cut_clip, parse_seconds
from speechlabel.errors import NotFound, ValidationError
from speechlabel.i18n import Lang, default_language, error_message
from speechlabel.workspace import Workspace


def clip(request: Request) -> Response:
    """``GET /clip/<recording>.wav?start=1.25&end=3.5``: that span as a 16 kHz mono WAV.

    A plain ``def``: Starlette runs it in a worker thread, so disk reads never block the
    server's event loop."""
    workspace = Workspace.shared()
    try:
        start = parse_seconds(request.query_params.get("start"), "start")
        end = parse_seconds(request.query_params.get("end"), "end")
        cut = cut_clip(workspace.store, workspace.settings, request.path_params["recording_id"], start, end)
    except NotFound as error:
        return PlainTextResponse(error_message(error, _reader_language(request)), status_code=404)
    except ValidationError as error:
        return PlainTextResponse(error_message(error, _reader_language(request)), status_code=400)
    return ranged(cut.wav, request.headers.get("range"))


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
    return Response(body[start:end + 1], status_code=206, media_type="audio/wav",
                    headers={**_HEADERS, "Content-Range": f"bytes {start}-{end}/{size}"})


def _reader_language(request: Request) -> Lang:
    # No script run here, so no session language: the browser's Accept-Language decides.
    return default_language(None, accept_language=request.headers.get("accept-language"))


def routes() -> list[Route]:
    return [Route(CLIP_ROUTE + "/{recording_id}.wav", clip, methods=["GET"])]
