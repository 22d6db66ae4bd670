"""faster-whisper against openai-whisper on the same files: RTF, WER, peak memory, speed ratio.

    python bench/engines.py [--models tiny.en base] [--beams 1 5] [--threads 0]

Each (engine, model, beam) runs in a subprocess of its own so peak memory (max RSS of that
process: model, audio and decoding) does not mix between engines. Every run transcribes the
same English files from ../shared/speech (language forced to "en", the engines' defaults
otherwise: VAD, word timestamps; faster-whisper in int8, openai-whisper in float32, the only
type it has on CPU) after one untimed warm-up on the first file (openai-whisper compiles its
word-timing code with numba on first use). WER is pooled over all files after
``normalize_text``; RTF is audio seconds per wall second (higher is faster); the speed ratio
is faster-whisper's RTF over openai-whisper's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speechlabel.analytics.metrics import word_error_rate
from speechlabel.audio.samples import load_mono_16k
from speechlabel.prelabel.engines.options import (
    ENGINES,
    TranscribeOptions,
    default_compute_type,
)
from speechlabel.prelabel.transcribe import get_engine

FILES = (
    "en/jfk.wav",
    "en/librispeech_2412-153948-0000.flac",
    "en/LDC93S1.wav",
    "en/ami_ES2011a_Headset-0_40s-46s.wav",
    "en/speechbrain_harvard_spk1_snt1.wav",
    "en/speechbrain_harvard_spk2_snt3.wav",
)
SPEECH_DIR = Path(__file__).resolve().parents[2] / "shared" / "speech"


@dataclass(frozen=True)
class RunResult:
    engine: str
    model: str
    beam_size: int
    audio_seconds: float
    wall_seconds: float
    load_seconds: float
    wer: float
    peak_rss_mb: float

    @property
    def rtf(self) -> float:
        return self.audio_seconds / self.wall_seconds


def run_one(engine: str, model: str, beam: int, threads: int) -> RunResult:
    """Load one engine and transcribe every file; called inside the worker subprocess."""
    files = [
        (load_mono_16k(SPEECH_DIR / name), (SPEECH_DIR / name).with_suffix(".txt").read_text().strip())
        for name in FILES
    ]
    options = TranscribeOptions(
        engine=engine,
        model=model,
        compute_type=default_compute_type(engine),
        beam_size=beam,
        language="en",
        cpu_threads=threads,
    )
    started = time.perf_counter()
    whisper = get_engine(options)
    load_seconds = time.perf_counter() - started
    whisper.transcribe(files[0][0], options)  # warm-up, untimed
    hypotheses = []
    started = time.perf_counter()
    for samples, _ in files:
        hypotheses.append(whisper.transcribe(samples, options).text)
    wall = time.perf_counter() - started
    audio = sum(samples.shape[0] for samples, _ in files) / 16000
    wer = word_error_rate(" ".join(ref for _, ref in files), " ".join(hypotheses))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return RunResult(engine, model, beam, audio, wall, load_seconds, wer, peak_mb)


def in_subprocess(engine: str, model: str, beam: int, threads: int) -> RunResult:
    command = [sys.executable, __file__, "--worker", engine, model, str(beam), "--threads", str(threads)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{engine} {model} beam {beam} failed:\n{done.stderr[-2000:]}")
    return RunResult(**json.loads(done.stdout.strip().splitlines()[-1]))


def print_table(results: list[RunResult]) -> None:
    print(f"{'engine':<15} {'model':<8} {'beam':>4} {'RTF':>6} {'WER':>6} {'peak RSS':>9} {'load s':>7}")
    for r in results:
        print(
            f"{r.engine:<15} {r.model:<8} {r.beam_size:>4} {r.rtf:>6.1f} {r.wer:>6.3f} "
            f"{r.peak_rss_mb:>6.0f} MB {r.load_seconds:>7.1f}"
        )
    print("\nspeed ratio (faster-whisper RTF / openai-whisper RTF):")
    by_key = {(r.engine, r.model, r.beam_size): r for r in results}
    for (engine, model, beam), fast in by_key.items():
        slow = by_key.get(("openai-whisper", model, beam))
        if engine == "faster-whisper" and slow:
            print(f"  {model:<8} beam {beam}: {fast.rtf / slow.rtf:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--beams", nargs="+", type=int, default=[1, 5])
    parser.add_argument("--threads", type=int, default=0, help="CPU threads per engine (0: all cores)")
    parser.add_argument("--worker", nargs=3, metavar=("ENGINE", "MODEL", "BEAM"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        engine, model, beam = args.worker
        print(json.dumps(asdict(run_one(engine, model, int(beam), args.threads))))
        return 0
    audio = sum(load_mono_16k(SPEECH_DIR / name).shape[0] for name in FILES) / 16000
    print(f"{len(FILES)} English files, {audio:.1f} s of audio; one subprocess per row\n")
    results = [
        in_subprocess(engine, model, beam, args.threads)
        for model in args.models
        for beam in args.beams
        for engine in ENGINES
    ]
    print_table(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
