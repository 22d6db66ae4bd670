"""Speed and memory of the lead's quality dashboard on a large project.

    python -m bench.dashboard [--database sqlite|postgresql|both] [--segments 100000] [--labelers 50]

Builds a Korean project quickly by inserting rows straight into the tables: half Korean and half
English sentences (IoT commands and factory talk, a third of the Korean ones with KsponSpeech
or AI Hub tags), drafts with small recognition errors against the finals, each labeler's saves
spread over two weeks of shifts (20-90 s between saves, coffee breaks, one to three sessions a
day), a tenth reviewed with a quarter of those rejected and most rejections reworked and
reviewed again, a twentieth double-labeled. Then, in a fresh process (so its peak memory is the
dashboard's), times ``build_dashboard`` (best and median of 3, unfiltered and filtered to one
labeler and three days) and prints the time and the memory: how far the resident set grew
during the first build (Linux's peak counter reset just before) and the peak of Python's
allocations during one build (tracemalloc, which slows that build, so it is not timed).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import resource  # noqa: E402

import sqlalchemy  # noqa: E402

from bench.bulk_rows import insert_rows  # noqa: E402
from bench.metrics_speed import ENGLISH, KOREAN, TAGS, edit  # noqa: E402
from speechlabel.accounts.access import SYSTEM  # noqa: E402
from speechlabel.analytics.dashboard import DashboardFilter, build_dashboard  # noqa: E402
from speechlabel.core.models import ReviewReason  # noqa: E402
from speechlabel.projects.manage import create_project  # noqa: E402
from speechlabel.store import Store, schema  # noqa: E402

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
START = datetime(2024, 5, 6, tzinfo=UTC)  # a Monday
SEGMENTS_PER_RECORDING = 50
REVIEWERS = ("rev-kim", "rev-lee", "rev-park")
# Extra sentence parts, so texts are varied (a cache of normalised texts must not look good).
ENGLISH_TAILS = (
    "",
    " right now",
    " please",
    " on line two",
    " before the shift ends",
    " again",
    " in hall B",
    " for the night crew",
    " at three fifteen",
    " when the alarm stops",
)
KOREAN_TAILS = (
    "",
    " 지금",
    " 빨리",
    " 이번에는",
    " 이 라인에서",
    " 오후에",
    " 다시 한번",
    " 창고 쪽에서",
    " 야간 조에",
    " 세 시 반에",
)


@dataclass(frozen=True)
class ProjectShape:
    """What the generated project looks like; shares are of the labeled segments."""

    segments: int = 100_000
    labelers: int = 50
    labeled_share: float = 0.95
    set_aside_share: float = 0.01
    review_share: float = 0.10
    reject_share: float = 0.25  # of the reviewed
    rework_share: float = 0.8  # of the rejected
    double_share: float = 0.05
    in_progress_share: float = 0.2  # segments saved once before being submitted
    seed: int = 11


@dataclass
class Tables:
    recordings: list[dict] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)
    drafts: list[dict] = field(default_factory=list)
    revisions: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    second_labels: list[dict] = field(default_factory=list)


def sentence(rng: random.Random) -> tuple[str, bool]:
    """A final transcript and whether it is Korean."""
    if rng.random() < 0.5:
        text = rng.choice(KOREAN).rstrip() + rng.choice(KOREAN_TAILS)
        if rng.random() < 0.33:
            text = rng.choice(TAGS) + text + rng.choice(("", " n/", " (NO:)"))
        return text, True
    return rng.choice(ENGLISH).rstrip(".?!") + rng.choice(ENGLISH_TAILS) + ".", False


def draft_of(final: str, rng: random.Random) -> str:
    """What Whisper would have said: no tags, and in two thirds of the cases a few errors."""
    text = final
    for tag in TAGS + (" n/", " (NO:)"):
        text = text.replace(tag.strip(), "")
    text = " ".join(text.split())
    return edit(text, rng) if rng.random() < 0.65 else text


def save_ticks(rng: random.Random, count: int) -> list[datetime]:
    """One labeler's save times: shifts on weekdays, 20-90 s apart with some longer thinking,
    a coffee break now and then (an idle gap), one to three shifts a day."""
    ticks: list[datetime] = []
    day = 0
    while len(ticks) < count:
        if (START + timedelta(days=day)).weekday() < 5 and rng.random() < 0.85:
            at = START + timedelta(days=day, hours=rng.choice((7, 9, 13, 18)), minutes=rng.randint(0, 59))
            for _ in range(rng.randint(1, 3)):  # shifts
                for _ in range(rng.randint(60, 240)):
                    at += timedelta(seconds=rng.uniform(20, 90) if rng.random() < 0.9 else rng.uniform(90, 280))
                    ticks.append(at)
                at += timedelta(minutes=rng.uniform(10, 50))  # a break
        day += 1
    return ticks[:count]


def build_tables(project_id: int, shape: ProjectShape) -> Tables:
    rng = random.Random(shape.seed)
    tables = Tables()
    people = [f"labeler{index:02d}" for index in range(shape.labelers)]
    jobs: dict[str, list[tuple[float, str, int]]] = {person: [] for person in people}  # (position, kind, segment)
    for index in range(shape.segments):
        if index % SEGMENTS_PER_RECORDING == 0:
            tables.recordings.append(_recording(project_id, index // SEGMENTS_PER_RECORDING))
        _segment_and_draft(tables, project_id, index, rng)
    labeled = rng.sample(range(shape.segments), int(shape.segments * shape.labeled_share))
    for order, index in enumerate(sorted(labeled)):
        person = people[(order // 20) % len(people)]  # batches of 20
        position = float(len(jobs[person]))
        kind = "aside" if rng.random() < shape.set_aside_share else "label"
        jobs[person].append((position, kind, index))
        if kind == "label" and rng.random() < shape.review_share:
            if rng.random() < shape.reject_share:
                tables.segments[index]["_review"] = "rejected"
                if rng.random() < shape.rework_share:
                    jobs[person].append((position + rng.uniform(30, 400), "rework", index))
            else:
                tables.segments[index]["_review"] = "approved"
        if kind == "label" and rng.random() < shape.double_share:
            other = rng.choice([p for p in people if p != person])
            jobs[other].append((position + rng.uniform(-50, 300), "second", index))
    for person, work in jobs.items():
        work.sort()
        for (_, kind, index), at in zip(work, save_ticks(rng, len(work)), strict=True):
            _do(tables, kind, index, person, at, rng, shape)
    _review_all(tables, rng)
    for row in tables.segments:
        row.pop("_review", None)
        row.pop("_times", None)
    return tables


def _recording(project_id: int, number: int) -> dict:
    return {
        "id": f"rec{number:05d}",
        "project_id": project_id,
        "label": f"call-{number:05d}.wav",
        "sha256": uuid.uuid4().hex * 2,
        "original_path": "original.wav",
        "normalized_path": "normalized.wav",
        "format": "WAV",
        "subtype": "PCM_16",
        "sampling_rate": 16000,
        "channels": 1,
        "num_samples": 16000 * 300,
        "duration": 300.0,
        "peak_dbfs": -3.0,
        "rms_dbfs": -20.0,
        "clipped_ratio": 0.0,
        "snr_db": 25.0,
        "prelabel_state": "drafted",
        "segment_options": {},
        "created_at": START - timedelta(days=3),
    }


def _segment_and_draft(tables: Tables, project_id: int, index: int, rng: random.Random) -> None:
    final, korean = sentence(rng)
    draft = draft_of(final, rng)
    recording = f"rec{index // SEGMENTS_PER_RECORDING:05d}"
    start, duration = (index % SEGMENTS_PER_RECORDING) * 6.0, round(rng.uniform(1.2, 5.8), 3)
    segment_id = f"{recording}-{index:07d}"
    created = START - timedelta(days=2, seconds=-index * 0.5)
    tables.segments.append(
        {
            "id": segment_id,
            "project_id": project_id,
            "recording_id": recording,
            "start": start,
            "duration": duration,
            "channel": 0,
            "text": draft,
            "language": "ko" if korean else "en",
            "speaker": None,
            "tags": [],
            "custom": {},
            "status": "drafted",
            "version": 2,
            "updated_by": "prelabel",
            "updated_at": created,
            "_final": final,
            "_times": {},
        }
    )
    if rng.random() < 0.01:  # pre-labeled twice (a new model): the newer draft is the one compared
        tables.drafts.append(_draft(segment_id, edit(draft, rng), korean, created - timedelta(days=1), rng))
    tables.drafts.append(_draft(segment_id, draft, korean, created, rng))
    for version, status, comment in ((1, "new", "segmented"), (2, "drafted", "draft")):
        tables.revisions.append(_revision(tables.segments[-1], version, "prelabel", created, draft, status, comment))


def _draft(segment_id: str, text: str, korean: bool, created: datetime, rng: random.Random) -> dict:
    words = text.split()
    return {
        "segment_id": segment_id,
        "engine": "faster-whisper",
        "model": "base",
        "options": {"beam_size": 1},
        "text": text,
        "words": [[word, round(n * 0.4, 2), 0.38, round(rng.uniform(0.3, 1.0), 3)] for n, word in enumerate(words)],
        "avg_logprob": -0.3,
        "no_speech_prob": 0.02,
        "compression_ratio": 1.2,
        "language": "ko" if korean else "en",
        "language_probability": 0.97,
        "created_at": created,
    }


def _revision(
    segment: dict, version: int, author: str, at: datetime, text: str, status: str, comment: str | None
) -> dict:
    return {
        "segment_id": segment["id"],
        "version": version,
        "author": author,
        "created_at": at,
        "text": text,
        "speaker": None,
        "tags": [],
        "start": segment["start"],
        "duration": segment["duration"],
        "status": status,
        "comment": comment,
    }


def _do(
    tables: Tables, kind: str, index: int, person: str, at: datetime, rng: random.Random, shape: ProjectShape
) -> None:
    """Apply one save of ``person`` at ``at`` to the segment's row and history."""
    segment = tables.segments[index]
    if kind == "second":
        tables.second_labels.append(
            {
                "segment_id": segment["id"],
                "project_id": segment["project_id"],
                "picked_at": at - timedelta(hours=1),
                "labeler": person,
                "text": edit(segment["_final"], rng) if rng.random() < 0.5 else segment["_final"],
                "speaker": None,
                "tags": [],
                "comment": None,
                "start": segment["start"],
                "duration": segment["duration"] if rng.random() < 0.95 else segment["duration"] + 0.5,
                "saved_at": at,
            }
        )
        return
    if kind == "aside":
        _save(tables, segment, person, at, segment["text"], rng.choice(("skipped", "untranscribable")), "music only")
        return
    if kind == "label" and rng.random() < shape.in_progress_share:
        _save(tables, segment, person, at - timedelta(seconds=rng.uniform(5, 15)), segment["text"], "in_progress", None)
    text = segment["_final"] if kind == "label" else segment["_final"] + " 네"
    if kind == "rework" and segment["_final"][0].isascii():
        text = segment["_final"].rstrip(".") + " now."
    _save(tables, segment, person, at, text, "submitted" if kind == "label" else "reworked", None)
    segment["_times"][kind] = at
    segment["_labeler"] = person


def _save(
    tables: Tables, segment: dict, author: str, at: datetime, text: str, status: str, comment: str | None
) -> None:
    segment.update(version=segment["version"] + 1, text=text, status=status, updated_by=author, updated_at=at)
    tables.revisions.append(_revision(segment, segment["version"], author, at, text, status, comment))


def _review_all(tables: Tables, rng: random.Random) -> None:
    """Review decisions in time order per segment: a rejection before the rework, an approval
    of the rework after it."""
    reasons = list(ReviewReason)
    for segment in tables.segments:
        decision, times = segment.get("_review"), segment["_times"]
        if not decision or "label" not in times:
            continue
        submitted = times["label"]
        if decision == "rejected":
            rework = times.get("rework")
            at = (
                submitted + (rework - submitted) * rng.uniform(0.2, 0.8)
                if rework
                else submitted + timedelta(hours=rng.uniform(1, 30))
            )
            _review(tables, segment, at, "rejected", rng.choice(reasons).value, rng)
            if rework and rng.random() < 0.8:  # the rest still waits for its second review
                _review(tables, segment, rework + timedelta(hours=rng.uniform(1, 30)), "approved", None, rng)
        else:
            _review(tables, segment, submitted + timedelta(hours=rng.uniform(0.5, 30)), "approved", None, rng)


def _review(tables: Tables, segment: dict, at: datetime, decision: str, reason: str | None, rng: random.Random) -> None:
    reviewer = rng.choice(REVIEWERS)
    tables.reviews.append(
        {
            "segment_id": segment["id"],
            "project_id": segment["project_id"],
            "segment_version": segment["version"],
            "labeler": segment["_labeler"],
            "reviewer": reviewer,
            "decision": decision,
            "reason": reason,
            "comment": "check the ending" if reason else None,
            "created_at": at,
        }
    )
    # The rework (if any) was saved before this approval: keep the history in time order.
    _save(tables, segment, reviewer, at, segment["text"], decision, None)


def insert_tables(store: Store, tables: Tables, chunk: int = 5000) -> None:
    segments = [{k: v for k, v in row.items() if not k.startswith("_")} for row in tables.segments]
    # Ids grow with time as in the app, and versions count up per segment in that order.
    tables.revisions.sort(key=lambda row: row["created_at"])
    versions: dict[str, int] = {}
    for row in tables.revisions:
        row["version"] = versions[row["segment_id"]] = versions.get(row["segment_id"], 0) + 1
    for row in segments:
        row["version"] = versions[row["id"]]
    with store.engine.begin() as connection:
        for table, rows in (
            (schema.recordings, tables.recordings),
            (schema.segments, segments),
            (schema.drafts, tables.drafts),
            (schema.revisions, tables.revisions),
            (schema.reviews, tables.reviews),
            (schema.second_labels, tables.second_labels),
        ):
            insert_rows(connection, table, rows, chunk)
        if store.dialect == "postgresql":
            connection.exec_driver_sql("ANALYZE")  # what autovacuum does soon after a bulk load


def build_project(store: Store, shape: ProjectShape) -> str:
    """Create and fill the project; returns its name."""
    project = create_project(store, f"bench-{uuid.uuid4().hex[:6]}", language="ko", actor=SYSTEM)
    began = time.perf_counter()
    tables = build_tables(project.id, shape)
    generated = time.perf_counter() - began
    insert_tables(store, tables)
    print(
        f"  built {len(tables.segments):,} segments, {len(tables.drafts):,} drafts, "
        f"{len(tables.revisions):,} revisions, {len(tables.reviews):,} reviews, "
        f"{len(tables.second_labels):,} second labelings in {generated:.1f} s + inserted in "
        f"{time.perf_counter() - began - generated:.1f} s",
        flush=True,
    )
    return project.name


# --- the measurement, in a fresh process ---------------------------------------------------------


def measure(url: str, schema_name: str | None, project_name: str, repeat: int) -> None:
    store = Store.open(url, schema=schema_name, migrate=False)
    project = store.get_project(project_name)
    before_kb = _reset_peak_rss()
    first = build_dashboard(store, SYSTEM, project)  # also warms the driver and the caches
    peak_mb = (_peak_rss_kb() - before_kb) / 1024
    one = first.labelers[0].labeler
    narrow = DashboardFilter(
        since=START.date() + timedelta(days=2), until=START.date() + timedelta(days=4), labelers=(one,)
    )
    for label, chosen in (("all", DashboardFilter()), (f"{one}, 3 days", narrow)):
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            dashboard = build_dashboard(store, SYSTEM, project, chosen)
            times.append(time.perf_counter() - began)
        print(
            f"  build_dashboard ({label}): best {min(times):.3f} s, median {statistics.median(times):.3f} s "
            f"({len(dashboard.segments):,} segments, labelers: {len(dashboard.labelers)})"
        )
    del dashboard, first
    tracemalloc.start()
    kept = build_dashboard(store, SYSTEM, project)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  memory: resident set grew by at most {peak_mb:.0f} MB during the first build; Python allocations "
        f"peaked at {peak / 2**20:.0f} MB (tracemalloc), of which the result keeps {current / 2**20:.0f} MB"
    )
    print(
        f"  figures: saving {kept.saving:.3f}, CER {kept.cer:.4f}, WER {kept.wer:.4f}, audio done "
        f"{kept.audio_hours_done:.1f} of {kept.audio_hours_total:.1f} h, {len(kept.throughput)} days, "
        f"agreement CER {kept.agreement_cer:.4f} over {kept.agreement_pairs} pairs"
    )
    store.close()


def _reset_peak_rss() -> int:
    """The resident set now (kB), after resetting Linux's peak counter (VmHWM) to it; elsewhere
    the peak so far, which can hide a build that stays under an earlier peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _proc_status_kb("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_rss_kb() -> int:
    try:
        return _proc_status_kb("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _proc_status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(f"no {field} in /proc/self/status")


def run(database: str, shape: ProjectShape, repeat: int) -> None:
    print(f"{database}:", flush=True)
    if database == "sqlite":
        url, schema_name = f"sqlite:///{tempfile.mkdtemp()}/dashboard.db", None
        _build_and_measure(url, schema_name, shape, repeat)
        return
    schema_name = f"bench_dashboard_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema_name}"')
    try:
        _build_and_measure(POSTGRES_URL, schema_name, shape, repeat)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema_name}" CASCADE')
        admin.dispose()


def _build_and_measure(url: str, schema_name: str | None, shape: ProjectShape, repeat: int) -> None:
    store = Store.open(url, schema=schema_name)
    try:
        name = build_project(store, shape)
    finally:
        store.close()
    command = [sys.executable, "-m", "bench.dashboard", "--measure", url, name, "--repeat", str(repeat)]
    if schema_name:
        command += ["--schema", schema_name]
    subprocess.run(command, check=True, cwd=Path(__file__).resolve().parents[1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--labelers", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", nargs=2, metavar=("URL", "PROJECT"), help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure(args.measure[0], args.schema, args.measure[1], args.repeat)
        return
    shape = ProjectShape(segments=args.segments, labelers=args.labelers)
    print(f"dashboard of {shape.segments:,} segments, {shape.labelers} labelers")
    for database in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
        run(database, shape, args.repeat)


if __name__ == "__main__":
    main()
