"""Labor telemetry and the from-scratch baseline in headless Chromium: a labeler plays each clip,
types and saves with Ctrl+Enter; the database must then hold, beside each revision, the keys and
edits typed (counted exactly), the plays, active seconds within what the clock allows, and
whether the draft was shown. The from-scratch segment opens with an empty box and no draft words.
Then the lead's Dashboard shows both labor figures, as the domain computes them.

The project is built straight in the server's database (real speech tiled into one recording, a
draft per segment, as tests/e2e/test_label_loop.py does); its from-scratch share is chosen from
the segments' ids so that exactly one of the two segments labeled is picked."""

from __future__ import annotations

import io
import re
import time
from urllib.parse import urlparse

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import Page, expect

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.analytics.labor import build_labor_report
from speechlabel.audio.samples import TARGET_RATE
from speechlabel.core.labor import from_scratch, scratch_rank
from speechlabel.core.models import AssignmentSettings, PrelabelState, Role
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.projects.manage import create_project, update_assignment_settings
from speechlabel.store import Store
from tests.e2e.loop_page import editor_state, wait_for_editor
from tests.e2e.steps import choose, loop_root, open_app, sign_in, wait_for_app_idle, wait_until_saved, wait_until_shown
from tests.tiled_speech import draft_for, load_utterances, tile

pytestmark = pytest.mark.e2e

PROJECT = "labor-e2e"
LABELER = "lia"
PASSWORD = "labor labeler password"
SEGMENT_SECONDS = 2.0
TYPED = {"with draft": " ok", "from scratch": "she had your suit"}
PAUSE_SECONDS = 1.5  # after typing, before Ctrl+Enter: the active time must count it


def labor_project(app_server, speech_dir) -> tuple[list[str], dict[str, str], str]:
    """Four drafted segments, lia holds them; a share that picks exactly one of the first two.
    Returns the batch, each segment's draft text and the from-scratch segment's id."""
    store = Store.open(app_server.settings.resolved_database_url)
    try:
        project = create_project(store, PROJECT, language="en", actor=SYSTEM)
        utterances = load_utterances(speech_dir)
        audio = tile(utterances, 4 * SEGMENT_SECONDS + 1, rotate=1)
        wav = io.BytesIO()
        sf.write(wav, audio.samples, TARGET_RATE, subtype="PCM_16", format="WAV")
        recording = import_audio(store, app_server.settings, project, wav.getvalue(), f"{PROJECT}.wav")
        bounds = [(i * SEGMENT_SECONDS, (i + 1) * SEGMENT_SECONDS - 0.1) for i in range(4)]
        rows = store.replace_segments(recording.id, project.id, bounds, dict(project.segment_options), "e2e")
        words = [w for utterance in utterances for w in utterance.words]
        rng = np.random.default_rng(5)
        for index, segment in enumerate(rows):
            store.add_draft(
                segment.id, draft_for(tuple(words[index * 3 : index * 3 + 3]), segment.start, segment.end, rng), "e2e"
            )
        store.set_prelabel_state(recording.id, PrelabelState.DRAFTED)
        first, second = rows[0].id, rows[1].id
        # A share just above the lower rank picks that segment and not the other.
        picked = min((first, second), key=scratch_rank)
        share = scratch_rank(picked) + 0.00005
        update_assignment_settings(
            store, SYSTEM, PROJECT, AssignmentSettings(batch_size=4, lease_minutes=600, from_scratch_share=share)
        )
        assert from_scratch(picked, share) and not from_scratch(({first, second} - {picked}).pop(), share)
        accounts.create_user(store, SYSTEM, LABELER, PASSWORD)
        accounts.set_role(store, SYSTEM, LABELER, PROJECT, Role.LABELER)
        _, actor = accounts.login(store, LABELER, PASSWORD)
        assert labeling.next_segment(store, actor, store.get_project(PROJECT)).id == first
        drafts = {segment.id: store.get_segment(segment.id).text for segment in rows}
        return [segment.id for segment in rows], drafts, picked
    finally:
        store.close()


def draft_area(page: Page) -> str:
    return loop_root(page).locator("div.draft").inner_text()


def test_the_editor_measures_labor_and_the_dashboard_shows_both_figures(page, app_server, speech_dir):
    batch, drafts, scratch = labor_project(app_server, speech_dir)
    sign_in(page, app_server.url, LABELER, PASSWORD)
    wall: dict[str, float] = {}
    for index, segment_id in enumerate(batch[:2]):
        wait_until_shown(page, segment_id, timeout=30_000)
        shown_at = time.monotonic()
        kind = "from scratch" if segment_id == scratch else "with draft"
        start = "" if kind == "from scratch" else drafts[segment_id]
        wait_for_editor(page, segment_id, start)
        if kind == "from scratch":
            assert draft_area(page).strip() == "No draft for this segment"
        else:
            assert drafts[segment_id].split()[0] in draft_area(page)
        page.keyboard.press("Escape")  # play the clip
        page.keyboard.type(TYPED[kind], delay=40)
        time.sleep(PAUSE_SECONDS)
        page.keyboard.press("Control+Enter")
        wall[segment_id] = time.monotonic() - shown_at
        wait_until_shown(page, batch[index + 1], timeout=30_000)
    wait_until_saved(page)
    assert editor_state(page)["segment"] == batch[2]

    store = app_server.open_store()
    try:
        for segment_id in batch[:2]:
            kind = "from scratch" if segment_id == scratch else "with draft"
            [row] = store.labor_of_segment(segment_id)
            typed = TYPED[kind]
            assert (row.labeler, row.draft_shown, row.clamped) == (LABELER, kind == "with draft", False)
            # Every key in the loop counts (Escape, the typed characters, Enter of Ctrl+Enter; a
            # lone Ctrl does not); every character typed is one edit.
            assert (row.keys, row.edits) == (len(typed) + 2, len(typed)), (kind, row)
            assert row.plays >= 1, (kind, row)
            assert PAUSE_SECONDS <= row.active_seconds <= wall[segment_id] + 1.0, (kind, row, wall[segment_id])
            assert store.get_segment(segment_id).text == (
                typed if kind == "from scratch" else drafts[segment_id] + typed
            )
        report = build_labor_report(store, SYSTEM, store.get_project(PROJECT))
    finally:
        store.close()

    # The lead's Dashboard: both figures, as the domain has them.
    sign_in(page, app_server.url)
    dashboard = page.get_by_test_id("stSidebarNavLink").filter(has_text="Dashboard")
    open_app(page, app_server.url, urlparse(dashboard.get_attribute("href") or "").path)
    choose(page, "Project", PROJECT)
    wait_for_app_idle(page)
    for label, group in (("With draft", report.with_draft), ("From scratch", report.from_scratch)):
        metric = page.get_by_test_id("stMetric").filter(has_text=f"{label}: seconds per audio minute")
        expected = f"{group.rate.seconds_per_audio_minute:,.1f}"
        expect(metric).to_contain_text(re.compile(re.escape(expected)))
    speedup = page.get_by_test_id("stMetric").filter(has_text="Speed-up of the drafts")
    expect(speedup).to_contain_text(f"{report.speedup:.2f}×")
