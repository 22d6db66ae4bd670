"""What killed imports leave in the data folder (issue 17, point 11): hidden ``.tmp-…`` files
are removed at the next start of the workspace or of an import once nothing has written to them
for STALE_SECONDS (the rule export leftovers follow), and never while an import writes them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from speechlabel.cli import main
from speechlabel.core.leftovers import STALE_SECONDS
from speechlabel.ingest.files import import_paths
from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


def age(path: Path, seconds: float) -> None:
    """Set the file's times ``seconds`` into the past, as if that long had gone by since its
    writer last touched it."""
    past = time.time() - seconds
    os.utime(path, (past, past))


def leftover(settings: Settings, relative: str, *, seconds_old: float) -> Path:
    path = settings.data_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF" + bytes(1000))
    age(path, seconds_old)
    return path


def test_the_next_workspace_start_removes_stale_import_temporaries(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    stale = [
        leftover(settings, "audio/normalized/.tmp-k2j3h4.wav", seconds_old=STALE_SECONDS + 60),
        leftover(settings, "audio/originals/.tmp-4567cdef", seconds_old=STALE_SECONDS + 60),
        leftover(settings, "audio/originals/ab/.tmp-0123abcd", seconds_old=STALE_SECONDS + 60),
        leftover(settings, "audio/uploads/.tmp-89abcdef", seconds_old=STALE_SECONDS + 60),  # a killed server's
    ]
    being_written = leftover(settings, "audio/normalized/.tmp-live.wav", seconds_old=5)
    finished = leftover(settings, "audio/normalized/rec-0123456789ab.wav", seconds_old=10 * STALE_SECONDS)
    Workspace.open(settings).close()
    assert [path.exists() for path in stale] == [False, False, False, False]
    assert being_written.exists() and finished.exists()


def test_an_import_removes_them_when_it_starts(store, settings, project):
    stale = leftover(settings, "audio/normalized/.tmp-old.wav", seconds_old=STALE_SECONDS + 1)
    import_paths(store, settings, project, [])
    assert not stale.exists()


def test_a_killed_import_leaves_nothing_after_the_next_start(data_dir, tmp_path):
    """``kill -9`` of a real ``speechlabel import`` while it writes the 16 kHz copy of a 30-minute
    8-channel file: its hidden temporary stays (no code runs after SIGKILL), the next start
    keeps it while it is fresh (it could be an import still running) and removes it once stale."""
    long = tmp_path / "long.flac"
    with sf.SoundFile(long, "w", 8000, 8, format="FLAC", subtype="PCM_16") as out:
        noise = (np.random.default_rng(0).standard_normal((8000, 8)) * 300).astype(np.int16)
        for _ in range(1800):
            out.write(noise)
    assert (
        main(["--data-dir", str(data_dir), "project", "create", "demo", "--language", "en", "--model", "tiny.en"]) == 0
    )
    importing = subprocess.Popen(
        [sys.executable, "-m", "speechlabel", "--data-dir", str(data_dir), "import", "demo", str(long)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    normalized = data_dir / "audio" / "normalized"
    deadline = time.monotonic() + 120
    while not list(normalized.glob(".tmp-*")) and importing.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    importing.send_signal(signal.SIGKILL)
    assert importing.wait(timeout=30) == -signal.SIGKILL
    copy = list(normalized.glob(".tmp-*"))
    assert len(copy) == 1 and copy[0].stat().st_size > 0  # the import was killed mid-write
    # The original, copied before decoding, is still staged under its hidden name too.
    left = sorted((data_dir / "audio").rglob(".tmp-*"))
    assert [path.parent.name for path in left] == ["normalized", "originals"]
    assert left[1].stat().st_size == long.stat().st_size

    settings = Settings(data_dir=data_dir)
    Workspace.open(settings).close()
    assert all(path.exists() for path in left)  # fresh: as far as anyone can tell, an import still writing them
    for path in left:
        age(path, STALE_SECONDS + 1)
    Workspace.open(settings).close()
    assert list((data_dir / "audio").rglob(".tmp-*")) == []
    assert not list(normalized.iterdir())
