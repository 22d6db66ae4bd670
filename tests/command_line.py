"""The command line, run in-process on a data folder."""

from __future__ import annotations

from speechlabel.cli import main


def run(data_dir, *args) -> int:
    return main(["--data-dir", str(data_dir), *args])
