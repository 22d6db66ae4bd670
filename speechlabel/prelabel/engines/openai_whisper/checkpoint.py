"""Produce openai-whisper checkpoints from the bundled CTranslate2 weights, once, into the cache.

``whisper.load_model`` takes a checkpoint file ``{"dims": ..., "model_state_dict": ...}`` and
downloads when given a bare name, which cannot work here. The checkpoint is converted on first
use into ``<model cache>/openai-whisper/`` (see ``bundled_models.cache_root``), written to a
temporary file and renamed into place, so a reader never sees half a file and two processes
converting at once both end up with one good copy. Later calls reuse it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.engines.bundled_models import BUNDLED_MODELS, cache_root, resolve_model
from speechlabel.prelabel.engines.openai_whisper.ct2_model import read_ct2_model
from speechlabel.prelabel.engines.openai_whisper.mapping import ModelDims, alignment_heads_dump, to_openai_whisper

log = logging.getLogger(__name__)

# Part of the file name: bump it when the conversion changes, so old caches are not reused.
CONVERSION_VERSION = 1


@dataclass(frozen=True)
class ConvertedModel:
    """Where the checkpoint is, and what ``set_alignment_heads`` needs (from config.json)."""

    checkpoint: Path
    source_dir: Path
    alignment_heads: bytes | None
    converted_now: bool  # False when an earlier conversion was reused


def openai_checkpoint(model: str, cache_dir: Path | None = None) -> ConvertedModel:
    """The openai-whisper checkpoint of ``model`` (a bundled name or a CTranslate2 directory)."""
    source_dir = _source_dir(model, cache_dir)
    target = cache_root(cache_dir) / "openai-whisper" / _checkpoint_name(model, source_dir)
    converted_now = not target.is_file()
    if converted_now:
        _convert(source_dir, target)
    heads = _alignment_heads(source_dir, target)
    return ConvertedModel(target, source_dir, heads, converted_now)


def _source_dir(model: str, cache_dir: Path | None) -> Path:
    resolved = resolve_model(model, cache_dir)
    path = Path(resolved)
    if not path.is_dir():
        raise ValidationError(
            message_key="error.openai_whisper_download",
            params={"model": model, "bundled": ", ".join(BUNDLED_MODELS)},
        )
    return path


def _checkpoint_name(model: str, source_dir: Path) -> str:
    stat = (source_dir / "model.bin").stat()
    if model in BUNDLED_MODELS:
        stem = model
    else:
        stem = "dir-" + hashlib.sha256(str(source_dir.resolve()).encode()).hexdigest()[:12]
    # Size and mtime: a replaced model.bin gets a new checkpoint rather than a stale one.
    return f"{stem}-{stat.st_size}-{stat.st_mtime_ns}-v{CONVERSION_VERSION}.pt"


def _convert(source_dir: Path, target: Path) -> None:
    import torch

    log.info("converting %s to an openai-whisper checkpoint at %s (once)", source_dir, target)
    dims, state = to_openai_whisper(read_ct2_model(source_dir / "model.bin"))
    checkpoint = {
        "dims": dims.to_dict(),
        "model_state_dict": {name: torch.from_numpy(array) for name, array in state.items()},
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=".convert-", suffix=".pt.tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            torch.save(checkpoint, out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a shared cache must be readable by all
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _alignment_heads(source_dir: Path, checkpoint: Path) -> bytes | None:
    config_path = source_dir / "config.json"
    heads = json.loads(config_path.read_text("utf-8")).get("alignment_heads") if config_path.is_file() else None
    if not heads:
        return None  # openai-whisper then uses the last half of the decoder layers
    return alignment_heads_dump(heads, _dims_of(checkpoint))


def _dims_of(checkpoint: Path) -> ModelDims:
    import torch

    try:
        data = torch.load(checkpoint, map_location="cpu", weights_only=True, mmap=True)
    except Exception as error:  # torch raises several types for damaged files
        raise ValidationError(
            message_key="error.checkpoint_unreadable",
            params={"checkpoint": checkpoint, "error": error},
        ) from error
    return ModelDims(**data["dims"])
