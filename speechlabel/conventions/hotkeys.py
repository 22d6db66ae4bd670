"""Keyboard shortcuts of tag buttons: one spelling per shortcut, no clash with the label page.

A tag is inserted while the caret is in the transcript box, so a shortcut needs Ctrl, Alt or
Meta (a bare letter would be typed); function keys F1-F12 may stand alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from speechlabel.core.errors import Phrase, ValidationError

_MODIFIERS = {
    "ctrl": "Ctrl",
    "control": "Ctrl",
    "alt": "Alt",
    "option": "Alt",
    "shift": "Shift",
    "meta": "Meta",
    "cmd": "Meta",
    "command": "Meta",
}
_ORDER = ("Ctrl", "Alt", "Shift", "Meta")
_FUNCTION_KEY = re.compile(r"F([1-9]|1[0-2])", re.IGNORECASE)

# The label page's own shortcuts (README, "Label"): a tag may not take them. Phrases: the
# refusal names the action in the reader's language.
RESERVED_HOTKEYS: dict[str, Phrase] = {
    "Ctrl+Enter": Phrase("phrase.hotkey_save_next"),
    "Alt+P": Phrase("phrase.hotkey_previous"),
    "Alt+R": Phrase("phrase.hotkey_replay"),
    "Alt+,": Phrase("phrase.hotkey_slower"),
    "Alt+.": Phrase("phrase.hotkey_faster"),
    # The label loop's keys that work from the transcript box (views/waveform_component/src/loop).
    **{f"Alt+{digit}": Phrase("phrase.hotkey_speaker") for digit in range(1, 10)},
    **{f"Alt+Shift+{digit}": Phrase("phrase.hotkey_segment_tag") for digit in range(1, 10)},
    "Alt+[": Phrase("phrase.hotkey_bounds"),
    "Alt+]": Phrase("phrase.hotkey_bounds"),
    "Alt+Shift+[": Phrase("phrase.hotkey_bounds"),
    "Alt+Shift+]": Phrase("phrase.hotkey_bounds"),
    "Alt+Shift+S": Phrase("phrase.hotkey_split"),
    "Alt+Shift+A": Phrase("phrase.hotkey_split"),
    "Alt+Shift+M": Phrase("phrase.hotkey_merge"),
    "Alt+Shift+K": Phrase("phrase.hotkey_skip"),
    "Alt+Shift+U": Phrase("phrase.hotkey_untranscribable"),
    "F1": Phrase("phrase.hotkey_keys"),
    # The browser's editing keys, which labelers use in the transcript box all the time.
    "Ctrl+A": Phrase("phrase.hotkey_select_all"),
    "Ctrl+C": Phrase("phrase.hotkey_copy"),
    "Ctrl+V": Phrase("phrase.hotkey_paste"),
    "Ctrl+X": Phrase("phrase.hotkey_cut"),
    "Ctrl+Z": Phrase("phrase.hotkey_undo"),
    "Ctrl+Y": Phrase("phrase.hotkey_redo"),
    "Ctrl+Shift+Z": Phrase("phrase.hotkey_redo"),
}
HOTKEY_HELP = Phrase("phrase.hotkey_help")
# A command project's label loop: the built-in classes' keys (core/commands.py) and its own two.
# The names are core.commands' UNKNOWN and SILENCE, spelled here: conventions sit below core.
COMMAND_CLASS_KEYS = {"_unknown_": "Alt+0", "_silence_": "Alt+Shift+0"}
RESERVED_HOTKEYS.update(
    {
        "Alt+Enter": Phrase("phrase.hotkey_confirm_command"),
        "Alt+K": Phrase("phrase.hotkey_command_list"),
        **{key: Phrase("phrase.hotkey_command_class") for key in COMMAND_CLASS_KEYS.values()},
    }
)


def normalize_hotkey(hotkey: str) -> str:
    """``"alt+n"`` -> ``"Alt+N"``: modifiers in a fixed order, the key upper-cased."""
    if not isinstance(hotkey, str) or not hotkey.strip():
        raise ValidationError(message_key="error.hotkey_empty", params={"hotkey": hotkey, "help": HOTKEY_HELP})
    text = hotkey.strip()
    # "Alt++" means the plus key; split off the key first so its "+" is not taken as a separator.
    head, key = (text[:-2], "+") if text.endswith("++") else (text.rpartition("+")[0], text.rpartition("+")[2])
    modifiers = []
    for part in filter(None, head.split("+")):
        name = _MODIFIERS.get(part.strip().casefold())
        if name is None:
            raise ValidationError(
                message_key="error.hotkey_modifier", params={"hotkey": hotkey, "part": part, "help": HOTKEY_HELP}
            )
        if name not in modifiers:
            modifiers.append(name)
    key = key.strip()
    if _FUNCTION_KEY.fullmatch(key):
        key = key.upper()
    elif key.casefold() == "enter":
        key = "Enter"
    elif len(key) == 1 and key.isprintable() and not key.isspace():
        key = key.upper()
        if not set(modifiers) & {"Ctrl", "Alt", "Meta"}:
            raise ValidationError(message_key="error.hotkey_types", params={"hotkey": hotkey, "key": key})
    else:
        raise ValidationError(
            message_key="error.hotkey_key", params={"hotkey": hotkey, "key": key, "help": HOTKEY_HELP}
        )
    modifiers.sort(key=_ORDER.index)
    return "+".join([*modifiers, key])


def check_hotkeys(assigned: Iterable[tuple[str, str | None]]) -> None:
    """Raise ValidationError when two tags share a (normalised) hotkey or one takes a reserved one."""
    owners: dict[str, str] = {}
    for owner, hotkey in assigned:
        if hotkey is None:
            continue
        if hotkey in RESERVED_HOTKEYS:
            raise ValidationError(
                message_key="error.hotkey_reserved",
                params={"hotkey": hotkey, "owner": owner, "action": RESERVED_HOTKEYS[hotkey]},
            )
        if hotkey in owners:
            raise ValidationError(
                message_key="error.hotkey_twice", params={"hotkey": hotkey, "first": owners[hotkey], "owner": owner}
            )
        owners[hotkey] = owner
