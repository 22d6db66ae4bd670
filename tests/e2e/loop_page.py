"""Browser steps for the label page's label loop component (views/label_loop.py): a `div.sl-loop`
in an open shadow root whose `data-shown` is the segment displayed (its text in the focused
`textarea.sl-editor`; "done" when the user's work is done) and whose `data-pending` counts the
requests in flight. Playwright's CSS locators pierce open shadow roots; page.evaluate does not,
so the scripts here walk `shadowRoot`s themselves (``FIND_LOOP`` declares ``__findLoop``; put it
inside a function body: ``"() => {" + FIND_LOOP + "... }"``).
"""

from __future__ import annotations

import time

from playwright.sync_api import Page

# One finder of the component and one set of waits for every e2e test and the browser bench.
from tests.e2e.steps import FIND_LOOP, loop_root, wait_until_saved, wait_until_shown  # noqa: F401 — re-exported

# The editor: its text and segment, whether it has the focus (the shadow root's active element
# in a focused page) and where the caret is.
_EDITOR = (
    "() => {"
    + FIND_LOOP
    + """
  const root = __findLoop(document);
  const box = root && root.querySelector('textarea.sl-editor');
  if (!box) return null;
  return {value: box.value, segment: box.getAttribute('data-segment'), caret: box.selectionStart,
          focused: root.getRootNode().activeElement === box && document.hasFocus(),
          caretAtEnd: box.selectionStart === box.value.length && box.selectionEnd === box.value.length};
}"""
)


def editor_state(page: Page) -> dict | None:
    """The editor right now: value, segment, caret, focused, caretAtEnd (None: no component)."""
    return page.evaluate(_EDITOR)


def wait_for_editor(page: Page, segment_id: str, text: str, caret: int | None = None, timeout: float = 15_000) -> None:
    """The editor shows ``segment_id`` holding ``text`` and has the focus, the caret at ``caret``
    (None: at the end)."""
    where = "s.caretAtEnd" if caret is None else f"s.caret === {caret}"
    try:
        page.wait_for_function(
            f"(() => {{ const s = ({_EDITOR})(); return !!s && s.segment === {segment_id!r} && s.value === {text!r} "
            f"&& s.focused && {where}; }})()",
            timeout=timeout,
        )
    except Exception:
        raise AssertionError(
            f"the editor shows {editor_state(page)}, not {segment_id} holding {text!r}, focused, "
            f"the caret at {'the end' if caret is None else caret}"
        ) from None


def compose_hangul(page: Page, syllables: list[tuple[str, ...]]) -> None:
    """Type like a Korean input method: each syllable goes through composition states
    (ㅎ → 하 → 한) before it is committed, as Chromium sees it from a real IME."""
    cdp = page.context.new_cdp_session(page)
    for states in syllables:
        for state in states:
            cdp.send(
                "Input.imeSetComposition", {"text": state, "selectionStart": len(state), "selectionEnd": len(state)}
            )
            time.sleep(0.05)
        cdp.send("Input.insertText", {"text": states[-1]})
    cdp.detach()
