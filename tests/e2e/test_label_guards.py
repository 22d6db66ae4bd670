"""The label loop's guards in headless Chromium (issue 17):

- a second labeler's browser never receives the first labeler's work: not their saved text,
  speaker and tags, not their unsaved edit of a segment they hold, in no answer of the loop's
  routes, no websocket frame of the page around it and nothing in the page itself;
- a transcript over the 20,000-character limit, or with a control character, is refused with
  the rule's message in the loop, and the database keeps what it had.

Projects are built straight in the server's database: jfk.wav cut into six segments, each with
a draft of its own words.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import AssignmentSettings, Draft, LabelSettings, PrelabelState, Role, Word
from speechlabel.core.segment_rules import MAX_TRANSCRIPT_CHARS
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import double_labeling
from speechlabel.projects.manage import create_project, update_assignment_settings
from speechlabel.store import Store
from tests.e2e.steps import (
    FIND_LOOP,
    loop_editor,
    loop_root,
    loop_state,
    read_dataframe,
    sign_in,
    wait_until_saved,
)

pytestmark = pytest.mark.e2e

PASSWORD = "label guards password"
SEGMENTS = 6
DRAFT_WORDS = ("and so", "my fellow", "americans ask", "not what", "your country", "can do")
# The first labeler's work: a word no draft has, and a speaker and tag of her own choosing.
SECRET = "anaprivate"
ANA_SPEAKER, ANA_TAG = "Alphaspeaker", "musictag"


def drafted_project(app_server, speech_dir, name: str, assignment: AssignmentSettings, people: dict) -> list[str]:
    """jfk.wav in six drafted segments; ``people`` (name -> role) in the project. The server
    migrates its database on its first page, which may not have come yet: migrate here."""
    store = Store.open(app_server.settings.resolved_database_url)
    try:
        project = create_project(
            store,
            name,
            language="en",
            actor=SYSTEM,
            label_settings=LabelSettings(speakers=(ANA_SPEAKER, "Other"), tags=(ANA_TAG, "noise")),
        )
        project = update_assignment_settings(store, SYSTEM, name, assignment)
        audio = (speech_dir / "en/jfk.wav").read_bytes()
        recording = import_audio(store, app_server.settings, project, audio, f"{name}.wav")
        bounds = [(round(0.2 + i * 1.8, 3), round(1.8 + i * 1.8, 3)) for i in range(SEGMENTS)]
        segments = store.replace_segments(recording.id, project.id, bounds, {}, "e2e")
        for segment, words in zip(segments, DRAFT_WORDS):
            symbols = words.split()
            timed = tuple(Word(w, segment.start + 0.1 + 0.6 * i, 0.5, 0.9) for i, w in enumerate(symbols))
            store.add_draft(segment.id, Draft(words, timed, -0.3, 0.01, 1.4, "en", 0.99, "e2e", "e2e", {}), "e2e")
        store.set_prelabel_state(recording.id, PrelabelState.DRAFTED)
        for person, role in people.items():
            accounts.create_user(store, SYSTEM, person, PASSWORD)
            accounts.set_role(store, SYSTEM, person, name, role)
        return [segment.id for segment in segments]
    finally:
        store.close()


class Received:
    """Every answer of the loop's routes (/api/label/*) and every websocket frame the page gets."""

    def __init__(self, page: Page):
        self.answers: list[tuple[str, str]] = []
        self.frames: list[bytes] = []
        page.on("response", self._response)
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _response(self, response) -> None:
        if "/api/label/" in response.url:
            try:
                self.answers.append((response.url, response.text()))
            except Exception as error:  # noqa: BLE001 — a body gone with its page: say so in the check
                self.answers.append((response.url, f"<body not read: {error}>"))

    def _frame(self, payload) -> None:
        self.frames.append(payload if isinstance(payload, bytes) else payload.encode("utf-8"))

    def cards(self) -> list[dict]:
        """Every segment card in the answers (an open's, a save's next, a move's card)."""
        found = []
        for _, body in self.answers:
            try:
                answer = json.loads(body)
            except ValueError:
                continue
            for card in (answer, answer.get("next"), answer.get("card")) if isinstance(answer, dict) else ():
                if isinstance(card, dict) and "second_labeling" in card:
                    found.append(card)
        return found


# Every text of the page, the label loop's shadow root included, and every field's value and tooltip.
_PAGE_TEXT = """() => {
  const out = [document.body.innerText];
  const walk = (root) => {
    for (const element of root.querySelectorAll('*')) {
      if (element.shadowRoot) { out.push(element.shadowRoot.textContent); walk(element.shadowRoot); }
      if (typeof element.value === 'string') out.push(element.value);
      if (element.title) out.push(element.title);
    }
  };
  walk(document);
  return out.join('\\n');
}"""

_ACTIVE_CHIPS = (
    "() => {"
    + FIND_LOOP
    + """
  const root = __findLoop(document);
  return root ? Array.from(root.querySelectorAll('.chip.active')).map((chip) => chip.textContent) : [];
}"""
)


def shown_segment(page: Page, after: str | None) -> str:
    """The segment the loop shows once it has moved on from ``after`` and nothing is in flight."""
    expect(loop_root(page)).not_to_have_attribute("data-shown", after or "", timeout=15_000)
    wait_until_saved(page, timeout=15_000)
    return loop_state(page)["shown"]


def test_a_second_labeler_never_receives_the_first_labelers_work(page, app_server, speech_dir):
    ids = drafted_project(
        app_server,
        speech_dir,
        "guards-double",
        AssignmentSettings(batch_size=2, lease_minutes=600, double_share=1.0, from_scratch_share=0.0),
        {"ana": Role.LABELER, "ben": Role.LABELER},
    )
    store = app_server.open_store()
    try:  # ana labels her batch (#0, #1) and starts on the next (#2, #3): an unsaved edit of #2
        _, ana = accounts.login(store, "ana", PASSWORD)
        project = store.get_project("guards-double")
        segment = labeling.next_segment(store, ana, project)
        for index in (0, 1):
            assert segment.id == ids[index]
            _, segment = labeling.save_and_next(
                store, ana, segment.id, segment.version, f"{SECRET} saved {index}", ANA_SPEAKER, [ANA_TAG], None
            )
        assert segment.id == ids[2]
        labeling.keep_unsaved_edit(store, ana, ids[2], segment.version, f"{SECRET} unsaved", ANA_SPEAKER, (ANA_TAG,))
    finally:
        store.close()

    received = Received(page)
    sign_in(page, app_server.url, "ben", PASSWORD)  # ben's work: the second labelings of #0 and #1 first
    shown, seen = None, []
    for step in range(4):
        shown = shown_segment(page, shown)
        seen.append(shown)
        state = loop_state(page)
        assert SECRET not in state["value"], f"#{ids.index(shown)} opens with {state['value']!r}"
        assert page.evaluate(_ACTIVE_CHIPS) == [], f"#{ids.index(shown)} opens with ana's speaker or tag chosen"
        if step == 1:  # meanwhile ana saves #2, whose second labeling ben gets next
            store = app_server.open_store()
            try:
                _, ana = accounts.login(store, "ana", PASSWORD)
                version = store.get_segment(ids[2]).version
                labeling.save_and_next(store, ana, ids[2], version, f"{SECRET} saved 2", ANA_SPEAKER, [ANA_TAG], None)
            finally:
                store.close()
        loop_editor(page).press("End")
        page.keyboard.type(f" ben{step}")
        page.keyboard.press("Control+Enter")
    shown_segment(page, shown)
    assert seen[:3] == ids[:3], [ids.index(s) for s in seen]  # his second labelings, #2 while ana held it

    expander = page.get_by_test_id("stExpander").filter(has_text="Your work")
    expander.locator("summary").click()
    grid = expander.get_by_test_id("stDataFrame")
    expect(grid.locator('table[role="grid"] tbody tr')).not_to_have_count(0)  # drawn
    rows = read_dataframe(grid)
    assert rows, "ben's list of work is shown"
    page_text = page.evaluate(_PAGE_TEXT) + json.dumps(rows)
    assert SECRET not in page_text, page_text[page_text.index(SECRET) - 200 :][:400]
    leaked = [(url, body[:300]) for url, body in received.answers if SECRET in body]
    assert not leaked and received.answers, leaked or "no answer of the loop's routes was seen"
    assert not [frame[:200] for frame in received.frames if SECRET.encode() in frame]
    for card in received.cards():
        if card["second_labeling"]:
            assert (card["speaker"], card["tags"], card["updated_by"]) == (None, [], None), card

    store = app_server.open_store()
    try:  # ana's segments are as she left them; ben's words went to the second labelings
        for index in (0, 1, 2):
            segment = store.get_segment(ids[index])
            assert (segment.text, segment.speaker, segment.tags) == (f"{SECRET} saved {index}", ANA_SPEAKER, (ANA_TAG,))
            second = double_labeling.second_label_of(store, SYSTEM, ids[index])
            assert (second.labeler, second.text) == ("ben", f"{DRAFT_WORDS[index]} ben{index}")
    finally:
        store.close()


def loop_message(page: Page):
    return loop_root(page).locator(".messages")


def test_a_transcript_too_long_or_with_a_control_character_is_refused_and_nothing_changes(page, app_server, speech_dir):
    ids = drafted_project(
        app_server,
        speech_dir,
        "guards-limits",
        AssignmentSettings(batch_size=3, lease_minutes=600, from_scratch_share=0.0),
        {"kim": Role.LABELER},
    )
    sign_in(page, app_server.url, "kim", PASSWORD)
    assert shown_segment(page, None) == ids[0]
    store = app_server.open_store()
    try:
        before = store.get_segment(ids[0])
    finally:
        store.close()

    too_long = "x" * (MAX_TRANSCRIPT_CHARS + 1)
    loop_editor(page).fill(too_long)
    page.keyboard.press("Control+Enter")
    message = loop_message(page)
    expect(message).to_have_text(
        f"the transcript has {MAX_TRANSCRIPT_CHARS + 1} characters; at most {MAX_TRANSCRIPT_CHARS} are allowed",
        timeout=15_000,
    )
    expect(message).to_have_class("messages error")
    expect(loop_root(page)).to_have_attribute("data-shown", ids[0])
    wait_until_saved(page)

    loop_editor(page).fill(DRAFT_WORDS[0] + " ")
    loop_editor(page).press("End")
    page.keyboard.insert_text("\u001b[31m red")
    page.keyboard.press("Control+Enter")
    expect(message).to_have_text(
        f"the text has a control character (U+001B) at character {len(DRAFT_WORDS[0]) + 2}; "
        "only printable text is allowed",
        timeout=15_000,
    )
    expect(message).to_have_class("messages error")
    expect(loop_root(page)).to_have_attribute("data-shown", ids[0])
    wait_until_saved(page)

    store = app_server.open_store()
    try:
        after = store.get_segment(ids[0])
    finally:
        store.close()
    assert (after.text, after.version, after.status) == (before.text, before.version, before.status)
