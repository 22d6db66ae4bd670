"""The label page's waveform in headless Chromium, on a real recording (pyannote_sample.wav):
a labeler drags the end of a segment and the saved end is where the drag dropped it, snapped to
the nearest pause within 50 ms by the same rule the server applies; keys move the start in 50 ms
steps, split at the playhead and merge back; ? opens the key list. Screenshots are kept in
test-artifacts/ (test_drag_keys_split_and_merge*.png)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from speechlabel import accounts
from speechlabel.access import SYSTEM
from speechlabel.ingest import import_audio
from speechlabel.models import Draft, Role
from speechlabel.projects import create_project
from speechlabel.waveform import Span, snap, waveform_view
from tests.e2e.steps import open_app, sign_in, wait_for_app_idle

PROJECT = "waveform-e2e"
LABELER = "wes"
PASSWORD = "labeler password 1"
# Speaker turns of pyannote_sample.rttm, trimmed where two turns overlap.
BOUNDS = [(6.69, 7.12), (7.55, 8.30), (8.32, 10.02), (10.57, 14.40)]
TARGET = 3  # the segment whose end is dragged: 10.57–14.40 s

pytestmark = pytest.mark.e2e

_WAVEFORM_STATE = """() => {
  const roots = [document, ...[...document.querySelectorAll('*')].map((e) => e.shadowRoot).filter(Boolean)];
  const root = roots.map((r) => r.querySelector('.waveform')).find(Boolean);
  return root ? {ready: root.dataset.ready || null, help: !root.querySelector('.help').hidden} : null;
}"""


def waveform_project(app_server, speech_dir) -> list[str]:
    store = app_server.open_store()
    try:
        project = create_project(store, PROJECT, language="en", actor=SYSTEM)
        data = (speech_dir / "diarization" / "pyannote_sample.wav").read_bytes()
        recording = import_audio(store, app_server.settings, project, data, "pyannote_sample.wav")
        segments = store.replace_segments(recording.id, project.id, BOUNDS, {}, "prelabel")
        for segment, words in zip(segments, ("one", "two", "three", "four five six seven")):
            store.add_draft(segment.id, Draft(words, (), -0.3, 0.02, 1.2, "en", 0.99, "faster-whisper", "base", {}),
                            "prelabel")
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


def wait_for_waveform(page: Page, token_prefix: str) -> None:
    page.wait_for_function(
        f"(prefix) => {{ const s = ({_WAVEFORM_STATE})(); return s && s.ready && s.ready.startsWith(prefix); }}",
        arg=token_prefix, timeout=20_000)


def segment_region(page: Page):
    return page.locator('[part~="segment"]')


def test_drag_keys_split_and_merge(page, app_server, speech_dir, screenshot):
    open_app(page, app_server.url)  # the first run migrates the server's database
    ids = waveform_project(app_server, speech_dir)
    target = ids[TARGET]
    sign_in(page, app_server.url, LABELER, PASSWORD)
    open_app(page, app_server.url, f"?project={PROJECT}&segment={target}")
    before, _ = stored(app_server, target)
    pauses = window_pauses(app_server, target)  # the window the page shows for this version
    wait_for_waveform(page, f"{target}:{before.version}")
    region = segment_region(page).bounding_box()
    pixels_per_second = region["width"] / (before.end - before.start)
    # The playhead starts at the segment; the window shows 3 s of context on each side.
    expect(page.locator(".waveform .where")).to_have_text("0:10.570 · 0:10.570–0:14.400")
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
    wait_for_app_idle(page)
    dropped = before.end + moved / pixels_per_second
    assert after.start == before.start
    # The drop is known to about a pixel; the saved end is the server's snap of such a drop.
    pixel = 1 / pixels_per_second
    candidates = {snap(round(dropped + k * pixel / 4, 3), pauses) for k in range(-8, 9)}
    assert any(abs(after.end - candidate) <= 0.0015 for candidate in candidates), (after.end, dropped, candidates)
    assert abs(after.end - dropped) <= 0.05 + 2 * pixel
    expect(page.get_by_text("Bounds saved")).to_be_visible()
    wait_for_waveform(page, f"{target}:{after.version}")
    screenshot(page, "-dragged")

    # Keys: focus the waveform, [ twice moves the start 100 ms earlier (saved once, after the last).
    segment_region(page).click(position={"x": 5, "y": 5})
    page.keyboard.press("BracketLeft")
    page.keyboard.press("BracketLeft")
    keyed, _ = wait_for_version(app_server, target, after.version + 1)
    assert keyed.start == pytest.approx(after.start - 0.1, abs=1e-6) and keyed.end == after.end
    wait_for_app_idle(page)
    wait_for_waveform(page, f"{target}:{keyed.version}")

    # ? shows the key list.
    page.locator(".waveform").focus()
    page.keyboard.press("?")
    page.wait_for_function(f"() => ({_WAVEFORM_STATE})().help")
    expect(page.get_by_text("split at the playhead")).to_be_visible()
    screenshot(page, "-help")
    page.keyboard.press("?")
    # + zooms in (to 100 px/s) and keeps the playhead in view; - goes back to the whole window.
    page.keyboard.press("+")
    expect(page.locator('.waveform[data-zoom="100"]')).to_have_count(1)
    expect(segment_region(page)).to_be_in_viewport()
    screenshot(page, "-zoomed")
    page.keyboard.press("-")
    expect(page.locator('.waveform[data-zoom="0"]')).to_have_count(1)

    # s splits at the playhead (put in the middle by a click), m merges the parts again.
    box = segment_region(page).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 4)
    page.keyboard.press("s")
    deadline = time.monotonic() + 20
    while len(stored(app_server, target)[1]) != len(BOUNDS) + 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    first, segments = stored(app_server, target)
    assert len(segments) == len(BOUNDS) + 1
    middle = (keyed.start + keyed.end) / 2
    assert first.start == keyed.start and abs(first.end - middle) < 0.1
    wait_for_app_idle(page)
    wait_for_waveform(page, f"{target}:{first.version}")
    page.locator(".waveform").focus()
    page.keyboard.press("m")
    deadline = time.monotonic() + 20
    while len(stored(app_server, target)[1]) != len(BOUNDS) and time.monotonic() < deadline:
        time.sleep(0.2)
    merged, segments = stored(app_server, target)
    assert len(segments) == len(BOUNDS) and (merged.start, merged.end) == (keyed.start, keyed.end)
    assert merged.text == "four five six seven"  # the text was cut at the playhead's word and joined again
    wait_for_app_idle(page)
    screenshot(page, "-merged")
