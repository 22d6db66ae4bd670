"""The label loop component (st.components.v2) of the label page: its bundle is built from
views/waveform_component/src/loop (committed, so running the app needs no Node.js; nothing is
loaded from the network). Streamlit mounts it once and hands it the project's settings and the
texts in the page's language; from then on the component opens, saves and moves between
segments through the JSON routes of views/label_api.py, without rerunning the page.

``mount.nonce`` changes only when the page around asks for a segment (a pick in the list, a
project switch): a rerun for anything else hands the same data and the component stays where
the labeler is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypedDict

import streamlit as st

from speechlabel.conventions.hotkeys import COMMAND_CLASS_KEYS
from speechlabel.conventions.lint_text import tag_meaning
from speechlabel.core.commands import BUILT_IN_CLASSES, SILENCE, UNKNOWN
from speechlabel.core.models import Project
from speechlabel.projects.conventions import ACCEPT_DUAL, DUAL, project_scheme
from views.label_api import API
from views.lang import current_lang, t

_FOLDER = Path(__file__).with_name("waveform_component")
_component = st.components.v2.component(
    "speechlabel_label_loop",
    html="",  # the script lays out its own elements
    css=(_FOLDER / "src/loop/loop.css").read_text(encoding="utf-8"),
    js=(_FOLDER / "dist/label_loop.js").read_text(encoding="utf-8"),
)

# The texts the script shows, by catalog key; the script reads each under the part after "loop.".
TEXT_KEYS = (
    "loop.heading",
    "loop.timing",
    "loop.saved_by",
    "loop.second_labeling_state",
    "loop.second_labeling",
    "loop.rejected",
    "loop.no_reason",
    "loop.restored",
    "loop.discard",
    "loop.conflict",
    "loop.someone",
    "loop.empty",
    "loop.theirs",
    "loop.mine",
    "loop.continue_mine",
    "loop.continue_theirs",
    "loop.draft",
    "loop.draft_note",
    "loop.no_draft",
    "loop.confidence",
    "loop.transcript",
    "loop.speaker",
    "loop.no_speaker",
    "loop.segment_tags",
    "loop.comment",
    "loop.save_next",
    "loop.previous",
    "loop.skip",
    "loop.untranscribable",
    "loop.reason",
    "loop.go",
    "loop.cancel",
    "loop.split_caret",
    "loop.merge",
    "loop.help",
    "loop.keys_title",
    "loop.play",
    "loop.replay",
    "loop.slower",
    "loop.faster",
    "loop.fix",
    "loop.all_done",
    "loop.offline",
    "loop.saved",
    "loop.no_previous",
    "loop.split_done",
    "loop.merged",
    "loop.set_aside",
    "loop.bounds_saved",
    "loop.command_proposed",
    "loop.command_outside",
    "loop.command_no_draft",
    "loop.command_filter",
)
# The help list: the keys as printed and what they do (catalog key).
HELP_ROWS = (
    ("Ctrl+Enter", "loop.help_save"),
    ("Alt+P", "loop.help_previous"),
    ("Esc", "loop.help_play"),
    ("Alt+1 … 9", "loop.help_speaker"),
    ("Alt+Shift+1 … 9", "loop.help_segment_tag"),
    ("Alt+[  Alt+]", "loop.help_start"),
    ("Alt+{  Alt+}", "loop.help_end"),
    ("Alt+Shift+S", "loop.help_split_caret"),
    ("Alt+Shift+A", "loop.help_split_playhead"),
    ("Alt+Shift+M", "loop.help_merge"),
    ("Alt+Shift+K / U", "loop.help_skip"),
    ("Alt+…", "loop.help_tags"),
    ("↔", "loop.help_drag"),
    ("F1", "loop.help_keys"),
)
CLASS_NAME_KEYS = {UNKNOWN: "commands.unknown", SILENCE: "commands.silence"}
# A command project's keys, listed first (speechlabel/conventions/hotkeys.py reserves them).
COMMAND_HELP_ROWS = (
    ("Alt+Enter", "loop.help_confirm_command"),
    ("Alt+K", "loop.help_command_list"),
    ("↑ ↓ Enter", "loop.help_command_pick"),
    (COMMAND_CLASS_KEYS[UNKNOWN], "loop.help_unknown"),
    (COMMAND_CLASS_KEYS[SILENCE], "loop.help_silence"),
)


@dataclass(frozen=True)
class Mount:
    project_id: int
    open: str | None  # the segment to open (None: the user's work is done)
    nonce: int  # changes only when the page asks for another segment


class CommandEntry(TypedDict):
    label: str
    variants: list[str]


class CommandClass(TypedDict):
    label: str  # what is saved: _unknown_ or _silence_
    name: str  # in the page's language
    hotkey: str


class SchemeTag(TypedDict):
    text: str
    label: str
    hotkey: str | None
    meaning: str | None


@dataclass(frozen=True)
class LoopData:
    mount: Mount
    api: str
    lang: str
    autoplay: bool
    speakers: list[str]
    tags: list[str]
    scheme_tags: list[SchemeTag]
    hotkeys: dict[str, str]  # hotkey -> tag text
    low_confidence: float
    texts: dict[str, str]
    help: list[list[str]]
    command_mode: bool = False
    commands: list[CommandEntry] = field(default_factory=list)
    classes: list[CommandClass] = field(default_factory=list)


def loop_data(project: Project, mount: Mount, autoplay: bool) -> LoopData:
    scheme = project_scheme(project)
    lang = current_lang()
    scheme_tags: list[SchemeTag] = [
        {"text": tag.text, "label": tag.text, "hotkey": tag.hotkey, "meaning": tag_meaning(scheme, tag, lang) or None}
        for tag in scheme.tags
    ]
    if scheme.dual_transcription:
        scheme_tags.append(
            {
                "text": DUAL,
                "label": t("conventions.dual"),
                "hotkey": scheme.dual_hotkey,
                "meaning": t("conventions.dual_help"),
            }
        )
        scheme_tags.append(
            {
                "text": ACCEPT_DUAL,
                "label": t("conventions.accept_dual"),
                "hotkey": scheme.accept_dual_hotkey,
                "meaning": t("conventions.accept_dual_help"),
            }
        )
    settings = project.label_settings
    commands = project.command_settings
    if commands.is_commands:  # the text is a class label: transcription tags have no place in it
        scheme_tags = []
    return LoopData(
        mount=mount,
        api=API,
        lang=lang.value,
        autoplay=autoplay,
        speakers=list(settings.speakers),
        tags=list(settings.tags),
        scheme_tags=scheme_tags,
        hotkeys={tag["hotkey"]: tag["text"] for tag in scheme_tags if tag["hotkey"]},
        low_confidence=settings.low_confidence,
        texts={key.removeprefix("loop."): t(key) for key in TEXT_KEYS},
        help=[[keys, t(key)] for keys, key in (COMMAND_HELP_ROWS if commands.is_commands else ()) + HELP_ROWS],
        command_mode=commands.is_commands,
        commands=[{"label": c.label, "variants": list(c.variants)} for c in commands.commands],
        classes=[
            {"label": label, "name": t(CLASS_NAME_KEYS[label]), "hotkey": COMMAND_CLASS_KEYS[label]}
            for label in BUILT_IN_CLASSES
        ]
        if commands.is_commands
        else [],
    )


def show_loop(data: LoopData) -> None:
    # One key per project and language: another project, or the sidebar's language switch, mounts
    # a loop of its own (which reopens the segment the old one showed: the script remembers it).
    _component(data=asdict(data), key=f"label_loop_{data.mount.project_id}_{data.lang}")
