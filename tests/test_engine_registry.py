"""Engines by name: the registry, a third engine picked up without touching the built-in ones, and
the ``device`` option (this machine has no CUDA device, so "auto" resolves to cpu here).

The real engines are the bundled tiny.en model (loaded once per session by ``get_engine``)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import numpy as np
import pytest

from speechlabel.analytics.metrics import word_error_rate
from speechlabel.audio.samples import load_mono_16k
from speechlabel.cli import main
from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.engines.base import EngineBase
from speechlabel.prelabel.engines.options import TranscribeOptions, default_compute_type
from speechlabel.prelabel.engines.registry import (
    BUILTIN_ENGINES,
    engine_kind,
    engine_names,
    register_engine,
    resolve_device,
    unregister_engine,
)
from speechlabel.prelabel.transcribe import FasterWhisperEngine, get_engine
from tests.korean_errors import assert_in_korean

ROOT = Path(__file__).resolve().parents[1]
TINY = TranscribeOptions(model="tiny.en")


# --- the registry -------------------------------------------------------------------------------


def test_the_built_in_engines_are_registered_in_their_order():
    assert engine_names() == ("faster-whisper", "openai-whisper") == tuple(BUILTIN_ENGINES)
    assert engine_kind("faster-whisper").default_compute_type == default_compute_type("faster-whisper") == "int8"
    assert engine_kind("openai-whisper").compute_types == ("float32",) == (default_compute_type("openai-whisper"),)


@pytest.mark.parametrize("name", ["whisper.cpp", "", "Faster-Whisper", None, ["faster-whisper"]])
def test_an_unknown_engine_is_refused_naming_the_registered_ones(name):
    with pytest.raises(ValidationError) as refused:
        TranscribeOptions(engine=name)
    assert str(refused.value) == f"engine {name!r} is unknown; allowed: faster-whisper, openai-whisper"
    assert "faster-whisper, openai-whisper" in assert_in_korean(refused.value)
    with pytest.raises(ValidationError, match="is unknown; allowed: faster-whisper, openai-whisper"):
        engine_kind(name)
    assert default_compute_type(name) == "int8"  # as before: the options' check then names the engine


class EchoEngine(EngineBase):
    """A third engine for the tests: no model; one word per started second of audio, "one", "two", ..."""

    built: ClassVar[list[EchoEngine]] = []

    def __init__(self, options: TranscribeOptions):
        self.name, self.model, self.compute_type = options.engine, options.model, options.compute_type
        self.cpu_threads, self.device = options.cpu_threads, options.device
        self.runs_on = resolve_device(self.name, self.device)
        EchoEngine.built.append(self)

    @property
    def multilingual(self) -> bool:
        return False

    def decode(self, samples, options, word_timestamps):
        numbers = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
        seconds = samples.shape[0] / 16000
        words = [
            SimpleNamespace(word=" " + numbers[i % 10], start=i + 0.1, end=i + 0.6, probability=0.75)
            for i in range(int(np.ceil(seconds)))
        ]
        segment = SimpleNamespace(
            start=0.0,
            end=seconds,
            text="".join(w.word for w in words),
            words=words,
            avg_logprob=-0.2,
            no_speech_prob=0.1,
            compression_ratio=1.0,
        )
        return [segment], SimpleNamespace(language="en", language_probability=1.0)


@pytest.fixture
def echo():
    """The third engine, registered for one test only (its module would call this when imported)."""
    checked = []
    EchoEngine.built.clear()
    kind = register_engine(
        "echo",
        EchoEngine,
        compute_types=("float16", "int8"),
        default_compute_type="float16",
        cuda_available=lambda: False,
        check_options=checked.append,
    )
    yield SimpleNamespace(kind=kind, checked=checked)
    unregister_engine("echo")
    assert "echo" not in engine_names()


def test_a_third_engine_is_chosen_by_name_and_drafts_like_the_others(echo):
    assert engine_names() == ("faster-whisper", "openai-whisper", "echo")
    assert default_compute_type("echo") == "float16"
    options = TranscribeOptions(engine="echo", model="none", compute_type="float16")
    assert echo.checked[-1] is options  # its own rule ran with the others
    with pytest.raises(ValidationError, match="compute_type 'int16' is not supported on CPU; allowed: float16, int8"):
        TranscribeOptions(engine="echo", compute_type="int16")
    engine = get_engine(options)
    assert isinstance(engine, EchoEngine) and get_engine(options) is engine and len(EchoEngine.built) == 1
    assert get_engine(TranscribeOptions(engine="echo", model="none", compute_type="float16", beam_size=3)) is engine
    draft = engine.transcribe(np.zeros(16000 * 2, dtype=np.float32), options, offset=10.0)
    assert (draft.text, draft.engine, draft.model, draft.options) == ("one two", "echo", "none", options.to_dict())
    assert [(w.symbol, w.start, w.duration, w.score) for w in draft.words] == [
        ("one", 10.1, 0.5, 0.75),
        ("two", 11.1, 0.5, 0.75),
    ]
    first, second = engine.transcribe_window(
        np.zeros(16000 * 3, dtype=np.float32), [(0.0, 1.5), (1.5, 3.0)], options, offset=4.0
    )
    assert (first.text, second.text) == ("one two", "three")
    with pytest.raises(ValidationError, match="engine/model/compute_type/cpu_threads/device"):
        engine.transcribe(np.zeros(160, dtype=np.float32), TINY)


def test_an_engine_registered_again_is_built_anew(echo):
    options = TranscribeOptions(engine="echo", model="none", compute_type="float16")
    first = get_engine(options)
    register_engine(
        "echo", EchoEngine, compute_types=("float16",), default_compute_type="float16", cuda_available=lambda: False
    )
    assert get_engine(options) is not first and get_engine(options) is EchoEngine.built[-1]


def test_a_default_compute_type_outside_the_engines_own_is_a_programming_error():
    with pytest.raises(ValueError, match="not one of its compute types"):
        register_engine(
            "broken", EchoEngine, compute_types=("int8",), default_compute_type="float16", cuda_available=lambda: False
        )
    assert "broken" not in engine_names()


def test_the_command_line_and_prelabeling_use_a_registered_engine(echo, data_dir, speech_dir, tmp_path, capsys):
    def run(*args) -> int:
        return main(["--data-dir", str(data_dir), *args])

    assert run("project", "create", "e", "--language", "en", "--engine", "echo", "--model", "none") == 0
    assert "echo model none" in capsys.readouterr().out
    assert run("import", "e", str(speech_dir / "en/jfk.wav")) == 0
    assert run("prelabel", "e") == 0
    assert "pre-labeled 1 recordings" in capsys.readouterr().out
    out = tmp_path / "export"
    assert run("export", "e", "--out", str(out), "--status", "drafted") == 0
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert lines and all(line["engine"] == "echo" and line["model"] == "none" for line in lines)
    # One window over both segments: its words counted on from the first segment's start.
    assert lines[0]["draft_text"].startswith("one two") and all(line["draft_text"] for line in lines)
    assert [engine.compute_type for engine in EchoEngine.built] == ["float16"]  # its default


def test_registering_the_optional_engine_imports_neither_torch_nor_openai_whisper():
    code = (
        "import sys\n"
        "from speechlabel.prelabel.engines.registry import engine_names\n"
        "from speechlabel.prelabel.engines.options import TranscribeOptions\n"
        "TranscribeOptions(engine='openai-whisper', compute_type='float32')\n"
        "assert engine_names() == ('faster-whisper', 'openai-whisper')\n"
        "print(sorted(name for name in ('torch', 'whisper') if name in sys.modules))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# --- module structure: no private names across modules, no engine importing another -------------------

PRELABEL = ROOT / "speechlabel" / "prelabel"
ENGINE_MODULES = [PRELABEL / "transcribe.py"] + sorted((PRELABEL / "engines").rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    """The speechlabel modules ``path`` imports and, for ``from x import y``, ``x.y`` (relative
    imports resolved): whatever it takes from another module of ours."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] == "speechlabel"}


@pytest.mark.parametrize("path", ENGINE_MODULES, ids=lambda path: str(path.relative_to(PRELABEL)))
def test_engine_modules_import_no_private_name_of_another_module(path):
    private = [name for name in imports_of(path) if name.rpartition(".")[2].startswith("_")]
    assert not private


def test_neither_engine_module_imports_the_other():
    transcribe = imports_of(PRELABEL / "transcribe.py")
    assert not any(name.startswith("speechlabel.prelabel.engines.openai_whisper") for name in transcribe), transcribe
    for path in (PRELABEL / "engines" / "openai_whisper").glob("*.py"):
        taken = imports_of(path)
        assert not any(
            name == "speechlabel.prelabel.transcribe" or name.startswith("speechlabel.prelabel.transcribe.")
            for name in taken
        ), (path.name, taken)
    assert "speechlabel.prelabel.engines.base.EngineBase" in imports_of(
        PRELABEL / "engines" / "openai_whisper" / "engine.py"
    )


# --- device ----------------------------------------------------------------------------------------


def test_device_defaults_to_cpu_and_round_trips():
    assert TranscribeOptions().device == "cpu" and TranscribeOptions().to_dict()["device"] == "cpu"
    for device in ("cpu", "cuda", "auto"):
        options = TranscribeOptions.from_dict({"device": device})
        assert options.device == device and TranscribeOptions.from_dict(options.to_dict()) == options
    assert TranscribeOptions.from_dict({"model": "tiny.en"}).device == "cpu"  # stored before the option


@pytest.mark.parametrize("device", ["gpu", "CPU", "", None, 0, "cuda:0"])
def test_an_unknown_device_is_refused_naming_the_allowed_ones(device):
    with pytest.raises(ValidationError) as refused:
        TranscribeOptions(device=device)
    assert str(refused.value) == f"device {device!r} is unknown; allowed: cpu, cuda, auto"
    assert "cpu, cuda, auto" in assert_in_korean(refused.value)


def test_auto_is_cpu_on_this_machine_and_cuda_where_a_device_is_found(monkeypatch):
    import ctranslate2
    import torch

    if ctranslate2.get_cuda_device_count() or torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    assert resolve_device("faster-whisper", "auto") == resolve_device("openai-whisper", "auto") == "cpu"
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("faster-whisper", "auto") == resolve_device("openai-whisper", "auto") == "cuda"
    assert resolve_device("faster-whisper", "cuda") == "cuda"

    def no_question(*_):
        raise AssertionError("cpu needs no CUDA check")

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", no_question)
    assert resolve_device("faster-whisper", "cpu") == "cpu"


@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_cuda_without_a_cuda_device_is_refused_before_any_model_loads(engine, monkeypatch):
    import ctranslate2
    import torch

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    options = TranscribeOptions(
        engine=engine, model="tiny.en", compute_type=default_compute_type(engine), device="cuda", cpu_threads=5
    )
    with pytest.raises(ValidationError) as refused:
        get_engine(options)
    assert str(refused.value) == (
        f"device 'cuda' is asked for but {engine} finds no CUDA device here; use device cpu or auto"
    )
    assert "`cuda`" in assert_in_korean(refused.value)


def test_an_auto_engine_runs_on_the_cpu_here_and_drafts_the_same(speech_dir):
    import ctranslate2

    if ctranslate2.get_cuda_device_count():
        pytest.skip("this machine has a CUDA device")
    auto = TranscribeOptions(model="tiny.en", device="auto")
    engine = get_engine(auto)
    assert isinstance(engine, FasterWhisperEngine) and (engine.device, engine.runs_on) == ("auto", "cpu")
    on_cpu = get_engine(TINY)
    assert on_cpu is not engine and (on_cpu.device, on_cpu.runs_on) == ("cpu", "cpu")
    jfk = load_mono_16k(speech_dir / "en/jfk.wav")
    draft = engine.transcribe(jfk, auto)
    reference = (speech_dir / "en/jfk.txt").read_text(encoding="utf-8").strip()
    assert word_error_rate(reference, draft.text) == 0.0 and draft.options["device"] == "auto"
    assert draft.text == on_cpu.transcribe(jfk, TINY).text
    with pytest.raises(ValidationError, match="engine/model/compute_type/cpu_threads/device"):
        on_cpu.transcribe(jfk, auto)


def test_the_command_line_sets_the_device(data_dir, capsys):
    from speechlabel.workspace.config import Settings
    from speechlabel.workspace.workspace import Workspace

    assert main(["--data-dir", str(data_dir), "project", "create", "a", "--device", "auto"]) == 0
    assert main(["--data-dir", str(data_dir), "project", "create", "c"]) == 0
    workspace = Workspace.open(Settings(data_dir=data_dir))
    try:
        assert workspace.store.get_project("a").engine_options["device"] == "auto"
        assert workspace.store.get_project("c").engine_options["device"] == "cpu"
    finally:
        workspace.close()
