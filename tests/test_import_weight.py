"""What an import loads (issue 18): the catalogs and the conventions import nothing above them and
no database, audio or speech-recognition library, so ``speechlabel lint``, which needs none of
those, starts in a fraction of a second. Each import runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The libraries a text-only command must not pay for: the store's, the audio's, the engines', the app's.
HEAVY = (
    "sqlalchemy",
    "alembic",
    "psycopg",
    "faster_whisper",
    "ctranslate2",
    "onnxruntime",
    "tokenizers",
    "numpy",
    "soundfile",
    "av",
    "soxr",
    "streamlit",
)


def loaded(code: str) -> set[str]:
    """The modules loaded after running ``code`` in a new interpreter on this tree."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _ours(modules: set[str]) -> set[str]:
    return {name for name in modules if name == "speechlabel" or name.startswith("speechlabel.")}


def _heavy(modules: set[str]) -> set[str]:
    return {name for name in modules if name.split(".")[0] in HEAVY}


@pytest.mark.parametrize(
    ("module", "below"),
    [
        ("speechlabel.i18n", {"speechlabel.core.errors", "speechlabel.i18n"}),
        ("speechlabel.conventions", {"speechlabel.core.errors", "speechlabel.i18n", "speechlabel.conventions"}),
    ],
)
def test_the_catalogs_and_the_conventions_import_nothing_above_them_nor_anything_heavy(module, below):
    modules = loaded(f"import {module}")
    assert not _heavy(modules)
    # A package's __init__ (speechlabel.core for speechlabel.core.errors) is loaded with its module.
    packages = {low.rpartition(".")[0] for low in below}
    above = {
        name
        for name in _ours(modules) - {"speechlabel"} - packages
        if not any(name == low or name.startswith(low + ".") for low in below)
    }
    assert not above, f"{module} imports {sorted(above)}"


def test_the_lint_command_loads_no_store_audio_or_engine():
    modules = loaded(
        "from speechlabel.cli import main\nassert main(['lint', '--scheme', 'generic', 'hello world']) == 0"
    )
    assert not _heavy(modules)
    assert (
        not {
            "speechlabel.store",
            "speechlabel.accounts.access",
            "speechlabel.workspace.workspace",
            "speechlabel.prelabel.transcribe",
            "speechlabel.export",
            "tqdm",
        }
        & modules
    )


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["lint", "--scheme", "generic", "x"], "lint"),
        (["--lang", "ko", "-v", "lint", "x"], "lint"),
        (["--data-dir", "lint", "status", "calls"], "status"),  # an option's value is no command
        (["--data-dir=lint", "project", "list"], "project"),
        (["-h"], None),
        ([], None),
        (["nosuch"], None),
        (["--lang", "fr", "lint"], None),  # the whole parser says why
    ],
)
def test_the_command_line_reads_which_command_it_builds_the_arguments_of(argv, command):
    from speechlabel.cli import command_named

    assert command_named(argv) == command
