"""Review in headless Chromium: a reviewer rejects a submitted segment with a reason and a comment
(keyboard: reason key, Alt+X), its labeler sees the reason on the label page, fixes the text and
saves, and the reviewer approves the rework (Alt+A)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import ReviewReason, Role, SegmentStatus
from speechlabel.labeling import actions as labeling
from tests.e2e.loop_page import wait_until_saved, wait_until_shown
from tests.e2e.steps import open_app, prelabeled_project, sign_in, wait_for_app_idle

PASSWORD = "review e2e password"
PROJECT = "review-en"

pytestmark = pytest.mark.e2e


def submitted_by_labeler(page: Page, app_server, speech_dir) -> str:
    """A pre-labeled jfk.wav; the labeler submits its first segment (through the domain, as the
    label page does); returns that segment's id."""
    prelabeled_project(page, app_server.url, PROJECT, speech_dir / "en" / "jfk.wav")
    store = app_server.open_store()
    try:
        for person, role in ((f"ana-{PROJECT}", Role.LABELER), (f"rita-{PROJECT}", Role.REVIEWER)):
            accounts.create_user(store, SYSTEM, person, PASSWORD)
            accounts.set_role(store, SYSTEM, person, PROJECT, role)
        ana = accounts.login(store, f"ana-{PROJECT}", PASSWORD)[1]
        first = labeling.next_segment(store, ana, store.get_project(PROJECT))
        labeling.save_and_next(store, ana, first.id, first.version, "and so my fellow americans", None, (), None)
        return first.id
    finally:
        store.close()


def stored(app_server, segment_id: str):
    store = app_server.open_store()
    try:
        return store.get_segment(segment_id), store.list_reviews(segment_id)
    finally:
        store.close()


def open_review_page(page: Page, app_server) -> None:
    sign_in(page, app_server.url, f"rita-{PROJECT}", PASSWORD)
    open_app(page, app_server.url, "review")
    expect(page.get_by_role("heading", name="Review")).to_be_visible()


def test_reject_with_a_reason_the_labeler_fixes_it_and_the_rework_is_approved(page, app_server, speech_dir, screenshot):
    segment_id = submitted_by_labeler(page, app_server, speech_dir)

    open_review_page(page, app_server)
    # Draft and final side by side, the labeler's change marked.
    expect(page.locator("ins.added").first).to_be_visible()
    # The segment's waveform, read-only: its bounds to judge, no handles to drag, no split or merge keys.
    expect(
        page.locator(f'.waveform[data-ready="{segment_id}:{stored(app_server, segment_id)[0].version}"]')
    ).to_have_count(1)
    region = page.locator('[part~="segment"]')
    expect(region).to_have_count(1)
    expect(region.locator('[part~="region-handle-right"]')).to_have_count(0)  # the label page's has one
    screenshot(page, "-review")
    page.get_by_role("textbox", name="Comment (optional; shown to the labeler with a rejection)").fill(
        "capital A in Americans"
    )
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("1")  # reason 1: text error (minor)
    wait_for_app_idle(page)
    page.keyboard.press("Alt+x")
    wait_for_app_idle(page)
    segment, reviews = stored(app_server, segment_id)
    assert segment.status == SegmentStatus.REJECTED
    assert (reviews[-1].reason, reviews[-1].comment, reviews[-1].labeler) == (
        ReviewReason.TEXT_MINOR,
        "capital A in Americans",
        f"ana-{PROJECT}",
    )

    # The labeler gets it back first, with the reason shown above the box of the label loop.
    sign_in(page, app_server.url, f"ana-{PROJECT}", PASSWORD)
    wait_until_shown(page, segment_id, timeout=30_000)
    note = page.locator("div.sl-loop .notes .note.error")
    expect(note).to_contain_text("Text error (minor)")
    expect(note).to_contain_text("capital A in Americans")
    box = page.locator("textarea.sl-editor")
    expect(box).to_have_value("and so my fellow americans")
    box.press("Control+a")
    box.type("and so my fellow Americans")
    box.press("Control+Enter")
    wait_until_saved(page)
    segment, _ = stored(app_server, segment_id)
    assert (segment.text, segment.status) == ("and so my fellow Americans", SegmentStatus.REWORKED)

    # The rework is back in review, with the earlier rejection shown; Alt+A approves it.
    open_review_page(page, app_server)
    expect(page.get_by_text("Earlier: rejected by")).to_be_visible()
    page.keyboard.press("Alt+a")
    wait_for_app_idle(page)
    segment, reviews = stored(app_server, segment_id)
    assert segment.status == SegmentStatus.APPROVED and reviews[-1].reviewer == f"rita-{PROJECT}"

    # The lead's dashboard counts the labeled segment and the rejection.
    sign_in(page, app_server.url)
    open_app(page, app_server.url, "dashboard")
    expect(page.get_by_test_id("stMetric").filter(has_text="Segments labeled")).to_contain_text("1")
    expect(page.get_by_text("Rejection reasons")).to_be_visible()
    screenshot(page, "-dashboard")
