"""Whisper models a lead or admin registered: where their CTranslate2 directories are and what
was measured on them.

A registered model is a folder ``<data>/models/NAME`` holding a faster-whisper (CTranslate2)
model and ``speechlabel-model.json``, its record. The record lives beside the weights rather than
in the database: the two are made, moved, backed up and deleted together (a model without its
folder is useless, a folder without its record is not listed), a record appears only by one
rename of a finished folder, and the engines resolve a name from the folder alone, which the
pre-labeling workers (on this machine or on a Ray cluster) share with the app while the database
may be out of reach for them. Converting and verifying are in ``speechlabel.asr_models``.

Engines are built from ``TranscribeOptions`` alone, so the data folders whose models a name may
name are kept per process: ``use_models_dir`` is called when a workspace opens (the app, the
command line) and when a pre-labeling worker starts.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from speechlabel.core.errors import ValidationError

log = logging.getLogger(__name__)

MODELS_FOLDER = "models"  # under the data folder
RECORD_FILE = "speechlabel-model.json"
# Lower-case letters, digits, dot, dash and underscore: a name is a folder name on every system
# and reads the same in a URL, a shell and a project's settings.
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
KINDS = ("ct2", "hf", "openai")  # CTranslate2 directory, Hugging Face checkpoint, openai-whisper .pt

_DIRS: list[Path] = []
_DIRS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Verification:
    """One check of a model on a folder of wav + txt pairs, on this machine."""

    check_dir: str
    files: int
    audio_seconds: float
    wer: float  # pooled over the files: all edits / all reference words
    rtf: float  # audio seconds per wall second (higher is faster), decoding only
    device: str
    compute_type: str
    checked_at: str  # ISO 8601, UTC
    passed: bool


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    kind: str  # one of KINDS: what the source was
    source: str  # the path it was registered from
    path: str  # its CTranslate2 directory, <data>/models/NAME
    size_bytes: int
    multilingual: bool  # False: English only (an ".en" vocabulary)
    added_by: str
    added_at: str
    verification: Verification

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> RegisteredModel:
        data = json.loads(text)
        data["verification"] = Verification(**data["verification"])
        return cls(**data)


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValidationError(message_key="error.registered_model_name", params={"name": name})
    return name


def use_models_dir(folder: Path) -> None:
    """Let model names resolve to the registered models of ``folder`` (``<data>/models``) in this
    process; the folder opened last is searched first."""
    folder = Path(folder).resolve()
    with _DIRS_LOCK:
        if folder in _DIRS:
            _DIRS.remove(folder)
        _DIRS.insert(0, folder)


def registered_model_dir(name: str) -> Path | None:
    """The CTranslate2 directory of the registered model ``name``, or None when no opened data
    folder has one by that name."""
    if not NAME_PATTERN.match(name):
        return None
    with _DIRS_LOCK:
        folders = list(_DIRS)
    for folder in folders:
        if (folder / name / RECORD_FILE).is_file():
            return folder / name
    return None


def read_record(folder: Path) -> RegisteredModel:
    return RegisteredModel.from_json((folder / RECORD_FILE).read_text(encoding="utf-8"))


def write_record(folder: Path, model: RegisteredModel) -> None:
    """Write through a temporary file and a rename, so a reader never sees half a record."""
    tmp = folder / (RECORD_FILE + ".tmp")
    tmp.write_text(model.to_json(), encoding="utf-8")
    tmp.replace(folder / RECORD_FILE)


def list_registered(models_dir: Path) -> list[RegisteredModel]:
    """Every registered model of a data folder, by name; an unreadable record is logged and skipped."""
    found = []
    for record in sorted(Path(models_dir).glob(f"*/{RECORD_FILE}")):
        try:
            found.append(read_record(record.parent))
        except (OSError, ValueError, TypeError, KeyError) as error:
            log.warning("skipping the unreadable model record %s: %s", record, error)
    return found
