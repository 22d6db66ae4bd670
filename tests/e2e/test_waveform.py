"""The label page's waveform (the label loop component, wavesurfer regions) in headless Chromium,
on a real recording (pyannote_sample.wav): a labeler drags the end of a segment and the saved end
is where the drag dropped it, snapped to the nearest pause within 50 ms by the same rule the
server applies; Alt+[ twice from the text box moves the start 100 ms earlier in one save; F1
opens the key list; Alt+Shift+A splits at the playhead and Alt+Shift+M merges back. Screenshots
are kept in test-artifacts/ (test_drag_keys_split_and_merge*.png)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import Draft, Role
from speechlabel.ingest.files import import_audio
from speechlabel.labeling.waveform import Span, snap, waveform_view
from speechlabel.projects.manage import create_project
from tests.e2e.loop_page import FIND_LOOP, loop_root, wait_until_saved, wait_until_shown
from tests.e2e.steps import open_app, sign_in
from tests.sample_projects import drafts_for_all

PROJECT = "waveform-e2e"
LABELER = "wes"
PASSWORD = "labeler password 1"
# Speaker turns of pyannote_sample.rttm, trimmed where two turns overlap.
BOUNDS = [(6.69, 7.12), (7.55, 8.30), (8.32, 10.02), (10.57, 14.40)]
TARGET = 3  # the segment whose end is dragged: 10.57–14.40 s

pytestmark = pytest.mark.e2e

# The loop's <audio> element, which the waveform plays: pause it (autoplay plays every card that
# opens, and a saved bound redraws the card) and return the playhead, in seconds of the window.
_PAUSE = (
    "() => {"
    + FIND_LOOP
    + """
  const audio = __findLoop(document).querySelector('audio');
  audio.pause();
  return audio.currentTime;
}"""
)


def waveform_project(app_server, speech_dir) -> list[str]:
    store = app_server.open_store()
    try:
        project = drafts_for_all(store, create_project(store, PROJECT, language="en", actor=SYSTEM))
        data = (speech_dir / "diarization" / "pyannote_sample.wav").read_bytes()
        recording = import_audio(store, app_server.settings, project, data, "pyannote_sample.wav")
        segments = store.replace_segments(recording.id, project.id, BOUNDS, {}, "prelabel")
        for segment, words in zip(segments, ("one", "two", "three", "four five six seven")):
            store.add_draft(
                segment.id, Draft(words, (), -0.3, 0.02, 1.2, "en", 0.99, "faster-whisper", "base", {}), "prelabel"
            )
        accounts.create_user(store, SYSTEM, LABELER, PASSWORD)
        accounts.set_role(store, SYSTEM, LABELER, PROJECT, Role.LABELER)
        return [segment.id for segment in segments]
    finally:
        store.close()


def stored(app_server, segment_id: str):
    store = app_server.open_store()
    try:
        segment = store.get_segment(segment_id)
        return segment, store.list_segments(segment.recording_id)
    finally:
        store.close()


def window_pauses(app_server, segment_id: str) -> list[Span]:
    """The pauses the server snaps to, read the way the page reads them."""
    store = app_server.open_store()
    try:
        return list(waveform_view(store, app_server.settings, SYSTEM, segment_id).pauses)
    finally:
        store.close()


def wait_for_version(app_server, segment_id: str, version: int, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        segment, segments = stored(app_server, segment_id)
        if segment.version >= version:
            return segment, segments
        time.sleep(0.2)
    raise AssertionError(f"segment {segment_id} was not saved as version {version} within {timeout} s")


def segment_region(page: Page):
    """The blue region of the open segment (wavesurfer's regions carry their id in ``part``). Its
    draggable edges tell it from a stray zero-width "marker segment" the component leaves at the
    window's start (a region drawn before wavesurfer knew the duration, see the report)."""
    return page.locator('div.sl-loop .wave [part~="region"][part~="segment"]:has([part~="region-handle-right"])')


def transcript_box(page: Page):
    return page.get_by_role("textbox", name="Transcript")


def wait_for_region(page: Page, start: float, end: float, timeout: float = 15_000) -> None:
    """The region is drawn where the segment ``start..end`` is (the bounds line says so too)."""
    expect(loop_root(page).locator(".bounds")).to_have_text(f"{clock(start)}–{clock(end)}", timeout=timeout)
    expect(segment_region(page)).to_be_visible(timeout=timeout)


def clock(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes}:{seconds - minutes * 60:06.3f}"


def test_drag_keys_split_and_merge(page, app_server, speech_dir, screenshot):
    open_app(page, app_server.url)  # the first run migrates the server's database
    ids = waveform_project(app_server, speech_dir)
    target = ids[TARGET]
    sign_in(page, app_server.url, LABELER, PASSWORD)
    open_app(page, app_server.url, f"?project={PROJECT}")
    # The labeler's work opens at the first segment; Save & next up to the target.
    for segment_id in ids[:TARGET]:
        wait_until_shown(page, segment_id)
        transcript_box(page).press("Control+Enter")
    wait_until_shown(page, target)
    wait_until_saved(page)
    before, _ = stored(app_server, target)
    pauses = window_pauses(app_server, target)  # the window the page shows for this version
    wait_for_region(page, before.start, before.end)
    region = segment_region(page).bounding_box()
    pixels_per_second = region["width"] / (before.end - before.start)
    expect(loop_root(page).locator(".bounds")).to_have_text("0:10.570–0:14.400")
    screenshot(page, "-before")

    # Drag the end 0.45 s earlier: the server snaps it if a pause is within 50 ms of the drop.
    handle = segment_region(page).locator('[part~="region-handle-right"]')
    grip = handle.bounding_box()
    x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
    moved = -round(0.45 * pixels_per_second)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + moved, y, steps=12)
    page.mouse.up()
    after, _ = wait_for_version(app_server, target, before.version + 1)
    wait_until_saved(page)
    dropped = before.end + moved / pixels_per_second
    assert after.start == before.start
    # The drop is known to about a pixel; the saved end is the server's snap of such a drop.
    pixel = 1 / pixels_per_second
    candidates = {snap(round(dropped + k * pixel / 4, 3), pauses) for k in range(-8, 9)}
    assert any(abs(after.end - candidate) <= 0.0015 for candidate in candidates), (after.end, dropped, candidates)
    assert abs(after.end - dropped) <= 0.05 + 2 * pixel
    expect(loop_root(page).locator(".messages")).to_have_text(f"Bounds saved: {clock(after.start)}–{clock(after.end)}")
    wait_for_region(page, after.start, after.end)
    screenshot(page, "-dragged")

    # Keys from the text box: Alt+[ twice moves the start 100 ms earlier, saved once after the last.
    transcript_box(page).click()
    transcript_box(page).press("Alt+BracketLeft")
    transcript_box(page).press("Alt+BracketLeft")
    keyed, _ = wait_for_version(app_server, target, after.version + 1)
    wait_until_saved(page)
    time.sleep(0.6)  # longer than the steps' settling time: no second save follows
    wait_until_saved(page)
    keyed, _ = stored(app_server, target)
    assert keyed.version == after.version + 1
    assert keyed.start == pytest.approx(after.start - 0.1, abs=1e-6) and keyed.end == after.end
    wait_for_region(page, keyed.start, keyed.end)

    # F1 shows the key list, and hides it again.
    help_list = loop_root(page).locator(".help")
    transcript_box(page).press("F1")
    expect(help_list).to_be_visible()
    expect(help_list.get_by_text("split at the playhead (the text at the matching word)")).to_be_visible()
    screenshot(page, "-help")
    transcript_box(page).press("F1")
    expect(help_list).to_be_hidden()

    # Alt+Shift+A splits at the playhead (put in the middle of the segment by a click on the
    # waveform), Alt+Shift+M merges the parts again.
    page.evaluate(_PAUSE)
    box = segment_region(page).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 4)
    page.evaluate(_PAUSE)
    transcript_box(page).click()
    transcript_box(page).press("Alt+Shift+A")
    deadline = time.monotonic() + 20
    while len(stored(app_server, target)[1]) != len(BOUNDS) + 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    first, segments = stored(app_server, target)
    assert len(segments) == len(BOUNDS) + 1
    middle = (keyed.start + keyed.end) / 2
    assert first.start == keyed.start and abs(first.end - middle) < 0.1, (first.end, middle)
    wait_until_saved(page)
    wait_until_shown(page, target)
    expect(loop_root(page).locator(".messages")).to_have_text(f"Split at {first.end:.3f} s.")
    wait_for_region(page, first.start, first.end)
    screenshot(page, "-split")
    transcript_box(page).press("Alt+Shift+M")
    deadline = time.monotonic() + 20
    while len(stored(app_server, target)[1]) != len(BOUNDS) and time.monotonic() < deadline:
        time.sleep(0.2)
    merged, segments = stored(app_server, target)
    assert len(segments) == len(BOUNDS) and (merged.start, merged.end) == (keyed.start, keyed.end)
    assert merged.text == "four five six seven"  # the text was cut at the playhead's word and joined again
    wait_until_saved(page)
    expect(loop_root(page).locator(".messages")).to_have_text("Merged with the next segment.")
    wait_until_shown(page, target)
    expect(transcript_box(page)).to_have_value("four five six seven")
    screenshot(page, "-merged")
