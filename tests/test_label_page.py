"""The label page driven by AppTest (no browser): every action, on real drafts of real speech.

The recordings are imported and pre-labeled with the bundled tiny.en model; the app then runs on
the same SQLite file, as `streamlit run workbench.py` would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from speechlabel import accounts, labeling
from speechlabel.access import SYSTEM
from speechlabel.config import Settings
from speechlabel.ingest import import_audio
from speechlabel.models import AssignmentSettings, LabelSettings, Role, SegmentStatus
from speechlabel.prelabel import prelabel_project
from speechlabel.projects import create_project
from speechlabel.segment import SegmentOptions
from speechlabel.transcribe_options import TranscribeOptions
from speechlabel.workspace import Workspace

APP = str(Path(__file__).resolve().parents[1] / "workbench.py")
PASSWORD = "correct horse battery"


def actor(workspace, name: str):
    return accounts.login(workspace.store, name, PASSWORD)[1]


@pytest.fixture
def labeled_project(tmp_path, monkeypatch, speech_dir):
    """jfk.wav and LDC93S1.wav pre-labeled for real, in small segments so there is a next one."""
    monkeypatch.setenv("SPEECHLABEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SPEECHLABEL_DATABASE_URL", raising=False)
    st.cache_resource.clear()
    settings = Settings.from_env()
    workspace = Workspace.shared(settings)
    project = create_project(
        workspace.store, "calls", language="en",
        segment_options=SegmentOptions(target_duration=0.0, min_silence=0.3),
        transcribe_options=TranscribeOptions(model="tiny.en"),
        label_settings=LabelSettings(speakers=("Kennedy", "Reporter"), tags=("noise", "music"), low_confidence=0.9),
        actor=SYSTEM,
    )
    for name in ("en/jfk.wav", "en/LDC93S1.wav"):
        import_audio(workspace.store, settings, project, (speech_dir / name).read_bytes(), Path(name).name)
    prelabel_project(workspace.store, settings, project)
    for name, role in (("ana", Role.LABELER), ("tom", Role.LABELER), ("ben", Role.LEAD), ("lea", Role.LEAD)):
        accounts.create_user(workspace.store, SYSTEM, name, PASSWORD)
        accounts.set_role(workspace.store, SYSTEM, name, "calls", role)
    yield workspace, workspace.store.get_project("calls")
    st.cache_resource.clear()


def open_label_page(user: str = "ana", segment_id: str | None = None) -> AppTest:
    """A new browser session signed in as ``user`` on the label page (a reload is a new session)."""
    app = AppTest.from_file(APP, default_timeout=60)
    store = Workspace.shared().store
    app.session_state["session_token"] = accounts.login(store, user, PASSWORD)[0]
    if segment_id:
        app.query_params["segment"] = segment_id  # a link to a segment opens it
    app.run()
    if app.title[0].value != "Label":  # a lead lands on Projects; a labeler has only the Label page
        app.switch_page("views/label.py").run()
    assert not app.exception, app.exception
    return app


def transcript(app: AppTest):
    return next(t for t in app.text_area if t.label == "Transcript")


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def focused(app: AppTest, store):
    if "label_segment" in app.session_state:
        return store.get_segment(app.session_state["label_segment"])
    linked = app.query_params["segment"]  # a list when the test set it, a string when the page did
    return store.get_segment(linked if isinstance(linked, str) else linked[0])


def segments_in_order(store, project):
    recordings = sorted(store.list_recordings(project.id), key=lambda r: r.id)
    return [s for r in recordings for s in store.list_segments(r.id)]


def test_the_first_segment_to_do_opens_with_its_draft_and_unsure_words_marked(labeled_project):
    workspace, project = labeled_project
    first = segments_in_order(workspace.store, project)[0]
    app = open_label_page()
    assert transcript(app).value == first.text
    assert f"segment 1 of {len(workspace.store.list_segments(first.recording_id))}" in app.subheader[0].value
    draft_html = next(h.proto.body for h in app.get("html"))
    assert "<mark" in draft_html  # threshold 0.9 marks some of tiny.en's words
    # Speakers and tags come from the project settings.
    assert [b.label for b in app.button if b.key and b.key.startswith("label_speaker")] == ["Kennedy", "Reporter"]
    assert app.get("button_group")[0].proto.options[0].content == "noise"


def test_save_and_next_stores_the_correction_and_opens_the_next(labeled_project):
    workspace, project = labeled_project
    first, second = segments_in_order(workspace.store, project)[:2]
    app = open_label_page()
    transcript(app).input("and so my fellow Americans, corrected")
    button(app, "Kennedy").click().run()
    app.get("button_group")[0].set_value(["noise"]).run()
    app.text_input(key="label_comment").input("checked twice").run()
    button(app, "Save & next").click().run()
    assert not app.exception
    saved = workspace.store.get_segment(first.id)
    assert (saved.text, saved.speaker, saved.tags, saved.status) == (
        "and so my fellow Americans, corrected", "Kennedy", ("noise",), SegmentStatus.SUBMITTED)
    assert workspace.store.list_revisions(first.id)[-1].comment == "checked twice"
    assert focused(app, workspace.store).id == second.id
    assert transcript(app).value == second.text
    assert "Saved segment 1" in app.success[0].value


def test_an_empty_transcript_is_refused_and_nothing_changes(labeled_project):
    workspace, project = labeled_project
    first = segments_in_order(workspace.store, project)[0]
    app = open_label_page()
    transcript(app).input("   ")
    button(app, "Save & next").click().run()
    assert "the transcript is empty" in app.error[0].value
    assert workspace.store.get_segment(first.id).version == first.version


def test_typed_text_survives_a_page_switch_and_a_reload(labeled_project):
    workspace, project = labeled_project
    first = segments_in_order(workspace.store, project)[0]
    app = open_label_page("ben")  # a lead: has a second page to switch to
    transcript(app).input("half typed correction").run()
    app.switch_page("views/projects.py").run()
    app.switch_page("views/label.py").run()
    assert transcript(app).value == "half typed correction"
    # A reload is a new session: the edit comes back from the server, with a way to drop it.
    reloaded = open_label_page("ben")
    assert transcript(reloaded).value == "half typed correction"
    assert "unsaved edit" in reloaded.info[0].value
    button(reloaded, "Discard it").click().run()
    assert transcript(reloaded).value == first.text
    assert labeling.unsaved_edit(workspace.store, actor(workspace, "ben"), first.id) is None


def test_a_conflicting_save_shows_both_versions_and_loses_neither(labeled_project):
    workspace, project = labeled_project
    first = segments_in_order(workspace.store, project)[0]
    app = open_label_page()
    transcript(app).input("ana's words").run()
    labeling.save_and_next(workspace.store, actor(workspace, "ben"), first.id, first.version, "ben's words", None, (),
                           None)
    button(app, "Save & next").click().run()
    assert not app.exception
    assert "ben saved this segment" in app.warning[0].value
    assert [c.value for c in app.code] == ["ben's words", "ana's words"]
    button(app, "Continue from mine").click().run()
    assert transcript(app).value == "ana's words"
    button(app, "Save & next").click().run()
    assert workspace.store.get_segment(first.id).text == "ana's words"
    history = [r.text for r in workspace.store.list_revisions(first.id)]
    assert "ben's words" in history and history[-1] == "ana's words"


def test_previous_skip_and_untranscribable(labeled_project):
    workspace, project = labeled_project
    first, second, third = segments_in_order(workspace.store, project)[:3]
    app = open_label_page()
    button(app, "Previous").click().run()
    assert "no segment before this one in your work" in app.info[0].value
    app.text_input(key="label_Skip_reason").input("two people at once")
    button(app, "Skip this segment").click().run()
    assert workspace.store.get_segment(first.id).status == SegmentStatus.SKIPPED
    assert focused(app, workspace.store).id == second.id
    button(app, "Untranscribable this segment").click().run()
    assert "the reason to mark it untranscribable is empty" in app.error[0].value
    app.text_input(key="label_Untranscribable_reason").input("music only")
    button(app, "Untranscribable this segment").click().run()
    assert workspace.store.get_segment(second.id).status == SegmentStatus.UNTRANSCRIBABLE
    assert focused(app, workspace.store).id == third.id
    button(app, "Previous").click().run()
    assert focused(app, workspace.store).id == second.id


def clip_url(app: AppTest) -> str:
    import json

    player = next(e for e in app.get("bidi_component") if e.proto.component_name == "speechlabel_clip_player")
    return json.loads(player.proto.json)["url"]


def test_nudge_moves_a_boundary_and_recuts_the_clip_keeping_the_typing(labeled_project):
    workspace, project = labeled_project
    first = segments_in_order(workspace.store, project)[0]
    app = open_label_page()
    transcript(app).input("still typing").run()
    assert clip_url(app) == f"/clip/{first.recording_id}.wav?start={first.start:.3f}&end={first.end:.3f}"
    next(b for b in app.button if b.key == "label_nudge_end-0.05").click().run()
    moved = workspace.store.get_segment(first.id)
    assert moved.end == pytest.approx(first.end - 0.05, abs=1e-3)
    assert transcript(app).value == "still typing"
    assert clip_url(app) == f"/clip/{first.recording_id}.wav?start={first.start:.3f}&end={moved.end:.3f}"
    app.toggle(key="label_context").set_value(True).run()
    assert clip_url(app).startswith(f"/clip/{first.recording_id}.wav?start={max(0, first.start - 1):.3f}&end=")
    # The first segment of each recording starts within 0.25 s: moving it earlier is refused, nothing moves.
    assert moved.start < 0.25
    next(b for b in app.button if b.key == "label_nudge_start-0.25").click().run()
    assert "before the recording begins" in app.error[0].value
    assert workspace.store.get_segment(first.id).version == moved.version


def test_split_then_merge_from_the_page(labeled_project):
    workspace, project = labeled_project
    first = segments_in_order(workspace.store, project)[0]
    count = len(workspace.store.list_segments(first.recording_id))
    app = open_label_page()
    transcript(app).input("one two three four").run()
    app.selectbox(key="label_split_word").select(2).run()
    button(app, "Split here").click().run()
    assert not app.exception
    parts = workspace.store.list_segments(first.recording_id)
    assert len(parts) == count + 1 and (parts[0].text, parts[1].text) == ("one two", "three four")
    button(app, "Merge").click().run()
    assert workspace.store.get_segment(first.id).text == "one two three four"
    assert len(workspace.store.list_segments(first.recording_id)) == count


def test_a_lead_pages_through_the_recording_and_jumps_to_a_row(labeled_project):
    workspace, project = labeled_project
    jfk = next(r for r in workspace.store.list_recordings(project.id) if r.label == "jfk.wav")
    rows = workspace.store.list_segments(jfk.id)
    assert len(rows) > 2
    app = open_label_page("lea", segment_id=rows[1].id)
    table = app.dataframe[0].value
    assert list(table["text"]) == [s.text for s in rows]
    assert list(table[""]) == ["", "▶"] + [""] * (len(rows) - 2) and set(table["status"]) == {"drafted"}
    # AppTest cannot click a dataframe row; this is what the row's on_select callback sets.
    app.session_state["label_segment"] = rows[2].id
    app.run()
    assert focused(app, workspace.store).id == rows[2].id
    assert transcript(app).value == rows[2].text


def test_a_labeler_lists_their_own_work_and_cannot_open_anothers(labeled_project):
    workspace, project = labeled_project
    app = open_label_page("ana")
    mine = labeling.my_work(workspace.store, actor(workspace, "ana"), project)
    assert list(app.dataframe[0].value["text"]) == [s.text for s in mine]
    # Another labeler following a link to ana's segment does not get it; ana holds all the work.
    tom = open_label_page("tom", segment_id=mine[0].id)
    assert f"segment {mine[0].id} is not in your work: it is with ana" in tom.warning[0].value
    assert "Nothing left to label" in tom.success[0].value


def test_when_all_is_done_the_page_says_so(labeled_project):
    workspace, project = labeled_project
    lead = actor(workspace, "ben")
    for segment in segments_in_order(workspace.store, project):
        labeling.skip(workspace.store, lead, segment.id, segment.version, "test")
    app = open_label_page()
    assert "Nothing left to label in calls" in app.success[0].value


def test_saving_the_last_segment_says_nothing_is_left(labeled_project):
    workspace, project = labeled_project
    *earlier, last = segments_in_order(workspace.store, project)
    app = open_label_page("ana")  # ana's batch holds every segment
    ana = actor(workspace, "ana")
    for segment in earlier:
        labeling.skip(workspace.store, ana, segment.id, segment.version, "test")
    app.session_state["label_segment"] = last.id
    app.run()
    button(app, "Save & next").click().run()
    assert workspace.store.get_segment(last.id).status == SegmentStatus.SUBMITTED
    assert f"Nothing left to label in {project.name}" in app.success[-1].value
    assert not [t for t in app.text_area if t.label == "Transcript"]  # not the segment just saved again


def test_a_second_labeling_shows_the_draft_not_the_first_text_and_saves_beside_it(labeled_project):
    workspace, project = labeled_project
    store = workspace.store
    project = store.update_assignment_settings(project.id, AssignmentSettings(batch_size=2, double_share=1.0))
    first = segments_in_order(store, project)[0]
    ana = actor(workspace, "ana")
    labeling.save_and_next(store, ana, first.id, labeling.next_segment(store, ana, project).version,
                           "Ana's transcript", "Kennedy", ["noise"], None)
    app = open_label_page("tom")  # his first work is the second labeling of Ana's segments
    assert focused(app, store).id == first.id
    assert "double-labeled" in app.info[0].value and "second labeling" in app.caption[0].value
    draft = labeling.open_segment(store, actor(workspace, "tom"), first.id).draft
    assert transcript(app).value == draft.text != "Ana's transcript"
    labels = {b.label for b in app.button}
    assert "Split here" not in labels and "Merge" not in labels and "+0.05" not in labels
    transcript(app).input("Tom's transcript")
    button(app, "Save & next").click().run()
    assert not app.exception
    assert store.get_segment(first.id).text == "Ana's transcript"
    assert store.get_second_label(first.id).text == "Tom's transcript"
