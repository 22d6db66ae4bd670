"""Reusable browser steps for the end-to-end tests: wait for Streamlit, drive the Projects page.

Locators use Streamlit's ``data-testid`` attributes and the visible labels of the page, so a
step breaks when the page changes what a user sees, not when Streamlit renames a CSS class.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

REPO_ROOT = Path(__file__).resolve().parents[2]
# The e2e servers start with SPEECHLABEL_ADMIN_PASSWORD set to this: their admin is "admin".
ADMIN_PASSWORD = "e2e admin password"
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
CHOOSE_ATTEMPTS = 3

# Busy while the websocket is not connected, a script or fragment run is under way (the app's
# own state attribute and the status widget's running icon), or elements of the last run are
# still marked stale. Idle only counts once it has lasted `settleMs` without a break: a click
# reaches the server asynchronously, so "not running" right after a click can still be the state
# before the rerun it causes.
_IDLE_PROBE = """([settleMs]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const busy = !app
    || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
    || app.getAttribute('data-test-script-state') !== 'notRunning'
    || document.querySelector('[data-testid="stStatusWidgetRunningIcon"], '
                              + '[data-testid="stStatusWidgetRunningManIcon"]') !== null
    || document.querySelector('[data-testid="stElementContainer"][data-stale="true"]') !== null;
  const now = performance.now();
  if (busy) { window.__e2eIdleSince = undefined; return false; }
  if (window.__e2eIdleSince === undefined) { window.__e2eIdleSince = now; }
  return now - window.__e2eIdleSince >= settleMs;
}"""

_APP_STATE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app ? `script ${app.getAttribute('data-test-script-state')}, `
               + `connection ${app.getAttribute('data-test-connection-state')}` : 'no stApp element';
}"""


def wait_for_app_idle(page: Page, timeout: float = 30_000, settle_ms: int = 500, allow_exception: bool = False) -> None:
    """Wait until Streamlit has finished its runs and stayed idle for ``settle_ms``.

    Fails (rather than returning on a half-drawn page) when the app shows an exception, unless
    ``allow_exception``. Pages with ``st.fragment(run_every=...)`` still settle: such a run takes
    a fraction of its interval.
    """
    page.evaluate("() => { window.__e2eIdleSince = undefined; }")
    try:
        page.wait_for_function(_IDLE_PROBE, arg=[settle_ms], timeout=timeout, polling=100)
    except PlaywrightTimeout:
        raise AssertionError(
            f"the app did not become idle within {timeout / 1000:.0f} s ({page.evaluate(_APP_STATE)})"
        ) from None
    if not allow_exception:
        assert_no_exception(page)


def assert_no_exception(page: Page) -> None:
    shown = page.locator('[data-testid="stException"]')
    if shown.count():
        raise AssertionError("the app shows an exception:\n" + "\n---\n".join(shown.all_inner_texts()))


def artifact_name(test_name: str) -> str:
    """A file-system-safe name for a test id such as ``test_x[sqlite-1]``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_")


def save_screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save ``test-artifacts/<name>.png`` (repository root) and return its path."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    path = ARTIFACTS_DIR / f"{artifact_name(name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def open_app(page: Page, base_url: str, path: str = "") -> None:
    """Load a page of the app and wait for its first run to finish."""
    page.goto(f"{base_url.rstrip('/')}/{path.lstrip('/')}")
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=30_000)
    wait_for_app_idle(page)


def sign_in(
    page: Page, base_url: str, username: str = "admin", password: str = ADMIN_PASSWORD, expect_error: str | None = None
) -> None:
    """Open the app signed out (cookies of this browser context dropped) and sign in through the
    page; with ``expect_error``, check that the sign-in is refused with that message instead."""
    page.context.clear_cookies()
    open_app(page, base_url)
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="Username").fill(username)
    form.get_by_role("textbox", name="Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    wait_for_app_idle(page)
    if expect_error:
        expect(page.get_by_test_id("stAlertContentError").filter(has_text=expect_error)).to_be_visible()
        return
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def choose(scope: Page | Locator, label: str, option: str) -> None:
    """Pick ``option`` in the ``st.selectbox`` labelled ``label``."""
    box = scope.get_by_role("combobox", name=label, exact=True)
    page = box.page
    # The Projects page's progress panel reruns every 2 s; a rerun can re-mount an open option
    # list under the pointer (Playwright: "element was detached"). Open it again and retry.
    for _ in range(CHOOSE_ATTEMPTS - 1):
        box.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    else:
        box.click()
        page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def create_project(page: Page, name: str, language: str = "en", model: str = "tiny.en") -> None:
    """Fill and submit the "New project" form on the Projects page; the project is then selected."""
    expander = page.get_by_test_id("stExpander").filter(has_text="New project")
    form = expander.get_by_test_id("stForm")
    if not form.is_visible():  # collapsed once any project exists
        expander.get_by_text("New project", exact=True).click()
        expect(form).to_be_visible()
    form.get_by_role("textbox", name="Name", exact=True).fill(name)
    choose(form, "Language", language)
    choose(form, "Model", model)
    form.get_by_role("button", name="Create project").click()
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=f"Created project '{name}'.")).to_be_visible(
        timeout=30_000
    )
    wait_for_app_idle(page)
    expect(page.get_by_role("combobox", name="Project", exact=True)).to_have_value(name)


def upload_audio(page: Page, *files: Path) -> list[str]:
    """Choose ``files`` in the "Upload audio" component, click its upload button (the browser
    sends each file to the upload route) and return the success lines the page then shows."""
    upload = page.locator(".speechlabel-upload")
    upload.locator("input[type=file]").set_input_files([str(f) for f in files])
    send = upload.get_by_role("button", name="Upload and import into")
    expect(send).to_be_enabled(timeout=30_000)
    send.click()
    imported = page.get_by_test_id("stAlertContentSuccess").filter(has_text=": imported")
    expect(imported.first).to_be_visible(timeout=120_000)
    wait_for_app_idle(page)
    return imported.all_inner_texts()


@dataclass(frozen=True)
class PrelabelResult:
    progress: str  # the job's progress line, e.g. "pre-labeling done: 1/1 recordings, ..."
    summary: str  # the caption: "1 recordings · 0.00 h of audio · 2 segments · 0 not pre-labeled yet"
    rows: list[dict[str, str]]  # the recordings table, column header -> cell text


def prelabel_and_wait(page: Page, recordings: int = 1, timeout: float = 120_000) -> PrelabelResult:
    """Click "Pre-label new recordings" and wait until the job is done, nothing is left to
    pre-label and the table shows ``recordings`` recordings (the project's total), all "drafted".

    Fails at once with the page's message if the job stops with an error."""
    page.get_by_role("button", name="Pre-label new recordings").click()
    progress = page.get_by_test_id("stProgress").filter(has_text="pre-labeling")
    summary = page.get_by_test_id("stCaptionContainer").filter(has_text=" not pre-labeled yet")
    stopped = page.get_by_test_id("stAlertContentError").filter(has_text="could not be drafted")
    table = page.get_by_test_id("stDataFrame")
    seen: dict = {}

    def done() -> bool:  # all_inner_texts/count never wait: the fragment redraws every 2 s
        if errors := stopped.all_inner_texts():
            raise AssertionError(f"pre-labeling failed on the page: {errors[0]}")
        seen["progress"] = next(iter(progress.all_inner_texts()), "")
        seen["summary"] = next(iter(summary.all_inner_texts()), "")
        seen["rows"] = read_dataframe(table.first) if table.count() else []
        return (
            seen["progress"].startswith("pre-labeling done:")
            and seen["summary"].startswith(f"{recordings} recordings ·")
            and seen["summary"].endswith(" 0 not pre-labeled yet")
            and len(seen["rows"]) == recordings
            and all(row.get("pre-labeling") == "drafted" for row in seen["rows"])
        )

    _poll(page, done, timeout=timeout, what=lambda: f"pre-labeling to finish; the page shows {seen}")
    wait_for_app_idle(page)
    return PrelabelResult(seen["progress"], seen["summary"], seen["rows"])


def prelabeled_project(
    page: Page, base_url: str, name: str, *files: Path, language: str = "en", model: str = "tiny.en"
) -> PrelabelResult:
    """From a fresh page: sign in as the admin, create project ``name``, import ``files``,
    pre-label them and wait."""
    sign_in(page, base_url)
    create_project(page, name, language=language, model=model)
    upload_audio(page, *files)
    return prelabel_and_wait(page, recordings=len(files))


def read_dataframe(frame: Locator) -> list[dict[str, str]]:
    """The rows of an ``st.dataframe`` as header -> text, from the accessible table that the
    canvas grid keeps in the DOM. Only the columns and rows scrolled into view are there."""
    return frame.evaluate("""frame => {
      const table = frame.querySelector('table[role="grid"]');
      if (!table) return [];
      const headers = {};
      for (const th of table.querySelectorAll('thead th')) headers[th.getAttribute('aria-colindex')] = th.textContent.trim();
      return Array.from(table.querySelectorAll('tbody tr')).map(tr => {
        const row = {};
        for (const td of tr.querySelectorAll('td')) {
          const header = headers[td.getAttribute('aria-colindex')];
          if (header !== undefined) row[header] = td.textContent.trim();
        }
        return row;
      });
    }""")


def _poll(page: Page, condition, timeout: float, what, interval: float = 250) -> None:
    """Check ``condition`` every ``interval`` ms, letting the page run in between."""
    deadline = time.monotonic() + timeout / 1000
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout / 1000:.0f} s waiting for {what()}")
        page.wait_for_timeout(interval)


# ---------------------------------------------------------------------------------------------
# The label loop component (views/): a `div.sl-loop` in an open shadow root whose `data-shown` is
# the segment whose card is displayed, its text in `textarea.sl-editor` and the caret in it, and
# whose `data-pending` counts requests in flight. Playwright's CSS selectors pierce open shadow
# roots; page.evaluate does not, so the scripts below walk `shadowRoot`s themselves.

FIND_LOOP = """function __findLoop(node) {
  const direct = node.querySelector('div.sl-loop');
  if (direct) return direct;
  for (const element of node.querySelectorAll('*')) {
    if (element.shadowRoot) { const found = __findLoop(element.shadowRoot); if (found) return found; }
  }
  return null;
}"""

# Records in the page, so no Playwright round trip is timed: every Ctrl+Enter keydown (its event
# timestamp, before any handler of the page) and every change of `data-shown` (the time of the
# MutationObserver callback, the editor's value, segment, focus and caret at that moment, and one
# animation frame later). A new `div.sl-loop` (the component mounted anew) is picked up within 50 ms.
_LOOP_RECORDER = (
    "() => {"
    + FIND_LOOP
    + """
  if (window.__loopRec) return;
  const rec = window.__loopRec = {keys: [], shows: [], last: undefined, root: null, observer: null};
  window.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.ctrlKey) {
      rec.keys.push({t: event.timeStamp, now: performance.now(), composing: event.isComposing || event.keyCode === 229,
                     shown: rec.root && rec.root.getAttribute('data-shown')});
    }
  }, true);
  const note = (root) => {
    const id = root.getAttribute('data-shown');
    if (id === rec.last) return;
    rec.last = id;
    const editor = root.querySelector('textarea.sl-editor');
    const show = {id, at: performance.now(), frame: null, value: editor ? editor.value : null,
                  segment: editor ? editor.getAttribute('data-segment') : null,
                  focused: !!editor && root.getRootNode().activeElement === editor,
                  caretAtEnd: !!editor && editor.selectionStart === editor.value.length
                              && editor.selectionEnd === editor.value.length,
                  pending: root.getAttribute('data-pending'), keys: rec.keys.length};
    rec.shows.push(show);
    requestAnimationFrame(() => { show.frame = performance.now(); });
  };
  const attach = () => {
    if (rec.root && rec.root.isConnected) return;
    const root = __findLoop(document);
    if (!root) return;
    if (rec.observer) rec.observer.disconnect();
    rec.root = root;
    // A segment shown and left within one task (keys queued while it loaded, replayed at once)
    // is in the records' old values only: note it too, with no editor state (``passing``).
    rec.observer = new MutationObserver((records) => {
      for (let index = 1; index < records.length; index++) {
        const id = records[index].oldValue;
        if (id && id !== rec.last) {
          rec.last = id;
          const show = {id, at: performance.now(), frame: null, passing: true, keys: rec.keys.length};
          rec.shows.push(show);
          requestAnimationFrame(() => { show.frame = performance.now(); });
        } else if (!id) rec.last = id;
      }
      note(root);
    });
    rec.observer.observe(root, {attributes: true, attributeFilter: ['data-shown'], attributeOldValue: true});
    note(root);
  };
  attach();
  setInterval(attach, 50);
}"""
)

# The old page (a Streamlit st.text_area): Ctrl+Enter keydowns, and the moment the focused TEXTAREA
# holds `window.__oldRec.expect` (set before the Ctrl+Enter); checked on every DOM mutation, focus
# and input event, animation frame and every 5 ms, since React sets the value without a mutation.
OLD_PAGE_RECORDER = """(() => {
  if (window.__oldRec) return;
  const rec = window.__oldRec = {keys: [], hits: [], expect: null};
  const check = () => {
    if (rec.expect === null) return;
    const active = document.activeElement;
    if (active && active.tagName === 'TEXTAREA' && active.value === rec.expect) {
      rec.hits.push(performance.now());
      rec.expect = null;
    }
  };
  window.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.ctrlKey) rec.keys.push(event.timeStamp);
  }, true);
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true,
                                                 characterData: true});
  document.addEventListener('focusin', check, true);
  document.addEventListener('input', check, true);
  const tick = () => { check(); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  setInterval(check, 5);
})()"""


def loop_root(page: Page) -> Locator:
    return page.locator("div.sl-loop")


def loop_editor(page: Page) -> Locator:
    return page.locator("div.sl-loop textarea.sl-editor")


def wait_until_shown(page: Page, segment_id: str, timeout: float = 15_000) -> None:
    """Until the component displays ``segment_id`` (its text in the editor, the caret in it)."""
    expect(loop_root(page)).to_have_attribute("data-shown", segment_id, timeout=timeout)


def wait_until_saved(page: Page, timeout: float = 30_000) -> None:
    """Until the component has no request in flight."""
    expect(loop_root(page)).to_have_attribute("data-pending", "0", timeout=timeout)


def install_loop_recorder(page: Page) -> None:
    page.evaluate(_LOOP_RECORDER)


def loop_records(page: Page) -> dict:
    """What the recorder saw: ``keys`` (Ctrl+Enter keydowns) and ``shows`` (changes of data-shown)."""
    return page.evaluate("() => ({keys: window.__loopRec.keys, shows: window.__loopRec.shows})")


def loop_state(page: Page) -> dict | None:
    """The component's attributes and editor right now (None: no component on the page)."""
    return page.evaluate(
        "() => {"
        + FIND_LOOP
        + """
      const root = __findLoop(document);
      if (!root) return null;
      const editor = root.querySelector('textarea.sl-editor');
      return {shown: root.getAttribute('data-shown'), pending: root.getAttribute('data-pending'),
              value: editor && editor.value, segment: editor && editor.getAttribute('data-segment'),
              focused: !!editor && root.getRootNode().activeElement === editor};
    }"""
    )


def save_latencies(records: dict, order: list[str], texts: dict[str, str]) -> tuple[list[dict], list[str]]:
    """Pair every Ctrl+Enter with the display it leads to: the first display of a segment after
    the one the Ctrl+Enter before it led to (a Ctrl+Enter typed while a segment was on its way
    saves that one, when it opens) and not before the keydown. The time from the keydown to that
    display (``ms``) and to the frame after it (``painted_ms``). Also what went wrong: a display of
    another segment than the one after it in ``order``, another text in the editor than
    ``texts[id]`` (its text before labeling; keys typed while it was on its way are said apart),
    the editor of another segment, no focus, the caret not at the end. A segment shown and left
    within one task (its queued keys replayed at once) has no editor state to check."""
    keys, paired, wrong = records["keys"], [], []
    shows = [show for show in records["shows"] if show["id"]]
    position = {segment_id: index for index, segment_id in enumerate(order)}
    last = next((n for n, show in enumerate(shows) if show["at"] > keys[0]["t"]), len(shows)) - 1 if keys else -1
    for index, key in enumerate(keys):
        if not key["shown"]:
            wrong.append(f"Ctrl+Enter {index} came while a segment was on its way (queued)")
        found = next((n for n in range(last + 1, len(shows)) if shows[n]["at"] >= key["t"]), None)
        if found is None:
            wrong.append(f"Ctrl+Enter {index}: no segment displayed after it")
            continue
        before = shows[last]["id"] if last >= 0 else key["shown"]
        show, last = shows[found], found
        frame = show["frame"] if show["frame"] is not None else show["at"]
        paired.append({"index": index, "id": show["id"], "ms": show["at"] - key["t"], "painted_ms": frame - key["t"]})
        expected = order[position[before] + 1] if before in position and position[before] + 1 < len(order) else None
        # Past the end of ``order`` (the last save of a batch) any segment may come next.
        problems = [
            f"displayed {_at(position, show['id'])}, not {_at(position, expected)}"
            if expected is not None and show["id"] != expected
            else ""
        ]
        if not show.get("passing"):
            problems += [
                _held(show, texts),
                f"editor is segment {show['segment']}" if show["segment"] != show["id"] else "",
                "editor not focused" if not show["focused"] else "",
                "caret not at the end" if not show["caretAtEnd"] else "",
            ]
        if any(problems):
            wrong.append(f"Ctrl+Enter {index} on {_at(position, before)}: " + "; ".join(p for p in problems if p))
    return paired, wrong


def _held(show: dict, texts: dict[str, str]) -> str:
    """What the editor held at a display, if not the segment's text: keys typed while it was on
    its way are appended to it by design (not a problem: the database check says whether they
    landed in the right segment), anything else is wrong."""
    text = texts.get(show["id"])
    if text is None or (show["value"] is not None and show["value"].startswith(text)):
        return ""
    return f"editor holds {show['value']!r}, not {text!r}"


def _at(position: dict[str, int], segment_id: str | None) -> str:
    return f"#{position[segment_id]}" if segment_id in position else repr(segment_id)


def pick_list_row(page: Page, row: int, title: str = "Your work") -> None:
    """Pick row ``row`` (0: the first) of the label page's list below the loop, by its selection
    box at the left of the grid (rows 35 px high under a 35 px header; only rows scrolled into
    view can be picked). Opens the expander first if it is closed."""
    expander = page.get_by_test_id("stExpander").filter(has_text=title)
    grid = expander.get_by_test_id("stDataFrame")
    if not grid.is_visible():
        expander.locator("summary").click()
        expect(grid).to_be_visible()
    grid.scroll_into_view_if_needed()
    box = steady_box(page, grid)
    page.mouse.click(box["x"] + 18, box["y"] + 35 * (row + 1) + 17)


def steady_box(page: Page, locator: Locator, settle_ms: int = 60, attempts: int = 40) -> dict:
    """``locator``'s bounding box once it stays put for ``settle_ms``: a click by coordinates
    aims where a person would, not where the element was before the next segment's card (taller
    or shorter) pushed it down or up."""
    box = locator.bounding_box()
    for _ in range(attempts):
        page.wait_for_timeout(settle_ms)
        again = locator.bounding_box()
        if again == box:
            break
        box = again
    return box


def ime_compose(cdp, states: tuple[str, ...], commit: bool = True) -> None:
    """One syllable as a Korean input method types it: composition states (ㅎ → 하 → 한), then
    committed with Input.insertText (unless ``commit`` is false: left composing)."""
    for state in states:
        cdp.send("Input.imeSetComposition", {"text": state, "selectionStart": len(state), "selectionEnd": len(state)})
    if commit:
        cdp.send("Input.insertText", {"text": states[-1]})


def ime_enter(cdp, key_code: int = 229) -> None:
    """Enter pressed while the input method composes: the key the IME takes to confirm the
    syllable. Windows sends keyCode 229 ("Process"); macOS sends Enter (13) with isComposing.
    No character event follows (the IME consumes it), so nothing is typed by this key."""
    for kind in ("rawKeyDown", "keyUp"):
        cdp.send(
            "Input.dispatchKeyEvent",
            {
                "type": kind,
                "key": "Enter",
                "code": "Enter",
                "windowsVirtualKeyCode": key_code,
                "nativeVirtualKeyCode": key_code,
            },
        )
