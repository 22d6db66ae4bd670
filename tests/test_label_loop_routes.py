"""What the label page's editor does, through the label loop's JSON routes (Starlette's test
client over views.routes.routes()) on real speech pre-labeled by the bundled tiny.en model, on
SQLite and PostgreSQL: the first card with its unsure words flagged, Save & next, a refused empty
transcript, typing kept across a reopen, a conflicting save, previous and set-aside, bounds,
split and merge, who may open what, the end of the work and a second labeling.

Pre-labeling takes ~20 s, so it runs once per test process (``real_drafts`` in
tests/sample_projects.py); each test's store gets the same segments and the same real drafts."""

from __future__ import annotations

import pytest

from speechlabel.core.models import AssignmentSettings, SegmentStatus
from speechlabel.labeling import actions as labeling
from tests.label_routes_client import edit, first_to_do, opened, signed_in, who
from tests.sample_projects import segments_in_order


def test_the_first_segment_to_do_opens_with_its_draft_and_unsure_words_flagged(app, store, calls):
    first = segments_in_order(store, calls)[0]
    assert first_to_do(store, calls, "ana").id == first.id
    card = opened(signed_in(app, store, "ana"), first.id)
    assert (card["text"], card["saved_text"], card["version"]) == (first.text, first.text, first.version)
    assert (card["position"], card["recording_segments"]) == (0, len(store.list_segments(first.recording_id)))
    draft = card["draft"]
    assert draft["model"] == "tiny.en" and draft["text"] == first.text
    low = [w for w in draft["words"] if w["low"]]
    assert low and draft["low_count"] == len(low)  # threshold 0.9 flags some of tiny.en's words
    assert all((w["score"] < 0.9) == w["low"] for w in draft["words"])
    assert card["bounds_editable"] and not card["second_labeling"] and card["conflict"] is None


def test_save_stores_text_speaker_tags_and_comment_and_returns_the_next(app, store, calls):
    first, second = segments_in_order(store, calls)[:2]
    web = signed_in(app, store, "ana")
    assert first_to_do(store, calls, "ana").id == first.id
    card = opened(web, first.id)
    saved = web.post(
        "/api/label/save",
        json=edit(
            card, "and so my fellow Americans, corrected", speaker="Kennedy", tags=["noise"], comment="checked twice"
        ),
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    stored = store.get_segment(first.id)
    assert (stored.text, stored.speaker, stored.tags, stored.status) == (
        "and so my fellow Americans, corrected",
        "Kennedy",
        ("noise",),
        SegmentStatus.SUBMITTED,
    )
    assert store.list_revisions(first.id)[-1].comment == "checked twice"
    assert (body["segment_id"], body["version"], body["status"]) == (first.id, stored.version, "submitted")
    assert body["next_id"] == second.id and (body["next"]["id"], body["next"]["text"]) == (second.id, second.text)


def test_a_save_brings_the_card_asked_for_ahead_and_only_one_the_user_may_open(app, store, calls):
    first, second, third = segments_in_order(store, calls)[:3]
    assert first_to_do(store, calls, "ana").id == first.id  # ana's batch holds every segment
    web = signed_in(app, store, "ana")
    card = opened(web, first.id)
    body = web.post("/api/label/save", json=edit(card, "first", then_open=second.id, prefetch=third.id)).json()
    assert (body["next_id"], body["next"]) == (second.id, None)  # the browser holds the next card
    ahead = body["prefetched"]
    assert (ahead["id"], ahead["version"], ahead["text"]) == (third.id, third.version, third.text)
    assert ahead["wave"]["url"] and ahead["upcoming"] != third.id
    assert web.get(f"/api/label/peek/{third.id}").json() == ahead  # the same card a peek gives
    # A segment tom may not open is not sent with his save; the save itself stands.
    tom = signed_in(app, store, "tom")
    ana_card = opened(web, second.id)
    assert web.post("/api/label/save", json=edit(ana_card, "second", then_open=third.id)).status_code == 200
    lea = signed_in(app, store, "lea")  # a lead may open and save any segment
    lead_card = opened(lea, third.id)
    answer = lea.post("/api/label/save", json=edit(lead_card, "third", then_open=first.id, prefetch="no-such-id"))
    assert answer.status_code == 200 and answer.json()["prefetched"] is None
    assert store.get_segment(third.id).text == "third"
    refused = tom.post("/api/label/save", json=edit(ana_card, "tom's", prefetch=third.id))
    assert refused.status_code == 403 and store.get_segment(second.id).text == "second"


def test_an_empty_transcript_is_refused_and_nothing_changes(app, store, calls):
    first = segments_in_order(store, calls)[0]
    web = signed_in(app, store, "ana")
    assert first_to_do(store, calls, "ana").id == first.id
    card = opened(web, first.id)
    refused = web.post("/api/label/save", json=edit(card, "   "))
    assert refused.status_code == 422 and "the transcript is empty" in refused.json()["error"]
    assert store.get_segment(first.id) == first


def test_typed_text_kept_comes_back_after_a_reopen_and_can_be_discarded(app, store, calls):
    first = segments_in_order(store, calls)[0]
    web = signed_in(app, store, "ben")
    card = opened(web, first.id)
    assert card["restored_at"] is None
    assert web.post("/api/label/keep", json=edit(card, "half typed correction")).json() == {"kept": True}
    # A reload is a new tab: the text comes back from the server, with when it was typed.
    again = opened(signed_in(app, store, "ben", tab="tab-2"), first.id)
    assert (again["text"], again["saved_text"]) == ("half typed correction", first.text)
    assert again["restored_at"]
    dropped = signed_in(app, store, "ben", tab="tab-2").post("/api/label/discard", json={"segment_id": first.id})
    assert dropped.json()["card"]["text"] == first.text and dropped.json()["card"]["restored_at"] is None
    assert labeling.unsaved_edit(store, who(store, "ben"), first.id) is None
    assert store.get_segment(first.id).version == first.version


def test_a_conflicting_save_is_refused_and_the_card_shows_both_texts(app, store, calls):
    first = segments_in_order(store, calls)[0]
    web = signed_in(app, store, "ana")
    assert first_to_do(store, calls, "ana").id == first.id
    card = opened(web, first.id)
    web.post("/api/label/keep", json=edit(card, "ana's words"))
    labeling.save_and_next(store, who(store, "ben"), first.id, first.version, "ben's words", None, (), None)
    refused = web.post("/api/label/save", json=edit(card, "ana's words"))
    assert refused.status_code == 409 and refused.json()["current_version"] == first.version + 1
    again = opened(web, first.id)
    assert again["text"] == again["saved_text"] == "ben's words"
    assert again["conflict"]["theirs_by"] == "ben" and again["conflict"]["mine_text"] == "ana's words"
    assert again["conflict"]["base_version"] == first.version
    # Continuing from her own text on the current version saves it; neither text is lost.
    assert web.post("/api/label/save", json=edit(again, "ana's words")).status_code == 200
    history = [r.text for r in store.list_revisions(first.id)]
    assert "ben's words" in history and history[-1] == "ana's words"


def test_previous_skip_and_untranscribable(app, store, calls):
    first, second, third = segments_in_order(store, calls)[:3]
    web = signed_in(app, store, "ana")
    assert first_to_do(store, calls, "ana").id == first.id
    card = opened(web, first.id)
    assert web.post("/api/label/previous", json={"segment_id": first.id}).json() == {"card": None}
    skipped = web.post("/api/label/set-aside", json=edit(card, reason="two people at once"))
    assert skipped.status_code == 200, skipped.text
    assert store.get_segment(first.id).status == SegmentStatus.SKIPPED
    card = skipped.json()["card"]
    assert card["id"] == second.id
    empty = web.post("/api/label/set-aside", json=edit(card, reason=" ", untranscribable=True))
    assert empty.status_code == 422
    assert "the reason to mark it untranscribable is empty" in empty.json()["error"]
    assert store.get_segment(second.id).status == SegmentStatus.DRAFTED
    marked = web.post("/api/label/set-aside", json=edit(card, reason="music only", untranscribable=True))
    assert store.get_segment(second.id).status == SegmentStatus.UNTRANSCRIBABLE
    assert marked.json()["card"]["id"] == third.id
    back = web.post("/api/label/previous", json={"segment_id": third.id}).json()["card"]
    assert back["id"] == second.id


def test_moving_the_start_earlier_recuts_the_clip_and_keeps_the_typing(app, store, calls):
    first = segments_in_order(store, calls)[0]
    web = signed_in(app, store, "ana")
    assert first_to_do(store, calls, "ana").id == first.id
    card = opened(web, first.id)
    assert card["clip_url"] == f"/clip/{first.recording_id}.wav?start={first.start:.3f}&end={first.end:.3f}"
    web.post("/api/label/keep", json=edit(card, "still typing"))
    moved = web.post(
        "/api/label/bounds", json=edit(card, "still typing", start=first.start - 0.05, end=first.end, edge=None)
    )
    assert moved.status_code == 200, moved.text
    stored = store.get_segment(first.id)
    assert stored.start == pytest.approx(first.start - 0.05, abs=1e-3) and stored.version > first.version
    after = moved.json()["card"]
    assert after["version"] == stored.version
    assert after["clip_url"] == f"/clip/{first.recording_id}.wav?start={stored.start:.3f}&end={first.end:.3f}"
    assert after["text"] == "still typing" and after["conflict"] is None  # the typing stays the unsaved edit
    assert labeling.unsaved_edit(store, who(store, "ana"), first.id).text == "still typing"
    # The recording begins 0.07 s before it: a start before 0 is refused and nothing moves.
    refused = web.post("/api/label/bounds", json=edit(after, start=stored.start - 0.25, end=stored.end, edge=None))
    assert refused.status_code == 422 and "before the recording begins" in refused.json()["error"]
    assert store.get_segment(first.id).version == stored.version


def test_split_at_the_caret_and_at_a_time_then_merge(app, store, calls):
    first = segments_in_order(store, calls)[0]
    count = len(store.list_segments(first.recording_id))
    web = signed_in(app, store, "ana")
    assert first_to_do(store, calls, "ana").id == first.id
    card = opened(web, first.id)
    text = "one two three four"
    at_caret = web.post("/api/label/split", json=edit(card, text, caret=text.index("three")))
    assert at_caret.status_code == 200, at_caret.text
    parts = store.list_segments(first.recording_id)
    assert len(parts) == count + 1 and (parts[0].text, parts[1].text) == ("one two", "three four")
    assert first.start < at_caret.json()["seconds"] < first.end
    card = at_caret.json()["card"]
    assert (card["id"], card["text"]) == (first.id, "one two")
    following = card["following"]
    assert following == {"id": parts[1].id, "version": parts[1].version}  # only what a merge names
    assert "three" not in str(card)  # never the next segment's text
    # The box holds this segment's text; the merge joins the next one's, which it never saw.
    merged = web.post("/api/label/merge", json=edit(card, next_id=following["id"], next_version=following["version"]))
    assert merged.status_code == 200, merged.text
    assert store.get_segment(first.id).text == "one two three four"
    assert len(store.list_segments(first.recording_id)) == count
    # At the playhead: the text is cut at the word there.
    card = merged.json()["card"]
    middle = (card["start"] + card["end"]) / 2
    at_time = web.post("/api/label/split", json=edit(card, at=middle))
    assert at_time.status_code == 200, at_time.text
    halves = store.list_segments(first.recording_id)[:2]
    assert halves[0].end == pytest.approx(middle, abs=0.05)
    assert len(store.list_segments(first.recording_id)) == count + 1
    assert f"{halves[0].text} {halves[1].text}" == "one two three four"


def test_a_lead_opens_any_segment_a_labeler_only_their_own(app, store, calls):
    segments = segments_in_order(store, calls)
    first_to_do(store, calls, "ana")  # ana's batch holds every segment
    lea = signed_in(app, store, "lea")
    assert opened(lea, segments[2].id)["id"] == segments[2].id
    refused = signed_in(app, store, "tom").get(f"/api/label/open/{segments[0].id}")
    assert refused.status_code == 403 and refused.json()["kind"] == "NoSuchSegment"
    assert f"no segment {segments[0].id} that you may open" in refused.json()["error"]
    assert "ana" not in refused.json()["error"]  # nothing says who holds it
    assert first_to_do(store, calls, "tom") is None  # nothing left for him


def test_saving_the_last_segment_returns_no_next(app, store, calls):
    *earlier, last = segments_in_order(store, calls)
    ana = who(store, "ana")
    labeling.next_segment(store, ana, calls)  # ana's batch holds every segment
    for segment in earlier:
        labeling.skip(store, ana, segment.id, segment.version, "test")
    web = signed_in(app, store, "ana")
    card = opened(web, last.id)
    assert card["upcoming"] is None
    body = web.post("/api/label/save", json=edit(card)).json()
    assert store.get_segment(last.id).status == SegmentStatus.SUBMITTED
    assert body["next_id"] is None and body["next"] is None


def test_the_batchs_last_card_names_no_upcoming_segment_so_the_save_asks_for_the_next(app, store, calls):
    """The browser prefetches the next card while the one before it is open: that card's upcoming
    segment must not wrap back to the one open, which is saved by the time it would be used (the
    loop reopened the batch's first segment instead of the next batch's)."""
    project = store.update_assignment_settings(calls.id, AssignmentSettings(batch_size=2, from_scratch_share=0.0))
    first, second, third = segments_in_order(store, project)[:3]
    assert first_to_do(store, project, "ana").id == first.id  # ana holds the first two
    web = signed_in(app, store, "ana")
    card = opened(web, first.id)
    prefetched = web.get(f"/api/label/peek/{second.id}").json()
    assert (card["upcoming"], prefetched["upcoming"]) == (second.id, None)
    assert web.post("/api/label/save", json=edit(card, then_open=second.id)).status_code == 200
    body = web.post("/api/label/save", json=edit(prefetched)).json()
    assert (body["next_id"], body["next"]["id"]) == (third.id, third.id)  # a fresh batch, not the first again


def test_a_second_labeling_shows_the_draft_and_saves_beside_the_segment(app, store, calls):
    project = store.update_assignment_settings(
        calls.id, AssignmentSettings(batch_size=2, double_share=1.0, from_scratch_share=0.0)
    )
    first = segments_in_order(store, project)[0]
    ana = who(store, "ana")
    labeling.save_and_next(
        store,
        ana,
        first.id,
        labeling.next_segment(store, ana, project).version,
        "Ana's transcript",
        "Kennedy",
        ["noise"],
        None,
    )
    tom = who(store, "tom")
    assert labeling.next_segment(store, tom, project).id == first.id  # his first work is the second labeling
    web = signed_in(app, store, "tom")
    card = opened(web, first.id)
    draft = labeling.open_segment(store, tom, first.id).draft
    assert card["second_labeling"] and card["text"] == draft.text != "Ana's transcript"
    assert "Ana's transcript" not in str(card) and "Kennedy" not in str(card)  # nothing of the first labeling
    assert (card["speaker"], card["tags"], card["bounds_editable"], card["following"]) == (None, [], False, None)
    saved = web.post("/api/label/save", json=edit(card, "Tom's transcript"))
    assert saved.status_code == 200, saved.text
    assert store.get_segment(first.id).text == "Ana's transcript"
    assert store.get_second_label(first.id).text == "Tom's transcript"


def test_two_tabs_of_one_labeler_on_one_segment_lose_nothing(app, store, calls):
    first = first_to_do(store, calls, "ana")
    one, two = signed_in(app, store, "ana", tab="tab-1"), signed_in(app, store, "ana", tab="tab-2")
    card_one, card_two = opened(one, first.id), opened(two, first.id)
    # Tab 2 types (kept), then tab 1 saves other text: tab 2's text stays, as a conflict.
    assert two.post("/api/label/keep", json=edit(card_two, "typed in tab two")).status_code == 200
    assert one.post("/api/label/save", json=edit(card_one, "saved in tab one")).status_code == 200
    reopened = opened(two, first.id)
    assert reopened["conflict"]["mine_text"] == "typed in tab two" and reopened["saved_text"] == "saved in tab one"
    # Tab 2 saves on the version it was looking at: refused, its text kept, never "saved" into nothing.
    refused = two.post("/api/label/save", json=edit(card_two, "typed in tab two, more"))
    assert refused.status_code == 409 and "saved by ana" in refused.json()["error"]
    assert store.get_unsaved_edit("ana", first.id).text == "typed in tab two, more"
    assert store.get_segment(first.id).text == "saved in tab one"
