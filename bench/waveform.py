"""The label page's waveform on a 2-hour recording: what it costs the server and what it sends.

    python -m bench.waveform [--hours 2] [--views 40] [--speech-dir ../shared/speech]

Builds, in a temporary data folder on SQLite, one recording of real speech tiled from
``<speech-dir>/en/*.wav`` to ``--hours`` (imported the way uploads are) and cut into 6-second
segments. Then, for ``--views`` segments spread over the whole recording, it times
``waveform_view`` (the window's audio read by seeking, its peaks and pauses, the neighbours)
and ``drag_bounds`` (a dragged end snapped and saved), and measures what the browser gets: the
component's data (JSON) and the window's clip, against the size of the whole recording.
Progress goes to stderr, figures to stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.samples import TARGET_RATE, load_mono_16k, wav_bytes
from speechlabel.ingest.files import import_audio
from speechlabel.labeling.clips import cut_clip
from speechlabel.labeling.waveform import drag_bounds, waveform_view
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.workspace.config import Settings
from views.waveform import waveform_data

SEGMENT_SECONDS = 6.0
GAP_SECONDS = 0.4


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def long_recording(speech_dir: Path, hours: float) -> bytes:
    """Real English speech repeated to ``hours``, as the WAV bytes of an upload."""
    pieces = [load_mono_16k(path) for path in sorted((speech_dir / "en").glob("*.wav"))]
    target = round(hours * 3600 * TARGET_RATE)
    tiled, total, index = [], 0, 0
    while total < target:
        piece = pieces[index % len(pieces)][: target - total]
        tiled.append(piece)
        total += piece.size
        index += 1
    return wav_bytes(np.concatenate(tiled), TARGET_RATE)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--views", type=int, default=40)
    parser.add_argument("--speech-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "speech")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        settings.data_dir.mkdir()
        store = Store.open(settings.resolved_database_url)
        try:
            run(store, settings, args)
        finally:
            store.close()


def run(store: Store, settings: Settings, args: argparse.Namespace) -> None:
    progress(f"building a {args.hours:g}-hour recording from {args.speech_dir / 'en'} ...")
    data = long_recording(args.speech_dir, args.hours)
    project = create_project(store, "bench-waveform", language="en", actor=SYSTEM)
    recording = import_audio(store, settings, project, data, "long.wav")
    bounds, start = [], 0.0
    while start + SEGMENT_SECONDS <= recording.duration:
        bounds.append((round(start, 3), round(start + SEGMENT_SECONDS - GAP_SECONDS, 3)))
        start += SEGMENT_SECONDS
    segments = store.replace_segments(recording.id, project.id, bounds, {}, "bench")
    progress(f"{len(segments)} segments; timing {args.views} views ...")
    picked = [segments[round(i * (len(segments) - 1) / max(1, args.views - 1))] for i in range(args.views)]
    view_ms, save_ms, payloads, clips = [], [], [], []
    for segment in picked:
        began = time.perf_counter()
        view = waveform_view(store, settings, SYSTEM, segment.id)
        view_ms.append((time.perf_counter() - began) * 1000)
        shown = waveform_data(view, f"{segment.id}:{segment.version}", True, {}, [])
        payloads.append(len(json.dumps(asdict(shown)).encode()))
        clips.append(len(cut_clip(store, settings, recording.id, view.window.start, view.window.end).wav))
        began = time.perf_counter()
        drag_bounds(store, settings, SYSTEM, segment.id, segment.version, segment.start, segment.end - 0.2, "end")
        save_ms.append((time.perf_counter() - began) * 1000)
    whole = (settings.data_dir / recording.normalized_path).stat().st_size
    print(
        f"recording: {recording.duration / 3600:.2f} h, {whole / 1e6:.1f} MB normalized WAV, {len(segments)} segments"
    )
    print(
        f"waveform_view (window read by seeking, peaks, pauses, neighbours), {len(view_ms)} segments over the "
        f"recording: median {statistics.median(view_ms):.1f} ms, p95 {percentile(view_ms, 0.95):.1f} ms, "
        f"max {max(view_ms):.1f} ms"
    )
    print(
        f"drag_bounds (view, snap, versioned save): median {statistics.median(save_ms):.1f} ms, "
        f"p95 {percentile(save_ms, 0.95):.1f} ms"
    )
    print(
        f"sent to the browser per segment: component data median {statistics.median(payloads) / 1e3:.1f} kB "
        f"(max {max(payloads) / 1e3:.1f} kB) + window clip median {statistics.median(clips) / 1e3:.0f} kB; "
        f"the whole recording would be {whole / 1e6:.1f} MB "
        f"({whole / (statistics.median(payloads) + statistics.median(clips)):.0f}× more)"
    )


if __name__ == "__main__":
    main()
