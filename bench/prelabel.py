"""Whole-pipeline benchmark on the real recordings: decode + VAD + drafts.

    python bench/prelabel.py [--speech-dir ../shared/speech] [--models tiny.en,base]

For each model it imports the English and diarization recordings into a fresh SQLite workspace,
pre-labels them, and prints audio seconds, wall seconds (import + prelabel), the real-time
factor, the process's peak memory, and WER per file against the references. Each model runs in
its own process so peak memory is that model's alone. Then it prints the segmentation figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from speechlabel.accounts.access import SYSTEM  # noqa: E402
from speechlabel.analytics.metrics import word_error_rate  # noqa: E402
from speechlabel.ingest.files import import_paths  # noqa: E402
from speechlabel.prelabel.pipeline import prelabel_project  # noqa: E402
from speechlabel.prelabel.transcribe import TranscribeOptions  # noqa: E402
from speechlabel.projects.manage import create_project  # noqa: E402
from speechlabel.workspace.config import Settings  # noqa: E402
from speechlabel.workspace.workspace import Workspace  # noqa: E402

DEFAULT_SPEECH = ROOT.parent / "shared" / "speech"
FOLDERS = ("en", "diarization")


@dataclass
class PipelineRun:
    model: str
    files: int
    segments: int
    audio_seconds: float
    import_seconds: float
    prelabel_seconds: float
    peak_rss_mb: float
    wer_by_file: dict[str, float]

    @property
    def wall_seconds(self) -> float:
        return self.import_seconds + self.prelabel_seconds

    @property
    def rtf(self) -> float:
        return self.audio_seconds / self.wall_seconds


def run_one(model: str, speech_dir: Path) -> PipelineRun:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        workspace = Workspace.open(settings)
        store = workspace.store
        project = create_project(
            store, "bench", language="en", transcribe_options=TranscribeOptions(model=model), actor=SYSTEM
        )
        started = time.perf_counter()
        report = import_paths(store, settings, project, [speech_dir / folder for folder in FOLDERS])
        imported = time.perf_counter()
        result = prelabel_project(store, settings, project)
        finished = time.perf_counter()
        wers = {}
        for recording in report.imported:
            reference = speech_dir / Path(recording.label).with_suffix(".txt").name
            matches = list(speech_dir.glob(f"*/{reference.name}"))
            if matches and recording.label != "stereo_diarization.wav":
                text = " ".join(s.text for s in store.list_segments(recording.id))
                wers[recording.label] = round(word_error_rate(matches[0].read_text().strip(), text), 3)
        workspace.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return PipelineRun(
        model,
        len(report.imported),
        result.segments_drafted,
        result.audio_seconds,
        imported - started,
        finished - imported,
        peak,
        wers,
    )


def print_run(run: PipelineRun) -> None:
    print(f"\n== {run.model}: {run.files} files, {run.segments} segments")
    print(
        f"audio {run.audio_seconds:.1f} s | wall {run.wall_seconds:.1f} s (import {run.import_seconds:.1f} s, "
        f"prelabel {run.prelabel_seconds:.1f} s) | RTF {run.rtf:.1f}x | peak RSS {run.peak_rss_mb:.0f} MB"
    )
    for name, wer in sorted(run.wer_by_file.items()):
        print(f"  WER {wer:6.3f}  {name}")
    harvard = [w for n, w in run.wer_by_file.items() if "harvard" in n]
    if harvard:
        print(f"  mean WER Harvard ({len(harvard)} files): {sum(harvard) / len(harvard):.3f}")


def compare_windowing(speech_dir: Path, model: str = "base") -> None:
    """Shared-window drafting vs one decode per segment, on the real multi-segment recordings."""
    from speechlabel.audio.samples import load_mono_16k
    from speechlabel.prelabel.transcribe import get_engine
    from speechlabel.prelabel.vad import segment_speech

    options = TranscribeOptions(model=model, language="en")
    engine = get_engine(options)
    print(f"\n== windowed vs per-segment drafting ({model}, language en)")
    for name in ("diarization/pyannote_sample.wav", "en/jfk.wav", "en/librispeech_2412-153948-0000.flac"):
        samples = load_mono_16k(speech_dir / name)
        spans = [(s.start, s.end) for s in segment_speech(samples)]
        reference = (speech_dir / name).with_suffix(".txt").read_text()
        engine.transcribe(samples[:16000], options)  # warm-up, not timed
        started = time.perf_counter()
        windowed = engine.transcribe_window(samples[: int(spans[-1][1] * 16000)], spans, options)
        window_seconds = time.perf_counter() - started
        started = time.perf_counter()
        alone = [engine.transcribe(samples[int(a * 16000) : int(b * 16000)], options, offset=a) for a, b in spans]
        alone_seconds = time.perf_counter() - started
        wer_window = word_error_rate(reference, " ".join(d.text for d in windowed))
        wer_alone = word_error_rate(reference, " ".join(d.text for d in alone))
        print(
            f"{Path(name).name:36s} {len(spans)} segments | window {window_seconds:5.2f} s WER {wer_window:.3f} | "
            f"per segment {alone_seconds:5.2f} s WER {wer_alone:.3f} | speed-up {alone_seconds / window_seconds:.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speech-dir", type=Path, default=DEFAULT_SPEECH)
    parser.add_argument("--models", default="tiny.en,base")
    parser.add_argument("--single", help=argparse.SUPPRESS)  # child mode: one model, JSON out
    args = parser.parse_args()
    if args.single:
        print(json.dumps(asdict(run_one(args.single, args.speech_dir))))
        return
    for model in args.models.split(","):
        child = subprocess.run(
            [sys.executable, __file__, "--single", model, "--speech-dir", str(args.speech_dir)],
            capture_output=True,
            text=True,
            check=True,
        )
        print_run(PipelineRun(**json.loads(child.stdout.strip().splitlines()[-1])))
    compare_windowing(args.speech_dir)
    from bench.segmentation import main as segmentation_main

    print("\n== segmentation (VAD) figures")
    segmentation_main([])


if __name__ == "__main__":
    main()
