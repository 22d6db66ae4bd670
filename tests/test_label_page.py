"""The label page's shell driven by AppTest (no browser), on real drafts of real speech: the page
mounts the label loop component with the segment to open, the texts, the speakers and the tags,
and hands it another segment when one is picked in the list. What the loop does with a segment
(save, skip, bounds, split, merge, ...) goes through its JSON routes:
tests/test_label_loop_routes.py.
"""

from __future__ import annotations

from speechlabel.labeling import actions as labeling
from tests.app_pages import actor, loop_data, open_label_page
from tests.sample_projects import segments_in_order


def test_the_loop_opens_the_first_segment_to_do_with_the_projects_speakers_and_tags(labeled_project):
    workspace, project = labeled_project
    first = segments_in_order(workspace.store, project)[0]
    data = loop_data(open_label_page())
    assert data["mount"] == {"project_id": project.id, "open": first.id, "nonce": 0}
    assert data["api"] == "/api/label" and data["lang"] == "en" and data["autoplay"] is True
    assert (data["speakers"], data["tags"]) == (["Kennedy", "Reporter"], ["noise", "music"])
    assert data["low_confidence"] == 0.9
    assert data["texts"]["save_next"] == "Save & next" and data["texts"]["transcript"] == "Transcript"
    assert all(data["texts"].values())
    # The project's generic scheme: its tags, each with a hotkey the text box does not reserve.
    assert data["scheme_tags"] and all(tag["text"] for tag in data["scheme_tags"])
    assert data["hotkeys"] == {tag["hotkey"]: tag["text"] for tag in data["scheme_tags"] if tag["hotkey"]}
    assert ["Ctrl+Enter", "Save and go to the next segment"][0] in [row[0] for row in data["help"]]


def test_a_pick_in_the_list_hands_the_loop_that_segment(labeled_project):
    workspace, project = labeled_project
    app = open_label_page("lea")
    first = segments_in_order(workspace.store, project)[0]
    assert loop_data(app)["mount"]["open"] == first.id
    rows = workspace.store.list_segments(first.recording_id)  # the lead's list: the recording
    if len(rows) < 3:  # LDC93S1 is one segment: open jfk's first
        jfk = next(r for r in workspace.store.list_recordings(project.id) if r.label == "jfk.wav")
        rows = workspace.store.list_segments(jfk.id)
        app.session_state["label_segment"] = rows[0].id
        app.run()
    table = app.dataframe[0].value
    assert list(table["text"]) == [s.text for s in rows] and list(table[""]) == ["▶"] + [""] * (len(rows) - 1)
    # AppTest cannot click a dataframe row; this is what the row's on_select callback sets.
    app.session_state["label_segment"] = rows[2].id
    nonce = app.session_state["label_jump_nonce"] if "label_jump_nonce" in app.session_state else 0
    app.session_state["label_jump_nonce"] = nonce + 1
    app.run()
    assert not app.exception
    assert loop_data(app)["mount"] == {"project_id": project.id, "open": rows[2].id, "nonce": nonce + 1}
    assert list(app.dataframe[0].value[""]) == ["", "", "▶"] + [""] * (len(rows) - 3)


def test_a_rerun_after_a_pick_hands_the_same_mount(labeled_project):
    workspace, project = labeled_project
    app = open_label_page("lea")
    rows = segments_in_order(workspace.store, project)
    app.session_state["label_segment"] = rows[2].id
    app.session_state["label_jump_nonce"] = 1
    app.run()
    picked = loop_data(app)["mount"]
    assert picked["open"] == rows[2].id
    app.toggle(key="label_autoplay").set_value(False).run()
    assert loop_data(app)["mount"] == picked


def test_a_labeler_lists_their_own_work(labeled_project):
    workspace, project = labeled_project
    app = open_label_page("ana")
    mine = labeling.my_work(workspace.store, actor(workspace, "ana"), project)
    assert list(app.dataframe[0].value["text"]) == [s.text for s in mine]
    assert app.expander[-1].label == f"Your work in calls ({len(mine)})" or str(len(mine)) in app.expander[-1].label


def test_when_all_is_done_the_loop_mounts_with_nothing_to_open(labeled_project):
    workspace, project = labeled_project
    lead = actor(workspace, "ben")
    for segment in segments_in_order(workspace.store, project):
        labeling.skip(workspace.store, lead, segment.id, segment.version, "test")
    app = open_label_page()
    assert loop_data(app)["mount"]["open"] is None
    assert not app.dataframe
    assert loop_data(app)["texts"]["all_done"]
