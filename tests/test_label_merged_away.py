"""Text typed for a segment a lead merged away, arriving after the merge (a keep or a save from a
tab still showing it), through the label loop's routes on SQLite and PostgreSQL: it is kept on
the merged segment as the person's text against the merge (a conflict on their next open), the
refusal says so (``kept_for``), a later copy replaces the earlier one, and text the server could
not keep is answered without ``kept_for`` (the browser then keeps it as unsaved)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from speechlabel.accounts.access import SYSTEM
from speechlabel.core.errors import MergedAway
from speechlabel.core.models import AssignmentSettings, Role
from speechlabel.labeling import actions as labeling
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.store.engine import downgrade_schema, make_engine, upgrade_schema
from tests.label_routes_client import client, edit, first_segment, opened, person
from tests.sample_projects import add_recording, drafts_for_all, member

A_TEXT, B_TEXT = "she had your dark suit", "in greasy wash water all year"


def _merged_by_a_lead(store, project, a, b):
    lea = member(store, project, "lea", Role.LEAD)
    return labeling.merge_with_next(store, lea, a.id, a.version, b.version, next_segment_id=b.id)


def test_a_keep_after_the_merge_is_kept_on_the_merged_segment_as_a_conflict(app, store, project, ldc):
    _, (a, b) = ldc
    token = person(store, project, "ana", Role.LABELER)
    web = client(app, token)
    assert first_segment(store, token).id == a.id  # her batch: a and b
    card = opened(web, b.id)
    merged = _merged_by_a_lead(store, project, a, b)
    refused = web.post("/api/label/keep", json=edit(card, "in greasy wash water, typed late"))
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert (body["kind"], body["kept_for"]) == ("MergedAway", a.id)
    assert f"segment {b.id} was merged into {a.id}" in body["error"]
    kept = store.get_unsaved_edit("ana", a.id)
    assert kept.text == f"{A_TEXT} in greasy wash water, typed late" and kept.base_version == a.version
    # She types on in the old tab: the later copy replaces the earlier one, never added twice.
    again = web.post("/api/label/keep", json=edit(card, "in greasy wash water all year, typed later"))
    assert again.json()["kept_for"] == a.id
    assert store.get_unsaved_edit("ana", a.id).text == f"{A_TEXT} in greasy wash water all year, typed later"
    # Her next open of the merged segment shows it against the merge, to choose from.
    shown = opened(web, a.id)
    assert shown["saved_text"] == merged.text == f"{A_TEXT} {B_TEXT}"
    assert shown["conflict"]["mine_text"] == f"{A_TEXT} in greasy wash water all year, typed later"
    assert shown["conflict"]["theirs_by"] == "lea" and shown["conflict"]["base_version"] == a.version
    assert store.get_segment(a.id) == merged  # nothing saved


def test_a_save_after_the_merge_replaces_what_the_merge_carried_and_saves_nothing(app, store, project, ldc):
    _, (a, b) = ldc
    token = person(store, project, "ana", Role.LABELER)
    web = client(app, token)
    first_segment(store, token)
    card = opened(web, b.id)
    assert web.post("/api/label/keep", json=edit(card, "in greasy")).json() == {"kept": True}
    merged = _merged_by_a_lead(store, project, a, b)
    assert store.get_unsaved_edit("ana", a.id).text == f"{A_TEXT} in greasy"  # carried by the merge
    refused = web.post("/api/label/save", json=edit(card, "in greasy wash water all year, corrected"))
    assert refused.status_code == 409, refused.text
    assert (refused.json()["kind"], refused.json()["kept_for"]) == ("MergedAway", a.id)
    kept = store.get_unsaved_edit("ana", a.id)
    assert (kept.text, kept.base_version) == (f"{A_TEXT} in greasy wash water all year, corrected", a.version)
    assert store.get_segment(a.id) == merged
    # Continuing from her text on the merged version saves it.
    shown = opened(web, a.id)
    saved = web.post("/api/label/save", json=edit(shown, kept.text))
    assert saved.status_code == 200, saved.text
    assert store.get_segment(a.id).text == kept.text and store.get_unsaved_edit("ana", a.id) is None


def test_text_for_a_segment_merged_into_one_the_labeler_does_not_hold_is_refused_as_unknown(app, store, project, ldc):
    _, (a, b) = ldc
    store.update_assignment_settings(project.id, AssignmentSettings(batch_size=1, from_scratch_share=0.0))
    ana, ben = person(store, project, "ana", Role.LABELER), person(store, project, "ben", Role.LABELER)
    assert first_segment(store, ana).id == a.id and first_segment(store, ben).id == b.id
    web = client(app, ben)
    card = opened(web, b.id)
    _merged_by_a_lead(store, project, a, b)
    unknown = web.post("/api/label/save", json={**edit(card, "late"), "segment_id": "rec-0-none"})
    for route in ("keep", "save"):
        refused = web.post(f"/api/label/{route}", json=edit(card, "typed late for b"))
        assert refused.status_code == 403 and refused.json()["kind"] == "NoSuchSegment", refused.text
        assert "kept_for" not in refused.json() and a.id not in refused.text  # the browser keeps the text
        assert refused.text.replace(b.id, "ID") == unknown.text.replace("rec-0-none", "ID")
    assert store.get_unsaved_edit("ben", a.id) is None


def test_a_refused_save_says_whether_its_text_was_kept(app, store, project, ldc):
    _, (a, _) = ldc
    token = person(store, project, "ana", Role.LABELER)
    web = client(app, token)
    first_segment(store, token)
    card = opened(web, a.id)
    empty = web.post("/api/label/save", json=edit(card, "   "))
    assert empty.status_code == 422 and empty.json()["kept_for"] == a.id
    labeling.save_and_next(store, member(store, project, "lea", Role.LEAD), a.id, a.version, "lea's", None, (), None)
    stale = web.post("/api/label/save", json=edit(card, "ana's words"))
    assert stale.status_code == 409 and stale.json()["kept_for"] == a.id
    assert store.get_unsaved_edit("ana", a.id).text == "ana's words"


def test_migration_0013_and_merges_logged_before_it(database_url, settings, speech_dir):
    url, schema_name = database_url
    engine = make_engine(url, schema=schema_name)
    try:
        upgrade_schema(engine)
        store = Store(engine)
        project = drafts_for_all(store, create_project(store, "demo", language="en", actor=SYSTEM))
        _, (a, b) = add_recording(
            store, settings, project, speech_dir, "en/LDC93S1.wav", [(0.1, 1.2), (1.5, 2.8)], [A_TEXT, B_TEXT]
        )
        lea = member(store, project, "lea", Role.LEAD)
        merged = labeling.merge_with_next(store, lea, a.id, a.version, b.version)
        downgrade_schema(engine, "0012")
        assert "survivor_text" not in {column["name"] for column in inspect(engine).get_columns("segment_merges")}
        assert "carried_from" not in {column["name"] for column in inspect(engine).get_columns("unsaved_edits")}
        upgrade_schema(engine)
        # A merge logged before the migration: the merged text and a version before it stand in.
        with pytest.raises(MergedAway):
            labeling.keep_unsaved_edit(store, lea, b.id, b.version, "typed late", None, ())
        kept = store.get_unsaved_edit("lea", a.id)
        assert (kept.text, kept.base_version) == (f"{merged.text} typed late", merged.version - 1)
    finally:
        engine.dispose()
