"""Segmentation benchmark on the shared real recordings.

    python bench/segmentation.py [--speech-dir DIR] [--max-duration S]

Prints, per file and overall: speech recall and precision (10 ms frames, inside the UEM where
there is one), segment purity (share of segments in which one RTTM speaker holds >= 90 % of
the speech; overlap counted per speaker, and in brackets with overlap ignored), number of
segments, mean and max segment duration, speech found on the no-speech noise file, and the
wall time and real-time factor (audio seconds per wall second) of segmentation.

``bench/prelabel.py`` imports :func:`run_segmentation_benchmark` and
:func:`print_segmentation_results` to print the same figures.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speechlabel.audio.samples import load_mono_16k  # noqa: E402
from speechlabel.prelabel.vad import SegmentOptions, Span, segment_speech, speech_probabilities  # noqa: E402
from speechlabel.prelabel.vad_metrics import (  # noqa: E402
    PurityReport,
    VadScores,
    frame_scores,
    purity_report,
    read_rttm,
    read_uem,
)

DEFAULT_SPEECH_DIR = Path(__file__).resolve().parents[2] / "shared" / "speech"
NOISE_FILE = "noise/speechbrain_noise5_stationary.wav"


@dataclass(frozen=True)
class FileResult:
    """Figures for one recording; scores and purity are None where there is no RTTM."""

    name: str
    duration: float
    spans: tuple[Span, ...]
    seconds: float  # wall time of segment_speech
    scores: VadScores | None = None
    purity: PurityReport | None = None
    purity_no_overlap: PurityReport | None = None
    reference: bool = False

    @property
    def rtf(self) -> float:
        return self.duration / self.seconds if self.seconds > 0 else math.inf

    @property
    def speech_seconds(self) -> float:
        return sum(span.duration for span in self.spans)


def _files(speech_dir: Path) -> list[Path]:
    files = sorted((speech_dir / "diarization").glob("*.wav"))
    files.append(speech_dir / NOISE_FILE)
    files += sorted((speech_dir / "en").glob("*.wav")) + sorted((speech_dir / "en").glob("*.flac"))
    files += sorted(p for p in (speech_dir / "noise").glob("*.wav") if p.name != Path(NOISE_FILE).name)
    return [f for f in files if f.is_file()]


def evaluate_file(path: Path, options: SegmentOptions | None = None) -> FileResult:
    samples = load_mono_16k(path)
    duration = samples.size / 16000
    started = time.perf_counter()
    spans = tuple(segment_speech(samples, 16000, options))
    seconds = time.perf_counter() - started
    rttm = path.with_suffix(".rttm")
    if not rttm.is_file():
        return FileResult(path.stem, duration, spans, seconds)
    turns = read_rttm(rttm)
    uem_path = path.with_suffix(".uem")
    uem = read_uem(uem_path) if uem_path.is_file() else None
    return FileResult(
        path.stem,
        duration,
        spans,
        seconds,
        scores=frame_scores(spans, turns, duration, uem=uem),
        purity=purity_report(spans, turns),
        purity_no_overlap=purity_report(spans, turns, count_overlap=False),
        reference=True,
    )


def run_segmentation_benchmark(
    speech_dir: Path = DEFAULT_SPEECH_DIR, options: SegmentOptions | None = None
) -> list[FileResult]:
    """Segment every benchmark file; the model is loaded first so timings exclude it."""
    speech_probabilities(load_mono_16k(speech_dir / "en" / "jfk.wav")[:16000])  # warm-up
    return [evaluate_file(path, options) for path in _files(Path(speech_dir))]


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _row(result: FileResult) -> str:
    durations = [span.duration for span in result.spans]
    mean = sum(durations) / len(durations) if durations else None
    scores, purity = result.scores, result.purity
    purity_text = "-"
    if purity is not None:
        purity_text = (
            f"{_fmt(purity.purity, 2)} ({purity.pure}/{purity.scored}) [{_fmt(result.purity_no_overlap.purity, 2)}]"
        )
    return (
        f"{result.name[:34]:34} {result.duration:6.1f} {len(durations):4d} "
        f"{_fmt(mean, 2):>5} {_fmt(max(durations) if durations else None, 2):>5} "
        f"{_fmt(scores.recall if scores else None):>6} {_fmt(scores.precision if scores else None):>6} "
        f"{purity_text:22} {result.speech_seconds:6.2f} {result.seconds:6.3f} {result.rtf:6.0f}"
    )


def _overall(results: list[FileResult]) -> str:
    scored = [r for r in results if r.reference]
    hits = sum(r.scores.recall * r.scores.reference_seconds for r in scored)
    reference = sum(r.scores.reference_seconds for r in scored)
    found = sum(r.scores.speech_seconds_found for r in scored)
    pure = sum(r.purity.pure for r in scored)
    count = sum(r.purity.scored for r in scored)
    pure_no = sum(r.purity_no_overlap.pure for r in scored)
    spans = [s for r in scored for s in r.spans]
    audio, wall = sum(r.duration for r in results), sum(r.seconds for r in results)
    return (
        f"overall (RTTM files): recall {_fmt(hits / reference)}  precision {_fmt(hits / found)}  "
        f"purity {_fmt(pure / count, 2)} ({pure}/{count}) [overlap ignored {_fmt(pure_no / count, 2)}]  "
        f"segments {len(spans)}  mean {_fmt(sum(s.duration for s in spans) / len(spans), 2)} s  "
        f"max {_fmt(max(s.duration for s in spans), 2)} s\n"
        f"all files: {audio:.1f} s of audio segmented in {wall:.2f} s wall (RTF {audio / wall:.0f})"
    )


def print_segmentation_results(results: list[FileResult], out: TextIO = sys.stdout) -> None:
    header = (
        f"{'file':34} {'dur':>6} {'segs':>4} {'mean':>5} {'max':>5} {'recall':>6} {'prec':>6} "
        f"{'purity (pure/n) [no-ovl]':22} {'speech':>6} {'wall':>6} {'RTF':>6}"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    for result in results:
        print(_row(result), file=out)
    print("-" * len(header), file=out)
    print(_overall(results), file=out)
    noise = [r for r in results if r.name == Path(NOISE_FILE).stem]
    if noise:
        print(
            f"speech found on {Path(NOISE_FILE).name} (no speech): "
            f"{noise[0].speech_seconds:.2f} s of {noise[0].duration:.1f} s",
            file=out,
        )


@dataclass(frozen=True)
class SweepRow:
    """Figures over the RTTM recordings (and JFK) for one ``target_duration``."""

    target_duration: float
    recall: float
    precision: float
    pure: int
    scored: int
    segments: int
    mean_duration: float
    jfk_segments: int


def run_target_sweep(
    speech_dir: Path = DEFAULT_SPEECH_DIR, targets: tuple[float, ...] = (0, 2, 4, 6, 10, 15)
) -> list[SweepRow]:
    """How ``target_duration`` trades segment purity against segment count and length."""
    rttm_files = sorted((Path(speech_dir) / "diarization").glob("*.wav"))
    jfk = load_mono_16k(Path(speech_dir) / "en" / "jfk.wav")
    rows = []
    for target in targets:
        options = SegmentOptions(target_duration=target)
        results = [evaluate_file(path, options) for path in rttm_files]
        spans = [s for r in results for s in r.spans]
        reference = sum(r.scores.reference_seconds for r in results)
        hits = sum(r.scores.recall * r.scores.reference_seconds for r in results)
        found = sum(r.scores.speech_seconds_found for r in results)
        rows.append(
            SweepRow(
                target,
                hits / reference,
                hits / found,
                sum(r.purity.pure for r in results),
                sum(r.purity.scored for r in results),
                len(spans),
                sum(s.duration for s in spans) / max(1, len(spans)),
                len(segment_speech(jfk, 16000, options)),
            )
        )
    return rows


def print_target_sweep(rows: list[SweepRow], out: TextIO = sys.stdout) -> None:
    print("target_duration sweep (RTTM files pooled; default 6 s):", file=out)
    print(f"{'target':>6} {'recall':>6} {'prec':>6} {'purity':>14} {'segs':>4} {'mean':>5} {'jfk segs':>8}", file=out)
    for row in rows:
        purity = f"{row.pure / row.scored:.2f} ({row.pure}/{row.scored})" if row.scored else "-"
        print(
            f"{row.target_duration:6.1f} {row.recall:6.3f} {row.precision:6.3f} {purity:>14} "
            f"{row.segments:4d} {row.mean_duration:5.2f} {row.jfk_segments:8d}",
            file=out,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speech-dir", type=Path, default=DEFAULT_SPEECH_DIR)
    parser.add_argument("--max-duration", type=float, default=None)
    args = parser.parse_args(argv)
    if not args.speech_dir.is_dir():
        print(f"speech dir {args.speech_dir} not found", file=sys.stderr)
        return 2
    options = SegmentOptions(max_duration=args.max_duration) if args.max_duration else None
    print_segmentation_results(run_segmentation_benchmark(args.speech_dir, options))
    if options is None:
        print(file=sys.stdout)
        print_target_sweep(run_target_sweep(args.speech_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
