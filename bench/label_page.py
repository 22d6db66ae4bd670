"""The OLD label page (the Streamlit editor, up to e85bbcf) at scale: a 2-hour recording in a
project of 20,000 drafted segments. Run it from a tree of that page; in this one it says where the
label loop's figures come from. Its corpus builder (``build_project``, over tests/tiled_speech.py's
``tile`` and ``draft_for``, which tests/e2e/test_label_loop.py uses too) is shared by
bench.label_loop_browser and bench.label_capacity.

    python -m bench.label_page [--database sqlite|postgresql|both] [--saves 200]
                               [--speech-dir ../shared/speech] [--profile]

Per database it builds, in a temporary data folder (PostgreSQL: a schema of its own, dropped at
the end), a project of real speech tiled from ``<speech-dir>/en/*.wav``: one 2-hour recording
cut into its utterances (~2,000 segments) and nine 20-minute recordings of 2,000 segments each,
every segment with a draft with word timings (``store.add_draft``). Then it prints:

* the build time (the import of the 2-hour file on its own);
* the domain cost of one Save & next: ``save_and_next`` + ``open_segment`` of the next segment,
  and all domain calls the page makes for one Save & next;
* the page cost: the label page driven by AppTest (a correction typed, Save & next clicked),
  each ``click().run()`` timed (also less the time AppTest spends compiling the scripts anew on
  every run, which a server does once), with SQL statements, the slowest statements and the
  segment rows read per click; the database must then hold N more submitted segments;
* ``cut_clip`` near the start and near the end of the 2-hour recording, and the label page
  opened on a segment near its end;
* the memory one session adds over N labeled segments (tracemalloc and RSS, after gc; its
  steady per-save growth; Streamlit's widget metadata entries) and the size of its session
  state (pickled values of user keys and keyed widgets; the unpicklable ones are named).

``--profile`` adds a cProfile of the page round's script runs (and slows those clicks).
It ends with one summary block against the issue's targets (Save & next median <= 150 ms,
p95 <= 400 ms, server side). Progress goes to stderr, figures to stdout.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import logging
import os
import pickle
import pstats
import sys
import tempfile
import time
import tracemalloc
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy
import streamlit as st
from sqlalchemy import event
from streamlit.runtime.scriptrunner import script_runner
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.samples import TARGET_RATE
from speechlabel.core.models import (
    Actor,
    LabelSettings,
    PrelabelState,
    Project,
    Role,
    SegmentStatus,
)
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.labeling.clips import cut_clip
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.store import labeling as store_labeling
from speechlabel.store import segments as store_segments
from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace
from tests import tiled_speech
from tests.tiled_speech import Utterance, draft_for, tile

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "workbench.py"
DEFAULT_SPEECH = ROOT.parent / "shared" / "speech"
POSTGRES_URL = os.environ.get("SPEECHLABEL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

TARGET_MEDIAN_MS = 150.0
TARGET_P95_MS = 400.0
LONG_SECONDS = 2 * 3600.0
OTHER_RECORDINGS = 9
OTHER_SECONDS = 20 * 60.0
OTHER_SEGMENTS = 2000  # per 20-minute recording: 9 x 2,000 + ~2,000 in the 2-hour one = ~20,000
DRAFT_THREADS = 4  # add_draft callers while building on PostgreSQL
LABEL_SETTINGS = LabelSettings(
    speakers=("Speaker 1", "Speaker 2"), tags=("noise", "music", "overlap"), low_confidence=0.6
)
_STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Figures


@dataclass
class Timings:
    values_ms: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.values_ms.append(seconds * 1000)

    @property
    def median(self) -> float:
        return float(np.median(self.values_ms))

    @property
    def p95(self) -> float:
        return float(np.percentile(self.values_ms, 95))

    @property
    def max(self) -> float:
        return float(np.max(self.values_ms))

    def drift(self, count: int = 50) -> str:
        """Median of the first and of the last ``count`` values: does a long session get slower?"""
        first, last = self.values_ms[:count], self.values_ms[-count:]
        return (
            f"first {len(first)}: median {np.median(first):.1f} ms, last {len(last)}: median {np.median(last):.1f} ms"
        )

    def line(self) -> str:
        return (
            f"median {self.median:7.1f} ms | p95 {self.p95:7.1f} ms | max {self.max:7.1f} ms (n={len(self.values_ms)})"
        )


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class SqlCounter:
    """Statements and their time on one engine (cursor executes, BEGIN/COMMIT included)."""

    def __init__(self, engine: sqlalchemy.Engine):
        self.statements = 0
        self.seconds = 0.0
        self.by_statement: dict[str, list[float]] = {}  # first words of the SQL -> [count, seconds]
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        elapsed = time.perf_counter() - conn.info["bench_started"].pop()
        self.statements += 1
        self.seconds += elapsed
        entry = self.by_statement.setdefault(" ".join(statement.split()), [0, 0.0])
        entry[0] += 1
        entry[1] += elapsed

    def slowest(self, count: int = 6) -> list[str]:
        ranked = sorted(self.by_statement.items(), key=lambda item: -item[1][1])[:count]
        return [
            f"{seconds * 1000 / calls:6.2f} ms x {calls:4d}  {_short_sql(text)}" for text, (calls, seconds) in ranked
        ]

    def take(self) -> tuple[int, float]:
        taken = (self.statements, self.seconds * 1000)
        self.statements, self.seconds = 0, 0.0
        return taken


def _short_sql(text: str) -> str:
    """The statement's verb and table, then its WHERE/GROUP/ORDER part (the columns are noise)."""
    head = text.split(" FROM ")[0][:40] + (" FROM " + text.split(" FROM ")[1].split(" ")[0] if " FROM " in text else "")
    tail = next((text[text.find(word) :] for word in (" WHERE ", " GROUP ", " ORDER ") if word in text), "")
    return (head + ("…" if tail else "") + tail)[:200]


class SegmentRowCounter:
    """How many segment rows the store turns into Segments (wraps ``segment_from_row`` where the
    store's segment queries call it): shows whether a page run reads one page or everything."""

    def __init__(self) -> None:
        self.rows = 0
        for module in (store_segments, store_labeling):
            original = module.segment_from_row

            def counted(row, _original=original):
                self.rows += 1
                return _original(row)

            module.segment_from_row = counted

    def take(self) -> int:
        taken, self.rows = self.rows, 0
        return taken


SEGMENT_ROWS = SegmentRowCounter()


class CompileTimer:
    """Time spent compiling the page scripts. AppTest makes a new ScriptCache for every run, so it
    compiles workbench.py and the page again each time; a Streamlit server compiles them once."""

    def __init__(self) -> None:
        self.seconds = 0.0
        original = ScriptCache.get_bytecode

        def timed(cache, script_path):
            started = time.perf_counter()
            try:
                return original(cache, script_path)
            finally:
                self.seconds += time.perf_counter() - started

        ScriptCache.get_bytecode = timed

    def take(self) -> float:
        taken, self.seconds = self.seconds * 1000, 0.0
        return taken


COMPILING = CompileTimer()


# ---------------------------------------------------------------------------------------------
# The project: real speech tiled into long recordings


def load_utterances(speech_dir: Path) -> list[Utterance]:
    try:
        return tiled_speech.load_utterances(speech_dir)
    except FileNotFoundError as error:
        raise SystemExit(f"{error}; pass --speech-dir") from None


@dataclass
class Built:
    project: Project
    long_id: str
    long_segments: list  # the 2-hour recording's segments in time order
    segments: int
    import_long_seconds: float
    import_other_seconds: float
    segment_seconds: float
    draft_seconds: float
    total_seconds: float


def build_project(store: Store, settings: Settings, utterances: list[Utterance], tmp: Path) -> Built:
    started = time.perf_counter()
    project = create_project(store, "bench-label", language="en", label_settings=LABEL_SETTINGS, actor=SYSTEM)
    rng = np.random.default_rng(7)
    words_stream = [w for u in utterances for w in u.words]

    progress("tiling 2 h of speech and writing the WAV")
    long = tile(utterances, LONG_SECONDS, rotate=0)
    wav = tmp / "two-hours.wav"
    sf.write(wav, long.samples, TARGET_RATE, subtype="PCM_16")
    data = wav.read_bytes()
    wav.unlink()
    progress(f"importing the 2-hour recording ({len(data) / 1e6:.0f} MB WAV)")
    clock = time.perf_counter()
    long_recording = import_audio(store, settings, project, data, "two-hours.wav")
    import_long = time.perf_counter() - clock
    del data
    plan = [(long_recording.id, [(a, b) for a, b, _ in long.spans], [w for _, _, w in long.spans])]

    import_other = 0.0
    for number in range(OTHER_RECORDINGS):
        other = tile(utterances, OTHER_SECONDS, rotate=number + 1)
        buffer = io.BytesIO()
        sf.write(buffer, other.samples, TARGET_RATE, subtype="PCM_16", format="WAV")
        clock = time.perf_counter()
        recording = import_audio(store, settings, project, buffer.getvalue(), f"twenty-minutes-{number + 1}.wav")
        import_other += time.perf_counter() - clock
        # A dense grid: 2,000 segments in 20 minutes, each with the next few reference words.
        step = OTHER_SECONDS / OTHER_SEGMENTS
        bounds = [(round(i * step, 3), round((i + 1) * step - 0.05, 3)) for i in range(OTHER_SEGMENTS)]
        words, cursor = [], number * 17
        for _ in bounds:
            count = int(rng.integers(1, 4))
            words.append(tuple(words_stream[(cursor + k) % len(words_stream)] for k in range(count)))
            cursor += count
        plan.append((recording.id, bounds, words))
    progress(f"imported 2 h in {import_long:.1f} s and {OTHER_RECORDINGS} x 20 min in {import_other:.1f} s")

    clock = time.perf_counter()
    segmented = []
    for recording_id, bounds, words in plan:
        rows = store.replace_segments(recording_id, project.id, bounds, dict(project.segment_options), "bench")
        segmented.append((recording_id, rows, words))
    segment_seconds = time.perf_counter() - clock
    total = sum(len(rows) for _, rows, _ in segmented)
    progress(f"{total} segments stored in {segment_seconds:.1f} s; adding a draft to each (store.add_draft)")

    # One add_draft (one transaction) per segment, as pre-labeling does; on PostgreSQL from a few
    # threads (the store is shared between threads; SQLite serialises writers, so one thread there).
    clock = time.perf_counter()
    workers = DRAFT_THREADS if store.dialect == "postgresql" else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for number, (recording_id, rows, words) in enumerate(segmented, 1):
            drafts = [draft_for(w, segment.start, segment.end, rng) for segment, w in zip(rows, words)]
            list(pool.map(lambda pair: store.add_draft(pair[0].id, pair[1], "bench"), zip(rows, drafts)))
            store.set_prelabel_state(recording_id, PrelabelState.DRAFTED)
            done = sum(len(r) for _, r, _ in segmented[:number])
            progress(f"  {done}/{total} drafts ({done / (time.perf_counter() - clock):.0f}/s, {workers} thread(s))")
    draft_seconds = time.perf_counter() - clock
    return Built(
        project=store.get_project(project.name),
        long_id=long_recording.id,
        long_segments=store.list_segments(long_recording.id),
        segments=total,
        import_long_seconds=import_long,
        import_other_seconds=import_other,
        segment_seconds=segment_seconds,
        draft_seconds=draft_seconds,
        total_seconds=time.perf_counter() - started,
    )


def submitted(store: Store, project: Project) -> int:
    return store.count_segments_by_status(project.id).get(SegmentStatus.SUBMITTED, 0)


# ---------------------------------------------------------------------------------------------
# Domain round


@dataclass
class DomainResult:
    save_and_open: Timings
    save_only: Timings
    open_only: Timings
    page_calls: Timings
    statements: float
    saved: int
    last_id: str


_PEOPLE: dict[str, tuple[Actor, str]] = {}


def person(store: Store, project: Project, name: str) -> Actor:
    """A lead of the project signed in as ``name`` (leads may open any segment, as the bench does)."""
    if name not in _PEOPLE:
        accounts.create_user(store, SYSTEM, name, "bench password 123")
        accounts.set_role(store, SYSTEM, name, project.name, Role.LEAD)
        token, actor = accounts.login(store, name, "bench password 123")
        _PEOPLE[name] = (actor, token)
    return _PEOPLE[name][0]


def token_of(name: str) -> str:
    """The session token the app is given for ``name`` (see ``person``)."""
    return _PEOPLE[name][1]


def domain_round(store: Store, counter: SqlCounter, project: Project, first_id: str, saves: int) -> DomainResult:
    """``save_and_next`` + ``open_segment`` of the next, as the page's Save & next calls them;
    then the same again with every other domain call the page makes around one Save & next."""
    before = submitted(store, project)
    save_and_open, save_only, open_only, statements = Timings(), Timings(), Timings(), []
    segment = store.get_segment(first_id)
    counter.take()
    for index in range(saves):
        started = time.perf_counter()
        _, upcoming = labeling.save_and_next(
            store,
            person(store, project, "bench-domain"),
            segment.id,
            segment.version,
            f"{segment.text} checked {index}",
            None,
            (),
            None,
        )
        saved = time.perf_counter()
        context = labeling.open_segment(store, person(store, project, "bench-domain"), upcoming.id)
        opened = time.perf_counter()
        statements.append(counter.take()[0])
        save_and_open.add(opened - started)
        save_only.add(saved - started)
        open_only.add(opened - saved)
        segment = context.segment
    # All the domain calls of one click on the page (views/label.py): the unsaved edit kept by the
    # text box's callback; the run up to the button (projects, to-do count, open) and the save;
    # the rerun showing the next segment (projects, to-do count, open, neighbour, one list page).
    page_calls = Timings()
    for index in range(min(saves, 50)):
        started = time.perf_counter()
        text = f"{segment.text} page {index}"
        labeling.keep_unsaved_edit(
            store, person(store, project, "bench-domain"), segment.id, segment.version, text, None, ()
        )
        for rerun in (False, True):
            store.list_projects()
            current = store.get_project(project.name)
            context = labeling.open_segment(
                store, person(store, project, "bench-domain"), upcoming.id if rerun else segment.id
            )
            labeling.count_todo(store, current.id)
            if not rerun:
                _, upcoming = labeling.save_and_next(
                    store, person(store, project, "bench-domain"), segment.id, segment.version, text, None, (), None
                )
        store.neighbour_segment(upcoming.id, after=True)
        labeling.list_recording_segments(
            store, person(store, project, "bench-domain"), context.recording.id, context.position // 50 * 50, 50
        )
        page_calls.add(time.perf_counter() - started)
        segment = context.segment
    saved_count = submitted(store, project) - before
    expected = saves + min(saves, 50)
    if saved_count != expected:
        raise SystemExit(f"domain round: {saved_count} segments submitted, expected {expected}")
    return DomainResult(
        save_and_open, save_only, open_only, page_calls, float(np.median(statements)), saves, segment.id
    )


# ---------------------------------------------------------------------------------------------
# Page rounds (AppTest on workbench.py, in this process)


def open_label_page(user: str, segment_id: str | None = None) -> tuple[AppTest, float]:
    """A new session on the label page; returns it and how long the label page's run took."""
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.session_state["session_token"] = token_of(user)
    if segment_id:
        app.query_params["segment"] = segment_id
    app.run()
    started = time.perf_counter()
    app.switch_page("views/label.py").run()
    seconds = time.perf_counter() - started
    if app.exception:
        raise SystemExit(f"label page failed: {app.exception}")
    return app, seconds


def transcript(app: AppTest):
    return next(t for t in app.text_area if t.label == "Transcript")


def save_button(app: AppTest):
    return next(b for b in app.button if b.label == "Save & next")


def focused_id(app: AppTest) -> str:
    if "label_segment" in app.session_state:
        return app.session_state["label_segment"]
    value = app.query_params["segment"]
    return value if isinstance(value, str) else value[0]


@dataclass
class PageResult:
    clicks: Timings
    without_compiling: Timings  # each click minus AppTest's compiling of the scripts
    statements: float
    sql_ms: float
    segment_rows_median: float
    segment_rows_max: int
    saved: int
    last_text_ok: bool
    rss_growth_mb: float
    slowest_sql: list[str]


def click_saves(
    app: AppTest, saves: int, tag: str, counter: SqlCounter | None = None
) -> tuple[Timings, Timings, list[int], list[float], list[int], str, str]:
    """Type a correction and click Save & next ``saves`` times; every click must open a new segment."""
    clicks, compiled, statements, sql_ms, rows = Timings(), Timings(), [], [], []
    typed = before = ""
    for index in range(saves):
        before = focused_id(app)
        typed = f"{transcript(app).value} [{tag} {index}]"
        transcript(app).input(typed)
        if counter:
            counter.take()
        SEGMENT_ROWS.take()
        COMPILING.take()
        started = time.perf_counter()
        save_button(app).click().run()
        clicks.add(time.perf_counter() - started)
        compiled.add(COMPILING.take() / 1000)
        rows.append(SEGMENT_ROWS.take())
        if counter:
            count, ms = counter.take()
            statements.append(count)
            sql_ms.append(ms)
        if app.exception or app.error:
            raise SystemExit(f"click {index}: {app.exception or app.error[0].value}")
        if focused_id(app) == before or not any("Saved segment" in s.value for s in app.success):
            raise SystemExit(f"click {index}: Save & next did not move on from {before}")
        if index % 50 == 49:
            progress(f"  {tag}: {index + 1}/{saves} clicks, median so far {clicks.median:.0f} ms")
    without_compiling = Timings([c - k for c, k in zip(clicks.values_ms, compiled.values_ms)])
    return clicks, without_compiling, statements, sql_ms, rows, typed, before


def page_round(
    store: Store, project: Project, counter: SqlCounter, first_id: str, saves: int, profiler: ScriptProfiler | None
) -> tuple[PageResult, str]:
    before = submitted(store, project)
    person(store, project, "bench-page")
    app, _ = open_label_page("bench-page", first_id)
    if focused_id(app) != first_id:
        raise SystemExit(f"page opened {focused_id(app)}, not {first_id}")
    gc.collect()
    rss_before = rss_mb()
    counter.by_statement.clear()
    if profiler:
        profiler.attach()
    try:
        clicks, uncompiled, statements, sql_ms, rows, typed, last_id = click_saves(app, saves, "page", counter)
    finally:
        if profiler:
            profiler.detach()
    gc.collect()
    rss_after = rss_mb()
    saved = submitted(store, project) - before
    if saved != saves:
        raise SystemExit(f"page round: {saved} segments submitted in the database, expected {saves}")
    revision = store.list_revisions(last_id)[-1]
    last_text_ok = (revision.text, revision.author, revision.status) == (
        typed.strip(),
        "bench-page",
        SegmentStatus.SUBMITTED,
    )
    return PageResult(
        clicks,
        uncompiled,
        float(np.median(statements)),
        float(np.median(sql_ms)),
        float(np.median(rows)),
        int(max(rows)),
        saved,
        last_text_ok,
        rss_after - rss_before,
        counter.slowest(),
    ), focused_id(app)


@dataclass
class MemoryResult:
    tracemalloc_open_mb: float
    tracemalloc_growth_mb: float
    second_half_kb_per_save: float  # steady growth: from saves/2 to saves, per save
    rss_open_mb: float
    rss_growth_mb: float
    state_keys_open: int
    state_keys_after: int
    state_bytes_open: int
    state_bytes_after: int
    internal_keys_after: int
    key_kinds: dict[str, tuple[int, int]]  # key prefix -> (count after opening, count after the saves)
    widget_metadata: tuple[int, int]  # Streamlit's widget metadata entries after opening / after the saves
    compiled_mb: float  # growth allocated by compiling the page scripts (AppTest compiles on every run)
    unpicklable: list[str]
    top_growth: list[str]
    saved: int


def session_state_size(app: AppTest) -> tuple[int, int, list[str]]:
    """Keys and pickled bytes of the session's state (user keys and keyed widget values)."""
    total, unpicklable = 0, []
    state = app.session_state.to_dict()
    for key, value in state.items():
        try:
            total += len(pickle.dumps(value))
        except Exception as error:  # noqa: BLE001 - report whatever cannot be pickled
            unpicklable.append(f"{key} ({type(value).__name__}: {type(error).__name__})")
    return len(state), total, unpicklable


def key_kinds(app: AppTest) -> dict[str, int]:
    """Session keys counted by what comes before their first ':' (per-segment keys end in ids)."""
    kinds: dict[str, int] = {}
    for key in app.session_state.to_dict():
        kind = key.split(":", 1)[0] + (":…" if ":" in key else "")
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def widget_metadata_count(app: AppTest) -> int:
    """Entries in Streamlit's widget metadata of the session (private; -1 if it moved)."""
    state = getattr(getattr(app, "_session_state", None), "_state", None)
    metadata = getattr(getattr(state, "_new_widget_state", None), "widget_metadata", None)
    return len(metadata) if metadata is not None else -1


def memory_round(store: Store, project: Project, first_id: str, saves: int) -> MemoryResult:
    """One session: tracemalloc and RSS before its first page run, after the page opened and
    after ``saves`` labeled segments (gc first each time). Not timed: tracemalloc slows runs."""
    before_saved = submitted(store, project)
    gc.collect()
    tracemalloc.start(1)
    base_snapshot = tracemalloc.take_snapshot()
    base_traced, base_rss = tracemalloc.get_traced_memory()[0], rss_mb()
    person(store, project, "bench-memory")
    app, _ = open_label_page("bench-memory", first_id)
    gc.collect()
    open_traced, open_rss = tracemalloc.get_traced_memory()[0], rss_mb()
    keys_open, bytes_open, _ = session_state_size(app)
    kinds_open = key_kinds(app)
    metadata_open = widget_metadata_count(app)
    half = saves // 2
    click_saves(app, half, "memory")
    gc.collect()
    half_traced = tracemalloc.get_traced_memory()[0]
    click_saves(app, saves - half, "memory")
    gc.collect()
    after_traced, after_rss = tracemalloc.get_traced_memory()[0], rss_mb()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    keys_after, bytes_after, unpicklable = session_state_size(app)
    kinds_after = key_kinds(app)
    metadata_after = widget_metadata_count(app)
    kinds = {kind: (kinds_open.get(kind, 0), kinds_after[kind]) for kind in kinds_after}
    internal = len(app._session_state._state._old_state)
    growth = snapshot.compare_to(base_snapshot, "lineno")
    top = [f"{stat.size_diff / 1e6:+7.2f} MB {stat.count_diff:+7d} blocks  {stat.traceback[0]}" for stat in growth[:6]]
    compiled = sum(
        stat.size_diff
        for stat in growth
        if stat.traceback[0].filename.endswith(("scriptrunner/script_cache.py", "/ast.py"))
    )
    saved = submitted(store, project) - before_saved
    if saved != saves:
        raise SystemExit(f"memory round: {saved} segments submitted, expected {saves}")
    mb = 1024 * 1024
    second_half = (after_traced - half_traced) / 1024 / max(1, saves - half)
    return MemoryResult(
        (open_traced - base_traced) / mb,
        (after_traced - open_traced) / mb,
        second_half,
        open_rss - base_rss,
        after_rss - open_rss,
        keys_open,
        keys_after,
        bytes_open,
        bytes_after,
        internal,
        kinds,
        (metadata_open, metadata_after),
        compiled / mb,
        unpicklable,
        top,
        saved,
    )


# ---------------------------------------------------------------------------------------------
# The 2-hour recording: clips and the page near its end


@dataclass
class LongResult:
    duration: float
    clips: list[tuple[str, float, float, float, int, float]]  # where, start, end, median ms, bytes, peak MB
    open_start_ms: float
    open_end_ms: float
    open_end_header: str
    open_end_rows: int


def long_recording_round(store: Store, settings: Settings, built: Built) -> LongResult:
    recording = store.get_recording(built.long_id)
    segments = built.long_segments
    clips = []
    for where, segment in (
        ("near start", segments[1]),
        ("middle", segments[len(segments) // 2]),
        ("near end", segments[-2]),
    ):
        cut_clip(store, settings, recording.id, segment.start, segment.end)  # warm the page cache
        times = Timings()
        for _ in range(20):
            started = time.perf_counter()
            clip = cut_clip(store, settings, recording.id, segment.start, segment.end)
            times.add(time.perf_counter() - started)
        tracemalloc.start()
        cut_clip(store, settings, recording.id, segment.start, segment.end)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        clips.append((where, segment.start, segment.end, times.median, len(clip.wav), peak))
    person(store, built.project, "bench-open")
    _, start_seconds = open_label_page("bench-open", segments[1].id)
    SEGMENT_ROWS.take()
    app, end_seconds = open_label_page("bench-open", segments[-2].id)
    rows = SEGMENT_ROWS.take()
    header = app.subheader[0].value if app.subheader else "(no header)"
    if focused_id(app) != segments[-2].id:
        raise SystemExit(f"the page opened {focused_id(app)}, not the segment near the end")
    return LongResult(recording.duration, clips, start_seconds * 1000, end_seconds * 1000, header, rows)


# ---------------------------------------------------------------------------------------------
# One database


@dataclass
class DatabaseRun:
    name: str
    built: Built | None = None
    domain: DomainResult | None = None
    page: PageResult | None = None
    long: LongResult | None = None
    memory: MemoryResult | None = None
    seconds: float = 0.0
    profiled: bool = False


def run_database(name: str, utterances: list[Utterance], saves: int, profile: bool) -> DatabaseRun:
    run = DatabaseRun(name, profiled=profile)
    _PEOPLE.clear()  # the people of the last database do not exist in this one
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-label-") as tmp_name:
        tmp = Path(tmp_name)
        settings = Settings(data_dir=(tmp / "data").resolve())
        settings.data_dir.mkdir(parents=True)
        schema = admin = None
        if name == "sqlite":
            url, app_url = settings.resolved_database_url, None
            store = Store.open(url)
        else:
            schema = f"bench_label_{uuid.uuid4().hex[:10]}"
            admin = sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
            with admin.begin() as connection:
                connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            store = Store.open(POSTGRES_URL, schema=schema)
            # The app cannot pass a schema; psycopg takes the search path from the URL instead.
            app_url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        app_workspace = None
        try:
            progress(f"== {name}: building the project")
            run.built = built = build_project(store, settings, utterances, tmp)
            progress(f"built {built.segments} segments in {built.total_seconds:.1f} s")
            # The rounds go through the 2-hour recording from a quarter in: the domain round first,
            # the page round where it stopped, the memory round where that one stopped.
            domain_first = built.long_segments[len(built.long_segments) // 4].id

            progress(f"domain round: {saves} x save_and_next + open_segment")
            run.domain = domain_round(store, SqlCounter(store.engine), built.project, domain_first, saves)
            progress(f"domain: {run.domain.save_and_open.line()}")

            os.environ["SPEECHLABEL_DATA_DIR"] = str(settings.data_dir)
            if app_url:
                os.environ["SPEECHLABEL_DATABASE_URL"] = app_url
            else:
                os.environ.pop("SPEECHLABEL_DATABASE_URL", None)
            st.cache_resource.clear()
            app_settings = Settings.from_env()
            app_workspace = Workspace.shared(app_settings)  # the very workspace the app's runs use
            app_counter = SqlCounter(app_workspace.store.engine)
            page_first = labeling.next_segment(
                store, person(store, built.project, "bench-domain"), built.project, after=run.domain.last_id
            ).id
            progress(f"page round: {saves} x Save & next clicked in AppTest")
            profiler = ScriptProfiler() if profile else None
            run.page, after_page = page_round(store, built.project, app_counter, page_first, saves, profiler)
            progress(f"page: {run.page.clicks.line()}")
            if profiler:
                profiler.print(name, run.page.clicks)

            progress("2-hour recording: cut_clip near start and end, the page opened near the end")
            run.long = long_recording_round(store, settings, built)

            progress(f"memory round: one session, {saves} labeled (tracemalloc on, not timed)")
            run.memory = memory_round(store, built.project, after_page, saves)
        finally:
            if app_workspace is not None:
                app_workspace.close()
            st.cache_resource.clear()
            store.close()
            if admin is not None:
                with admin.begin() as connection:
                    connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                admin.dispose()
                progress(f"dropped schema {schema}")
    run.seconds = time.perf_counter() - started
    return run


class ScriptProfiler:
    """cProfile of the script runs themselves: AppTest runs the page in a thread of its own, which a
    profiler enabled in the main thread does not see; so profile around Streamlit's exec call."""

    def __init__(self) -> None:
        self.profile = cProfile.Profile()
        self.seconds = 0.0
        self._original = script_runner.exec_func_with_error_handling

    def attach(self) -> None:
        def profiled(*args, **kwargs):
            started = time.perf_counter()
            self.profile.enable()
            try:
                return self._original(*args, **kwargs)
            finally:
                self.profile.disable()
                self.seconds += time.perf_counter() - started

        script_runner.exec_func_with_error_handling = profiled

    def detach(self) -> None:
        script_runner.exec_func_with_error_handling = self._original

    def print(self, name: str, clicks: Timings) -> None:
        out = io.StringIO()
        stats = pstats.Stats(self.profile, stream=out)
        stats.sort_stats("cumulative").print_stats(
            r"speechlabel|views|sqlalchemy/engine/base|streamlit/elements"
            r"|streamlit/runtime/state|widgets|script_cache",
            28,
        )
        stats.sort_stats("tottime").print_stats(12)
        total = sum(clicks.values_ms) / 1000
        print(
            f"\n== {name}: cProfile of the script runs of the page round ({len(clicks.values_ms)} clicks, "
            f"{total:.2f} s clicking, of which {self.seconds:.2f} s in script runs; the rest is AppTest)"
        )
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


# ---------------------------------------------------------------------------------------------
# Output


def print_run(run: DatabaseRun) -> None:
    b, d, p, long, m = run.built, run.domain, run.page, run.long, run.memory
    print(f"\n== {run.name}")
    print(
        f"project: {b.segments} segments in {OTHER_RECORDINGS + 1} recordings "
        f"(2 h: {len(b.long_segments)} segments; {OTHER_RECORDINGS} x 20 min: {OTHER_SEGMENTS} each)"
    )
    print(
        f"build: {b.total_seconds:.1f} s = import 2 h {b.import_long_seconds:.1f} s + import "
        f"{OTHER_RECORDINGS} x 20 min {b.import_other_seconds:.1f} s + segments {b.segment_seconds:.1f} s + "
        f"{b.segments} drafts via add_draft {b.draft_seconds:.1f} s ({b.segments / b.draft_seconds:.0f}/s) + rest"
    )
    print(f"domain save_and_next + open_segment: {d.save_and_open.line()} | {d.statements:.0f} SQL statements")
    print(f"  save_and_next alone:               {d.save_only.line()}")
    print(f"  open_segment alone:                {d.open_only.line()}")
    print(f"  all the page's domain calls:       {d.page_calls.line()}")
    print("page Save & next (AppTest click().run(), two script runs: save, then the next segment):")
    print(f"  {p.clicks.line()}")
    print(f"  without AppTest's compiling of the scripts on every run: {p.without_compiling.line()}")
    print(f"  one session getting older: {p.clicks.drift()}")
    print(
        f"  per click: {p.statements:.0f} SQL statements, {p.sql_ms:.1f} ms in SQL (median); segment rows read "
        f"median {p.segment_rows_median:.0f}, max {p.segment_rows_max} (of {b.segments})"
    )
    print(
        f"  submitted in the database: {p.saved}/{len(p.clicks.values_ms)}; last typed text in the last revision: "
        f"{'yes' if p.last_text_ok else 'NO'}; RSS growth over the round {p.rss_growth_mb:+.1f} MB"
    )
    print("  SQL statements of the round by total time (mean per call x calls):")
    for line in p.slowest_sql:
        print(f"    {line}")
    print(f"2-hour recording ({long.duration / 3600:.2f} h, {long.duration * TARGET_RATE * 2 / 1e6:.0f} MB as 16-bit):")
    for where, start, end, ms, size, peak in long.clips:
        print(
            f"  cut_clip {where:10s} {start:8.2f}-{end:8.2f} s: {ms:6.2f} ms median of 20, clip {size / 1e3:6.1f} kB, "
            f"peak traced memory {peak:.2f} MB"
        )
    print(
        f"  label page opened near the start: {long.open_start_ms:.0f} ms; near the end: {long.open_end_ms:.0f} ms "
        f"({long.open_end_header!r}; {long.open_end_rows} segment rows read)"
    )
    print(f"memory of one session over {m.saved} labeled segments (after gc):")
    print(f"  opening the page: tracemalloc {m.tracemalloc_open_mb:+.2f} MB, RSS {m.rss_open_mb:+.1f} MB")
    print(
        f"  {m.saved} Save & next: tracemalloc {m.tracemalloc_growth_mb:+.2f} MB, RSS {m.rss_growth_mb:+.1f} MB; "
        f"from save {m.saved // 2} to {m.saved}: {m.second_half_kb_per_save:+.1f} kB per save"
    )
    print(
        f"  session state: {m.state_keys_open} keys / {m.state_bytes_open / 1e3:.1f} kB pickled after opening, "
        f"{m.state_keys_after} keys / {m.state_bytes_after / 1e3:.1f} kB after {m.saved} saves "
        f"({m.internal_keys_after} entries in Streamlit's internal state)"
    )
    grown = sorted(((kind, a, b) for kind, (a, b) in m.key_kinds.items() if b > a), key=lambda k: k[1] - k[2])
    print("  keys that grew: " + (", ".join(f"{kind} {a} -> {b}" for kind, a, b in grown) or "none"))
    print(f"  unpicklable (not counted): {', '.join(m.unpicklable) or 'none'}")
    print(
        f"  of the tracemalloc growth, {m.compiled_mb:.2f} MB is compiled page code (AppTest compiles the scripts "
        "on every run; a server compiles them once), kept alive by what the session keeps"
    )
    print(
        f"  Streamlit's widget metadata entries: {m.widget_metadata[0]} after opening, {m.widget_metadata[1]} after "
        f"{m.saved} saves ({(m.widget_metadata[1] - m.widget_metadata[0]) / max(1, m.saved):.1f} per save)"
    )
    print("  largest tracemalloc growth over the whole session:")
    for line in m.top_growth:
        print(f"    {line}")
    print(f"runtime for {run.name}: {run.seconds:.0f} s")


def print_summary(runs: list[DatabaseRun], skipped: dict[str, str]) -> None:
    print(
        f"\n== summary: targets Save & next median <= {TARGET_MEDIAN_MS:.0f} ms, p95 <= {TARGET_P95_MS:.0f} ms "
        "(server side)"
    )
    for run in runs:
        d, p, long, m, b = run.domain, run.page, run.long, run.memory, run.built
        print(
            f"[{run.name}] {b.segments} segments, 2 h recording of {len(b.long_segments)} segments; "
            f"built in {b.total_seconds:.0f} s (import of 2 h: {b.import_long_seconds:.1f} s)"
        )
        for label, timings in (
            ("domain save_and_next+open_segment", d.save_and_open),
            ("domain, all calls of the page     ", d.page_calls),
            ("page Save & next (AppTest click)  ", p.clicks),
            ("  same, less AppTest's recompiling", p.without_compiling),
        ):
            print(
                f"  {label}  median {timings.median:6.1f} ms {verdict(timings.median, TARGET_MEDIAN_MS)} | "
                f"p95 {timings.p95:6.1f} ms {verdict(timings.p95, TARGET_P95_MS)} | max {timings.max:6.1f} ms"
            )
        print(f"  page clicks, {p.clicks.drift()}")
        print(
            f"  submitted in DB: domain {d.saved + min(d.saved, 50)}, page {p.saved}, memory round {m.saved} "
            f"(all as expected)"
        )
        print(
            f"  segment rows read per click: median {p.segment_rows_median:.0f}, max {p.segment_rows_max} "
            f"of {b.segments}"
        )
        near_start, near_end = long.clips[0], long.clips[-1]
        print(
            f"  cut_clip 2 h: near start {near_start[3]:.2f} ms ({near_start[4] / 1e3:.0f} kB), "
            f"near end {near_end[3]:.2f} ms ({near_end[4] / 1e3:.0f} kB); page open near start "
            f"{long.open_start_ms:.0f} ms, near end {long.open_end_ms:.0f} ms"
        )
        print(
            f"  memory per session after {m.saved} labeled: tracemalloc {m.tracemalloc_growth_mb:+.2f} MB "
            f"({m.second_half_kb_per_save:+.1f} kB per save in the second half), "
            f"RSS {m.rss_growth_mb:+.1f} MB; session state {m.state_bytes_after / 1e3:.1f} kB in "
            f"{m.state_keys_after} keys (was {m.state_keys_open})"
        )
        print(
            f"  runtime {run.seconds:.0f} s"
            + (" (with --profile: page timings include the profiler)" if run.profiled else "")
        )
    for name, reason in skipped.items():
        print(f"[{name}] skipped: {reason}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--saves", type=int, default=200, help="Save & next per round (default 200)")
    parser.add_argument("--speech-dir", type=Path, default=DEFAULT_SPEECH)
    parser.add_argument("--profile", action="store_true", help="cProfile the page round's clicks and print the top")
    args = parser.parse_args(argv)
    if (ROOT / "views" / "label_loop.py").exists():
        # This tree's label page is the label loop component, which AppTest cannot drive.
        raise SystemExit(
            "bench.label_page drives the Streamlit editor that the label loop replaced: run it in a "
            "tree of that page (git worktree add /tmp/old-page e85bbcf; cd /tmp/old-page; python -m "
            "bench.label_page). The label loop's figures: python -m bench.label_loop_browser (in "
            "Chromium) and python -m bench.label_capacity (labelers per server); both build their "
            "project with this module's build_project and print the old page beside the new."
        )
    if args.saves < 1:
        parser.error("--saves must be at least 1")
    # AppTest and cache clearing outside a script run log "missing ScriptRunContext"; it is noise here.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    names = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    progress(f"loading the utterances of {args.speech_dir / 'en'}")
    utterances = load_utterances(args.speech_dir)
    runs, skipped = [], {}
    for name in names:
        if name == "postgresql":
            try:
                probe = sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
                with probe.connect():
                    pass
                probe.dispose()
            except sqlalchemy.exc.OperationalError as error:
                skipped[name] = f"no PostgreSQL at {POSTGRES_URL}: {str(error).splitlines()[0]}"
                progress(skipped[name])
                continue
        run = run_database(name, utterances, args.saves, args.profile)
        print_run(run)
        runs.append(run)
    print_summary(runs, skipped)


if __name__ == "__main__":
    main()
