"""A command project's label page in headless Chromium: a labeler confirms the proposed command
of a draft with one key (Alt+Enter), picks another command from the filtered list with the
keyboard (Alt+K, type, Enter), and sees a draft outside the vocabulary marked and labels it
unknown (Alt+0); the store then holds each chosen class, submitted by the labeler."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.commands import UNKNOWN, CommandSettings, ProjectKind
from speechlabel.core.models import PrelabelState, Role, SegmentStatus
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import assignment
from speechlabel.projects.commands import parse_commands, update_command_settings
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from tests.e2e.steps import loop_editor, loop_root, sign_in, wait_until_saved, wait_until_shown
from tests.sample_projects import a_draft, drafts_for_all

pytestmark = pytest.mark.e2e

PASSWORD = "command labeler password"
VOCABULARY = "lights on | turn on the lights | 불 켜\nstop the line\nhey factory | 헤이 팩토리\n"
# Three drafted segments of JFK's speech: a command said exactly, a command said with more
# words around it, and a draft outside the vocabulary.
DRAFTS = ("Lights on.", "Please stop the line now", "And so my fellow Americans")


def command_project(app_server, speech_dir) -> list[str]:
    """The project, its vocabulary and three drafted segments; ana holds them (leased here, as
    the page would). The server migrates on its first page, which has not come yet: migrate here."""
    store = Store.open(app_server.settings.resolved_database_url)
    try:
        project = drafts_for_all(store, create_project(store, "factory", language="en", actor=SYSTEM))
        vocabulary = CommandSettings(ProjectKind.COMMANDS, parse_commands(VOCABULARY))
        project = update_command_settings(store, SYSTEM, project, vocabulary)
        data = (speech_dir / "en" / "jfk.wav").read_bytes()
        recording = import_audio(store, app_server.settings, project, data, "jfk.wav")
        bounds = [(0.3, 1.5), (2.0, 3.2), (4.0, 5.2)]
        rows = store.replace_segments(recording.id, project.id, bounds, dict(project.segment_options), "e2e")
        for segment, text in zip(rows, DRAFTS):
            store.add_draft(segment.id, a_draft(text), "e2e")
        store.set_prelabel_state(recording.id, PrelabelState.DRAFTED)
        accounts.create_user(store, SYSTEM, "ana", PASSWORD)
        accounts.set_role(store, SYSTEM, "ana", "factory", Role.LABELER)
        _, actor = accounts.login(store, "ana", PASSWORD)
        labeling.next_segment(store, actor, project)
        return [segment.id for segment in assignment.my_work(store, actor, project)]
    finally:
        store.close()


def test_confirm_a_draft_with_one_key_and_pick_another_from_the_list(page, app_server, speech_dir, screenshot):
    first, second, third = command_project(app_server, speech_dir)
    sign_in(page, app_server.url, "ana", PASSWORD)
    panel = loop_root(page).locator("div.commands")
    wait_until_shown(page, first)
    # The draft says a command: it is proposed, and Alt+Enter confirms it (saves, next).
    expect(panel).to_have_attribute("data-proposed", "lights on")
    expect(panel.get_by_text("Proposed command: lights on")).to_be_visible()
    expect(panel.locator("button.chip")).to_have_count(5)  # three commands, unknown, silence
    loop_editor(page).press("Alt+Enter")
    wait_until_shown(page, second)
    # Proposed "stop the line" (said inside more words); the labeler picks another command from
    # the list by its variant, from the keyboard alone.
    expect(panel).to_have_attribute("data-proposed", "stop the line")
    loop_editor(page).press("Alt+K")
    filter_box = panel.locator("input.command-filter")
    expect(filter_box).to_be_focused()
    expect(panel.locator("button.chip.highlight")).to_have_text("stop the line")  # the proposal first
    filter_box.press_sequentially("팩토")
    expect(panel.locator("button.chip")).to_have_count(1)
    expect(panel.locator("button.chip.highlight")).to_have_text("hey factory")
    filter_box.press("Enter")
    wait_until_shown(page, third)
    # Outside the vocabulary: marked, nothing proposed; Alt+Enter only says so; Alt+0 is unknown.
    expect(panel).to_have_attribute("data-outside", "true")
    expect(panel.locator("mark.outside")).to_have_text("Outside the vocabulary: pick a command, unknown or silence")
    screenshot(page, "-outside")
    loop_editor(page).press("Alt+Enter")
    expect(loop_root(page).locator(".messages.error")).to_have_text(
        "Outside the vocabulary: pick a command, unknown or silence"
    )
    expect(loop_root(page)).to_have_attribute("data-shown", third)
    loop_editor(page).press("Alt+0")
    expect(loop_root(page)).to_have_attribute("data-shown", "done")
    wait_until_saved(page)
    store = app_server.open_store()
    try:
        saved = [store.get_segment(segment_id) for segment_id in (first, second, third)]
    finally:
        store.close()
    assert [(s.text, s.status, s.updated_by) for s in saved] == [
        ("lights on", SegmentStatus.SUBMITTED, "ana"),
        ("hey factory", SegmentStatus.SUBMITTED, "ana"),
        (UNKNOWN, SegmentStatus.SUBMITTED, "ana"),
    ]
