"""The label loop component in headless Chromium, driven as fast as the keyboard goes: a labeler
types a correction, Ctrl+Enter, and the next segment's keys at once, never waiting for the page;
Alt+P and picks in the list below come in between. Afterwards the database must hold, in every
segment, exactly what was typed for it (unique per segment), and nothing else may have changed.
Then the same with Hangul typed through IME composition events, where Enter confirming a
syllable must never submit; and, with the prefetch of upcoming segments slowed down, every kind of
key (text, Backspace, Hangul, Ctrl+Enter, Alt+P) typed while a segment is on its way. Last, text
typed in a segment a lead merges away meanwhile: the page moves to the merged segment and shows
it as the labeler's text against the merge, never drops it.

The projects are built straight in the server's database (real speech tiled into one recording,
a draft per segment: tests/tiled_speech.py, as bench/label_page.py builds its project), not through the upload page, to keep this fast.
"""

from __future__ import annotations

import io
from collections import Counter
from urllib.parse import urlsplit

import numpy as np
import pytest
import soundfile as sf
from playwright.sync_api import Page, expect

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.samples import TARGET_RATE
from speechlabel.core.models import AssignmentSettings, LabelSettings, PrelabelState, Role, SegmentStatus
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import assignment
from speechlabel.projects.manage import create_project, update_assignment_settings
from speechlabel.store import Store
from tests.e2e.steps import (
    ADMIN_PASSWORD,
    ime_compose,
    ime_enter,
    install_loop_recorder,
    loop_editor,
    loop_records,
    loop_root,
    loop_state,
    open_app,
    pick_list_row,
    sign_in,
    wait_for_app_idle,
    wait_until_saved,
    wait_until_shown,
)
from tests.tiled_speech import draft_for, load_utterances, tile

pytestmark = pytest.mark.e2e

PASSWORD = "loop labeler password"
SEGMENT_SECONDS = 1.2  # a dense grid of short segments over tiled real speech
SAVES = 200
PREVIOUS_EVERY = 25  # Alt+P, then Ctrl+Enter forward again
JUMPS = {40: 3, 110: 7, 170: 1}  # at this save, pick that row of the list (a segment done before)
KOREAN_SAVES = 20


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    """These tests type as fast as the browser goes (about 9 saves a second, nine times a fast
    person's pace): the sessions' route budgets (speechlabel/accounts/rate_limit.py) are raised so that
    they test the loop, not the limit (tests/test_rate_limit.py tests that)."""
    return {"SPEECHLABEL_ADMIN_PASSWORD": ADMIN_PASSWORD, "SPEECHLABEL_ROUTE_BUDGET": "1000"}


def tiled_project(
    app_server, speech_dir, name: str, language: str, segments: int, batch: int, labeler: str
) -> tuple[list[str], dict]:
    """A project of ``segments`` drafted segments in one recording; ``labeler`` holds the first
    ``batch`` of them (leased here, as the page would). Returns the batch in order and every
    segment of the project as it is now. The server migrates its database on its first page,
    which has not come yet: migrate here."""
    store = Store.open(app_server.settings.resolved_database_url)
    try:
        project = create_project(
            store,
            name,
            language=language,
            actor=SYSTEM,
            label_settings=LabelSettings(speakers=("A", "B"), tags=("noise",)),
        )
        project = update_assignment_settings(
            store, SYSTEM, name, AssignmentSettings(batch_size=batch, lease_minutes=600, from_scratch_share=0.0)
        )
        utterances = load_utterances(speech_dir)
        audio = tile(utterances, segments * SEGMENT_SECONDS + 1, rotate=3)
        wav = io.BytesIO()
        sf.write(wav, audio.samples, TARGET_RATE, subtype="PCM_16", format="WAV")
        recording = import_audio(store, app_server.settings, project, wav.getvalue(), f"{name}.wav")
        bounds = [(round(i * SEGMENT_SECONDS, 3), round((i + 1) * SEGMENT_SECONDS - 0.05, 3)) for i in range(segments)]
        rows = store.replace_segments(recording.id, project.id, bounds, dict(project.segment_options), "e2e")
        words = [w for utterance in utterances for w in utterance.words]
        rng = np.random.default_rng(11)
        for index, segment in enumerate(rows):
            chosen = tuple(words[(index * 3 + k) % len(words)] for k in range(1 + index % 3))
            store.add_draft(segment.id, draft_for(chosen, segment.start, segment.end, rng), "e2e")
        store.set_prelabel_state(recording.id, PrelabelState.DRAFTED)
        accounts.create_user(store, SYSTEM, labeler, PASSWORD)
        accounts.set_role(store, SYSTEM, labeler, name, Role.LABELER)
        _, actor = accounts.login(store, labeler, PASSWORD)
        first = labeling.next_segment(store, actor, project)
        batch_ids = [segment.id for segment in assignment.my_work(store, actor, project)]
        assert batch_ids[0] == first.id and len(batch_ids) == batch
        return batch_ids, {segment.id: segment for segment in store.list_segments(recording.id)}
    finally:
        store.close()


def check_database(app_server, before: dict, typed: dict[str, str], labeler: str) -> None:
    """Every labeled segment holds exactly its typed text, submitted by ``labeler``; every other
    segment is as it was."""
    store = app_server.open_store()
    try:
        after = {segment_id: store.get_segment(segment_id) for segment_id in before}
    finally:
        store.close()
    order = list(before)
    wrong = [
        f"#{order.index(i)} {i}: holds {after[i].text!r} ({after[i].status.value}, {after[i].updated_by}), "
        f"typed {text!r}"
        for i, text in typed.items()
        if (after[i].text, after[i].status, after[i].updated_by) != (text, SegmentStatus.SUBMITTED, labeler)
    ]
    changed = [
        f"#{order.index(i)} {i}: {before[i].text!r} v{before[i].version} -> {after[i].text!r} "
        f"v{after[i].version} ({after[i].status.value})"
        for i in before
        if i not in typed and (after[i].text, after[i].version) != (before[i].text, before[i].version)
    ]
    assert not wrong and not changed, (
        f"{len(wrong)} of {len(typed)} labeled segments do not hold what was typed for them, "
        f"{len(changed)} other segments changed:\n  " + "\n  ".join((wrong + changed)[:25])
    )


class Loop:
    """What the labeler has done so far, and where the page must be: the segment shown, the text
    each labeled segment must hold. A save opens the first segment of the batch not yet saved
    (no segment is ever skipped here, so that is also the browser's prefetched upcoming one)."""

    def __init__(self, batch: list[str], drafts: dict):
        self.batch, self.drafts = batch, drafts
        self.done: set[int] = set()
        self.typed: dict[str, str] = {}
        self.at = 0

    @property
    def shown(self) -> str:
        return self.batch[self.at]

    def type(self, page: Page, text: str) -> None:
        page.keyboard.type(text)
        self.typed[self.shown] = self.typed.get(self.shown, self.drafts[self.shown].text) + text

    def save(self, page: Page) -> None:
        page.keyboard.press("Control+Enter")
        self.done.add(self.at)
        self.at = min(set(range(len(self.batch))) - self.done)

    def previous(self, page: Page) -> None:
        page.keyboard.press("Alt+P")
        self.at -= 1


def loading_keys(page: Page) -> str:
    """The Ctrl+Enters the page saw while no segment was shown (the next one on its way)."""
    keys = loop_records(page)["keys"]
    waiting = [index for index, key in enumerate(keys) if not key["shown"]]
    return (
        f"{len(waiting)} of {len(keys)} Ctrl+Enter keydowns came while data-shown was empty (a segment on its "
        f"way): {waiting[:20]}"
    )


def test_a_fast_typist_labels_200_segments_with_previous_and_list_jumps(page, app_server, speech_dir):
    batch, before = tiled_project(app_server, speech_dir, "loop-en", "en", SAVES + 40, SAVES + 10, "ana")
    loop = Loop(batch, before)
    sign_in(page, app_server.url, "ana", PASSWORD)
    wait_until_shown(page, batch[0], timeout=30_000)
    install_loop_recorder(page)
    asked = count_routes(page)
    for step in range(SAVES):
        if step in JUMPS:
            jump(page, loop, JUMPS[step], step)
        loop.type(page, f" a{step:03d}")
        loop.save(page)
        if step % PREVIOUS_EVERY == PREVIOUS_EVERY // 2:
            loop.previous(page)
            if step % 2:
                loop.type(page, "!")  # a fix on the way back; even steps only save it again
            loop.save(page)
    settled_then_checked(page, app_server, before, loop.typed, "ana", loop.shown)
    # The card after the next one comes with each save: a peek of its own only after a jump or
    # Previous, or when the typist is ahead of the prefetch (one run: 28 peeks for 208 saves).
    assert asked["peek"] <= asked["save"] / 4, dict(asked)


def count_routes(page: Page) -> Counter:
    """How many requests the page sends to each label-loop route (``save``, ``peek``, ...)."""
    asked: Counter = Counter()

    def seen(request) -> None:
        path = urlsplit(request.url).path
        if path.startswith("/api/label/"):
            asked[path.split("/")[3]] += 1

    page.on("request", seen)
    return asked


def jump(page: Page, loop: Loop, row: int, step: int) -> None:
    """Pick ``row`` of the list right after a Ctrl+Enter; it opens once the page around has rerun."""
    frontier = loop.at
    pick_list_row(page, row)
    loop.at = row
    try:
        wait_until_shown(page, loop.shown, timeout=20_000)
    except AssertionError:
        state = loop_state(page)
        at = loop.batch.index(state["shown"]) if state["shown"] in loop.batch else None
        raise AssertionError(
            f"save {step}: picked row {row} of the list with #{frontier} open; after 20 s the "
            f"loop shows #{at}: {state}\n{loading_keys(page)}"
        ) from None


def settled_then_checked(
    page: Page, app_server, before: dict, typed: dict[str, str], labeler: str, shown: str, seen: list[str] = ()
) -> None:
    """Once nothing is in flight: the database holds what was typed, and the page shows ``shown``;
    a failure says both (and ``seen``, what the test saw on the way), and which Ctrl+Enters came
    while the next segment was still loading."""
    problems = list(seen)
    try:
        wait_until_saved(page, timeout=20_000)
    except AssertionError:
        problems.append("requests still in flight after 20 s")
    state = loop_state(page)
    if state["shown"] != shown:
        problems.append(f"the page shows {state}, not #{list(before).index(shown)} {shown}")
    try:
        check_database(app_server, before, typed, labeler)
    except AssertionError as error:
        problems.append(str(error))
    assert not problems, "\n".join(problems + [loading_keys(page)])


HANGUL = [
    ("ㄱ", "가"),
    ("ㄴ", "나"),
    ("ㄷ", "다"),
    ("ㄹ", "라"),
    ("ㅁ", "마"),
    ("ㅂ", "바"),
    ("ㅅ", "사"),
    ("ㅇ", "아"),
    ("ㅈ", "자"),
    ("ㅊ", "차"),
    ("ㅋ", "카"),
    ("ㅌ", "타"),
    ("ㅍ", "파"),
    ("ㅎ", "하"),
    ("ㄱ", "거"),
    ("ㄴ", "너"),
    ("ㄷ", "더"),
    ("ㄹ", "러"),
    ("ㅁ", "머"),
    ("ㅂ", "버"),
]
WORD = [("ㅎ", "하", "한"), ("ㄱ", "구", "국")]  # 한국, composed before each segment's own syllable

# Every Enter keydown the page sees: was the IME composing, by the event's own account?
_ENTERS = """() => { window.__enters = [];
  window.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.keyCode === 229)
    window.__enters.push({composing: e.isComposing, code: e.keyCode, ctrl: e.ctrlKey}); }, true); }"""


def test_b_hangul_through_an_input_method_lands_in_its_segment(page, app_server, speech_dir):
    batch, before = tiled_project(app_server, speech_dir, "loop-ko", "ko", KOREAN_SAVES + 10, KOREAN_SAVES + 5, "min")
    sign_in_labeler(page, app_server.url, "min")
    wait_until_shown(page, batch[0], timeout=30_000)
    install_loop_recorder(page)
    page.evaluate(_ENTERS)
    cdp = page.context.new_cdp_session(page)
    typed, unshown = {}, []
    for index in range(KOREAN_SAVES):
        segment = batch[index]
        page.keyboard.type(" ")
        for syllable in WORD:
            ime_compose(cdp, syllable)
        # The segment's own syllable is confirmed with Enter while composing: never a save.
        ime_compose(cdp, HANGUL[index], commit=False)
        composing = loop_state(page)
        ime_enter(cdp, 229 if index % 2 else 13)
        state = loop_state(page)
        if (composing["shown"], composing["segment"]) != (segment, segment):
            unshown.append(f"#{index} was not shown while its Hangul was typed (the page: {composing})")
        assert state == composing, f"Enter confirming a syllable in #{index} changed the loop: {composing} -> {state}"
        cdp.send("Input.insertText", {"text": HANGUL[index][-1]})
        typed[segment] = before[segment].text + " 한국" + HANGUL[index][-1]
        page.keyboard.press("Control+Enter")  # and the next syllables at once
    cdp.detach()
    enters = page.evaluate("() => window.__enters")
    confirming = [e for e in enters if not e["ctrl"]]
    assert len(confirming) == KOREAN_SAVES and all(e["composing"] or e["code"] == 229 for e in confirming), enters
    settled_then_checked(page, app_server, before, typed, "min", batch[KOREAN_SAVES], unshown)


def sign_in_labeler(page: Page, base_url: str, username: str) -> None:
    """steps.sign_in without its English check: a labeler of a Korean project gets a Korean page."""
    page.context.clear_cookies()
    open_app(page, base_url)
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="Username").fill(username)
    form.get_by_role("textbox", name="Password").fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    wait_for_app_idle(page)


# The upcoming segment's card slowed to 1.5 s (the browser's prefetch), so every key below comes
# while a segment is on its way: the loop must apply them in order to the segments as they open.
_SLOW_PEEK = """(() => { const fetch = window.fetch;
  window.fetch = (url, options) => String(url).includes('/api/label/peek/')
    ? new Promise((resolve) => setTimeout(resolve, 1500)).then(() => fetch(url, options)) : fetch(url, options); })()"""


def test_c_keys_typed_while_the_next_segment_is_on_its_way_apply_in_order(page, app_server, speech_dir):
    batch, before = tiled_project(app_server, speech_dir, "loop-slow", "en", 20, 15, "kim")
    page.context.add_init_script(_SLOW_PEEK)
    sign_in(page, app_server.url, "kim", PASSWORD)
    wait_until_shown(page, batch[0], timeout=30_000)
    install_loop_recorder(page)
    cdp = page.context.new_cdp_session(page)
    drafts = [before[segment_id].text for segment_id in batch[:4]]
    page.keyboard.press("Control+Enter")  # #0 as drafted; #1 on its way from here on
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("xy")
    page.keyboard.press("Control+Enter")
    for syllable in WORD:  # 한국, for #2
        ime_compose(cdp, syllable)
    page.keyboard.press("Control+Enter")
    page.keyboard.type(" z")  # for #3, kept unsaved: Alt+P goes back to #2 first
    page.keyboard.press("Alt+P")
    page.keyboard.type("!")
    page.keyboard.press("Control+Enter")  # #2 again; then #3, the first not saved, with its " z"
    page.keyboard.type(" w")
    page.keyboard.press("Control+Enter")
    cdp.detach()
    typed = {
        batch[0]: drafts[0],
        batch[1]: drafts[1][:-2] + "xy",
        batch[2]: drafts[2] + "한국!",
        batch[3]: drafts[3] + " z w",
    }
    settled_then_checked(page, app_server, before, typed, "kim", batch[4])


def test_d_text_typed_in_a_segment_a_lead_merges_away_is_kept_as_a_conflict(page, app_server, speech_dir):
    """mia types in the second segment while a lead merges it into the first: what she types
    after the merge reaches the server for a segment that is gone. It is kept on the first, which
    the page opens with her text against the merge; she continues with hers and saves it."""
    batch, before = tiled_project(app_server, speech_dir, "loop-merge", "en", 6, 6, "mia")
    first, second = batch[:2]
    sign_in(page, app_server.url, "mia", PASSWORD)
    wait_until_shown(page, first, timeout=30_000)
    page.keyboard.press("Control+Enter")  # the first as drafted
    wait_until_shown(page, second)
    page.keyboard.type(" typed before")
    page.wait_for_timeout(1600)  # its keep goes out 1.2 s after the last key
    wait_until_saved(page)
    store = app_server.open_store()
    try:
        accounts.create_user(store, SYSTEM, "lee", PASSWORD)
        accounts.set_role(store, SYSTEM, "lee", "loop-merge", Role.LEAD)
        lee = accounts.login(store, "lee", PASSWORD)[1]
        saved_first = store.get_segment(first)
        labeling.merge_with_next(
            store, lee, first, saved_first.version, store.get_segment(second).version, next_segment_id=second
        )
    finally:
        store.close()
    page.keyboard.type(" and after")  # in the page that still shows the second
    mine = f"{saved_first.text} {before[second].text} typed before and after"
    wait_until_shown(page, first)  # the server kept it there: the page goes there
    conflict = loop_root(page).locator(".conflict")
    expect(conflict).to_be_visible()
    expect(conflict.locator(".column").nth(1).locator("pre.text")).to_have_text(mine)
    expect(loop_root(page).locator(".messages")).to_contain_text(f"was merged into {first}")
    conflict.locator(".column").nth(1).get_by_role("button").click()
    expect(loop_editor(page)).to_have_value(mine)
    page.keyboard.press("Control+Enter")
    wait_until_shown(page, batch[2])
    wait_until_saved(page)
    store = app_server.open_store()
    try:
        merged = store.get_segment(first)
        assert (merged.text, merged.updated_by) == (mine, "mia")
        assert store.get_unsaved_edit("mia", first) is None
    finally:
        store.close()
