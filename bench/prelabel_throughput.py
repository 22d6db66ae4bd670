"""Pre-labeling throughput on short utterances (voice commands, 1-4 s) and accuracy on the long files.

    python -m bench.prelabel_throughput [--quick] [--old-ref 3de3a4d] [--utterances 160]
                                        [--gaps 0.2,0.4,0.8] [--batch-sizes 1,2,4] [--beam-sizes 1,5]
                                        [--workers 1,2] [--ray]

The short corpus: the shared English recordings (en/ and diarization/pyannote_sample.wav, with
references) are transcribed once by the bundled ``base`` model with word times; its words are
aligned with the reference words (difflib on ``normalize_text`` words) and utterances of 1-4 s
are cut where two neighbouring words both match consecutive reference words, at the middle
between them, so each cut's reference is exactly the reference words between its two cuts
(seeded, quota per file by its duration; cuts of one file overlap, since the shared English
speech is ~100 s). Five 1-4 s pieces of pure noise (noise/speechbrain_noise5_stationary.wav) are
spread among them. The long set is the whole English files, the 30 s call and the noise file.

Each row runs in a subprocess of its own, so its peak RSS is its own, on the same machine in one
run; model loading and one warm-up decode are not timed:

(a) old: ``prelabel_project`` of ``--old-ref`` (the commit before packing), from a ``git
    worktree`` of it, that tree first on sys.path;
(b) new: ``prelabel_project`` of this tree (short recordings packed into shared windows),
    in-process; then by 1 and 2 ``speechlabel worker`` processes (``--workers``) and, with
    ``--ray``, 2 Ray actors on a two-node cluster started on this machine, each timed from the
    outside with model loading (bench/prelabel_runners.py), and Ray's overhead against the 2
    local workers;
(c) openai-whisper ``base`` beam 5, one ``transcribe`` per file (the project's engine);
(d) plain faster-whisper, bundled ``base`` (int8), ``WhisperModel.transcribe`` per file with its
    own defaults (beam 5, no VAD) and language en: no speechlabel code.

Wall seconds: (a)/(b) in-process the whole pre-labeling (reading the audio, VAD, drafts, the store's
writes); (c)/(d) the decodes. RTF is audio seconds per wall second (higher is faster). WER is
pooled (edits over reference words, after ``normalize_text``). Targets are printed PASS/MISS.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEECH = Path(os.environ.get("SPEECHLABEL_SPEECH_DIR", ROOT.parent / "shared" / "speech"))
OLD_REF = "3de3a4d"  # main before packing
NOISE = "noise/speechbrain_noise5_stationary.wav"
LONG_EXTRA = ("diarization/pyannote_sample.wav",)
SKIPPED = ("en/jfk_44k_24bit_stereo.flac", "en/stereo_diarization.wav")  # a copy of jfk; overlapped speech
SHORTEST, LONGEST = 1.0, 4.0
RATE = 16000


def _tree_first() -> None:
    """A child runs the code of ``--tree`` (the old worktree) if given, else this tree's."""
    tree = Path(sys.argv[sys.argv.index("--tree") + 1]) if "--tree" in sys.argv else ROOT
    sys.path.insert(0, str(tree))


# ---------------------------------------------------------------------------------------------
# The corpus


@dataclass(frozen=True)
class Item:
    path: str
    reference: str | None  # None: noise, no speech
    seconds: float


@dataclass(frozen=True)
class Boundary:
    time: float
    reference_index: int  # the first reference word after it


def source_files(speech_dir: Path) -> dict[str, str]:
    """English files with references (MANIFEST.jsonl), file -> reference."""
    sources = {}
    for line in (speech_dir / "MANIFEST.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        name = entry["file"]
        wanted = name.startswith("en/") or name in LONG_EXTRA
        if wanted and entry.get("reference_text") and name not in SKIPPED:
            sources[name] = entry["reference_text"]
    return sources


def boundaries(words, reference: str, duration: float) -> list[Boundary]:
    """Where a cut keeps the reference exact: the file's ends, and between two words that match
    consecutive reference words."""
    from speechlabel.analytics.metrics import normalize_text

    ref = normalize_text(reference).split()
    hyp = []
    for index, word in enumerate(words):
        tokens = normalize_text(word.symbol).split()
        hyp.append(tokens[0] if len(tokens) == 1 else f"\0{index}")  # "1813" or "well-known": no anchor
    matched: dict[int, int] = {}
    for block in difflib.SequenceMatcher(None, ref, hyp, autojunk=False).get_matching_blocks():
        matched.update({block.b + k: block.a + k for k in range(block.size)})
    found = [Boundary(0.0, 0)]
    for j in range(1, len(words)):
        if j - 1 in matched and matched.get(j) == matched[j - 1] + 1:
            found.append(Boundary((words[j - 1].end + words[j].start) / 2, matched[j]))
    found.append(Boundary(duration, len(ref)))
    return found


def build_corpus(speech_dir: Path, folder: Path, count: int, seed: int = 19) -> list[Item]:
    """Cut ``count`` utterances of 1-4 s at word boundaries, write them as 16 kHz WAVs, and spread
    five noise pieces among them."""
    from speechlabel.analytics.metrics import normalize_text
    from speechlabel.audio.samples import load_mono_16k
    from speechlabel.prelabel.transcribe import TranscribeOptions, get_engine

    options = TranscribeOptions(language="en")
    engine = get_engine(options)
    rng = random.Random(seed)
    audio, candidates = {}, {}
    for name, reference in source_files(speech_dir).items():
        samples = load_mono_16k(speech_dir / name)
        audio[name] = samples
        words = engine.transcribe(samples, options).words
        ref = normalize_text(reference).split()
        marks = boundaries(words, reference, samples.shape[0] / RATE)
        candidates[name] = [
            (name, a.time, b.time, " ".join(ref[a.reference_index : b.reference_index]))
            for i, a in enumerate(marks)
            for b in marks[i + 1 :]
            if SHORTEST <= b.time - a.time <= LONGEST and b.reference_index > a.reference_index
        ]
    total = sum(samples.shape[0] for samples in audio.values())
    chosen = []
    for name, cuts in candidates.items():
        quota = max(1, round(count * audio[name].shape[0] / total))
        chosen.extend(rng.sample(cuts, min(quota, len(cuts))))
    rest = [cut for cuts in candidates.values() for cut in cuts if cut not in chosen]
    chosen.extend(rng.sample(rest, max(0, count - len(chosen))))
    chosen = chosen[:count]
    rng.shuffle(chosen)
    noise = load_mono_16k(speech_dir / NOISE)
    pieces, start = [], 0.0
    while len(pieces) < 5 and start + SHORTEST <= noise.shape[0] / RATE:
        length = min(rng.uniform(SHORTEST, LONGEST), noise.shape[0] / RATE - start)
        pieces.append((start, start + length))
        start += length
    folder.mkdir(parents=True, exist_ok=True)
    items: list[Item] = []
    every = max(1, len(chosen) // (len(pieces) + 1))
    for index, (name, begin, end, reference) in enumerate(chosen):
        if pieces and index and index % every == 0:
            a, b = pieces.pop(0)
            items.append(_write(folder, len(items), noise[int(a * RATE) : int(b * RATE)], None))
        items.append(_write(folder, len(items), audio[name][int(begin * RATE) : int(end * RATE)], reference))
    return items


def _write(folder: Path, index: int, samples, reference: str | None) -> Item:
    import soundfile as sf

    path = folder / f"u{index:04d}.wav"  # sorted names keep the corpus order on import
    sf.write(path, samples, RATE, subtype="PCM_16")
    return Item(str(path), reference, samples.shape[0] / RATE)


def long_items(speech_dir: Path) -> list[Item]:
    import soundfile as sf

    items = [
        Item(str(speech_dir / name), reference, sf.info(speech_dir / name).duration)
        for name, reference in source_files(speech_dir).items()
    ]
    return items + [Item(str(speech_dir / NOISE), None, sf.info(speech_dir / NOISE).duration)]


# ---------------------------------------------------------------------------------------------
# The rows, each in a child process


@dataclass
class Row:
    name: str
    audio_seconds: float
    wall_seconds: float
    peak_rss_mb: float
    texts: dict[str, str]  # item path -> text
    import_seconds: float = 0.0
    note: str = ""
    load: str = ""  # 1-minute load average before and after the row

    @property
    def rtf(self) -> float:
        return self.audio_seconds / self.wall_seconds if self.wall_seconds else 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_pipeline(name: str, items: list[Item], pack: dict | None, engine: dict | None = None) -> Row:
    """``prelabel_project`` of whichever tree is first on sys.path, on a fresh SQLite workspace."""
    import speechlabel
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.audio.samples import load_mono_16k
    from speechlabel.ingest.files import import_paths
    from speechlabel.prelabel.pipeline import prelabel_project
    from speechlabel.prelabel.project_options import transcribe_options_for
    from speechlabel.prelabel.transcribe import get_engine
    from speechlabel.projects.manage import create_project
    from speechlabel.workspace.config import Settings
    from speechlabel.workspace.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        workspace = Workspace.open(settings)
        store = workspace.store
        transcribe = None
        if engine:  # e.g. {"beam_size": 1}: the project's engine settings, the rest defaults
            from speechlabel.prelabel.transcribe import TranscribeOptions

            transcribe = TranscribeOptions(language="en", **engine)
        project = create_project(store, "bench", language="en", transcribe_options=transcribe, actor=SYSTEM)
        started = time.perf_counter()
        import_paths(store, settings, project, [item.path for item in items])
        imported = time.perf_counter() - started
        options = transcribe_options_for(project)
        get_engine(options).transcribe(load_mono_16k(items[0].path), options)  # load + warm-up, untimed
        kwargs = {}
        if pack is not None:
            from speechlabel.prelabel.packing import PackOptions

            kwargs["pack_options"] = PackOptions.for_transcribe(options, **pack)
        started = time.perf_counter()
        report = prelabel_project(store, settings, project, **kwargs)
        wall = time.perf_counter() - started
        by_label = {Path(item.path).name: item.path for item in items}
        texts = {
            by_label[r.label]: " ".join(s.text for s in store.list_segments(r.id) if s.text)
            for r in store.list_recordings(project.id)
        }
        workspace.close()
    source = str(Path(speechlabel.__file__).resolve().parents[1])
    return Row(name, report.audio_seconds, wall, peak_rss_mb(), texts, imported, f"speechlabel from {source}")


def child_openai(name: str, items: list[Item]) -> Row:
    """The project's openai-whisper engine, base beam 5, one transcribe per file."""
    from speechlabel.audio.samples import load_mono_16k
    from speechlabel.prelabel.transcribe import TranscribeOptions, get_engine

    options = TranscribeOptions(
        engine="openai-whisper", model="base", compute_type="float32", beam_size=5, language="en"
    )
    engine = get_engine(options)
    files = [(item, load_mono_16k(item.path)) for item in items]
    engine.transcribe(files[0][1], options)  # numba compiles the word timing on first use: untimed
    texts, started = {}, time.perf_counter()
    for item, samples in files:
        texts[item.path] = engine.transcribe(samples, options).text
    wall = time.perf_counter() - started
    return Row(name, sum(s.shape[0] for _, s in files) / RATE, wall, peak_rss_mb(), texts)


def child_faster_whisper(name: str, items: list[Item], model_path: str) -> Row:
    """faster-whisper alone: no speechlabel import."""
    import soundfile as sf
    from faster_whisper import WhisperModel

    model = WhisperModel(model_path, device="cpu", compute_type="int8", cpu_threads=len(os.sched_getaffinity(0)))
    files = [(item, sf.read(item.path, dtype="float32")[0]) for item in items]  # the corpus is 16 kHz mono

    def text_of(samples) -> str:
        segments, _ = model.transcribe(samples, language="en")
        return " ".join(segment.text.strip() for segment in segments)

    text_of(files[0][1])  # warm-up, untimed
    texts, started = {}, time.perf_counter()
    for item, samples in files:
        texts[item.path] = text_of(samples)
    wall = time.perf_counter() - started
    return Row(name, sum(s.shape[0] for _, s in files) / RATE, wall, peak_rss_mb(), texts)


def run_child(kind: str, name: str, manifest: Path, tree: Path = ROOT, extra: tuple[str, ...] = ()) -> Row:
    command = [sys.executable, __file__, "--child", kind, "--name", name, "--manifest", str(manifest)]
    command += ["--tree", str(tree), *extra]
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONUNBUFFERED="1")
    env.pop("SPEECHLABEL_DATABASE_URL", None)  # a fresh SQLite workspace per row
    load = os.getloadavg()[0]
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    row = Row(**json.loads(done.stdout.strip().splitlines()[-1]))
    row.load = f"{load:.1f}-{os.getloadavg()[0]:.1f}"  # the machine is shared: its load before and after
    print(f"  done: {name}, {row.wall_seconds:.0f} s wall, RTF {row.rtf:.2f}", flush=True)  # a long run shows progress
    if kind == "pipeline" and not row.note.endswith(str(tree.resolve())):
        raise SystemExit(f"{name} ran {row.note}, not the tree {tree}")
    return row


def child_main(args: argparse.Namespace) -> None:
    items = [Item(**item) for item in json.loads(Path(args.manifest).read_text())]
    if args.child == "pipeline":
        pack, engine = (json.loads(value) if value else None for value in (args.pack, args.engine))
        row = child_pipeline(args.name, items, pack, engine)
    elif args.child == "openai":
        row = child_openai(args.name, items)
    else:
        row = child_faster_whisper(args.name, items, args.model_path)
    print(json.dumps(asdict(row)))


# ---------------------------------------------------------------------------------------------
# Scores and the table


@dataclass
class Scores:
    wer: float
    noise_words: int
    utterances: int
    noise_items: int = 0
    per_item: dict[str, float] = field(default_factory=dict)


def score(row: Row, items: list[Item]) -> Scores:
    import jiwer

    from speechlabel.analytics.metrics import normalize_text

    edits = words = noise_words = 0
    items = [item for item in items if item.path in row.texts]  # (c) decodes a part of the corpus
    for item in items:
        hypothesis = normalize_text(row.texts.get(item.path, ""))
        if item.reference is None:
            noise_words += len(hypothesis.split())
            continue
        reference = normalize_text(item.reference)
        if not hypothesis:
            edits += len(reference.split())
        else:
            out = jiwer.process_words(reference, hypothesis)
            edits += out.substitutions + out.deletions + out.insertions
        words += len(reference.split())
    speech = sum(item.reference is not None for item in items)
    return Scores(edits / words if words else 0.0, noise_words, speech, len(items) - speech)


def print_rows(title: str, rows: list[Row], items: list[Item]) -> dict[str, Scores]:
    scores = {row.name: score(row, items) for row in rows}
    print(f"\n== {title}")
    print(
        f"{'row':<44} {'audio s':>8} {'wall s':>7} {'RTF':>6} {'WER':>6} {'noise words':>11} {'peak RSS':>9} {'load':>9}"
    )
    for row in rows:
        s = scores[row.name]
        print(
            f"{row.name:<44} {row.audio_seconds:>8.1f} {row.wall_seconds:>7.1f} {row.rtf:>6.1f} "
            f"{s.wer:>6.3f} {s.noise_words:>11d} {row.peak_rss_mb:>6.0f} MB {row.load:>9}"
        )
    return scores


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def runner_rows(items: list[Item], workers: list[int], ray: bool) -> list[Row]:
    """(b) by ``speechlabel worker`` processes, and ``--ray`` actors on a two-node cluster started
    on this machine (bench/prelabel_runners.py): timed from the outside, model loading included,
    as a lead waits for them."""
    from bench import prelabel_runners as runners

    given = [runners.Item(Path(item.path), item.reference) for item in items]
    found = [runners.with_workers(given, "base", count) for count in workers]
    if ray:
        found.append(runners.on_ray(given, "base", actors=2))
    for row in found:
        if row.failed or row.recordings < len(items):
            print(f"{row.name}: {row.recordings} of {len(items)} recordings drafted, {row.failed} failed")
    return [
        Row(
            f"(b) new: {row.name.removeprefix('(b) new pipeline, ')}",
            row.audio_seconds,
            row.wall_seconds,
            row.peak_rss_mb or 0.0,
            row.texts,
            load=f"{os.getloadavg()[0]:.1f}",
        )
        for row in found
    ]


def print_ray_overhead(runners: list[Row]) -> None:
    """Ray's wall time against the same number of local worker processes (2 actors, 2 workers)."""
    ray = next((row for row in runners if "--ray" in row.name), None)
    local = next((row for row in runners if row.name.startswith("(b) new: 2 worker")), None)
    if ray and local:
        extra = ray.wall_seconds - local.wall_seconds
        print(
            f"--ray overhead against 2 local workers: {extra:+.1f} s wall ({extra / local.wall_seconds:+.0%}); "
            f"RTF {ray.rtf:.2f} against {local.rtf:.2f}"
        )


def write_manifest(path: Path, items: list[Item]) -> Path:
    path.write_text(json.dumps([asdict(item) for item in items]))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speech-dir", type=Path, default=DEFAULT_SPEECH)
    parser.add_argument("--quick", action="store_true", help="40 utterances instead of 160")
    parser.add_argument("--utterances", type=int, default=None)
    parser.add_argument("--old-ref", default=OLD_REF)
    parser.add_argument("--gaps", default="", help="also run (b) with these gaps, e.g. 0.2,0.4,0.8")
    parser.add_argument("--batch-sizes", default="", help="also run (b) with these batch sizes, e.g. 1,2,4")
    parser.add_argument(
        "--beam-sizes", default="", help="also run (b) with these beam sizes, packed and drafted one by one, e.g. 1,5"
    )
    parser.add_argument("--workers", default="1,2", help="(b) with these numbers of `speechlabel worker` processes")
    parser.add_argument("--ray", action="store_true", help="also (b) with 2 Ray actors on a local two-node cluster")
    parser.add_argument(
        "--openai-files", type=int, default=None, help="(c) on the first N files (default 40; quick 15)"
    )
    parser.add_argument("--only-new", action="store_true", help="skip (a), (c), (d): for --gaps/--batch-sizes")
    parser.add_argument("--child", choices=("pipeline", "openai", "faster-whisper"), help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    parser.add_argument("--manifest", help=argparse.SUPPRESS)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    parser.add_argument("--pack", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--model-path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return
    count = args.utterances or (40 if args.quick else 160)
    args.openai_files = args.openai_files or (15 if args.quick else 40)
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        started = time.perf_counter()
        short = build_corpus(args.speech_dir, Path(tmp) / "short", count)
        short_manifest = write_manifest(Path(tmp) / "short.json", short)
        longs = long_items(args.speech_dir)
        long_manifest = write_manifest(Path(tmp) / "long.json", longs)
        speech = [i for i in short if i.reference is not None]
        print(
            f"short corpus: {len(speech)} utterances of {min(i.seconds for i in speech):.1f}-"
            f"{max(i.seconds for i in speech):.1f} s ({sum(i.seconds for i in speech):.0f} s) cut at word "
            f"boundaries, and {len(short) - len(speech)} noise pieces; built in {time.perf_counter() - started:.0f} s; "
            f"{len(os.sched_getaffinity(0))} cores"
        )
        run_all(args, Path(tmp), short, short_manifest, longs, long_manifest)


def run_all(args, tmp: Path, short: list[Item], short_manifest: Path, longs: list[Item], long_manifest: Path) -> None:
    from bench.worktrees import old_tree  # here, not at the top: a child may run the old tree's code
    from speechlabel.prelabel.engines.bundled_models import resolve_model
    from speechlabel.prelabel.engines.options import TranscribeOptions

    if args.only_new:
        rows = [run_child("pipeline", "(b) new: packed", short_manifest)]
    else:
        with old_tree(args.old_ref, tmp) as tree:
            old_short = run_child("pipeline", f"(a) old: {args.old_ref} prelabel_project", short_manifest, tree)
            old_long = run_child("pipeline", f"(a) old: {args.old_ref} prelabel_project", long_manifest, tree)
        new_short = run_child("pipeline", "(b) new: packed, in-process", short_manifest)
        new_long = run_child("pipeline", "(b) new: packed, in-process", long_manifest)
        runners = runner_rows(short, [int(w) for w in args.workers.split(",") if w], args.ray)
        # openai-whisper beam 5 is the slow row (a minute per 10 utterances on 2 idle cores): it
        # decodes the first --openai-files of the corpus, scored on those (RTF is per audio second).
        subset = write_manifest(tmp / "openai.json", short[: args.openai_files])
        openai = run_child("openai", f"(c) openai-whisper base beam 5, {args.openai_files} files", subset)
        plain = run_child(
            "faster-whisper",
            "(d) faster-whisper base (defaults), per file",
            short_manifest,
            extra=("--model-path", resolve_model("base")),
        )
        rows = [old_short, new_short, *runners, openai, plain]
    for gap in [float(g) for g in args.gaps.split(",") if g]:
        pack = json.dumps({"gap_seconds": gap})
        rows.append(run_child("pipeline", f"(b) new: gap {gap} s", short_manifest, extra=("--pack", pack)))
    for size in [int(b) for b in args.batch_sizes.split(",") if b]:
        pack = json.dumps({"batch_size": size})
        rows.append(run_child("pipeline", f"(b) new: batch {size} windows", short_manifest, extra=("--pack", pack)))
    for beam in [int(b) for b in args.beam_sizes.split(",") if b]:
        engine = ("--engine", json.dumps({"beam_size": beam}))
        if beam != TranscribeOptions.beam_size:  # the default's packed row is (b) itself
            rows.append(run_child("pipeline", f"(b) new: beam {beam}, packed", short_manifest, extra=engine))
        alone = ("--pack", json.dumps({"window_seconds": 0}), *engine)
        rows.append(run_child("pipeline", f"(b) new: beam {beam}, one by one", short_manifest, extra=alone))
    scores = print_rows("short utterances (1-4 s) and noise pieces", rows, short)
    if args.only_new:
        return
    print_ray_overhead(runners)
    long_scores = print_rows("long files (whole) and the noise file", [old_long, new_long], longs)
    old = scores[old_short.name]
    print("\n== targets (short utterances)")
    for row in [new_short, *runners]:
        new = scores[row.name]
        print(f"{row.name}:")
        print(f"  {verdict(row.rtf >= 3 * old_short.rtf)}  RTF {row.rtf:.1f} >= 3x old {old_short.rtf:.1f}")
        print(f"  {verdict(row.rtf >= 3 * openai.rtf)}  RTF {row.rtf:.1f} >= 3x openai-whisper {openai.rtf:.1f}")
        plain_wer = scores[plain.name].wer
        print(f"  {verdict(new.wer <= plain_wer)}  WER {new.wer:.3f} <= plain faster-whisper {plain_wer:.3f}")
        print(f"  {verdict(new.wer <= old.wer)}  WER {new.wer:.3f} <= old {old.wer:.3f}")
    new = scores[new_short.name]
    print("\n== targets (long files, noise)")
    old_l, new_l = long_scores[old_long.name], long_scores[new_long.name]
    print(f"{verdict(new_l.wer <= old_l.wer)}  new WER {new_l.wer:.3f} <= old {old_l.wer:.3f} (long files)")
    print(
        f"{verdict(new.noise_words + new_l.noise_words == 0)}  no words over noise: new {new.noise_words} "
        f"(short) + {new_l.noise_words} (noise file); old {old.noise_words} + {old_l.noise_words}"
    )


if __name__ == "__main__":
    _tree_first()
    main()
