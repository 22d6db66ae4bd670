// The label page's caret helper. Tags go where the labeler's caret is, but the transcript box
// commits its text only on blur (so reruns never break IME composition) and Python cannot see
// the caret. This component, rendering nothing:
//  - tells Python the box's selection and text whenever the box loses focus (a tag button click
//    blurs it first, so the button's callback knows where to insert);
//  - runs the scheme's tag hotkeys while typing: it sends the tag with the live selection and
//    text (never during an IME composition), and Python inserts it;
//  - after an insertion, shows the new text in the box and puts the caret where Python says.
// Offsets are counted in characters (code points) as Python counts them, not UTF-16 units.
const CODE_KEYS = {
  Slash: "/", Equal: "=", Minus: "-", Comma: ",", Period: ".", Semicolon: ";", Quote: "'",
  BracketLeft: "[", BracketRight: "]", Backslash: "\\", Backquote: "`", Enter: "Enter",
};

function keyName(event) {
  const code = event.code || "";
  if (code.startsWith("Key")) return code.slice(3);
  if (code.startsWith("Digit")) return code.slice(5);
  if (/^F([1-9]|1[0-2])$/.test(code)) return code;
  if (CODE_KEYS[code]) return CODE_KEYS[code];
  return event.key && event.key.length === 1 ? event.key.toUpperCase() : null;
}

// The same spelling as speechlabel.conventions.normalize_hotkey: Ctrl, Alt, Shift, Meta, key.
function hotkeyOf(event) {
  const key = keyName(event);
  if (!key || ["Control", "Alt", "Shift", "Meta"].includes(event.key)) return null;
  const parts = [];
  if (event.ctrlKey) parts.push("Ctrl");
  if (event.altKey) parts.push("Alt");
  if (event.shiftKey) parts.push("Shift");
  if (event.metaKey) parts.push("Meta");
  parts.push(key);
  return parts.join("+");
}

const toPoints = (text, units) => Array.from(text.slice(0, units)).length;
const toUnits = (text, points) => Array.from(text).slice(0, points).join("").length;

function selectionOf(box) {
  const text = box.value;
  return { start: toPoints(text, box.selectionStart), end: toPoints(text, box.selectionEnd), text };
}

// The box keeps what the labeler typed but did not commit yet, and so does not take the new
// value from Python while it holds such an edit: write it the way typing does (React sees an
// input event), but only while the box still holds the text the insertion was made from.
function writeValue(box, text) {
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set;
  setter.call(box, text);
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

function placeCaret(findBox, caret) {
  if (!caret || window.__speechlabelCaretPlaced === caret.id) return;
  window.__speechlabelCaretPlaced = caret.id;
  let tries = 0;
  const attempt = () => {
    if (window.__speechlabelCaretPlaced !== caret.id) return;
    const box = findBox();
    if (box && box.value === caret.before && caret.before !== caret.text) writeValue(box, caret.text);
    if (box && box.value === caret.text) {
      const at = toUnits(caret.text, caret.at);
      box.focus();
      box.setSelectionRange(at, at);
      return;
    }
    // Streamlit renders asynchronously: wait briefly for the box (or the new value) to appear.
    if (tries++ < 60) window.setTimeout(attempt, 50);
  };
  attempt();
}

export default function (component) {
  const { data, setStateValue, setTriggerValue } = component;
  const findBox = () => document.querySelector(`.st-key-${data.box_key} textarea`);

  const onFocusOut = (event) => {
    const box = findBox();
    if (box && event.target === box) setStateValue("selection", selectionOf(box));
  };
  const onKey = (event) => {
    if (event.isComposing || event.keyCode === 229) return; // the IME owns this key
    const hotkey = hotkeyOf(event);
    const tag = hotkey ? data.hotkeys[hotkey] : undefined;
    const box = findBox();
    if (!tag || !box) return;
    const active = document.activeElement;
    const typingElsewhere = active && active !== box && (active.tagName === "TEXTAREA" || active.tagName === "INPUT");
    if (typingElsewhere) return; // the comment box, a reason field: the key is theirs
    event.preventDefault();
    event.stopPropagation();
    setTriggerValue("insert", { tag, ...selectionOf(box) });
  };
  const old = window.__speechlabelCaret;
  if (old) {
    document.removeEventListener("focusout", old.onFocusOut, true);
    document.removeEventListener("keydown", old.onKey, true);
  }
  window.__speechlabelCaret = { onFocusOut, onKey };
  document.addEventListener("focusout", onFocusOut, true);
  document.addEventListener("keydown", onKey, true);
  placeCaret(findBox, data.caret);

  return () => {
    document.removeEventListener("focusout", onFocusOut, true);
    document.removeEventListener("keydown", onKey, true);
    if (window.__speechlabelCaret && window.__speechlabelCaret.onKey === onKey) window.__speechlabelCaret = null;
  };
}
