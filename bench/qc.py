"""Recording checks' cost at import: seconds per hour of audio, the level probe alone (what every
import measured before the checks) beside the probe + the checks' measures and rules, in one run.

    python bench/qc.py [--speech-dir DIR] [--hours H] [--repeats N] [--memory-hours H]

Two workloads of real speech from the shared folder:

- **short files**: every file of ``en/`` (16 kHz to 44.1 kHz, mono and stereo, WAV and FLAC,
  1.5 to 12 s) decoded one after the other, round after round, until ``--hours`` of audio;
- **one long file**: ``--hours`` of the same speech as one 44.1 kHz 16-bit stereo WAV (written
  once into a temporary folder, about 635 MB an hour).

Each is the import's own decode (libsndfile or FFmpeg, mix-down, soxr to 16 kHz) with the probe's
meter (``LevelMeter``) or with the checks' (``QcMeter``, then ``check_rules`` on the default
rules), without writing the 16 kHz copy or touching a database: the figures are the measuring,
not the import around it. Best of ``--repeats`` runs each (the machine is shared); the two are
run alternately so that both see the same load.

``--memory-hours H`` (default 0: skipped) then imports ``H`` hours of the same 44.1 kHz stereo
speech from its path, checks included, in a fresh process on SQLite, and prints the process's
peak memory (``ru_maxrss``) before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speechlabel.audio.decode import open_audio  # noqa: E402
from speechlabel.audio.limits import AudioLimits  # noqa: E402
from speechlabel.audio.normalize import DecodedFrames, mono_16k_blocks  # noqa: E402
from speechlabel.audio.probe import LevelMeter  # noqa: E402
from speechlabel.audio.qc_meter import QcMeter  # noqa: E402
from speechlabel.core.qc import QcRules, check_rules  # noqa: E402
from tests.audio_samples import write_long_speech  # noqa: E402

DEFAULT_SPEECH_DIR = Path(__file__).resolve().parents[2] / "shared" / "speech"
_RULES = QcRules()


def probe_only(path: Path) -> float:
    """Today's probe: decode and measure levels; the seconds of audio measured."""
    with open_audio(path, path.name) as source:
        meter, decoded = LevelMeter(path.name), DecodedFrames()
        for _ in mono_16k_blocks(source, path.name, AudioLimits(), meter, decoded):
            pass
        return meter.probe(source.header, decoded.frames).duration


def probe_and_checks(path: Path) -> float:
    """The probe plus the checks' measures and the default rules."""
    with open_audio(path, path.name) as source:
        meter, decoded = QcMeter(path.name), DecodedFrames()
        for _ in mono_16k_blocks(source, path.name, AudioLimits(), meter, decoded):
            pass
        probe = meter.probe(source.header, decoded.frames)
        check_rules(_RULES, meter.measures(probe))
        return probe.duration


def timed(files: list[Path], measure: Callable[[Path], float], seconds_wanted: float) -> tuple[float, float]:
    """(wall seconds, audio seconds) of measuring ``files`` in turn until ``seconds_wanted``."""
    audio = 0.0
    start = time.perf_counter()
    while audio < seconds_wanted:
        for path in files:
            audio += measure(path)
            if audio >= seconds_wanted:
                break
    return time.perf_counter() - start, audio


def compare(name: str, files: list[Path], seconds_wanted: float, repeats: int) -> None:
    best = {probe_only: float("inf"), probe_and_checks: float("inf")}
    audio = 0.0
    for _ in range(repeats):
        for measure in best:
            wall, audio = timed(files, measure, seconds_wanted)
            best[measure] = min(best[measure], wall)
    per_hour = {measure: wall / audio * 3600 for measure, wall in best.items()}
    old, new = per_hour[probe_only], per_hour[probe_and_checks]
    print(
        f"{name:<14} {audio / 3600:5.2f} h  {len(files):3d} file(s)   probe alone {old:6.1f} s/h   "
        f"probe + checks {new:6.1f} s/h   checks add {new - old:5.1f} s/h ({(new / old - 1) * 100:+.0f} %)",
        flush=True,
    )


IMPORT_IN_A_FRESH_PROCESS = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.ingest.files import import_paths
    from speechlabel.projects.manage import create_project
    from speechlabel.store import Store
    from speechlabel.workspace.config import Settings

    settings = Settings(data_dir=Path(sys.argv[2]))
    store = Store.open(settings.resolved_database_url)
    project = create_project(store, "p", actor=SYSTEM)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (recording,) = import_paths(store, settings, project, [Path(sys.argv[1])]).imported
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"before_mb": before / 1024, "after_mb": after / 1024, "seconds": recording.duration,
                      "measures": recording.qc.measures.to_dict()}))
""")


def import_memory(speech_dir: Path, hours: float) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-qc-") as folder:
        wav = Path(folder) / "long-44k-stereo.wav"
        write_long_speech(wav, speech_dir, hours * 3600)
        size_mb = wav.stat().st_size / 2**20
        root = Path(__file__).resolve().parents[1]
        run = subprocess.run(
            [sys.executable, "-c", IMPORT_IN_A_FRESH_PROCESS, str(wav), str(Path(folder) / "data")],
            capture_output=True,
            text=True,
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            check=True,
        )
        result = json.loads(run.stdout.splitlines()[-1])
    print(
        f"import of {result['seconds'] / 3600:.2f} h of 44.1 kHz stereo ({size_mb:,.0f} MB WAV), checks included: "
        f"peak RSS {result['after_mb']:,.0f} MB (before the import {result['before_mb']:,.0f} MB)",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speech-dir", type=Path, default=DEFAULT_SPEECH_DIR)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-hours", type=float, default=0.0)
    args = parser.parse_args()
    short = sorted(p for p in (args.speech_dir / "en").iterdir() if p.suffix in (".wav", ".flac"))
    seconds = args.hours * 3600
    print(f"QC seconds per hour of audio (best of {args.repeats}), {time.strftime('%Y-%m-%d %H:%M')}")
    compare("short files", short, seconds, args.repeats)
    with tempfile.TemporaryDirectory(prefix="bench-qc-") as folder:
        long_file = Path(folder) / "long-44k-stereo.wav"
        write_long_speech(long_file, args.speech_dir, seconds)
        compare("one long file", [long_file], seconds, args.repeats)
    if args.memory_hours:
        import_memory(args.speech_dir, args.memory_hours)
    return 0


if __name__ == "__main__":
    sys.exit(main())
