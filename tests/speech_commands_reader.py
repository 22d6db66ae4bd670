"""The Speech Commands layout read as ``torchaudio.datasets.SPEECHCOMMANDS`` reads it: torchaudio is
not installed here (it needs a torch of its own), so ``read_subset`` walks the folder exactly as its
``__init__`` and ``_get_speechcommands_metadata`` do (lists, ``*/*.wav`` glob, ``_nohash_`` and
``_background_noise_`` rules, label from the folder, speaker and number from the name)."""

from __future__ import annotations

import os
from pathlib import Path

HASH_DIVIDER = "_nohash_"
EXCEPT_FOLDER = "_background_noise_"


def _load_list(root: str, *filenames: str) -> list[str]:
    output = []
    for filename in filenames:
        with open(os.path.join(root, filename)) as fileobj:
            output += [os.path.normpath(os.path.join(root, line.strip())) for line in fileobj]
    return output


def read_subset(root: Path, subset: str) -> list[tuple[str, str, str, int]]:
    """(path, label, speaker_id, utterance_number) per clip of ``subset``, as torchaudio's
    SPEECHCOMMANDS finds and names them."""
    path = str(root)
    if subset == "validation":
        walker = _load_list(path, "validation_list.txt")
    elif subset == "testing":
        walker = _load_list(path, "testing_list.txt")
    else:
        excludes = set(_load_list(path, "validation_list.txt", "testing_list.txt"))
        walker = sorted(str(p) for p in Path(path).glob("*/*.wav"))
        walker = [
            w for w in walker if HASH_DIVIDER in w and EXCEPT_FOLDER not in w and os.path.normpath(w) not in excludes
        ]
    items = []
    for filepath in walker:
        relpath = os.path.relpath(filepath, path)
        reldir, filename = os.path.split(relpath)
        _, label = os.path.split(reldir)
        speaker, _ = os.path.splitext(filename)
        speaker, _ = os.path.splitext(speaker)
        speaker_id, utterance_number = speaker.split(HASH_DIVIDER)
        items.append((filepath, label, speaker_id, int(utterance_number)))
    return items
