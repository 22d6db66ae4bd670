"""The label loop in headless Chromium, old page against new: how long from Ctrl+Enter until the
next segment's editor has the focus and holds its draft, for a fast typist.

    python -m bench.label_loop_browser [--database sqlite|postgresql|both] [--segments-labeled 200]
                                       [--corpus 20000] [--memory-segments 500] [--old-ref e85bbcf]
                                       [--old-memory-segments 0] [--key-delay 30]

Per database it builds bench/label_page.py's project (``--corpus`` drafted segments of real
speech tiled from ../shared/speech/en; 20,000 by default: a 2-hour recording and nine of 20
minutes) in a temporary data folder (PostgreSQL: a fresh database), with two labelers whose
batches of 500 segments are leased up front, and copies it for the old page (PostgreSQL:
``CREATE DATABASE ... TEMPLATE``). Then, one at a time on 2 cores:

* the new page: ``streamlit run workbench.py`` of this tree; the typist signs in through the page
  and labels ``--segments-labeled`` segments: ``keyboard.type`` of a short correction (a delay per
  key), Ctrl+Enter and at once the next segment's keys, never waiting. The time of each save is
  taken in the page: the Ctrl+Enter keydown's timestamp to the MutationObserver callback that
  sees the component's ``data-shown`` become the next id (and one animation frame later: the
  paint). Then a second labeler labels ``--memory-segments`` with the server's RSS read between;
* the old page: the same from a ``git worktree`` of ``--old-ref`` with its own copy of the data,
  its database taken back to that tree's newest migration (an Alembic downgrade).
  The time runs to the moment the focused TEXTAREA holds the next segment's draft (polled in the
  page every animation frame, 5 ms timer, DOM mutation and focus event). The old page puts text
  typed during its rerun into the wrong segment, so there the typist waits for the next segment
  (and the page's run to end) before typing; that wait is not timed.

At the end the database must hold, for every labeled segment, exactly the text typed for it
(submitted, by that labeler), and nothing else submitted. Progress goes to stderr, figures to
stdout, the servers' logs to the temporary folder (kept with --keep).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Page, sync_playwright

from bench import label_page as corpus
from bench.label_capacity import old_schema_head
from bench.label_page import TARGET_MEDIAN_MS, TARGET_P95_MS, Timings, progress, verdict
from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import AssignmentSettings, Role, SegmentStatus
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import assignment
from speechlabel.projects.manage import update_assignment_settings
from speechlabel.store import Store
from speechlabel.store.engine import downgrade_schema, make_engine
from speechlabel.workspace.config import Settings
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from tests.e2e.steps import (
    ADMIN_PASSWORD,
    OLD_PAGE_RECORDER,
    install_loop_recorder,
    loop_records,
    loop_state,
    save_latencies,
    sign_in,
    wait_for_app_idle,
    wait_until_saved,
    wait_until_shown,
)
from tests.streamlit_server import ServerDidNotStart, free_port, launch, stop, wait_until_healthy

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench labeler password"
TYPIST, STEADY = "typist", "steady"
BATCH = 500  # the largest batch a project allows (models.MAX_BATCH)
LEASE_MINUTES = 7 * 24 * 60
SERVER_START_SECONDS = 90
RSS_EVERY = 100


# ---------------------------------------------------------------------------------------------
# The data: bench/label_page.py's project, two labelers holding a batch each


@dataclass
class Corpus:
    name: str
    data_dir: Path
    url: str | None  # None: the SQLite file in data_dir
    segments: int
    build_seconds: float
    batches: dict[str, list[str]]  # labeler -> their leased segment ids in order
    drafts: dict[str, str]  # segment id -> its text before labeling (the batches' segments)


def build_corpus(name: str, data_dir: Path, url: str | None, size: int, utterances, tmp: Path) -> Corpus:
    """bench/label_page.py's builder, scaled to ``size`` segments (20,000: its own figures)."""
    settings = Settings(data_dir=data_dir, database_url=url)
    data_dir.mkdir(parents=True)
    store = Store.open(settings.resolved_database_url)
    scale = size / 20_000
    kept = corpus.LONG_SECONDS, corpus.OTHER_SECONDS, corpus.OTHER_SEGMENTS
    corpus.LONG_SECONDS, corpus.OTHER_SECONDS = kept[0] * scale, kept[1] * scale
    corpus.OTHER_SEGMENTS = max(1, round(kept[2] * scale))
    try:
        built = corpus.build_project(store, settings, utterances, tmp)
        project = update_assignment_settings(
            store,
            SYSTEM,
            built.project.name,
            AssignmentSettings(batch_size=BATCH, lease_minutes=LEASE_MINUTES, from_scratch_share=0.0),
        )
        batches, drafts = {}, {}
        for username in (TYPIST, STEADY):
            accounts.create_user(store, SYSTEM, username, PASSWORD)
            accounts.set_role(store, SYSTEM, username, project.name, Role.LABELER)
            _, actor = accounts.login(store, username, PASSWORD)
            first = labeling.next_segment(store, actor, project)  # leases their batch; the page opens it
            held = assignment.my_work(store, actor, project)
            if not held or held[0].id != first.id:
                raise SystemExit(f"{username}: the batch does not start with next_segment's {first.id}")
            batches[username] = [segment.id for segment in held]
            drafts.update({segment.id: segment.text for segment in held})
        return Corpus(name, data_dir, url, built.segments, built.total_seconds, batches, drafts)
    finally:
        corpus.LONG_SECONDS, corpus.OTHER_SECONDS, corpus.OTHER_SEGMENTS = kept
        store.close()


def copy_data(source: Corpus, data_dir: Path, url: str | None) -> Corpus:
    """The same data for the other server: audio hard-linked, the database copied."""
    shutil.copytree(source.data_dir, data_dir, copy_function=os.link, ignore=shutil.ignore_patterns("speechlabel.db*"))
    if url is None:
        with sqlalchemy.create_engine(f"sqlite:///{source.data_dir / 'speechlabel.db'}").connect() as connection:
            connection.exec_driver_sql(f"VACUUM INTO '{data_dir / 'speechlabel.db'}'")
    else:
        with _postgres_admin() as admin:
            admin.exec_driver_sql(f'CREATE DATABASE "{_database(url)}" TEMPLATE "{_database(source.url)}"')
    return Corpus(source.name, data_dir, url, source.segments, source.build_seconds, source.batches, source.drafts)


def to_old_schema(data: Corpus, old_tree: Path) -> None:
    """The old page's copy taken back to the old tree's newest migration (it refuses a database
    newer than it knows); what the new code added since, which the old page never reads, goes."""
    engine = make_engine(data.url or f"sqlite:///{data.data_dir / 'speechlabel.db'}")
    try:
        downgrade_schema(engine, old_schema_head(old_tree))
    finally:
        engine.dispose()


def _postgres_admin():
    engine = sqlalchemy.create_engine(
        corpus.POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    return engine.connect()


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


def new_postgres_database() -> str:
    name = f"bench_loop_{uuid.uuid4().hex[:10]}"
    with _postgres_admin() as admin:
        admin.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return corpus.POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    with _postgres_admin() as admin:
        admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{_database(url)}" WITH (FORCE)')


# ---------------------------------------------------------------------------------------------
# A server: `streamlit run workbench.py` of one tree


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log_path: Path

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        stop(self.process)


def start_server(tree: Path, data: Corpus, log_path: Path) -> Server:
    port = free_port()
    # PYTHONPATH: the tree's own speechlabel, not the editable install's (the old tree's server).
    # SPEECHLABEL_ROUTE_BUDGET: the typist saves several times a second, faster than the per-session
    # route budgets allow a person (the old tree ignores it).
    env = {
        "SPEECHLABEL_DATA_DIR": str(data.data_dir),
        "PYTHONPATH": str(tree),
        "SPEECHLABEL_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "SPEECHLABEL_ROUTE_BUDGET": "1000",
    }
    if data.url:
        env["SPEECHLABEL_DATABASE_URL"] = data.url
    server = Server(launch(tree, port, log_path, env), f"http://127.0.0.1:{port}", log_path)
    try:
        wait_until_healthy(server.process, server.url, log_path, seconds=SERVER_START_SECONDS)
    except ServerDidNotStart as failure:
        server.stop()
        raise SystemExit(f"streamlit in {tree} did not start: {failure}") from None
    return server


# ---------------------------------------------------------------------------------------------
# Labeling in the browser


def correction(username: str, index: int) -> str:
    """What the typist appends to a segment's draft: short, and unique per segment."""
    return f" {username[0]}{index:03d}"


@dataclass
class Round:
    """One labeler's run on one page: the save times and what they typed where."""

    page: str
    saves: Timings = field(default_factory=Timings)
    painted: Timings = field(default_factory=Timings)  # to one animation frame after (new page)
    typed: dict[str, str] = field(default_factory=dict)  # segment id -> the text it must hold
    rss_mb: list[tuple[int, float]] = field(default_factory=list)  # (segments labeled, server RSS)
    anomalies: list[str] = field(default_factory=list)
    seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average before and after
    requests: dict[str, Timings] = field(default_factory=dict)  # the page's requests by route, as it timed them


_REQUESTS = """() => performance.getEntriesByType('resource').map((e) => [e.name, e.duration])
  .filter(([name]) => name.includes('/api/label/') || name.includes('/clip/'))"""


def request_times(page: Page) -> dict[str, Timings]:
    """How long the component's requests took, seen from the page (resource timing), by route."""
    times: dict[str, Timings] = {}
    for url, duration in page.evaluate(_REQUESTS):
        path = url.split("?")[0]
        route = "clip" if "/clip/" in path else path.split("/api/label/")[1].split("/")[0]
        times.setdefault(route, Timings()).add(duration / 1000)
    return times


def anomaly_counts(anomalies: list[str]) -> str:
    kinds = {
        "Ctrl+Enter while a segment was on its way (queued)": "on its way (queued)",
        "another segment displayed than the next": ": displayed ",
        "editor held other text": "editor holds",
        "editor not focused": "not focused",
        "caret not at the end": "caret not at the end",
    }
    counts = {label: sum(needle in anomaly for anomaly in anomalies) for label, needle in kinds.items()}
    return "; ".join(f"{label}: {count}" for label, count in counts.items() if count) or "none"


def new_page_round(
    page: Page, server: Server, data: Corpus, username: str, count: int, key_delay: int, rss: bool = False
) -> Round:
    """Type, Ctrl+Enter, type on: never wait for the page; the times come from the page."""
    result, order = Round("new"), data.batches[username]
    sign_in(page, server.url, username, PASSWORD)
    wait_until_shown(page, order[0], timeout=30_000)
    install_loop_recorder(page)
    page.evaluate("() => { performance.clearResourceTimings(); performance.setResourceTimingBufferSize(1000000); }")
    started, load = time.perf_counter(), os.getloadavg()[0]
    for index in range(count):
        if rss and index % RSS_EVERY == 0:
            _settle(page, order[index], result)
            result.rss_mb.append((index, server.rss_mb()))
        suffix = correction(username, index)
        page.keyboard.type(suffix, delay=key_delay)
        page.keyboard.press("Control+Enter")
        result.typed[order[index]] = data.drafts[order[index]] + suffix
        if index % 50 == 49:
            progress(f"  new page, {username}: {index + 1}/{count} saves typed")
    expected_last = order[count] if count < len(order) else None
    _settle(page, expected_last, result)
    result.seconds, result.load = time.perf_counter() - started, (load, os.getloadavg()[0])
    if rss:
        result.rss_mb.append((count, server.rss_mb()))
    result.requests = request_times(page)
    shows, anomalies = save_latencies(loop_records(page), order, data.drafts)
    for show in shows:
        result.saves.add(show["ms"] / 1000)
        result.painted.add(show["painted_ms"] / 1000)
    result.anomalies = anomalies
    return result


def _settle(page: Page, shown: str | None, result: Round) -> None:
    """Wait until the component shows ``shown`` with nothing in flight; if it shows another
    segment, note that and wait for the requests only."""
    if shown is not None:
        try:
            wait_until_shown(page, shown, timeout=20_000)
        except AssertionError:
            result.anomalies.append(f"expected {shown} displayed; the page has {loop_state(page)}")
    wait_until_saved(page, timeout=60_000)


def old_page_round(
    page: Page, server: Server, data: Corpus, username: str, count: int, key_delay: int, rss: bool = False
) -> Round:
    """The Streamlit page: type, Ctrl+Enter, then wait for the next segment before typing on."""
    result, order = Round("old"), data.batches[username]
    sign_in(page, server.url, username, PASSWORD)
    page.wait_for_function(
        "(text) => document.activeElement && document.activeElement.tagName === 'TEXTAREA'"
        " && document.activeElement.value === text",
        arg=data.drafts[order[0]],
        timeout=30_000,
    )
    page.evaluate(OLD_PAGE_RECORDER)
    started, load = time.perf_counter(), os.getloadavg()[0]
    for index in range(count):
        if rss and index % RSS_EVERY == 0:
            result.rss_mb.append((index, server.rss_mb()))
        suffix = correction(username, index)
        upcoming = order[index + 1]
        page.evaluate("(text) => { window.__oldRec.expect = text; }", data.drafts[upcoming])
        page.keyboard.type(suffix, delay=key_delay)
        page.keyboard.press("Control+Enter")
        result.typed[order[index]] = data.drafts[order[index]] + suffix
        page.wait_for_function("() => window.__oldRec.expect === null", timeout=60_000, polling=20)
        wait_for_app_idle(page, settle_ms=150)
        if index % 25 == 24:
            progress(f"  old page, {username}: {index + 1}/{count} saves")
    result.seconds, result.load = time.perf_counter() - started, (load, os.getloadavg()[0])
    if rss:
        result.rss_mb.append((count, server.rss_mb()))
    recorded = page.evaluate("() => window.__oldRec")
    if len(recorded["keys"]) != count or len(recorded["hits"]) != count:
        result.anomalies.append(
            f"{len(recorded['keys'])} Ctrl+Enter keydowns and {len(recorded['hits'])} next "
            f"segments seen for {count} saves"
        )
    for key, hit in zip(recorded["keys"], recorded["hits"]):
        result.saves.add((hit - key) / 1000)
    return result


# ---------------------------------------------------------------------------------------------
# The database afterwards


def check_database(data: Corpus, rounds: list[tuple[str, Round]]) -> str:
    store = Store.open(Settings(data_dir=data.data_dir, database_url=data.url).resolved_database_url, migrate=False)
    try:
        wrong = []
        for username, run in rounds:
            for segment_id, text in run.typed.items():
                segment = store.get_segment(segment_id)
                if (segment.text, segment.status, segment.updated_by) != (text, SegmentStatus.SUBMITTED, username):
                    wrong.append(
                        f"{segment_id}: {segment.text!r} ({segment.status.value}, {segment.updated_by}), typed {text!r}"
                    )
        project = store.get_project("bench-label")
        submitted = store.count_segments_by_status(project.id).get(SegmentStatus.SUBMITTED, 0)
    finally:
        store.close()
    expected = sum(len(run.typed) for _, run in rounds)
    line = (
        f"{expected - len(wrong)}/{expected} labeled segments hold exactly the text typed for them; "
        f"{submitted} submitted in the project (expected {expected})"
    )
    if wrong or submitted != expected:
        line += " — MISMATCH:\n      " + "\n      ".join(wrong[:10])
    return line


# ---------------------------------------------------------------------------------------------
# One database: build, new page, old page


@dataclass
class DatabaseRun:
    name: str
    segments: int = 0
    build_seconds: float = 0.0
    new: Round | None = None
    memory: Round | None = None
    old: Round | None = None
    old_memory: Round | None = None
    new_check: str = ""
    old_check: str = ""
    seconds: float = 0.0


def run_database(name: str, args, utterances, old_tree: Path, browser, tmp: Path) -> DatabaseRun:
    run, started = DatabaseRun(name), time.perf_counter()
    urls = [new_postgres_database(), None] if name == "postgresql" else [None, None]
    try:
        progress(f"== {name}: building {args.corpus} segments")
        new_data = build_corpus(name, tmp / "new", urls[0], args.corpus, utterances, tmp)
        run.segments, run.build_seconds = new_data.segments, new_data.build_seconds
        if name == "postgresql":  # a fresh name: CREATE DATABASE ... TEMPLATE makes it
            urls[1] = f"{urls[0]}_old"
        old_data = copy_data(new_data, tmp / "old", urls[1])
        to_old_schema(old_data, old_tree)
        progress(f"built {run.segments} segments in {run.build_seconds:.0f} s; copied for the old page")
        if args.pages in ("both", "new"):
            run.new, run.memory, run.new_check = page_rounds(
                "new", ROOT, new_data, new_page_round, args.segments_labeled, args.memory_segments, args, browser, tmp
            )
        if args.pages in ("both", "old"):
            run.old, run.old_memory, run.old_check = page_rounds(
                "old",
                old_tree,
                old_data,
                old_page_round,
                args.segments_labeled,
                args.old_memory_segments,
                args,
                browser,
                tmp,
            )
    finally:
        for url in urls:
            if url:
                drop_postgres_database(url)
        if not args.keep:
            for folder in ("new", "old"):
                shutil.rmtree(tmp / folder, ignore_errors=True)
    run.seconds = time.perf_counter() - started
    return run


def page_rounds(
    which: str, tree: Path, data: Corpus, labeler, count: int, memory_count: int, args, browser, tmp: Path
) -> tuple[Round, Round | None, str]:
    """One server of ``tree``: the typist's timed round, then the RSS round; the database check."""
    server = start_server(tree, data, tmp / f"{data.name}-{which}-server.log")
    memory = None
    try:
        progress(f"{which} page: {TYPIST} labels {count}")
        timed = with_page(browser, lambda page: labeler(page, server, data, TYPIST, count, args.key_delay))
        progress(f"{which} page: {timed.saves.line()}")
        if memory_count:
            progress(f"{which} page: {STEADY} labels {memory_count}, the server's RSS read every {RSS_EVERY}")
            memory = with_page(
                browser, lambda page: labeler(page, server, data, STEADY, memory_count, args.key_delay, rss=True)
            )
    finally:
        server.stop()
    return timed, memory, check_database(data, [(TYPIST, timed)] + ([(STEADY, memory)] if memory else []))


def with_page(browser, work):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        return work(page)
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# Output


def print_runs(runs: list[DatabaseRun], args, old_ref: str) -> None:
    print("\n== label loop in headless Chromium: Ctrl+Enter -> the next segment's editor focused with its draft")
    print(
        f"   a typist appending ~5 characters per segment ({args.key_delay} ms per key), "
        f"{args.segments_labeled} saves per page; targets median <= {TARGET_MEDIAN_MS:.0f} ms, "
        f"p95 <= {TARGET_P95_MS:.0f} ms"
    )
    print(f"   old: the Streamlit page at {old_ref} (whole-page rerun); new: the label loop component")
    for run in runs:
        print(f"[{run.name}] {run.segments} segments, built in {run.build_seconds:.0f} s; runtime {run.seconds:.0f} s")
        for label, result in (("old page", run.old), ("new page", run.new)):
            if result is None or not result.saves.values_ms:
                print(f"  {label}: no figures")
                continue
            t = result.saves
            print(
                f"  {label}  median {t.median:7.1f} ms {verdict(t.median, TARGET_MEDIAN_MS)} | "
                f"p95 {t.p95:7.1f} ms {verdict(t.p95, TARGET_P95_MS)} | max {t.max:7.1f} ms "
                f"(n={len(t.values_ms)}; {result.seconds / max(1, len(t.values_ms)):.2f} s per segment overall; "
                f"load average {result.load[0]:.1f} -> {result.load[1]:.1f} on {os.cpu_count()} cores)"
            )
            if result.painted.values_ms:
                print(
                    f"            to the next frame: median {result.painted.median:.1f} ms, "
                    f"p95 {result.painted.p95:.1f} ms"
                )
            if result.requests:
                print(
                    "            the page's requests (resource timing): "
                    + ", ".join(
                        f"{route} median {t.median:.0f} ms p95 {t.p95:.0f} ms (n={len(t.values_ms)})"
                        for route, t in sorted(result.requests.items())
                    )
                )
            if result.anomalies:
                print(f"            ! problems seen in the page: {anomaly_counts(result.anomalies)}; the first:")
            for anomaly in result.anomalies[:6]:
                print(f"            ! {anomaly}")
        if run.old and run.new and run.new.saves.values_ms and run.old.saves.values_ms:
            print(
                f"  median {run.old.saves.median:.0f} -> {run.new.saves.median:.0f} ms, "
                f"p95 {run.old.saves.p95:.0f} -> {run.new.saves.p95:.0f} ms"
            )
        for label, result in (("new page", run.memory), ("old page", run.old_memory)):
            if result and result.rss_mb:
                (_, first), (last_count, last) = result.rss_mb[0], result.rss_mb[-1]
                steps = ", ".join(f"{n}: {mb:.0f}" for n, mb in result.rss_mb)
                print(
                    f"  server RSS, {label}, one labeler over {last_count} segments: {first:.0f} -> {last:.0f} MB "
                    f"({last - first:+.1f} MB, {(last - first) * 1024 / max(1, last_count):+.1f} kB per segment; "
                    f"MB after n segments: {steps})"
                )
                if result.anomalies:
                    print(f"            ! problems seen in the page: {anomaly_counts(result.anomalies)}")
        print(f"  database, new page: {run.new_check}")
        print(f"  database, old page: {run.old_check}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--segments-labeled", type=int, default=200)
    parser.add_argument("--corpus", type=int, default=20_000, help="drafted segments in the project")
    parser.add_argument("--memory-segments", type=int, default=500, help="new page, RSS round (0: none)")
    parser.add_argument("--old-memory-segments", type=int, default=0, help="old page, RSS round (0: none)")
    parser.add_argument("--old-ref", default="e85bbcf", help="the commit whose label page is 'old'")
    parser.add_argument("--key-delay", type=int, default=30, help="ms between the typist's keys")
    parser.add_argument("--speech-dir", type=Path, default=corpus.DEFAULT_SPEECH)
    parser.add_argument("--pages", choices=("both", "old", "new"), default="both")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, data)")
    args = parser.parse_args(argv)
    most = BATCH - 1
    if (
        not 1 <= args.segments_labeled <= most
        or not 0 <= args.memory_segments <= BATCH
        or not 0 <= args.old_memory_segments <= most
    ):
        parser.error(f"--segments-labeled 1–{most}, --memory-segments 0–{BATCH}, --old-memory-segments 0–{most}")
    if args.corpus < 2 * BATCH + 2:
        parser.error(f"--corpus must hold two batches of {BATCH}")
    if not CHROMIUM.is_file():
        raise SystemExit(f"no Chromium at {CHROMIUM} (apt-get install chromium; never `playwright install`)")
    names = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    utterances = corpus.load_utterances(args.speech_dir)
    tmp = Path(tempfile.mkdtemp(prefix="bench-loop-"))
    old_tree = tmp / "old-tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(old_tree), args.old_ref], cwd=ROOT, check=True, capture_output=True
    )
    old_ref = subprocess.run(
        ["git", "log", "-1", "--format=%h %s", args.old_ref], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()[:70]
    runs = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            for name in names:
                runs.append(run_database(name, args, utterances, old_tree, browser, tmp))
            browser.close()
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], cwd=ROOT, capture_output=True)
        if args.keep:
            progress(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        print_runs(runs, args, old_ref)


if __name__ == "__main__":
    main()
