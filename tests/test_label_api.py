"""The label loop's JSON routes and the clip route, through Starlette's test client against a real
SQLite file and the real PostgreSQL: each refuses a request without a session, with an expired
one, for another labeler's segment, or from a reviewer of another project; a save names its
segment and version and lands in that segment only."""

from __future__ import annotations

import base64
from datetime import timedelta

import numpy as np
import pytest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import Role, SegmentStatus
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import waveform
from speechlabel.projects.manage import create_project
from tests.app_session import PASSWORD
from tests.label_routes_client import client, first_segment, person


def test_a_labeler_opens_saves_and_gets_the_next_segment(app, store, settings, project, ldc):
    token = person(store, project, "ana", Role.LABELER)
    web = client(app, token)
    first = first_segment(store, token)
    card = web.get(f"/api/label/open/{first.id}").json()
    assert (card["id"], card["version"], card["text"]) == (first.id, first.version, "she had your dark suit")
    assert card["draft"]["text"] == "she had your dark suit"
    # The waveform's peaks: one byte each, those of the window's audio.
    view = waveform.waveform_view(store, settings, accounts.authenticate(store, token), first.id)
    levels = np.frombuffer(base64.b64decode(card["wave"]["peaks"]), dtype=np.uint8)
    assert len(levels) == len(view.peaks) and np.abs(levels / 255 - np.array(view.peaks)).max() <= 0.5 / 255 + 1e-3
    assert card["upcoming"] is not None
    # The clip of their segment plays; it is the segment's span.
    audio = web.get(card["clip_url"])
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    saved = web.post(
        "/api/label/save",
        json={
            "segment_id": first.id,
            "version": first.version,
            "text": "she had your dark suit.",
            "speaker": None,
            "tags": [],
        },
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["segment_id"] == first.id and body["next"]["id"] == card["upcoming"]
    assert store.get_segment(first.id).text == "she had your dark suit."
    assert store.get_segment(first.id).status == SegmentStatus.SUBMITTED


def test_a_save_for_a_segment_the_tab_does_not_have_open_is_refused_and_kept(app, store, project, ldc):
    token = person(store, project, "ana", Role.LABELER)
    web = client(app, token)
    first = first_segment(store, token)
    card = web.get(f"/api/label/open/{first.id}").json()
    second = store.get_segment(card["upcoming"])
    web.get(f"/api/label/open/{second.id}")  # the tab moved on
    refused = web.post(
        "/api/label/save",
        json={"segment_id": first.id, "version": first.version, "text": "typed for the first", "tags": []},
    )
    assert refused.status_code == 409 and refused.json()["open"] == second.id
    assert store.get_segment(first.id).text == "she had your dark suit"  # nothing saved
    assert store.get_segment(second.id).text == "in greasy wash water all year"
    actor = accounts.authenticate(store, token)
    assert labeling.unsaved_edit(store, actor, first.id).text == "typed for the first"  # kept for its segment
    # Another tab of the same session has its own open segment.
    other_tab = client(app, token, tab="tab-2")
    assert (
        other_tab.post(
            "/api/label/save",
            json={"segment_id": first.id, "version": first.version, "text": "from tab two", "tags": []},
        ).status_code
        == 200
    )


def test_a_stale_version_is_refused_with_the_current_one(app, store, project, ldc):
    token = person(store, project, "ana", Role.LEAD)
    web = client(app, token)
    segment = ldc[1][0]
    web.get(f"/api/label/open/{segment.id}")
    ok = web.post("/api/label/save", json={"segment_id": segment.id, "version": segment.version, "text": "one"})
    assert ok.status_code == 200
    web.get(f"/api/label/open/{segment.id}")
    stale = web.post("/api/label/save", json={"segment_id": segment.id, "version": segment.version, "text": "two"})
    assert stale.status_code == 409 and stale.json()["current_version"] == segment.version + 1
    assert store.get_segment(segment.id).text == "one"


@pytest.mark.parametrize("path", ["/api/label/open/{id}", "/api/label/peek/{id}"])
def test_routes_refuse_no_cookie_an_unknown_and_an_expired_session(app, store, project, ldc, path):
    segment = ldc[1][0]
    url = path.format(id=segment.id)
    assert client(app, None).get(url).status_code == 401
    assert client(app, "not-a-token").get(url).status_code == 401
    accounts.create_user(store, SYSTEM, "old", PASSWORD)
    accounts.set_role(store, SYSTEM, "old", project.name, Role.LEAD)
    from speechlabel.store.rows import utc_now

    token, _ = accounts.login(store, "old", PASSWORD, now=utc_now() - timedelta(days=2))
    expired = client(app, token).get(url)
    assert expired.status_code == 401 and "expired" in expired.json()["error"]


def test_a_labeler_cannot_open_save_or_hear_another_labelers_segment(app, store, project, ldc):
    ana = person(store, project, "ana", Role.LABELER)
    ben = person(store, project, "ben", Role.LABELER)
    anas = first_segment(store, ana)
    web = client(app, ben)
    assert web.get(f"/api/label/open/{anas.id}").status_code == 403
    assert web.get(f"/api/label/peek/{anas.id}").status_code == 403
    refused = web.post("/api/label/save", json={"segment_id": anas.id, "version": anas.version, "text": "mine now"})
    assert refused.status_code == 403
    assert store.get_segment(anas.id).text == "she had your dark suit"


def test_the_clip_route_answers_only_who_may_hear(app, store, settings, project, ldc):
    recording, segments = ldc
    url = f"/clip/{recording.id}.wav?start=0.100&end=1.200"
    assert client(app, None).get(url).status_code == 401
    assert client(app, None).get(url).content[:4] != b"RIFF"
    # A reviewer of another project: refused, exactly as for an id that does not exist.
    other = create_project(store, "other", language="en", actor=SYSTEM)
    stranger = person(store, other, "rex", Role.REVIEWER)
    refused = client(app, stranger).get(url)
    unknown = client(app, stranger).get("/clip/no-such-recording.wav?start=0&end=1")
    assert refused.status_code == unknown.status_code == 403
    assert refused.text.replace(recording.id, "ID") == unknown.text.replace("no-such-recording", "ID")
    # A reviewer of this project hears any span; a labeler only around the segments they hold.
    reviewer = person(store, project, "rita", Role.REVIEWER)
    assert client(app, reviewer).get(url).status_code == 200
    labeler = person(store, project, "ana", Role.LABELER)
    assert client(app, labeler).get(url).status_code == 403  # nothing leased yet
    first_segment(store, labeler)  # leases the batch
    assert client(app, labeler).get(url).status_code == 200


def test_a_body_too_large_or_not_json_is_refused_and_nothing_changes(app, store, project, ldc):
    token = person(store, project, "ana", Role.LABELER)
    web = client(app, token)
    first = first_segment(store, token)
    web.get(f"/api/label/open/{first.id}")
    huge = web.post(
        "/api/label/save", content=b'{"text": "' + b"a" * 400_000 + b'"}', headers={"content-type": "application/json"}
    )
    assert huge.status_code == 422 and "at most" in huge.json()["error"]
    for body in (b"not json", b"[1, 2]", b'{"segment_id": 5}'):
        refused = web.post("/api/label/save", content=body, headers={"content-type": "application/json"})
        assert refused.status_code == 422, body
    assert (
        web.post(
            "/api/label/save", json={"segment_id": first.id, "version": first.version, "text": "a" * 20_001}
        ).status_code
        == 422
    )
    assert store.get_segment(first.id).text == "she had your dark suit"
    assert client(app, token, tab="").get(f"/api/label/open/{first.id}").status_code == 422  # no tab header


def test_the_apps_routes_are_answered_ahead_of_the_rest_of_the_app(app, store, project, ldc):
    """OwnRoutesFirst: /api/label/ and /clip/ are this app's, answered before Streamlit's
    middleware (no gzip of a card: Streamlit's would compress it); every other path goes on."""
    web = client(app, person(store, project, "ana", Role.LABELER))
    segment = first_segment(store, web.cookies.get(accounts.SESSION_COOKIE))
    opened = web.get(f"/api/label/open/{segment.id}", headers={"accept-encoding": "gzip"})
    assert opened.status_code == 200 and opened.json()["id"] == segment.id
    assert "content-encoding" not in opened.headers
    assert web.get("/api/label/save").status_code == 405  # a wrong method, not an error page
    assert web.get("/api/label/no-such-route").status_code == 404
    assert web.get("/clip/").status_code == 404
    assert web.get("/api/labelled").text.startswith("not ours") and web.get("/clipboard").text.startswith("not ours")
    assert web.get("/clipboard", headers={"accept-encoding": "gzip"}).headers["content-encoding"] == "gzip"
