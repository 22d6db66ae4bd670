"""Accuracy and speed of the faster-whisper engine on the shared real recordings.

    python bench/transcribe.py [--models tiny.en base] [--beams 1 5]

Prints, per model and beam size, the mean WER (after ``normalize_text``) on JFK, LibriSpeech,
the 10 Harvard sentences, an AMI meeting clip and the TIMIT sample, the real-time factor (audio seconds per wall second; higher is
faster) and the model load time. Other benchmarks import ``load_set``, ``run_set`` and
``bench_model``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from speechlabel.analytics.metrics import word_error_rate  # noqa: E402
from speechlabel.audio.samples import TARGET_RATE as SAMPLE_RATE  # noqa: E402
from speechlabel.audio.samples import load_mono_16k  # noqa: E402
from speechlabel.prelabel.engines.bundled_models import resolve_model  # noqa: E402
from speechlabel.prelabel.transcribe import TranscribeOptions, get_engine  # noqa: E402

SETS = {
    "jfk": ("en/jfk.wav",),
    "librispeech": ("en/librispeech_2412-153948-0000.flac",),
    "harvard": tuple(f"en/speechbrain_harvard_spk{spk}_snt{n}.wav" for spk in (1, 2) for n in range(1, 6)),
    # Beyond the acceptance sets: a meeting headset clip with names (where beam size and the
    # glossary matter) and the TIMIT sample.
    "ami": ("en/ami_ES2011a_Headset-0_40s-46s.wav",),
    "timit": ("en/LDC93S1.wav",),
}


@dataclass(frozen=True)
class Utterance:
    file: str
    samples: np.ndarray
    reference: str

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / SAMPLE_RATE


@dataclass(frozen=True)
class SetResult:
    model: str
    beam_size: int
    set_name: str
    mean_wer: float
    audio_seconds: float
    wall_seconds: float
    hypotheses: tuple[str, ...]

    @property
    def rtf(self) -> float:
        """Audio seconds transcribed per wall-clock second."""
        return self.audio_seconds / self.wall_seconds


@dataclass(frozen=True)
class ModelResult:
    model: str
    load_seconds: float
    prepare_seconds: float  # resolve_model: assembling "base" on the first run, else ~0
    sets: tuple[SetResult, ...]


def speech_dir() -> Path:
    default = Path(__file__).resolve().parents[2] / "shared" / "speech"
    return Path(os.environ.get("SPEECHLABEL_SPEECH_DIR", default))


def load_set(name: str, root: Path | None = None) -> list[Utterance]:
    """The utterances of one named set with their references from MANIFEST.jsonl."""
    root = root or speech_dir()
    references = _manifest_references(root)
    return [Utterance(f, load_mono_16k(root / f), references[f]) for f in SETS[name]]


def _manifest_references(root: Path) -> dict[str, str]:
    with open(root / "MANIFEST.jsonl", encoding="utf-8") as handle:
        entries = [json.loads(line) for line in handle if line.strip()]
    return {e["file"]: e["reference_text"] for e in entries if e.get("reference_text")}


def run_set(options: TranscribeOptions, set_name: str, utterances: list[Utterance]) -> SetResult:
    """Transcribe every utterance with the cached engine; time only the transcription."""
    engine = get_engine(options)
    hypotheses, wers, wall = [], [], 0.0
    for utt in utterances:
        started = time.perf_counter()
        draft = engine.transcribe(utt.samples, options)
        wall += time.perf_counter() - started
        hypotheses.append(draft.text)
        wers.append(word_error_rate(utt.reference, draft.text))
    return SetResult(
        model=options.model,
        beam_size=options.beam_size,
        set_name=set_name,
        mean_wer=float(np.mean(wers)),
        audio_seconds=sum(u.duration for u in utterances),
        wall_seconds=wall,
        hypotheses=tuple(hypotheses),
    )


def bench_model(
    model: str,
    beams: tuple[int, ...],
    data: dict[str, list[Utterance]],
    language: str | None = None,
) -> ModelResult:
    started = time.perf_counter()
    resolve_model(model)
    prepare = time.perf_counter() - started
    engine = get_engine(TranscribeOptions(model=model))
    # One untimed call first: the first decode pays one-off allocation costs.
    warmup = next(iter(data.values()))[0]
    engine.transcribe(warmup.samples, TranscribeOptions(model=model))
    results = [
        run_set(TranscribeOptions(model=model, beam_size=beam, language=language), name, utts)
        for beam in beams
        for name, utts in data.items()
    ]
    return ModelResult(model, engine.load_seconds, prepare, tuple(results))


def format_results(results: list[ModelResult]) -> str:
    lines = [f"{'model':<8} {'beam':>4} {'set':<12} {'n':>3} {'audio s':>8} {'WER':>6} {'RTF':>6}"]
    for model in results:
        for r in model.sets:
            n = len(r.hypotheses)
            lines.append(
                f"{r.model:<8} {r.beam_size:>4} {r.set_name:<12} {n:>3} {r.audio_seconds:>8.1f} "
                f"{r.mean_wer:>6.3f} {r.rtf:>6.1f}"
            )
    lines.append("")
    for model in results:
        lines.append(f"{model.model}: load {model.load_seconds:.2f} s (prepare/assemble {model.prepare_seconds:.2f} s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--beams", nargs="+", type=int, default=[1, 5])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--language", default=None, help="force a language (default: detect)")
    parser.add_argument("--show-text", action="store_true", help="print every hypothesis")
    args = parser.parse_args(argv)
    data = {name: load_set(name) for name in args.sets}
    results = [bench_model(m, tuple(args.beams), data, args.language) for m in args.models]
    print(
        f"faster-whisper, int8, {os.cpu_count()} CPU threads, language "
        f"{args.language or 'auto-detected'}; WER = mean over utterances"
    )
    print(format_results(results))
    if args.show_text:
        for model in results:
            for r in model.sets:
                for hyp in r.hypotheses:
                    print(f"{r.model} beam {r.beam_size} {r.set_name}: {hyp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
