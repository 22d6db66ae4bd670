"""A file or folder made read-only for the length of a block, even for root."""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def read_only_file(path: Path):
    """``path`` (a file, or a folder nothing can be added to) cannot be written while the block
    runs: mode 0444 (0555 for a folder) and, since the tests may run as root (whom modes do not
    stop), the immutable attribute where chattr can set it."""
    folder = path.is_dir()
    path.chmod(0o555 if folder else 0o444)
    immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
    try:
        with pytest.raises(PermissionError):
            # It really is read-only, for whoever runs this.
            (path / "probe").touch() if folder else path.open("ab").close()
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o755 if folder else 0o644)
