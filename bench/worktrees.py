"""The benchmarks' old code: a detached ``git worktree`` of an earlier commit, beside this tree, so
the old figure and the new one are measured in the same run on the same machine."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def old_tree(ref: str, parent: Path) -> Iterator[Path]:
    """A detached ``git worktree`` of ``ref`` under ``parent``, removed afterwards."""
    path = parent / f"old-{ref}"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), ref], cwd=ROOT, check=True, capture_output=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True)
