"""The audio upload route (views/upload_api.py) through the app's own middleware, on SQLite and
PostgreSQL: a real recording streamed in and imported under its file name; no session, the
wrong role and a missing tab header refused before the body is read; a Content-Length over the
largest upload refused before a byte of the body is read, and a body sent in chunks stopped once
it passes it; empty and non-audio bodies refused with their reason; a name with folders in it is
only a label. Nothing is left in the uploads folder after any of them."""

from __future__ import annotations

import anyio
import pytest
from streamlit import config

from speechlabel.accounts import users as accounts
from speechlabel.core.models import Role
from speechlabel.ingest.uploads import UPLOADS_FOLDER
from tests.label_routes_client import client, person

JFK = "en/jfk.wav"


@pytest.fixture
def lead(store, project):
    return person(store, project, "lea", Role.LEAD)


@pytest.fixture
def upload_size_mb():
    """Streamlit's ``server.maxUploadSize`` (the route's limit) for a test; restored after it."""
    before = config.get_option("server.maxUploadSize")
    yield lambda megabytes: config.set_option("server.maxUploadSize", megabytes)
    config.set_option("server.maxUploadSize", before)


def post(web, project, body, name: str = "jfk.wav", **headers):
    return web.post(f"/api/upload/{project.id}", params={"name": name}, content=body, headers=headers)


def leftovers(settings) -> list:
    folder = settings.data_dir / UPLOADS_FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_lead_uploads_a_real_recording_and_it_is_imported(app, store, settings, project, lead, speech_dir):
    answer = post(client(app, lead), project, (speech_dir / JFK).read_bytes())
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert [r["label"] for r in report["imported"]] == ["jfk.wav"]
    assert report["imported"][0]["seconds"] == pytest.approx(11.0, abs=0.1)
    assert report["failures"] == report["duplicates"] == report["warnings"] == []
    (recording,) = store.list_recordings(project.id)
    assert (recording.id, recording.label) == (report["imported"][0]["id"], "jfk.wav")
    assert (settings.data_dir / recording.original_path).read_bytes() == (speech_dir / JFK).read_bytes()
    assert leftovers(settings) == []

    again = post(client(app, lead), project, (speech_dir / JFK).read_bytes(), name="again.wav")
    assert again.status_code == 200 and [d["source"] for d in again.json()["duplicates"]] == ["again.wav"]
    assert "already in this project" in again.json()["duplicates"][0]["message"]
    assert len(store.list_recordings(project.id)) == 1 and leftovers(settings) == []


def test_no_session_the_wrong_role_and_no_tab_header_are_refused(app, store, settings, project, lead, speech_dir):
    wav = (speech_dir / JFK).read_bytes()
    nobody = post(client(app, None), project, wav)
    assert nobody.status_code == 401 and nobody.json()["kind"] == "NotSignedIn"
    labeler = person(store, project, "ana", Role.LABELER)
    refused = post(client(app, labeler), project, wav)
    assert refused.status_code == 403 and "lead" in refused.json()["error"] and "Traceback" not in refused.text
    in_korean = post(client(app, labeler), project, wav, **{"x-speechlabel-lang": "ko"})
    assert in_korean.status_code == 403 and "리드" in in_korean.json()["error"]
    no_tab = client(app, lead)
    del no_tab.headers["x-speechlabel-tab"]
    assert post(no_tab, project, wav).status_code == 400
    elsewhere = post(client(app, labeler), project, wav)
    assert elsewhere.status_code == 403
    unknown = client(app, lead).post("/api/upload/999999", params={"name": "a.wav"}, content=wav)
    assert unknown.status_code == 403 and "999999" in unknown.json()["error"]  # never "does not exist"
    assert store.list_recordings(project.id) == [] and leftovers(settings) == []


def raw_post(app, project, token: str, chunks, content_length: int | None = None):
    """POST ``chunks`` to the route as the server hands them to the app (ASGI), without a test
    client between: (the answer's messages, how many chunks the route read)."""
    headers = [(b"x-speechlabel-tab", b"tab-1"), (b"x-speechlabel-lang", b"en")]
    headers.append((b"cookie", f"{accounts.SESSION_COOKIE}={token}".encode()))
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    path = f"/api/upload/{project.id}"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"name=long.wav",
        "headers": headers,
    }
    reads, sent = [0], []

    async def receive():
        reads[0] += 1
        if chunks[reads[0] - 1] is None:  # the client went away
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunks[reads[0] - 1], "more_body": reads[0] < len(chunks)}

    async def send(message):
        sent.append(message)

    anyio.run(app, scope, receive, send)
    return sent, reads[0]


def test_a_content_length_over_the_limit_is_refused_before_the_body_is_read(app, store, settings, project, lead):
    too_big = (config.get_option("server.maxUploadSize") + 1) * 2**20
    sent, reads = raw_post(app, project, lead, [b"\0" * 65536] * 4, content_length=too_big)
    assert sent[0]["status"] == 413 and reads == 0
    assert b"at most 3000 MB" in sent[1]["body"]
    assert store.list_recordings(project.id) == [] and leftovers(settings) == []


def test_a_chunked_body_is_stopped_once_it_passes_the_limit(app, store, settings, project, lead, upload_size_mb):
    upload_size_mb(1)
    sent, reads = raw_post(app, project, lead, [b"\1" * 65536] * 64)  # 4 MiB, no Content-Length
    assert sent[0]["status"] == 413 and b"at most 1 MB" in sent[1]["body"]
    assert reads == 17  # refused at the chunk that passed 1 MiB, not read to the end
    assert store.list_recordings(project.id) == [] and leftovers(settings) == []


def test_a_client_that_goes_away_leaves_nothing_behind(app, store, settings, project, lead, speech_dir):
    wav = (speech_dir / JFK).read_bytes()
    half = [wav[i : i + 65536] for i in range(0, len(wav) // 2, 65536)]
    sent, reads = raw_post(app, project, lead, [*half, None, b"never read"])
    assert reads == len(half) + 1 and sent[0]["status"] == 400
    assert store.list_recordings(project.id) == [] and leftovers(settings) == []


def test_a_data_folder_that_cannot_be_written_is_a_clear_error(app, store, settings, project, lead, speech_dir):
    (settings.data_dir / "audio").mkdir(parents=True)
    (settings.data_dir / UPLOADS_FOLDER).write_bytes(b"")  # a file where the uploads folder goes
    answer = post(client(app, lead), project, (speech_dir / JFK).read_bytes())
    assert answer.status_code == 507 and "could not be written to the data folder" in answer.json()["error"]
    assert store.list_recordings(project.id) == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "is empty (0 bytes)"),
        (b"just some text, not audio\n" * 200, "not audio we can read"),
        (b"RIFF\x10\0\0\0WAVEfmt " + b"\x07" * 4000, "is damaged"),
    ],
    ids=["empty", "text", "broken header"],
)
def test_empty_and_corrupt_bodies_are_refused_with_their_reason(app, store, settings, project, lead, body, says):
    answer = post(client(app, lead), project, body, name="broken.wav")
    assert answer.status_code == 400, answer.text
    assert says in answer.json()["error"] and "broken.wav" in answer.json()["error"]
    assert [f["source"] for f in answer.json()["failures"]] == ["broken.wav"]
    assert store.list_recordings(project.id) == [] and leftovers(settings) == []
    assert list((settings.data_dir / "audio" / "originals").glob("**/*.*")) == []


def test_a_name_with_folders_is_only_a_label(app, store, settings, project, lead, speech_dir, tmp_path):
    answer = post(client(app, lead), project, (speech_dir / JFK).read_bytes(), name="../../../escape\u0007.wav")
    assert answer.status_code == 200, answer.text
    (recording,) = store.list_recordings(project.id)
    assert recording.label == "escape.wav"
    assert (settings.data_dir / recording.original_path).resolve().is_relative_to(settings.data_dir.resolve())
    assert not list(tmp_path.glob("**/escape*")) and leftovers(settings) == []
    nameless = client(app, lead).post(f"/api/upload/{project.id}", content=b"x")
    assert nameless.status_code == 400 and "names no file" in nameless.json()["error"]
