"""Labor telemetry through the label loop's save route (Starlette's test client over the routes,
SQLite and PostgreSQL, real tiny.en drafts): an honest save stores what the browser measured; a
hostile client can neither write absurd figures (refused: 422, nothing saved; or clamped and
marked) nor claim the draft was hidden or shown (the server decides); a from-scratch segment's
card carries no draft."""

from __future__ import annotations

import json

from speechlabel.core.labor import LaborLimits
from speechlabel.core.models import AssignmentSettings, SegmentStatus
from tests.label_routes_client import edit, first_to_do, opened, signed_in
from tests.sample_projects import segments_in_order

HONEST = {"active_seconds": 14.2, "keys": 23, "edits": 19, "plays": 2}


def test_a_save_stores_the_browsers_telemetry_with_the_draft_shown(app, store, calls):
    first = segments_in_order(store, calls)[0]
    assert first_to_do(store, calls, "ana").id == first.id
    web = signed_in(app, store, "ana")
    card = opened(web, first.id)
    assert card["draft_shown"] and card["draft"]
    answer = web.post("/api/label/save", json=edit(card, "and so my fellow Americans", labor=HONEST))
    assert answer.status_code == 200, answer.text
    [row] = store.labor_of_segment(first.id)
    assert (row.labeler, row.active_seconds, row.keys, row.edits, row.plays) == ("ana", 14.2, 23, 19, 2)
    assert row.draft_shown and not row.clamped


def test_hostile_telemetry_is_refused_or_clamped_never_stored_as_sent(app, store, calls):
    first, second = segments_in_order(store, calls)[:2]
    assert first_to_do(store, calls, "ana").id == first.id
    web = signed_in(app, store, "ana")
    card = opened(web, first.id)
    refused = [
        {**HONEST, "active_seconds": -30},
        {**HONEST, "keys": -1},
        {**HONEST, "keys": 1.5},
        {**HONEST, "plays": "many"},
        {**HONEST, "edits": None},
        "all of them",
        [1, 2, 3, 4],
    ]
    for bad in refused:
        answer = web.post("/api/label/save", json=edit(card, "typed", labor=bad))
        assert answer.status_code == 422, (bad, answer.text)
        assert "labor telemetry" in answer.json()["error"]
    # NaN and Infinity are not JSON, but Python's parser takes them: refused too.
    for word in ("NaN", "Infinity", "-Infinity"):
        body = (
            json.dumps(edit(card, "typed")).rstrip("}")
            + f', "labor": {{"active_seconds": {word}, "keys": 1, "edits": 1, "plays": 0}}}}'
        )
        answer = web.post("/api/label/save", content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 422, (word, answer.text)
    unchanged = store.get_segment(first.id)
    assert (unchanged.version, unchanged.status, store.labor_of_segment(first.id)) == (
        card["version"],
        SegmentStatus.DRAFTED,
        [],
    )
    # Absurd but well-formed: the save stands, the figures are cut to the limits and marked.
    absurd = {"active_seconds": 9e15, "keys": 10**12, "edits": 10**12, "plays": 10**9, "draft_shown": False}
    answer = web.post("/api/label/save", json=edit(card, "typed", labor=absurd))
    assert answer.status_code == 200, answer.text
    [row] = store.labor_of_segment(first.id)
    limits = LaborLimits()
    assert (row.active_seconds, row.keys, row.edits, row.plays) == (
        limits.active_seconds,
        limits.keys,
        limits.edits,
        limits.plays,
    )
    assert row.clamped and row.draft_shown  # the client's "draft_shown" is not its to say
    # A skip carries telemetry the same way.
    card = opened(web, second.id)
    skipped = web.post(
        "/api/label/set-aside", json=edit(card, reason="only noise", untranscribable=False, labor=HONEST)
    )
    assert skipped.status_code == 200, skipped.text
    assert [r.keys for r in store.labor_of_segment(second.id)] == [23]


def test_a_from_scratch_segment_opens_empty_and_its_save_says_no_draft(app, store, calls):
    project = store.update_assignment_settings(calls.id, AssignmentSettings(from_scratch_share=1.0))
    first = segments_in_order(store, calls)[0]
    assert first_to_do(store, project, "ana").id == first.id
    web = signed_in(app, store, "ana")
    card = opened(web, first.id)
    assert (card["text"], card["saved_text"], card["draft"], card["draft_shown"]) == ("", "", None, False)
    assert first.text not in json.dumps(card)  # the draft's words are nowhere in what the browser gets
    answer = web.post(
        "/api/label/save", json=edit(card, "and so my fellow Americans", labor={**HONEST, "draft_shown": True})
    )
    assert answer.status_code == 200, answer.text
    assert not store.labor_of_segment(first.id)[0].draft_shown
    assert answer.json()["next"]["text"] == "" and answer.json()["next"]["draft"] is None
