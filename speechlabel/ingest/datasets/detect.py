"""Which kind of dataset a path holds, and its files.

- A file ending ``.json``, ``.jsonl`` (optionally ``.gz``): a NeMo manifest, unless it is a
  Lhotse ``recordings`` or ``supervisions`` file (by name, else by its first line), then the
  pair it belongs to.
- A folder with ``*recordings*.jsonl(.gz)`` and their ``supervisions`` partners (at the top or
  in split folders one level down, as our split exports write them): Lhotse.
- A folder with ``manifest.jsonl`` or ``<split>_manifest.jsonl``: NeMo, all manifests.
- A folder whose first ``.json`` (recursively) is an AI Hub label (``전사정보``): AI Hub.
- Any other folder: audio files with sidecar transcripts.

An explicit kind skips the guessing but still needs the files that kind is made of.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from speechlabel.core.errors import NotFound, ValidationError
from speechlabel.ingest.datasets.aihub import looks_like_aihub
from speechlabel.ingest.datasets.fields import read_json_lines
from speechlabel.ingest.datasets.lhotse_reader import LhotsePair
from speechlabel.ingest.datasets.options import DatasetKind

_JSON_NAME = re.compile(r".*\.jsonl?(\.gz)?\Z", re.IGNORECASE)
_NEMO_NAME = re.compile(r"(.+_)?manifest\.jsonl?(\.gz)?\Z", re.IGNORECASE)
_LHOTSE_NAME = re.compile(r".*(recordings|supervisions).*\.jsonl(\.gz)?\Z", re.IGNORECASE)


@dataclass(frozen=True)
class DatasetSource:
    kind: DatasetKind
    root: Path
    """The dataset folder: audio paths must stay inside it; messages name files relative to it."""
    manifests: tuple[Path, ...] = ()
    """NeMo manifests."""
    pairs: tuple[LhotsePair, ...] = ()
    """Lhotse recordings/supervisions pairs."""


def find_dataset(path: str | os.PathLike, kind: DatasetKind | None) -> DatasetSource:
    path = Path(os.path.abspath(path))
    if not path.exists():
        raise NotFound(message_key="error.dataset_missing", params={"path": path})
    if path.is_file():
        return _from_file(path, kind)
    if kind is None:
        kind = _guess_folder_kind(path)
    if kind == DatasetKind.LHOTSE:
        return DatasetSource(kind, path, pairs=_lhotse_pairs(path))
    if kind == DatasetKind.NEMO:
        return DatasetSource(kind, path, manifests=_nemo_manifests(path))
    return DatasetSource(kind, path)


def _from_file(path: Path, kind: DatasetKind | None) -> DatasetSource:
    if kind == DatasetKind.SUBTITLES:
        raise ValidationError(message_key="error.dataset_subtitles_file", params={"path": path})
    if not _JSON_NAME.match(path.name):
        raise ValidationError(message_key="error.dataset_not_manifest", params={"name": path.name})
    lhotse_role = _lhotse_role(path)
    if kind == DatasetKind.LHOTSE or (kind is None and lhotse_role):
        if not lhotse_role:
            raise ValidationError(message_key="error.dataset_not_lhotse", params={"name": path.name})
        return DatasetSource(DatasetKind.LHOTSE, path.parent, pairs=(_pair_of(path, lhotse_role),))
    return DatasetSource(DatasetKind.NEMO, path.parent, manifests=(path,))


def _guess_folder_kind(folder: Path) -> DatasetKind:
    if _lhotse_files(folder):
        return DatasetKind.LHOTSE
    if _nemo_files(folder):
        return DatasetKind.NEMO
    if looks_like_aihub(folder):
        return DatasetKind.AIHUB
    return DatasetKind.SUBTITLES


def _nemo_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and _NEMO_NAME.match(p.name))


def _nemo_manifests(folder: Path) -> tuple[Path, ...]:
    manifests = _nemo_files(folder)
    if not manifests:
        raise ValidationError(message_key="error.dataset_no_nemo", params={"folder": folder})
    return tuple(manifests)


def _lhotse_files(folder: Path) -> list[Path]:
    """Files named like Lhotse manifests at the top of ``folder`` or one level down."""
    candidates = [p for p in folder.iterdir() if p.is_file()]
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        candidates.extend(p for p in sub.iterdir() if p.is_file())
    return sorted(p for p in candidates if _LHOTSE_NAME.match(p.name))


def _lhotse_pairs(folder: Path) -> tuple[LhotsePair, ...]:
    files = _lhotse_files(folder)
    recordings = [path for path in files if _lhotse_role(path) == "recordings"]
    if not recordings:
        raise ValidationError(message_key="error.dataset_no_lhotse", params={"folder": folder})
    pairs = tuple(_pair_of(path, "recordings") for path in recordings)
    paired = {pair.supervisions for pair in pairs}
    lonely = [path.name for path in files if _lhotse_role(path) == "supervisions" and path not in paired]
    if lonely:
        raise ValidationError(message_key="error.dataset_lonely_supervisions", params={"files": ", ".join(lonely)})
    return pairs


def _lhotse_role(path: Path) -> str | None:
    """ "recordings" or "supervisions" by the file name, else by what the first line holds."""
    name = path.name.lower()
    if _LHOTSE_NAME.match(name):
        return "recordings" if name.rfind("recordings") > name.rfind("supervisions") else "supervisions"
    try:
        first = next(iter(read_json_lines(path)), None)
    except ValidationError:
        return None
    value = first.value if first is not None else None
    if value and "sources" in value and "sampling_rate" in value:
        return "recordings"
    if value and "recording_id" in value and "start" in value and "audio_filepath" not in value:
        return "supervisions"
    return None


def _pair_of(path: Path, role: str) -> LhotsePair:
    other = "supervisions" if role == "recordings" else "recordings"
    index = path.name.lower().rfind(role)
    partner = path.with_name(path.name[:index] + other + path.name[index + len(role) :]) if index >= 0 else None
    if partner is None or not partner.is_file():
        expected = partner.name if partner is not None else f"a {other} file"
        raise ValidationError(
            message_key="error.dataset_no_partner", params={"name": path.name, "role": role, "expected": expected}
        )
    return LhotsePair(path, partner) if role == "recordings" else LhotsePair(partner, path)
