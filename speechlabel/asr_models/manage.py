"""What the command line and the Models page call: list, add, check and remove Whisper models.

Only an admin or a lead of some project may add, check or remove (``require_lead_somewhere``):
the models are shared by every project of the data folder. A model is converted and verified in
a temporary folder beside the others and appears under its name only once it passed, by one
rename, so a failed or interrupted add leaves nothing registered.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from speechlabel.accounts.access import require_lead_somewhere
from speechlabel.asr_models import convert, verify
from speechlabel.core.errors import Conflict, NotFound, SpeechLabelError, ValidationError
from speechlabel.core.models import Actor
from speechlabel.prelabel.engines.bundled_models import BUNDLED_MODELS, resolve_model
from speechlabel.prelabel.engines.options import TranscribeOptions, check_int
from speechlabel.store import Store
from speechlabel.workspace.config import Settings
from speechlabel.workspace.registered_models import (
    KINDS,
    RECORD_FILE,
    RegisteredModel,
    Verification,
    check_name,
    list_registered,
    read_record,
    write_record,
)

log = logging.getLogger(__name__)

# Whisper's English-only vocabularies end in ".en"; the bundled ones are known by name.
_BUNDLED_MULTILINGUAL = {"base": True, "tiny.en": False}


@dataclass(frozen=True)
class ModelRow:
    """One line of the model list (bundled or registered)."""

    name: str
    origin: str  # "bundled" or "registered"
    size_bytes: int | None
    multilingual: bool
    verification: Verification | None  # None: bundled, measured in DESIGN.md §4, not here


@dataclass(frozen=True)
class CheckRequest:
    """Where and how a model is checked: a folder of wav + txt pairs (default
    ``$SPEECHLABEL_MODEL_CHECK_DIR``), its language, how many of its shortest files (0 = all)."""

    check_dir: Path | None = None
    language: str = "en"
    limit: int = 0
    device: str = "cpu"
    compute_type: str = "int8"

    def __post_init__(self) -> None:
        TranscribeOptions(language=self.language)  # a language Whisper knows, or a ValidationError
        check_int("limit", self.limit, 0, 10_000)

    def folder(self) -> Path:
        chosen = self.check_dir or os.environ.get(verify.CHECK_DIR_ENV)
        if not chosen:
            raise ValidationError(message_key="error.model_check_dir_unset", params={"env": verify.CHECK_DIR_ENV})
        return Path(chosen).expanduser().resolve()


def list_models(settings: Settings) -> list[ModelRow]:
    """The bundled models, then the registered ones by name."""
    rows = [
        ModelRow(name, "bundled", _bundled_size(name), _BUNDLED_MULTILINGUAL[name], None) for name in BUNDLED_MODELS
    ]
    rows += [
        ModelRow(model.name, "registered", model.size_bytes, model.multilingual, model.verification)
        for model in list_registered(settings.models_dir)
    ]
    return rows


def model_choices(settings: Settings) -> list[str]:
    """What a project may draft with: the bundled models and the registered ones that passed."""
    registered = [m.name for m in list_registered(settings.models_dir) if m.verification.passed]
    return [*BUNDLED_MODELS, *registered]


def add_model(
    settings: Settings,
    actor: Actor | None,
    name: str,
    source: Path,
    kind: str = "auto",
    check: CheckRequest = CheckRequest(),
) -> RegisteredModel:
    """Convert ``source`` to CTranslate2, verify it and register it as ``name``; refuses a model
    that does not load or fails the check (ValidationError with its WER), keeping nothing."""
    actor = require_lead_somewhere(actor, action="adding a Whisper model")
    name = _free_name(settings, name)
    source = Path(source).expanduser().resolve()
    kind = convert.detect_kind(source) if kind == "auto" else _known_kind(kind)
    pairs = verify.check_pairs(check.folder(), check.limit)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=settings.models_dir, prefix=f".{name}-adding-"))
    try:
        convert.to_ctranslate2(source, kind, work)
        loaded = verify.load(work, check.device, check.compute_type)
        result = _verify(loaded, pairs, check)
        _refuse_failed(name, result)
        model = RegisteredModel(
            name=name,
            kind=kind,
            source=str(source),
            path=str(settings.models_dir / name),
            size_bytes=_folder_size(work),
            multilingual=loaded.multilingual,
            added_by=actor.username,
            added_at=_now(),
            verification=result,
        )
        write_record(work, model)
        work.chmod(0o755)  # mkdtemp makes it private; the workers may run as another user
        os.rename(work, settings.models_dir / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("registered Whisper model %s from %s (%s): WER %.3f, RTF %.1f", name, source, kind, result.wer, result.rtf)
    return model


def check_model(
    settings: Settings, actor: Actor | None, name: str, check: CheckRequest = CheckRequest()
) -> RegisteredModel:
    """Verify a registered model again on this machine and record the result (passed or not)."""
    require_lead_somewhere(actor, action="checking a Whisper model")
    folder = _registered_folder(settings, name)
    pairs = verify.check_pairs(check.folder(), check.limit)
    loaded = verify.load(folder, check.device, check.compute_type)
    model = replace(read_record(folder), verification=_verify(loaded, pairs, check))
    write_record(folder, model)
    return model


def remove_model(store: Store, settings: Settings, actor: Actor | None, name: str) -> None:
    """Delete a registered model; refused while a project drafts with it."""
    require_lead_somewhere(actor, action="removing a Whisper model")
    folder = _registered_folder(settings, name)
    users = [p.name for p in store.list_projects() if p.engine_options.get("model") == name]
    if users:
        raise Conflict(message_key="error.model_in_use", params={"name": name, "projects": ", ".join(users)})
    # Out of sight first (one rename), so no engine resolves a half-deleted folder.
    gone = folder.with_name(f".{name}-removed-{uuid.uuid4().hex[:8]}")
    os.rename(folder, gone)
    shutil.rmtree(gone, ignore_errors=True)


def _verify(loaded: verify.Loaded, pairs: list[verify.CheckPair], check: CheckRequest) -> Verification:
    return verify.verify(
        loaded,
        pairs,
        check_dir=check.folder(),
        language=check.language,
        device=check.device,
        compute_type=check.compute_type,
    )


def _refuse_failed(name: str, result: Verification) -> None:
    if not result.passed:
        raise ValidationError(
            message_key="error.model_check_failed",
            params={
                "name": name,
                "wer": result.wer,
                "most": verify.MAX_CHECK_WER,
                "files": result.files,
                "folder": result.check_dir,
            },
        )


def _free_name(settings: Settings, name: str) -> str:
    name = check_name(name.strip() if isinstance(name, str) else name)
    if name in BUNDLED_MODELS or (settings.models_dir / name).exists():
        raise Conflict(message_key="error.model_name_taken", params={"name": name})
    return name


def _known_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError(
            message_key="error.model_kind", params={"kind": kind, "allowed": "auto, " + ", ".join(KINDS)}
        )
    return kind


def _registered_folder(settings: Settings, name: str) -> Path:
    folder = settings.models_dir / check_name(name)
    if not (folder / RECORD_FILE).is_file():
        raise NotFound(message_key="error.model_not_registered", params={"name": name})
    return folder


def _bundled_size(name: str) -> int | None:
    try:
        return _folder_size(Path(resolve_model(name)))
    except (OSError, SpeechLabelError):  # a bundled package missing: listed without a size
        return None


def _folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
