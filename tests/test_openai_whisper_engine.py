"""The openai-whisper engine behind the Engine interface, and projects that choose it.

tiny.en keeps these quick; the engine loads once per session (``get_engine`` caches it).
"""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.analytics.metrics import word_error_rate
from speechlabel.audio.samples import load_mono_16k
from speechlabel.cli import main
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import SegmentStatus
from speechlabel.ingest.files import import_audio
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.pipeline import prelabel_project
from speechlabel.prelabel.project_options import transcribe_options_for
from speechlabel.prelabel.transcribe import get_engine
from speechlabel.projects.manage import create_project

pytest.importorskip("whisper", reason="openai-whisper is not installed (requirements-openai-whisper.txt)")

TINY = TranscribeOptions(engine="openai-whisper", model="tiny.en", compute_type="float32")


@pytest.fixture(scope="module")
def engine():
    return get_engine(TINY)


@pytest.fixture(scope="module")
def jfk(speech_dir) -> np.ndarray:
    return load_mono_16k(speech_dir / "en/jfk.wav")


def reference(speech_dir, name: str) -> str:
    return (speech_dir / name).with_suffix(".txt").read_text(encoding="utf-8").strip()


def test_draft_has_scored_words_inside_the_segment(engine, jfk, speech_dir):
    draft = engine.transcribe(jfk, TINY, offset=100.0)
    assert engine.name == draft.engine == "openai-whisper" and draft.model == "tiny.en"
    assert draft.options["engine"] == "openai-whisper" and draft.options["compute_type"] == "float32"
    assert word_error_rate(reference(speech_dir, "en/jfk.wav"), draft.text) == 0
    assert len(draft.words) == 22
    duration = jfk.shape[0] / 16000
    assert all(100.0 <= w.start <= w.start + w.duration <= 100.0 + duration + 1e-6 for w in draft.words)
    assert [w.start for w in draft.words] == sorted(w.start for w in draft.words)
    assert all(0.0 <= w.score <= 1.0 for w in draft.words) and min(w.score for w in draft.words) < 0.99
    assert -1.0 < draft.avg_logprob < 0.0 and 0.0 <= draft.no_speech_prob < 0.3
    assert draft.language == "en" and draft.language_probability == 1.0 and draft.compression_ratio > 1.0


@pytest.mark.slow
def test_beam_five_with_a_glossary_decodes_cleanly(jfk, speech_dir):
    options = TranscribeOptions(
        engine="openai-whisper", model="tiny.en", compute_type="float32", beam_size=5, glossary=("Americans",)
    )
    draft = get_engine(options).transcribe(jfk, options)
    assert draft.options["beam_size"] == 5 and draft.options["glossary"] == ["Americans"]
    # The prompt goes before the audio, never into the text: no echoed terms, no extra words.
    assert word_error_rate(reference(speech_dir, "en/jfk.wav"), draft.text) == 0


def test_noise_gives_an_empty_draft(engine, speech_dir):
    noise = load_mono_16k(speech_dir / "noise/speechbrain_noise5_stationary.wav")
    draft = engine.transcribe(noise, TINY)
    assert draft.text == "" and draft.words == () and draft.no_speech_prob == 1.0
    assert engine.transcribe(np.zeros(0, dtype=np.float32), TINY).text == ""


def test_a_window_splits_back_into_its_segments(engine, speech_dir):
    first = load_mono_16k(speech_dir / "en/speechbrain_harvard_spk1_snt1.wav")
    second = load_mono_16k(speech_dir / "en/speechbrain_harvard_spk1_snt2.wav")
    pause = np.zeros(8000, dtype=np.float32)
    window = np.concatenate([first, pause, second])
    split = (first.shape[0] + 4000) / 16000
    drafts = engine.transcribe_window(window, [(0.0, split), (split, window.shape[0] / 16000)], TINY, offset=5.0)
    for draft, name, (start, end) in zip(drafts, ("snt1", "snt2"), [(5.0, 5.0 + split), (5.0 + split, 99)]):
        assert word_error_rate(reference(speech_dir, f"en/speechbrain_harvard_spk1_{name}.wav"), draft.text) < 0.2
        assert all(start <= w.start and w.start + w.duration <= end for w in draft.words)


def test_options_for_another_engine_or_int8_are_refused(engine, jfk):
    with pytest.raises(ValidationError, match="engine/model/compute_type/cpu_threads"):
        engine.transcribe(jfk, TranscribeOptions(model="tiny.en"))
    with pytest.raises(ValidationError, match="not available with openai-whisper .* allowed: float32"):
        TranscribeOptions(engine="openai-whisper", model="tiny.en")
    with pytest.raises(
        ValidationError, match="engine 'whisper.cpp' is unknown; allowed: faster-whisper, openai-whisper"
    ):
        TranscribeOptions(engine="whisper.cpp")
    with pytest.raises(ValidationError, match="English-only"):
        engine.transcribe(
            jfk, TranscribeOptions(engine="openai-whisper", model="tiny.en", compute_type="float32", language="ko")
        )


def test_a_missing_install_is_explained(monkeypatch):
    monkeypatch.setitem(sys.modules, "whisper", None)  # what Python does when the package is absent
    options = TranscribeOptions(engine="openai-whisper", model="tiny.en", compute_type="float32", cpu_threads=3)
    with pytest.raises(ValidationError, match="install it with: pip install -r requirements-openai-whisper.txt"):
        get_engine(options)


@pytest.mark.slow
def test_a_project_on_openai_whisper_prelabels_real_audio(store, settings, speech_dir):
    options = TranscribeOptions(engine="openai-whisper", model="tiny.en", compute_type="float32")
    project = create_project(store, "ow", language="en", transcribe_options=options, actor=SYSTEM)
    project = store.get_project("ow")  # as stored, read back
    assert project.engine_options["engine"] == "openai-whisper"
    assert transcribe_options_for(project).engine == "openai-whisper"
    recording = import_audio(store, settings, project, (speech_dir / "en/jfk.wav").read_bytes(), "jfk.wav")
    report = prelabel_project(store, settings, project)
    segments = store.list_segments(recording.id)
    assert report.segments_drafted == len(segments) >= 1
    assert all(s.status == SegmentStatus.DRAFTED for s in segments)
    assert word_error_rate(reference(speech_dir, "en/jfk.wav"), " ".join(s.text for s in segments)) == 0
    drafts = [store.latest_draft(s.id) for s in segments]
    assert all(d.engine == "openai-whisper" and d.model == "tiny.en" and d.words for d in drafts)


def test_the_command_line_creates_and_prelabels_an_openai_whisper_project(data_dir, tmp_path, speech_dir, capsys):
    def run(*args) -> int:
        return main(["--data-dir", str(data_dir), *args])

    assert run("project", "create", "ow", "--language", "en", "--engine", "openai-whisper", "--model", "tiny.en") == 0
    assert "openai-whisper model tiny.en" in capsys.readouterr().out
    assert run("import", "ow", str(speech_dir / "en/LDC93S1.wav")) == 0
    assert run("prelabel", "ow") == 0
    assert "pre-labeled 1 recordings" in capsys.readouterr().out
    out = tmp_path / "export"
    assert run("export", "ow", "--format", "jsonl", "--out", str(out), "--status", "drafted") == 0
    assert (out / "manifest.jsonl").read_text().strip()
    assert run("project", "create", "bad", "--engine", "openai-whisper", "--compute-type", "int8") == 1
    assert "allowed: float32" in capsys.readouterr().err


def test_the_style_prompt_reaches_openai_whisper_after_the_glossary(engine, jfk):
    # Lower case, no punctuation, nothing JFK says: Whisper copies its style, not its words.
    plain = replace(TINY, language="en")
    styled = replace(plain, style_prompt="we went to the market and bought some bread then we walked home")
    assert engine.transcribe(jfk, plain).text.startswith("And so")
    draft = engine.transcribe(jfk, replace(styled, glossary=("Americans",)))
    assert draft.text.startswith("and so") and draft.options["style_prompt"] == styled.style_prompt
