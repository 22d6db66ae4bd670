"""Rules that live in one module stay there: the scans below fail when a second copy appears."""

from __future__ import annotations

import ast
from pathlib import Path

from speechlabel.audio import samples as audio
from speechlabel.prelabel import transcribe
from speechlabel.prelabel import vad as segment

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "speechlabel").rglob("*.py"), *(ROOT / "views").glob("*.py"), ROOT / "workbench.py"])


def _assignments(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            yield node, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            yield node, node.value


def test_the_sample_rate_is_stated_once():
    stated = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in SOURCES
        for node, value in _assignments(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(value, ast.Constant) and value.value == 16000
    ]
    assert stated == [
        "speechlabel/audio/samples.py:"
        + str(_line_of(ROOT / "speechlabel" / "audio" / "samples.py", "TARGET_RATE = 16000"))
    ]
    assert segment.SAMPLE_RATE is audio.TARGET_RATE and transcribe.SAMPLE_RATE is audio.TARGET_RATE


def _line_of(path: Path, text: str) -> int:
    return next(
        number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(text)
    )


def test_the_bounds_rules_are_the_bounds_modules():
    """The modules that check or round segment times take the rules from ``speechlabel.core.bounds``
    and keep no copy: no ``round(x, 3)`` of a time and no MIN_DURATION / TIME_DECIMALS of their own."""
    from speechlabel.core import bounds
    from speechlabel.core import segment_rules as labeling_rules

    assert labeling_rules.MIN_DURATION is bounds.MIN_DURATION
    users = [
        "speechlabel/core/segment_rules.py",
        "speechlabel/labeling/actions.py",
        "speechlabel/store/labeling.py",
        "speechlabel/store/segments.py",
        "speechlabel/ingest/datasets/checks.py",
        "speechlabel/ingest/datasets/run.py",
        "speechlabel/labeling/clips.py",
        "speechlabel/labeling/double_labeling.py",
        "speechlabel/analytics/dashboard.py",
        "speechlabel/labeling/waveform/snapping.py",
        "speechlabel/labeling/loop/cards.py",
    ]
    rounded_elsewhere = {"speechlabel/labeling/loop/cards.py"}  # rounds word scores and the browser's window offsets
    copies = []
    for name in users:
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        assert any(
            isinstance(node, ast.ImportFrom) and (node.module or "").endswith("bounds") for node in ast.walk(tree)
        ), name
        for node in ast.walk(tree):
            if (
                name not in rounded_elsewhere
                and isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "round"
                and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == 3
            ):
                copies.append(f"{name}:{node.lineno} round(..., 3)")
            if isinstance(node, ast.Assign) and any(
                getattr(target, "id", None) in ("MIN_DURATION", "TIME_DECIMALS") for target in node.targets
            ):
                copies.append(f"{name}:{node.lineno} {node.targets[0].id}")
    assert not copies, copies
