"""The clip player of the review page (an st.components.v2 component shipped as inline JS/CSS:
nothing is loaded from the network). The browser fetches the clip from the app's clip route;
no audio bytes pass through the Streamlit session."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import streamlit as st

from views.lang import t

_ASSETS = Path(__file__).with_name("assets")
_HTML = """
<div class="player">
  <audio controls preload="auto"></audio>
  <button class="replay" title="Replay from the start (Alt+R)">↺ replay</button>
  <span class="speeds" title="Playback speed (Alt+, slower · Alt+. faster)"></span>
  <span class="where"></span>
  <span class="keys">Esc play/pause · Alt+R replay · Alt+, / Alt+. speed</span>
</div>
"""
_player = st.components.v2.component(
    "speechlabel_clip_player",
    html=_HTML,
    css=(_ASSETS / "player.css").read_text(encoding="utf-8"),
    js=(_ASSETS / "player.js").read_text(encoding="utf-8"),
)


@dataclass(frozen=True)
class PlayerData:
    url: str
    caption: str
    autoplay: bool
    focus_key: str  # the key of the container holding the transcript box to focus
    token: str  # changes when a new segment (or version) opens: focus once per token
    # The player's own labels in the page's language (replay, replay_help, speed_help, keys);
    # the HTML above holds the English ones until the script sets these.
    texts: dict[str, str] = field(default_factory=dict)


def player_texts() -> dict[str, str]:
    """The player's labels in the page's language."""
    return {
        "replay": t("clip_player.replay"),
        "replay_help": t("clip_player.replay_help"),
        "speed_help": t("clip_player.speed_help"),
        "keys": t("clip_player.keys"),
    }


def clip_player(data: PlayerData) -> None:
    _player(data=asdict(data), key="clip_player")
