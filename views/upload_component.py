"""The projects page's audio upload (an st.components.v2 component shipped as inline JS/CSS,
views/assets/upload.js): the browser sends each chosen file to the upload route
(views/upload_api.py), which streams it to disk and imports it, so no upload passes through the
Streamlit session (its file picker held whole uploads in the server's memory). When the last
file is answered, the component hands the answers back (the trigger ``done``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from views.lang import current_lang, t
from views.upload_api import API, upload_limit

_ASSETS = Path(__file__).with_name("assets")
_component = st.components.v2.component(
    "speechlabel_audio_upload",
    html="",  # the script lays out its own elements
    css=(_ASSETS / "upload.css").read_text(encoding="utf-8"),
    js=(_ASSETS / "upload.js").read_text(encoding="utf-8"),
)

# The file types the picker offers (the old st.file_uploader's list); the import decides by content.
ACCEPTED = ("wav", "flac", "ogg", "opus", "mp3", "m4a", "aac", "mp4", "webm")
# The texts the script shows, by catalog key; the script reads each under the part after "upload_".
TEXT_KEYS = (
    "forms.upload_pick",
    "forms.upload_waiting",
    "forms.upload_sending",
    "forms.upload_importing",
    "forms.upload_finished",
    "forms.upload_refused",
    "forms.upload_stopped",
    "forms.upload_too_big",
    "forms.upload_offline",
)


@dataclass(frozen=True)
class UploadData:
    url: str
    lang: str
    most_bytes: int
    accept: str
    texts: dict[str, str]


def upload_data(project_id: int, project_name: str) -> UploadData:
    texts = {key.split(".upload_", 1)[1]: t(key) for key in TEXT_KEYS}
    texts["send"] = t("forms.upload_send", project=project_name)  # shown as plain text
    return UploadData(
        url=f"{API}/{project_id}",
        lang=current_lang().value,
        most_bytes=upload_limit().most_bytes,
        accept=",".join("." + kind for kind in ACCEPTED),
        texts=texts,
    )


def upload_component(data: UploadData, key: str) -> list[dict[str, Any]] | None:
    """Mount the upload; the route's answers (name, status, body) once all files are done, else None."""
    result = _component(data=asdict(data), key=key, on_done_change=lambda: None)
    done = result.done if result is not None else None
    return list(done.get("answers") or []) if isinstance(done, dict) else None
