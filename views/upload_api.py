"""The audio upload route: ``POST /api/upload/{project_id}?name=<file name>``, the request's body
the file's bytes (the projects page's upload component sends each chosen File as the body, so the
browser streams it). Served by ``OwnRoutesFirst`` (views/routes.py) ahead of Streamlit, whose
file picker kept a whole upload in the server's memory (2.5 GB for a 4-hour 44.1 kHz stereo WAV).

Checked as the label routes are (views/label_api.py): the session cookie (401), the tab header
``X-Speechlabel-Tab`` as the CSRF guard (400) and the role, through the import's own rule
(``require_uploader``: 403), all before a byte of the body is read; then a Content-Length over
the largest upload (Streamlit's ``server.maxUploadSize``, the limit the file picker had) is a
413, and so is a body sent in chunks as soon as it passes it. The body is written to a hidden
file in the data folder a MiB at a time, in a thread, and imported from there in a worker thread
(speechlabel.ingest.uploads); the file is removed whatever happens. The answer is the import's
report in JSON, its messages in the reader's language; 400 when the file was not imported (empty,
not audio, damaged), with the same report, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from streamlit import config

from speechlabel.accounts.rate_limit import TooManyRequests
from speechlabel.core.errors import Forbidden, NotFound, NotSignedIn, SpeechLabelError, StoreUnavailable
from speechlabel.i18n import Lang, error_message, translate
from speechlabel.i18n.error_text import localized_params
from speechlabel.ingest.files import ImportDuplicate, ImportFailure, ImportReport, require_uploader
from speechlabel.ingest.uploads import UploadLimit, UploadSpool, UploadTooLarge, import_upload, upload_name
from speechlabel.labeling.loop import Loop
from views import label_api

log = logging.getLogger(__name__)

API = "/api/upload"
_NOT_STORED = {"Cache-Control": "no-store"}
# One import at a time per server: an import is minutes of decoding for a long file, and it
# must not take the label loop's workers (label_api.in_worker) from the labelers meanwhile.
_importers: RunVar[anyio.CapacityLimiter] = RunVar("speechlabel_importers")


def upload_limit() -> UploadLimit:
    """Streamlit's ``server.maxUploadSize`` (megabytes of 2**20 bytes, as Streamlit counts them):
    the limit .streamlit/config.toml sets for the app's uploads."""
    return UploadLimit(int(config.get_option("server.maxUploadSize")) * 2**20)


async def upload(request: Request) -> Response:
    lang = label_api.reader_language(request)
    try:
        label_api.tab_key(request)  # the CSRF guard, before anything else
        current, actor, project = await label_api.in_worker(lambda: _uploader(request))
        name = upload_name(request.query_params.get("name"))
        limit = upload_limit()
        limit.check_declared(request.headers.get("content-length"))
        with UploadSpool(current.settings, limit) as spool:
            await _receive(request, spool)
            path = await anyio.to_thread.run_sync(spool.finish)
            report = await _in_importer(
                lambda: import_upload(current.store, current.settings, project, actor, path, name)
            )
    except ClientDisconnect:
        log.info("an upload's client went away; its partial file was removed")
        return Response(status_code=400)
    except SpeechLabelError as error:
        return _error(error, lang)
    except OSError as error:  # the data folder's disk is full or not writable: nothing was imported
        log.error("an upload could not be written to the data folder: %s", error)
        body = {"error": translate("error.upload_not_written", lang), "kind": "OSError"}
        return JSONResponse(body, status_code=507, headers=_NOT_STORED)
    return _report(report, lang)


def _uploader(request: Request):
    """(loop, actor, project) of a session that may upload into the path's project."""
    current: Loop = label_api.loop()
    with current.store.shared():
        actor = label_api.signed_in(current.store, request)
        project_id = request.path_params["project_id"]
        require_uploader(actor, project_id)  # by id, before the project is read: nothing of it leaks
        project = current.store.get_project_by_id(project_id)
    return current, actor, project


async def _receive(request: Request, spool: UploadSpool) -> None:
    """The body into ``spool``, its writes off the event loop."""
    async for chunk in request.stream():
        if spool.add(chunk):
            await anyio.to_thread.run_sync(spool.write_due)


async def _in_importer(work):
    try:
        importers = _importers.get()
    except LookupError:
        importers = anyio.CapacityLimiter(1)
        _importers.set(importers)
    return await anyio.to_thread.run_sync(work, limiter=importers)


def _report(report: ImportReport, lang: Lang) -> Response:
    body = report_json(report, lang)
    # Nothing imported and nothing already there: the file was refused (empty, not audio, ...).
    refused = bool(report.failures) and not report.imported and not report.duplicates
    if refused:
        body["error"] = body["failures"][0]["message"]
    return JSONResponse(body, status_code=400 if refused else 200, headers=_NOT_STORED)


def report_json(report: ImportReport, lang: Lang) -> dict[str, Any]:
    """The import report as the page shows it, its messages in ``lang`` (forms.upload_audio)."""
    return {
        "imported": [{"id": r.id, "label": r.label, "seconds": r.duration} for r in report.imported],
        "warnings": [
            {"source": w.source, "message": translate(w.message_key, lang, **localized_params(w.params, lang))}
            for w in report.warnings
        ],
        "failures": [{"source": f.source, "message": _reason(f, lang)} for f in report.failures],
        "duplicates": [{"source": d.source, "message": _reason(d, lang)} for d in report.duplicates],
    }


def _reason(outcome: ImportFailure | ImportDuplicate, lang: Lang) -> str:
    """Translated when the error has a catalog message, else the English detail (as the page)."""
    error = outcome.error
    return error_message(error, lang) if error is not None and error.message_key else outcome.message


def _error(error: SpeechLabelError, lang: Lang) -> Response:
    if isinstance(error, TooManyRequests):
        return label_api.too_many(error, lang)
    status = 400
    for kind, code in ((NotSignedIn, 401), (Forbidden, 403), (NotFound, 404), (UploadTooLarge, 413)):
        if isinstance(error, kind):
            status = code
    if isinstance(error, StoreUnavailable):
        status = 503
    body = {"error": error_message(error, lang), "kind": type(error).__name__}
    return JSONResponse(body, status_code=status, headers=_NOT_STORED)


def routes() -> list[Route]:
    return [Route(API + "/{project_id:int}", upload, methods=["POST"])]
