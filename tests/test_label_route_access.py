"""Who the label loop's routes answer, on SQLite and PostgreSQL: a segment id that does not exist,
another labeler's segment and a segment of another project get the same refusal from every route,
status and body (the id the request named aside), so ids cannot be probed and neither the
project's name nor who holds the segment leaks; a session whose user was disabled or removed is
refused on the clip route and the routes."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import AssignmentSettings, Role
from speechlabel.projects.manage import create_project
from speechlabel.store import schema
from tests.label_routes_client import client, first_segment, person
from tests.sample_projects import add_recording

UNKNOWN = "rec-0000000000-no-such-segment"


def _body(segment_id: str, **more) -> dict:
    return {"segment_id": segment_id, "version": 2, "text": "typed here", "speaker": None, "tags": [], **more}


# Every route of views/label_api.py that names a segment, as the component calls it.
ROUTES = {
    "open": lambda web, sid: web.get(f"/api/label/open/{sid}"),
    "peek": lambda web, sid: web.get(f"/api/label/peek/{sid}"),
    "save": lambda web, sid: web.post("/api/label/save", json=_body(sid)),
    "keep": lambda web, sid: web.post("/api/label/keep", json=_body(sid)),
    "previous": lambda web, sid: web.post("/api/label/previous", json={"segment_id": sid}),
    "set-aside": lambda web, sid: web.post("/api/label/set-aside", json=_body(sid, reason="noise only")),
    "split": lambda web, sid: web.post("/api/label/split", json=_body(sid, caret=5)),
    "merge": lambda web, sid: web.post("/api/label/merge", json=_body(sid, next_id=UNKNOWN, next_version=2)),
    "bounds": lambda web, sid: web.post("/api/label/bounds", json=_body(sid, start=0.2, end=1.0, edge=None)),
    "discard": lambda web, sid: web.post("/api/label/discard", json={"segment_id": sid}),
    "lint": lambda web, sid: web.post("/api/label/lint", json={"segment_id": sid, "text": "typed here"}),
    "insert": lambda web, sid: web.post(
        "/api/label/insert", json={"segment_id": sid, "text": "typed here", "tag": "[noise]", "start": 0, "end": 0}
    ),
}


@pytest.fixture
def strangers(store, settings, project, ldc, speech_dir):
    """ana holds the first segment of "demo", ben the second; "other" has a segment of its own.
    Returns ana's session, ben's segment and the other project's segment."""
    store.update_assignment_settings(project.id, AssignmentSettings(batch_size=1, from_scratch_share=0.0))
    ana = person(store, project, "ana", Role.LABELER)
    ben = person(store, project, "ben", Role.LABELER)
    assert first_segment(store, ana).id == ldc[1][0].id
    bens = first_segment(store, ben)
    other = create_project(store, "other", language="en", actor=SYSTEM)
    _, (elsewhere, _) = add_recording(
        store, settings, other, speech_dir, "en/LDC93S1.wav", [(0.1, 1.2), (1.5, 2.8)], ["secret words", "more"]
    )
    person(store, other, "oli", Role.LABELER)
    return ana, bens, elsewhere


@pytest.mark.parametrize("route", list(ROUTES))
def test_an_unknown_id_another_labelers_and_another_projects_segment_get_one_answer(
    app, store, project, ldc, strangers, route
):
    ana, bens, elsewhere = strangers
    web = client(app, ana)
    assert web.get(f"/api/label/open/{ldc[1][0].id}").status_code == 200  # her own segment is open in the tab
    answers = {}
    for name, segment_id in (("unknown", UNKNOWN), ("another labeler's", bens.id), ("another project's", elsewhere.id)):
        answer = ROUTES[route](web, segment_id)
        answers[name] = (answer.status_code, answer.text.replace(segment_id, "ID"))
        assert answer.json()["kind"] == "NoSuchSegment", (name, answer.text)
        assert "ben" not in answer.text and "other" not in answer.text and "oli" not in answer.text
    assert answers["unknown"] == answers["another labeler's"] == answers["another project's"], answers
    assert answers["unknown"][0] == 403 and "kept_for" not in answers["unknown"][1]
    # Nothing was kept or changed for segments that are not hers.
    assert store.get_unsaved_edit("ana", bens.id) is None and store.get_unsaved_edit("ana", elsewhere.id) is None
    assert store.get_segment(bens.id) == bens and store.get_segment(elsewhere.id) == elsewhere


def test_a_lead_is_refused_another_projects_segment_as_an_unknown_one(app, store, project, ldc, strangers):
    _, _, elsewhere = strangers
    web = client(app, person(store, project, "lea", Role.LEAD))
    for route in ROUTES.values():
        unknown, foreign = route(web, UNKNOWN), route(web, elsewhere.id)
        assert unknown.status_code == foreign.status_code == 403
        assert unknown.text.replace(UNKNOWN, "ID") == foreign.text.replace(elsewhere.id, "ID")


def _clip_url(segment) -> str:
    return f"/clip/{segment.recording_id}.wav?start={segment.start:.3f}&end={segment.end:.3f}"


@pytest.mark.parametrize("how", ["disabled", "disabled elsewhere", "removed"])
def test_the_session_of_a_disabled_or_removed_user_is_refused(app, store, project, ldc, how):
    token = person(store, project, "ana", Role.LABELER)
    mine = first_segment(store, token)
    web = client(app, token)
    assert web.get(f"/api/label/open/{mine.id}").status_code == 200
    assert web.get(_clip_url(mine)).status_code == 200
    if how == "disabled":  # as an admin does it: the user's sessions end
        accounts.set_disabled(store, SYSTEM, "ana")
    elif how == "disabled elsewhere":  # the flag alone, as if the sessions outlived it
        with store.write() as connection:
            connection.execute(update(schema.users).where(schema.users.c.username == "ana").values(disabled=True))
    else:  # the account is gone from the database
        with store.write() as connection:
            connection.execute(delete(schema.users).where(schema.users.c.username == "ana"))
    opened = web.get(f"/api/label/open/{mine.id}")
    assert opened.status_code == 401
    clip = web.get(_clip_url(mine))
    assert clip.status_code == 401 and clip.content[:4] != b"RIFF"
    assert web.post("/api/label/keep", json=_body(mine.id, version=mine.version)).status_code == 401
    assert store.get_unsaved_edit("ana", mine.id) is None


def test_a_user_removed_from_the_project_is_answered_as_for_an_unknown_segment(app, store, project, ldc):
    token = person(store, project, "ana", Role.LABELER)
    mine = first_segment(store, token)
    web = client(app, token)
    accounts.remove_role(store, SYSTEM, "ana", project.name)
    refused, unknown = web.get(f"/api/label/open/{mine.id}"), web.get(f"/api/label/open/{UNKNOWN}")
    assert refused.status_code == unknown.status_code == 403
    assert refused.text.replace(mine.id, "ID") == unknown.text.replace(UNKNOWN, "ID")
    assert web.get(_clip_url(mine)).status_code == 403
