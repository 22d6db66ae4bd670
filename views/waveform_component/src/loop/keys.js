// Key names as speechlabel.conventions.normalize_hotkey spells them ("Alt+N", "Ctrl+Shift+1"),
// read from the key's position (event.code) so that Korean and other layouts give the same name.
const CODE_KEYS = {
  Slash: "/", Equal: "=", Minus: "-", Comma: ",", Period: ".", Semicolon: ";", Quote: "'",
  BracketLeft: "[", BracketRight: "]", Backslash: "\\", Backquote: "`", Enter: "Enter", Escape: "Escape",
};

export function keyName(event) {
  const code = event.code || "";
  if (code.startsWith("Key")) return code.slice(3);
  if (code.startsWith("Digit")) return code.slice(5);
  if (/^F([1-9]|1[0-2])$/.test(code)) return code;
  if (CODE_KEYS[code]) return CODE_KEYS[code];
  return event.key && event.key.length === 1 ? event.key.toUpperCase() : null;
}

export function hotkeyOf(event) {
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

// An IME is composing (Hangul, kana…): Enter then confirms a candidate and must never submit.
export const composing = (event) => event.isComposing || event.keyCode === 229;

// Python counts characters in code points, the browser in UTF-16 units.
export const toPoints = (text, units) => Array.from(text.slice(0, units)).length;
export const toUnits = (text, points) => Array.from(text).slice(0, points).join("").length;
