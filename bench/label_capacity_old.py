"""Helper of ``bench.label_capacity``: the OLD label page's cost per Save & next.

Run as a script (never imported by the new code) in a subprocess whose working directory is a
``git worktree`` of the old commit; that tree goes first on ``sys.path``, so ``speechlabel``,
``views`` and ``bench.label_page`` are the old ones (``speechlabel.__file__`` is reported back
so the caller can check). The database is the caller's (``SPEECHLABEL_DATA_DIR`` /
``SPEECHLABEL_DATABASE_URL``); the old code reads it with its own schema, which must be the
same as the new one's (the caller checks that no migration differs).

It signs ``--username`` in, opens the old label page in Streamlit's AppTest as the old
``bench/label_page.py`` does (workbench.py, then the label page; a labeler gets their next
segment), and clicks Save & next ``--warmup`` + ``--clicks`` times, each after typing a
correction. Per counted click: wall time and process CPU time (``time.process_time``: all
threads, so AppTest's script thread is in it) around ``click().run()`` (two script runs: the
save, then the rerun showing the next segment), and the CPU time (``time.thread_time`` of the
compiling thread, so other processes' load does not count) AppTest spent compiling the page
scripts anew: it compiles them on every run, a server once. One JSON line goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", type=Path, required=True, help="the old commit's worktree")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--clicks", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    tree = args.tree.resolve()
    sys.path.insert(0, str(tree))  # before any project import: the old code, not the new
    os.chdir(tree)
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)

    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    # The OLD tree's module paths (before the package was laid out by bounded context): keep them
    # as they are when the package moves again, or this script finds no old page to measure.
    import speechlabel
    from bench import label_page as old  # the old tree's copy: its AppTest helpers and compile timer
    from speechlabel import accounts
    from speechlabel.models import SegmentStatus
    from speechlabel.workspace import Workspace

    compile_cpu = [0.0]
    counted = ScriptCache.get_bytecode  # the old bench's compile timer (wall time) wrapped once more

    def get_bytecode(cache, script_path):
        started = time.thread_time()
        try:
            return counted(cache, script_path)
        finally:
            compile_cpu[0] += time.thread_time() - started

    ScriptCache.get_bytecode = get_bytecode
    store = Workspace.shared().store  # the same workspace the page's runs open (from the environment)
    token, actor = accounts.login(store, args.username, args.password)
    old._PEOPLE[args.username] = (actor, token)
    project_id = next(iter(actor.roles))
    before = store.count_segments_by_status(project_id).get(SegmentStatus.SUBMITTED, 0)
    app, open_seconds = old.open_label_page(args.username)
    wall, cpu, compiling = [], [], []
    last_typed = last_id = ""
    for index in range(args.warmup + args.clicks):
        last_id = old.focused_id(app)
        last_typed = f"{old.transcript(app).value} [old page {index}]"
        old.transcript(app).input(last_typed)
        compile_cpu[0] = 0.0
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        old.save_button(app).click().run()
        spent_cpu, spent_wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
        compiled = compile_cpu[0]
        if app.exception or app.error:
            raise SystemExit(f"old page, click {index}: {app.exception or app.error[0].value}")
        if old.focused_id(app) == last_id:
            raise SystemExit(f"old page, click {index}: Save & next did not move on from {last_id}")
        if index >= args.warmup:
            wall.append(spent_wall)
            cpu.append(spent_cpu)
            compiling.append(compiled)
    saved = store.count_segments_by_status(project_id).get(SegmentStatus.SUBMITTED, 0) - before
    revision = store.list_revisions(last_id)[-1]
    print(
        json.dumps(
            {
                "speechlabel": speechlabel.__file__,
                "label_page": old.__file__,
                "open_seconds": open_seconds,
                "wall": wall,
                "cpu": cpu,
                "compiling": compiling,
                "saved": saved,
                "expected": args.warmup + args.clicks,
                "last_text_ok": (revision.text, revision.author) == (last_typed.strip(), args.username),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
