"""Export speed against the disk's own copy speed, on a project of 50,000 real-speech segments.

    python -m bench.export [--segments 50000] [--database-url URL] [--format nemo|jsonl|hf|lhotse|kaldi]
                           [--work-dir DIR] [--keep] [--profile FILE]

Builds the project as bench/export_corpus.py describes (real recordings repeated in bulk, each
repeat with its own copy of the normalized WAV), then exports it with clips cut, in a fresh
process (so its peak resident set is the export's, not the build's), and prints segments, audio
hours, files and bytes written, wall time, segments/s, MB/s (10^6 bytes) and that peak.

The physical limit is the plain copy speed of the same bytes on the same disk, measured two
ways, one file at a time with ``shutil.copyfile`` (``sendfile`` on Linux: no Python in the
data path) into a fresh folder: (1) every file the export wrote (same count, sizes and
folders: tens of thousands of small files), (2) every recording the export read (a few
thousand large files, read sequentially as the export reads them, which a disk does faster).
The target (at least 50 %) is set against (1), the same files; the ratio to (2) is printed
too: it shows what creating tens of thousands of files costs on top of moving the bytes.

Cache effects are removed the same way for every run: before it, everything written so far is
flushed (``os.sync``) and the files it reads are dropped from the page cache
(``posix_fadvise(DONTNEED)``, per file, no root needed), so all read cold; each run's time ends
after ``os.sync`` returns, so all pay for getting their bytes onto the disk, not only into
memory. ``os.sync`` flushes the whole machine: other writers running at the same time make the
figures noisier (repeat a run to see the spread).

With ``--database-url postgresql://...`` the project lives in a fresh schema, dropped at the end
unless ``--keep``. ``--keep`` also keeps the work folder (data, export) and prints where it is.
Disk space needed: about three times the audio (sources, export, one copy at a time).
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy
from sqlalchemy.engine import make_url

from bench.export_corpus import Corpus, CorpusShape, build_corpus
from speechlabel.accounts.access import SYSTEM
from speechlabel.export import ExportFormat, ExportOptions, export_dataset
from speechlabel.store import Store
from speechlabel.workspace.config import Settings

SPEECH_DIR = Path(__file__).resolve().parents[2] / "shared" / "speech"
BYTES_PER_AUDIO_SECOND = 2 * 16000  # 16-bit mono at 16 kHz
MB = 1e6


@dataclass(frozen=True)
class Run:
    """One timed run: files and bytes it wrote, seconds until they were written, and flushed."""

    files: int
    bytes: int
    seconds: float
    flush_seconds: float

    @property
    def total_seconds(self) -> float:
        return self.seconds + self.flush_seconds

    @property
    def mb_per_second(self) -> float:
        return self.bytes / MB / self.total_seconds

    def describe(self) -> str:
        return (
            f"{self.files:,} files, {self.bytes / MB:,.0f} MB in {self.seconds:.1f} s + {self.flush_seconds:.1f} s "
            f"flush = {self.total_seconds:.1f} s: {self.mb_per_second:,.0f} MB/s"
        )


@dataclass(frozen=True)
class ExportTask:
    """What the exporting process needs (it opens its own store)."""

    url: str
    schema: str | None
    data_dir: Path
    project: str
    out: Path
    format: ExportFormat
    segments: int
    profile: Path | None


@dataclass(frozen=True)
class ExportResult:
    run: Run
    rss_before_mb: float
    peak_rss_mb: float


def drop_from_cache(paths) -> None:
    """Flush dirty pages, then ask the kernel to forget these files' cached pages."""
    os.sync()
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def files_under(folder: Path) -> list[Path]:
    return sorted(Path(root) / name for root, _, names in os.walk(folder) for name in names)


def export_in_fresh_process(task: ExportTask) -> ExportResult:
    """Run the export in a new process, so its peak memory is the export's, not the build's."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_timed_export, task).result()


def _timed_export(task: ExportTask) -> ExportResult:
    store = Store.open(task.url, schema=task.schema, migrate=False)
    try:
        project = store.get_project(task.project)
        options = ExportOptions(format=task.format, cut_clips=True, statuses=None)  # every segment of the corpus
        rss_before = _proc_status_kb("VmRSS") / 1024
        profiler = cProfile.Profile() if task.profile else None
        began = time.perf_counter()
        if profiler:
            profiler.enable()
        report = export_dataset(store, Settings(data_dir=task.data_dir), project, task.out, options, actor=SYSTEM)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - began
        os.sync()
        flush_seconds = time.perf_counter() - began - seconds
        peak = _proc_status_kb("VmHWM") / 1024
    finally:
        store.close()
    if profiler:
        profiler.dump_stats(task.profile)
    if report.segments != task.segments:
        raise SystemExit(f"exported {report.segments} segments, expected {task.segments}")
    written = files_under(task.out)
    return ExportResult(
        Run(len(written), sum(path.stat().st_size for path in written), seconds, flush_seconds), rss_before, peak
    )


def timed_copy(files: list[Path], source: Path, target: Path) -> Run:
    """Copy ``files`` (under ``source``) into ``target`` with the same layout, one by one, cold."""
    drop_from_cache(files)
    began = time.perf_counter()
    made: set[Path] = set()
    for path in files:
        destination = target / path.relative_to(source)
        if destination.parent not in made:
            destination.parent.mkdir(parents=True, exist_ok=True)
            made.add(destination.parent)
        shutil.copyfile(path, destination)
    seconds = time.perf_counter() - began
    os.sync()
    run = Run(len(files), sum(path.stat().st_size for path in files), seconds, time.perf_counter() - began - seconds)
    shutil.rmtree(target)
    return run


def run(
    url: str | None, shape: CorpusShape, export_format: ExportFormat, work: Path, profile: Path | None, keep: bool
) -> None:
    settings = Settings(data_dir=work / "data")
    url = url or f"sqlite:///{work}/export-bench.db"
    schema_name = _new_schema(url)
    try:
        store = Store.open(url, schema=schema_name)
        try:
            began = time.perf_counter()
            corpus = build_corpus(store, settings, SPEECH_DIR, shape)
            print(
                f"built {corpus.segments:,} segments over {len(corpus.sources):,} recordings "
                f"({corpus.session_seconds:.0f} s each, copies of a real session) on {store.dialect} "
                f"in {time.perf_counter() - began:.0f} s",
                flush=True,
            )
        finally:
            store.close()
        drop_from_cache(corpus.sources)
        task = ExportTask(
            url,
            schema_name,
            settings.data_dir,
            corpus.project.name,
            work / "export",
            export_format,
            corpus.segments,
            profile,
        )
        exported = export_in_fresh_process(task)
    finally:
        if schema_name and keep:
            print(f"kept PostgreSQL schema {schema_name}")
        elif schema_name:
            _drop_schema(url, schema_name)
    report(corpus, export_format, exported, work, settings.data_dir)


def report(corpus: Corpus, export_format: ExportFormat, exported: ExportResult, work: Path, data_dir: Path) -> None:
    run_ = exported.run
    print(
        f"export ({export_format.value}, clips cut): {corpus.segments:,} segments, "
        f"{corpus.audio_seconds / 3600:.1f} h of audio, {run_.describe()}, "
        f"{corpus.segments / run_.total_seconds:,.0f} segments/s; peak RSS of the exporting process "
        f"{exported.peak_rss_mb:,.0f} MB ({exported.rss_before_mb:,.0f} MB before it began)",
        flush=True,
    )
    same_files = timed_copy(files_under(work / "export"), work / "export", work / "copy-export")
    print(f"plain copy of the files it wrote (same count and sizes): {same_files.describe()}", flush=True)
    sources = timed_copy(corpus.sources, data_dir, work / "copy-sources")
    print(f"plain copy of the recordings it read (large files): {sources.describe()}")
    ratio = run_.mb_per_second / same_files.mb_per_second
    print(
        f"export speed / copy speed of the same files: {ratio:.0%} "
        f"(target >= 50 %: {'met' if ratio >= 0.5 else 'NOT met'}); "
        f"/ copy speed of the large recordings: {run_.mb_per_second / sources.mb_per_second:.0%}"
    )


def _new_schema(url: str) -> str | None:
    """A fresh schema for a PostgreSQL URL (dropped at the end unless --keep); None otherwise."""
    if make_url(url).get_backend_name() != "postgresql":
        return None
    schema_name = f"bench_export_{uuid.uuid4().hex[:8]}"
    with _admin(url) as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema_name}"')
    return schema_name


def _admin(url: str):
    engine = sqlalchemy.create_engine(make_url(url).set(drivername="postgresql+psycopg"), poolclass=sqlalchemy.NullPool)
    return engine.begin()


def _drop_schema(url: str, schema_name: str) -> None:
    with _admin(url) as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema_name}" CASCADE')


def _proc_status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(f"no {field} in /proc/self/status")


def _check_space(work: Path, shape: CorpusShape) -> None:
    """Sources, export and copy each hold about the audio's bytes: refuse early, not half-way."""
    mean = (shape.min_seconds + shape.max_seconds) / 2 + (shape.min_pause + shape.max_pause) / 2
    needed = 3 * shape.segments * mean * BYTES_PER_AUDIO_SECOND * 1.1
    free = shutil.disk_usage(work).free
    if free < needed:
        raise SystemExit(
            f"{work} has {free / 1e9:.1f} GB free; {shape.segments:,} segments need about "
            f"{needed / 1e9:.1f} GB; pass fewer --segments or another --work-dir"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=50_000)
    parser.add_argument("--database-url", help="default: a SQLite file in the work folder")
    parser.add_argument("--format", default=ExportFormat.NEMO.value, choices=[f.value for f in ExportFormat])
    parser.add_argument("--work-dir", type=Path, help="where to build and export (the disk measured); default: TMPDIR")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and the PostgreSQL schema")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the export to this file")
    args = parser.parse_args(argv)
    if args.segments < 1:
        parser.error("--segments must be at least 1")
    if not SPEECH_DIR.is_dir():
        raise SystemExit(f"the real recordings are missing: {SPEECH_DIR} is not a folder")
    shape = CorpusShape(segments=args.segments)
    work = Path(tempfile.mkdtemp(prefix="export-bench-", dir=args.work_dir)).resolve()
    _check_space(work, shape)
    try:
        run(args.database_url, shape, ExportFormat(args.format), work, args.profile, args.keep)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
