"""How long ``speechlabel lint`` takes to start and check one line, and how much it imports:
this tree beside an older one (``--old-ref``, default 040b8f8, before issue 18) in a ``git
worktree``, each run as a fresh ``python -m speechlabel lint`` process with that tree first on
``PYTHONPATH``. The runs alternate old/new so the machine's noise falls on both; the figure is
the median wall time, with the count of speechlabel modules and whether SQLAlchemy, Alembic,
faster-whisper or torch were loaded.

    python -m bench.lint_startup [--runs 15] [--old-ref 040b8f8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.label_capacity import old_tree

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sqlalchemy", "alembic", "faster_whisper", "ctranslate2", "torch")
# What a lint run loads, reported by the process itself after the check.
PROBE = (
    "import runpy, sys\n"
    "sys.argv = ['speechlabel', 'lint', '--scheme', 'generic', 'hello world']\n"
    "try:\n"
    "    runpy.run_module('speechlabel', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "mods = [m for m in sys.modules if m.startswith('speechlabel')]\n"
    f"print('LOADED', len(mods), ','.join(h for h in {HEAVY!r} if h in sys.modules), file=sys.stderr)\n"
)


def one_run(tree: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(tree))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "speechlabel", "lint", "--scheme", "generic", "hello world"],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def loaded(tree: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(tree))
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tree, env=env, check=True, capture_output=True, text=True
    )
    line = next(line for line in result.stderr.splitlines() if line.startswith("LOADED"))
    _, count, heavy = (line.split(" ") + [""])[:3]
    return f"{count} speechlabel modules; heavy: {heavy or 'none'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--old-ref", default="040b8f8")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as parent, old_tree(args.old_ref, Path(parent)) as old:
        trees = {f"old ({args.old_ref})": old, "new (this tree)": ROOT}
        for tree in trees.values():
            one_run(tree)  # warm the file cache and the .pyc files
        times: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(args.runs):
            for name, tree in trees.items():
                times[name].append(one_run(tree))
        print(f"speechlabel lint --scheme generic 'hello world': median of {args.runs} fresh processes")
        for name, tree in trees.items():
            runs = sorted(times[name])
            print(
                f"  {name:<16} {statistics.median(runs) * 1000:7.0f} ms  (min {runs[0] * 1000:.0f}, "
                f"max {runs[-1] * 1000:.0f})  {loaded(tree)}"
            )


if __name__ == "__main__":
    main()
