"""How many labelers one `streamlit run workbench.py` serves through the label loop's JSON routes.

    python -m bench.label_capacity [--database sqlite|postgresql|both] [--labelers 1,10,20,50]
                                   [--seconds 30] [--segments 20000] [--batch-size B] [--think 0]
                                   [--old-clicks 40] [--profile auto|yes|no] [--speech-dir ../shared/speech]

Per database it builds, in a temporary data folder, the project of ``bench/label_page.py`` (its
``build_project``: real speech tiled from ``<speech-dir>/en/*.wav``, one 2-hour recording and
nine 20-minute ones, every segment drafted; ``--segments`` below 20,000 scales its recording
lengths down, the only change). PostgreSQL gets a schema of its own (dropped at the end); the
server is pointed at it through the URL (``?options=-csearch_path=<schema>``), as
``bench/label_page.py`` points its in-process app. Then it:

* creates ``max(--labelers)`` labelers (plus one for the old page and one for the profile), sets
  the project's batch size (``--batch-size``; by default as large as lets every labeler's batch
  fit twice in the pool, at most 500: 192 for 20,000 segments and 52 labelers; leases never
  collide anyway) and signs each in once with ``accounts.login`` (scrypt: in threads);
* starts ONE ``streamlit run workbench.py`` subprocess of this working tree (as tests/e2e do:
  headless, a free port, /_stcore/health polled) on that data; one labeler warms it up for 3 s
  (not counted), its idle CPU is read over 3 s, and one labeler runs up to 10 s with the
  server's CPU read around each request (``/proc/<pid>/task/*/schedstat``, ns resolution): the
  split by request (peek, clip, wave clip, save), kept out of the measured rounds because the
  reads slow the client;
* per N in ``--labelers``: N client threads (``requests``, one keep-alive session per labeler,
  cookie ``speechlabel_session`` and its own ``X-Speechlabel-Tab``) first take their segment
  (``labeling.next_segment`` in this process, which leases their batch), open it
  (``GET /api/label/open/{id}``) and fetch its clip and waveform clip; then, together, each
  loops as the browser component does, in one of two protocols (``--protocols``; each round
  runs once per protocol, so the old and the new figure come from the same run):

  - ``fold`` (the component now): [think], ``POST /api/label/save`` with
    ``then_open=upcoming`` and ``prefetch=<the segment after that>``; the answer brings that
    card, whose ``wave.url`` (the window the component plays; ``clip_url`` only without a
    waveform) is fetched next. A save and a clip per segment;
  - ``peek`` (the component before): ``GET /api/label/peek/{upcoming}`` and its ``wave.url``,
    [think], ``POST /api/label/save`` with ``then_open=upcoming``. A peek, a save and a clip
    per segment.

  The card saved with ``then_open`` is shown next. A card without an upcoming one (the end of
  the batch) is saved without ``then_open``: the server's ``next`` card comes back (a fresh
  batch leased). Bounded by ``--seconds`` and ``--max-per-labeler``; ``--think 0`` (default) is
  as fast as possible, ``--think S`` waits U(0.5 S, 1.5 S) before each save (a person working).
  A request that meets a connection error (the server closes keep-alive connections idle for
  5 s) is sent once more on a new connection, as a browser does; such resends are counted.
  Printed per N and protocol: saves/s, save latency p50/p95/max, the whole per-segment cycle
  (every request of it, no think), server CPU per save (utime+stime of the server process from
  /proc/<pid>/stat, all its threads, before and after the round, divided by the round's saves;
  so it holds the prefetch's cost too; on PostgreSQL the database's own processes are not in
  it), errors by route and status, and how many cores the server, the clients and every other
  process of the machine kept busy meanwhile (from /proc/stat: this machine is shared, and
  latencies measured while other work runs say more about the machine than about the server);
* after the rounds, checks the database: every acknowledged save's segment holds exactly the
  text its client sent ("bench <labeler> <segment id>"), that labeler as ``updated_by``, status
  submitted and the version the save returned; no segment has two submitted revisions; no
  revision of a "bench ..." text was written by another labeler; no segment was submitted
  without a client having an acknowledgement for it;
* the OLD figure: the label page of ``--old-ref`` (e85bbcf, before the routes: a Save & next is a
  whole-page rerun) in a ``git worktree`` of that commit, in a subprocess with that tree first
  on sys.path (``bench/label_capacity_old.py``): its label page driven by AppTest as its
  ``bench/label_page.py`` does, on the same database taken back to the old tree's newest
  migration (an Alembic downgrade: what the new code added since, which the old page never
  reads, is dropped) and brought forward after, by one more labeler, with the server stopped. The CPU per Save & next is
  ``time.process_time`` around ``click().run()`` (two script runs), less the CPU AppTest spends
  compiling the page scripts on every run (a server compiles them once). AppTest is not a
  server: it builds the same protobuf deltas but sends them nowhere, and it does not parse a
  websocket; so the old figure is its script cost, if anything a little below what a server
  spends. The worktree is removed at the end;
* ``--profile``: one labeler's cycles of the fold protocol run in this process through the
  domain functions, each request as its route runs it (one ``store.shared()`` block that starts
  with ``accounts.authenticate``): ``label_loop.actions.save`` with then_open and prefetch +
  ``card_json`` + JSON, then ``clips.cut_clip_for`` of the card ahead's wave window, under
  cProfile: CPU milliseconds per request (``thread_time``, with the profiler's overhead), SQL
  statements and transactions per request and where the time goes. ``auto``
  (default) profiles when the first round costs more than the target per save.

Targets from the issue, printed as PASS/MISS (never asserted): server CPU per save <= 20 ms and
save p95 <= 400 ms with 20 labelers. The bench's clients share the 2 cores with the server, so
the latencies are with that load on the machine (the CPU per save is the server's own). With
``--think 0`` every round is a saturation test: N labelers who never pause keep the server
busy whatever N is, and the latency grows with N; ``--think`` gives the latency at a load
people make. Progress goes to stderr, figures to stdout.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests
import sqlalchemy
from sqlalchemy import func, select

from bench import label_page as corpus
from bench.label_page import POSTGRES_URL, Timings, load_utterances, progress, verdict
from bench.worktrees import old_tree
from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.core.models import MAX_BATCH, AssignmentSettings, Role, SegmentStatus
from speechlabel.labeling import actions as labeling
from speechlabel.labeling.clips import cut_clip_for
from speechlabel.projects.manage import update_assignment_settings
from speechlabel.store import Store
from speechlabel.store import schema as tables
from speechlabel.store.engine import downgrade_schema, upgrade_schema
from speechlabel.workspace.config import Settings
from tests.streamlit_server import ServerDidNotStart, free_port, launch, stop, wait_until_healthy

ROOT = Path(__file__).resolve().parents[1]
OLD_HELPER = Path(__file__).resolve().with_name("label_capacity_old.py")
OLD_REF = "e85bbcf"
FULL_SEGMENTS = 20_000  # what bench/label_page.py builds
TARGET_CPU_MS = 20.0
TARGET_P95_MS = 400.0
TARGET_LABELERS = 20
PASSWORD = "bench password 123"
SERVER_START_SECONDS = 90
REQUEST_TIMEOUT = 120
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# The server process


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


def start_server(data_dir: Path, database_url: str | None, log_path: Path) -> Server:
    """``streamlit run workbench.py`` of this tree on ``data_dir`` (and ``database_url``)."""
    port = free_port()
    # The clients save as fast as the server answers (--think 0), faster than any person: the
    # sessions' route budgets (rate_limit.py) are raised so that they measure the server, not it.
    env = {
        "SPEECHLABEL_DATA_DIR": str(data_dir),
        "SPEECHLABEL_ADMIN_PASSWORD": "bench admin password",
        "SPEECHLABEL_ROUTE_BUDGET": "1000",
    }
    if database_url:
        env["SPEECHLABEL_DATABASE_URL"] = database_url
    server = Server(launch(ROOT, port, log_path, env), f"http://127.0.0.1:{port}", log_path)
    try:
        wait_until_healthy(server.process, server.url, log_path, seconds=SERVER_START_SECONDS)
    except ServerDidNotStart as failure:
        stop_server(server)
        raise SystemExit(str(failure)) from None
    return server


def stop_server(server: Server) -> None:
    stop(server.process)


def cpu_seconds(pid: int) -> float:
    """utime + stime of the whole process (all its threads, those ended included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of proc(5)


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine spent (the cpu line of /proc/stat, idle and
    iowait left out)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / CLK_TCK  # user..steal, less idle and iowait


def run_ns(pid: int) -> int:
    """Time on CPU of the process's live threads, in ns (schedstat: finer than clock ticks)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):  # a thread that just ended
            pass
    return total


# ---------------------------------------------------------------------------------------------
# The clients

# How a client fetches what it shows next. FOLD: as the component does now, the card after the
# next one comes back with the save (``prefetch``), so a segment costs the server a save and a
# clip. PEEK: as it did before (the old protocol), a separate GET /api/label/peek per segment.
FOLD, PEEK = "fold", "peek"
PROTOCOLS = (FOLD, PEEK)


@dataclass
class Ack:
    segment_id: str
    text: str
    labeler: str
    version: int


@dataclass
class RoundResult:
    labelers: int
    protocol: str = FOLD
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    bench_cpu_seconds: float = 0.0  # this process: the clients
    other_cpu_seconds: float = 0.0  # every other process of the machine (other people's work)
    saves: list[Ack] = field(default_factory=list)
    save_ms: Timings = field(default_factory=Timings)
    cycle_ms: Timings = field(default_factory=Timings)
    peek_ms: Timings = field(default_factory=Timings)
    errors: Counter = field(default_factory=Counter)
    out_of_work: int = 0
    retried: int = 0  # requests sent again after a connection error (once each)
    by_request_ns: Counter = field(default_factory=Counter)  # N = 1 only: server CPU per request kind
    by_request_count: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def cpu_ms_per_save(self) -> float:
        return self.cpu_seconds * 1000 / max(1, len(self.saves))


class Labeler:
    """One browser tab of one signed-in labeler, doing what the label loop's component does."""

    def __init__(
        self,
        server: Server,
        name: str,
        token: str,
        tab: str,
        result: RoundResult,
        breakdown: bool,
        think: float,
        seed: int,
        protocol: str = FOLD,
    ):
        self.server, self.name, self.result, self.breakdown, self.think = server, name, result, breakdown, think
        self.protocol = protocol
        self.web = requests.Session()
        self.web.headers.update({"X-Speechlabel-Tab": tab, "X-Speechlabel-Lang": "en"})
        self.web.cookies.set(accounts.SESSION_COOKIE, token, domain="127.0.0.1", path="/")
        self.rng = random.Random(seed)
        self.saved: set[str] = set()

    def request(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        before = run_ns(self.server.pid) if self.breakdown else 0
        for attempt in (1, 2):
            try:
                answer = self.web.request(method, self.server.url + path, timeout=REQUEST_TIMEOUT, **kwargs)
                break
            except requests.ConnectionError as error:
                # The server closed an idle keep-alive connection as the request went out (uvicorn
                # keeps them 5 s; a think time is longer). A browser sends the request again on a
                # new connection, so do that once; the database check would catch a double save.
                if attempt == 1:
                    with self.result.lock:
                        self.result.retried += 1
                    continue
                self.error(kind, type(error).__name__)
                return None
            except requests.RequestException as error:
                self.error(kind, type(error).__name__)
                return None
        if self.breakdown:
            with self.result.lock:
                self.result.by_request_ns[kind] += run_ns(self.server.pid) - before
                self.result.by_request_count[kind] += 1
        if answer.status_code >= 400:
            try:
                what = answer.json().get("kind", "")
            except ValueError:
                what = answer.text[:60].strip()
            self.error(kind, f"{answer.status_code} {what}".strip())
            return None
        return answer

    def error(self, kind: str, what: str) -> None:
        with self.result.lock:
            self.result.errors[f"{kind} {what}"] += 1

    def card(self, kind: str, segment_id: str) -> dict | None:
        answer = self.request(kind, "GET", f"/api/label/{kind}/{segment_id}")
        return answer.json() if answer is not None else None

    def audio(self, card: dict) -> None:
        # As the component does: it plays the waveform's window (the segment's clip only when
        # there is no waveform, e.g. a segment too long to draw).
        if card.get("wave"):
            self.request("wave clip", "GET", card["wave"]["url"])
        else:
            self.request("clip", "GET", card["clip_url"])

    def first(self, segment_id: str) -> dict | None:
        card = self.card("open", segment_id)
        if card is not None:
            self.audio(card)
        return card

    def loop(self, card: dict, start: threading.Event, deadline: list[float], most: int) -> None:
        start.wait()
        count, ahead = 0, None  # ahead: the upcoming segment's card, fetched before its turn
        while card is not None and count < most and time.monotonic() < deadline[0]:
            began = time.perf_counter()
            upcoming = card.get("upcoming")
            if not self.usable(upcoming, card):
                ahead = None
            elif ahead is None or ahead["id"] != upcoming:
                started = time.perf_counter()
                ahead = self.card("peek", upcoming)
                if ahead is not None:
                    self.result.peek_ms.add(time.perf_counter() - started)
                    self.audio(ahead)
            thought = self.rng.uniform(0.5, 1.5) * self.think if self.think else 0.0
            if thought:
                time.sleep(thought)
            text = f"bench {self.name} {card['id']}"
            body = {
                "segment_id": card["id"],
                "version": card["version"],
                "text": text,
                "speaker": "Speaker 1",
                "tags": [],
                "comment": None,
                "then_open": ahead["id"] if ahead else None,
            }
            if self.protocol == FOLD and ahead and self.usable(ahead.get("upcoming"), card):
                body["prefetch"] = ahead["upcoming"]
            started = time.perf_counter()
            answer = self.request("save", "POST", "/api/label/save", json=body)
            ended = time.perf_counter()
            if answer is None:  # refused: reopen what the browser would show next, or stop
                card, ahead = (self.card("open", ahead["id"]) if ahead else None), None
                continue
            saved = answer.json()
            self.saved.add(card["id"])
            count += 1
            prefetched = saved.get("prefetched")
            if prefetched is not None:  # the browser fetches its audio in the background
                self.audio(prefetched)
            with self.result.lock:
                self.result.saves.append(Ack(card["id"], text, self.name, saved["version"]))
                self.result.save_ms.add(ended - started)
                self.result.cycle_ms.add(time.perf_counter() - began - thought)
            if saved["next"] is not None:
                card, ahead = saved["next"], None
            else:
                card, ahead = ahead, prefetched
            if card is None:
                with self.result.lock:
                    self.result.out_of_work += 1

    def usable(self, segment_id: str | None, card: dict) -> bool:
        """Whether a segment the server names as upcoming is one to fetch ahead (not the one
        open, not one this client saved already)."""
        return bool(segment_id) and segment_id != card["id"] and segment_id not in self.saved


def run_round(
    server: Server,
    store: Store,
    project,
    people: list[tuple[str, str]],
    seconds: float,
    most: int,
    think: float,
    number: int,
    breakdown: bool = False,
    protocol: str = FOLD,
) -> RoundResult:
    """N labelers at once: each takes and opens their segment, then all loop for ``seconds``.
    ``breakdown``: also the server's CPU per request (reading /proc around each one slows the
    clients, so such a round is not one of the measured ones)."""
    result = RoundResult(len(people), protocol)
    start, deadline = threading.Event(), [0.0]
    labelers = [
        Labeler(
            server,
            name,
            token,
            f"bench-{number}-{index}-{uuid.uuid4().hex[:6]}",
            result,
            breakdown=breakdown,
            think=think,
            seed=number * 1000 + index,
            protocol=protocol,
        )
        for index, (name, token) in enumerate(people)
    ]

    def prepare(labeler: Labeler) -> dict | None:
        actor = accounts.authenticate(store, labeler.web.cookies.get(accounts.SESSION_COOKIE))
        segment = labeling.next_segment(store, actor, project)
        return labeler.first(segment.id) if segment else None

    with ThreadPoolExecutor(max_workers=min(8, len(labelers))) as pool:
        cards = list(pool.map(prepare, labelers))
    threads = [
        threading.Thread(target=labeler.loop, args=(card, start, deadline, most), daemon=True)
        for labeler, card in zip(labelers, cards)
    ]
    for thread in threads:
        thread.start()
    cpu_before, bench_before, machine_before = cpu_seconds(server.pid), cpu_seconds(os.getpid()), machine_busy_seconds()
    began = time.monotonic()
    deadline[0] = began + seconds
    start.set()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - began
    result.cpu_seconds = cpu_seconds(server.pid) - cpu_before
    result.bench_cpu_seconds = cpu_seconds(os.getpid()) - bench_before
    result.other_cpu_seconds = machine_busy_seconds() - machine_before - result.cpu_seconds - result.bench_cpu_seconds
    result.errors.update(
        {"(first segment) none to open": sum(card is None for card in cards)}
        if any(card is None for card in cards)
        else {}
    )
    return result


def idle_cpu_ms_per_second(server: Server, seconds: float = 3.0) -> float:
    before = cpu_seconds(server.pid)
    time.sleep(seconds)
    return (cpu_seconds(server.pid) - before) * 1000 / seconds


# ---------------------------------------------------------------------------------------------
# People and the database


def make_people(store: Store, project, names: list[str]) -> dict[str, str]:
    """Labelers of the project, each signed in once: name -> session token."""

    def one(name: str) -> tuple[str, str]:
        accounts.create_user(store, SYSTEM, name, PASSWORD)
        accounts.set_role(store, SYSTEM, name, project.name, Role.LABELER)
        return name, accounts.login(store, name, PASSWORD)[0]

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:  # scrypt leaves the GIL
        return dict(pool.map(one, names))


@contextmanager
def corpus_of(segments: int):
    """bench/label_page.py's corpus with about ``segments`` segments: its recordings' lengths (and
    the 20-minute ones' segment count) scaled by segments / 20,000; restored afterwards."""
    scale = segments / FULL_SEGMENTS
    saved = {name: getattr(corpus, name) for name in ("LONG_SECONDS", "OTHER_SECONDS", "OTHER_SEGMENTS")}
    corpus.LONG_SECONDS = saved["LONG_SECONDS"] * scale
    corpus.OTHER_SECONDS = saved["OTHER_SECONDS"] * scale
    corpus.OTHER_SEGMENTS = max(1, round(saved["OTHER_SEGMENTS"] * scale))
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(corpus, name, value)


@dataclass
class Check:
    acknowledged: int = 0
    wrong_text: int = 0
    wrong_labeler: int = 0
    wrong_status: int = 0
    overwritten: int = 0  # a later version than the save returned
    acknowledged_twice: int = 0
    submitted_twice: int = 0  # segments with more than one submitted revision
    foreign_author: int = 0  # "bench <x> ..." revisions written by someone other than <x>
    unacknowledged: int = 0  # submitted by a bench labeler, no client got the answer
    examples: list[str] = field(default_factory=list)

    @property
    def lost_updates(self) -> int:
        return self.wrong_text + self.wrong_labeler + self.wrong_status + self.overwritten

    def line(self) -> str:
        return (
            f"{self.acknowledged} acknowledged saves: wrong text {self.wrong_text}, wrong labeler "
            f"{self.wrong_labeler}, wrong status {self.wrong_status}, overwritten since {self.overwritten} "
            f"=> lost updates {self.lost_updates}; acknowledged twice {self.acknowledged_twice}; segments "
            f"submitted twice {self.submitted_twice}; 'bench' revisions by another labeler {self.foreign_author}; "
            f"submitted without an acknowledgement {self.unacknowledged}"
        )


def check_database(store: Store, acks: list[Ack], labelers: set[str]) -> Check:
    check = Check(acknowledged=len(acks))
    seen = Counter(ack.segment_id for ack in acks)
    check.acknowledged_twice = sum(1 for count in seen.values() if count > 1)
    for ack in acks:
        segment = store.get_segment(ack.segment_id)
        problems = [
            (segment.text != ack.text, "wrong_text"),
            (segment.updated_by != ack.labeler, "wrong_labeler"),
            (segment.status != SegmentStatus.SUBMITTED, "wrong_status"),
            (segment.version != ack.version, "overwritten"),
        ]
        for bad, name in problems:
            if bad:
                setattr(check, name, getattr(check, name) + 1)
                if len(check.examples) < 5:
                    check.examples.append(
                        f"{name}: {ack.segment_id} sent {ack.text!r} by {ack.labeler} "
                        f"v{ack.version}, holds {segment.text!r} by {segment.updated_by} "
                        f"v{segment.version}"
                    )
    revisions = tables.revisions
    submitted = SegmentStatus.SUBMITTED.value
    with store.engine.connect() as connection:
        check.submitted_twice = connection.execute(
            select(func.count()).select_from(
                select(revisions.c.segment_id)
                .where(revisions.c.status == submitted)
                .group_by(revisions.c.segment_id)
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar_one()
        rows = connection.execute(
            select(revisions.c.segment_id, revisions.c.author, revisions.c.text).where(revisions.c.text.like("bench %"))
        ).all()
        by_bench = (
            connection.execute(
                select(revisions.c.segment_id).where(
                    revisions.c.status == submitted, revisions.c.author.in_(sorted(labelers))
                )
            )
            .scalars()
            .all()
        )
    check.foreign_author = sum(1 for _, author, text in rows if text.split()[1] != author)
    check.unacknowledged = len(set(by_bench) - set(seen))
    return check


# ---------------------------------------------------------------------------------------------
# The old label page (a subprocess in a worktree of the old commit)


@dataclass
class OldPage:
    wall_ms: Timings
    cpu_ms: Timings
    cpu_less_compiling_ms: Timings
    saved: int
    expected: int
    text_ok: bool
    source: str


def old_schema_head(tree: Path) -> str:
    """The newest migration of the old tree: the old page reads the database taken back to it."""
    revisions, replaced = set(), set()
    for path in (tree / "speechlabel" / "migrations" / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revisions.update(re.findall(r'^revision = "([^"]+)"', text, re.MULTILINE))
        replaced.update(re.findall(r'^down_revision = "([^"]+)"', text, re.MULTILINE))
    (head,) = revisions - replaced
    return head


@contextmanager
def old_schema(store: Store, tree: Path):
    """The database taken back to the old tree's schema (the columns and tables the new code added
    since are dropped with their rows: nothing the old page reads), and brought forward after."""
    downgrade_schema(store.engine, old_schema_head(tree))
    try:
        yield
    finally:
        upgrade_schema(store.engine)


def old_page(tree: Path, data_dir: Path, database_url: str | None, username: str, clicks: int) -> OldPage:
    env = dict(os.environ, SPEECHLABEL_DATA_DIR=str(data_dir), PYTHONPATH=str(tree), PYTHONUNBUFFERED="1")
    env.pop("SPEECHLABEL_DATABASE_URL", None)
    if database_url:
        env["SPEECHLABEL_DATABASE_URL"] = database_url
    done = subprocess.run(
        [
            sys.executable,
            str(OLD_HELPER),
            "--tree",
            str(tree),
            "--username",
            username,
            "--password",
            PASSWORD,
            "--clicks",
            str(clicks),
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"the old page failed ({done.returncode}):\n{done.stderr[-3000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    if not Path(found["speechlabel"]).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the old page ran {found['speechlabel']}, not the old tree's code")
    ms = lambda values: Timings([value * 1000 for value in values])  # noqa: E731
    return OldPage(
        ms(found["wall"]),
        ms(found["cpu"]),
        ms([cpu - compiled for cpu, compiled in zip(found["cpu"], found["compiling"])]),
        found["saved"],
        found["expected"],
        found["last_text_ok"],
        found["speechlabel"],
    )


# ---------------------------------------------------------------------------------------------
# The profile: one labeler's cycles through the domain functions, in this process


@dataclass
class Profile:
    cycles: int
    parts_ms: dict[str, Timings]
    statements: dict[str, float]
    transactions: dict[str, float]
    report: str


def profile_cycles(store: Store, settings: Settings, project, name: str, token: str, cycles: int) -> Profile:
    """The fold protocol's two requests per segment, as the routes run them: each in one
    ``store.shared()`` block that starts with the session check (views/label_api.py)."""
    from speechlabel.i18n import Lang
    from speechlabel.labeling.loop import Edit, Loop, OpenSegments, TabKey, actions
    from views.label_api import card_json, plain

    counter = corpus.SqlCounter(store.engine)
    transactions = TransactionCounter(store.engine)
    loop = Loop(store, settings, OpenSegments())
    actor = accounts.authenticate(store, token)
    tab = TabKey(accounts.token_hash(token), "profile")
    card = actions.open_card(loop, actor, tab, labeling.next_segment(store, actor, project).id)
    parts = {name: Timings() for name in ("save (then_open, prefetch) + card_json + json", "clip (wave window)")}
    statements = {name: [] for name in parts}
    begun = {name: [] for name in parts}
    profiler = cProfile.Profile()

    def timed(part: str, call):
        counter.take()
        transactions.take()
        started = time.thread_time()  # CPU: other processes' load on the machine does not count
        profiler.enable()
        try:
            with store.shared():
                accounts.authenticate(store, token)
                return call()
        finally:
            profiler.disable()
            parts[part].add(time.thread_time() - started)
            statements[part].append(counter.take()[0])
            begun[part].append(transactions.take())

    def clip(url: str):
        parsed = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qs(parsed.query)
        recording = parsed.path.rsplit("/", 1)[1].removesuffix(".wav")
        return cut_clip_for(store, settings, actor, recording, float(query["start"][0]), float(query["end"][0]))

    def save(edit: Edit, upcoming: str, ahead: str | None):
        saved = actions.save(loop, actor, tab, edit, then_open=upcoming, prefetch=ahead)
        json.dumps({**plain(saved), "next": card_json(saved.next, Lang.EN)})  # what the route sends
        return saved

    shown = actions.peek_card(loop, actor, card.upcoming) if card.upcoming else None  # the first prefetch
    done = 0
    while done < cycles and shown is not None and shown.upcoming:
        edit = Edit(card.id, card.version, f"bench {name} {card.id}", "Speaker 1", ())
        saved = timed("save (then_open, prefetch) + card_json + json", lambda: save(edit, shown.id, shown.upcoming))  # noqa: B023 — called at once
        ahead = saved.prefetched
        if ahead is not None:
            url = ahead.wave.url if ahead.wave else ahead.clip_url
            timed("clip (wave window)", lambda: clip(url))  # noqa: B023 — called at once
        card, shown, done = shown, ahead, done + 1
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"speechlabel|views|sqlalchemy/engine/base|numpy|soundfile|json", 30)
    stats.sort_stats("tottime").print_stats(15)
    report = "\n".join(line for line in out.getvalue().splitlines() if line.strip())
    report += f"\nthe statements, by their time over the {done} cycles (ms per call x calls):\n  "
    report += "\n  ".join(counter.slowest(40))
    mean = lambda values: float(sum(values) / max(1, len(values)))  # noqa: E731
    return Profile(
        done,
        parts,
        {part: mean(values) for part, values in statements.items()},
        {part: mean(values) for part, values in begun.items()},
        report,
    )


class TransactionCounter:
    """Transactions begun on one engine (each costs a BEGIN and a COMMIT or ROLLBACK: on
    PostgreSQL two round trips that no statement count shows)."""

    def __init__(self, engine: sqlalchemy.Engine):
        self.begun = 0
        sqlalchemy.event.listen(engine, "begin", self._begin)

    def _begin(self, conn) -> None:
        self.begun += 1

    def take(self) -> int:
        taken, self.begun = self.begun, 0
        return taken


# ---------------------------------------------------------------------------------------------
# One database


@dataclass
class DatabaseRun:
    name: str
    segments: int = 0
    build_seconds: float = 0.0
    batch_size: int = 0
    idle_cpu_ms_per_s: float = 0.0
    threads: int = 0
    code: str = ""
    breakdowns: list[RoundResult] = field(default_factory=list)  # one labeler, per protocol
    rounds: list[RoundResult] = field(default_factory=list)
    check: Check | None = None
    old: OldPage | None = None
    old_error: str | None = None
    profile: Profile | None = None
    server_log_tail: str = ""


def open_database(name: str, settings: Settings):
    """(store, URL for the server, cleanup) for SQLite in the data folder or a PostgreSQL schema."""
    if name == "sqlite":
        store = Store.open(settings.resolved_database_url)
        return store, None, store.close
    schema = f"bench_capacity_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    store = Store.open(POSTGRES_URL, schema=schema)

    def cleanup() -> None:
        store.close()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
        progress(f"dropped schema {schema}")

    return store, f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", cleanup


def run_database(name: str, args, utterances, tree: Path | None) -> DatabaseRun:
    run = DatabaseRun(name)
    counts = sorted(set(args.labelers))
    with tempfile.TemporaryDirectory(prefix="bench-capacity-") as tmp_name:
        tmp = Path(tmp_name)
        settings = Settings(data_dir=(tmp / "data").resolve())
        settings.data_dir.mkdir(parents=True)
        store, server_url, cleanup = open_database(name, settings)
        server = None
        try:
            progress(f"== {name}: building the project of bench/label_page.py ({args.segments} segments)")
            started = time.perf_counter()
            with corpus_of(args.segments):
                built = corpus.build_project(store, settings, utterances, tmp)
            run.build_seconds, run.segments = time.perf_counter() - started, built.segments
            project = built.project
            names = [f"labeler-{number:02d}" for number in range(1, max(counts) + 1)]
            extra = ["old-page", "profiled"]
            fitting = built.segments // (2 * (len(names) + len(extra)))  # every batch fits twice
            run.batch_size = args.batch_size or max(5, min(MAX_BATCH, fitting))
            project = update_assignment_settings(
                store,
                SYSTEM,
                project,
                AssignmentSettings(batch_size=run.batch_size, lease_minutes=24 * 60.0, from_scratch_share=0.0),
            )
            progress(
                f"built {built.segments} segments in {run.build_seconds:.0f} s; {len(names) + len(extra)} "
                f"labelers, batch size {run.batch_size}: creating and signing them in"
            )
            tokens = make_people(store, project, names + extra)

            run.code = code_state()
            server = start_server(settings.data_dir, server_url, tmp / "server.log")
            progress(f"server pid {server.pid} at {server.url}; warming it up (not counted)")
            warm = run_round(server, store, project, [(names[0], tokens[names[0]])], 3.0, 10, 0.0, 0)
            run.idle_cpu_ms_per_s = idle_cpu_ms_per_second(server)
            run.threads = len(list(Path(f"/proc/{server.pid}/task").iterdir()))
            progress("one labeler with the server's CPU read around each request (not in the table)")
            run.breakdowns = [
                run_round(
                    server,
                    store,
                    project,
                    [(names[0], tokens[names[0]])],
                    min(10.0, args.seconds),
                    200,
                    0.0,
                    0,
                    breakdown=True,
                    protocol=protocol,
                )
                for protocol in args.protocols
            ]
            acks = list(warm.saves) + [ack for single in run.breakdowns for ack in single.saves]
            rounds = [(count, protocol) for count in counts for protocol in args.protocols]
            for number, (count, protocol) in enumerate(rounds, 1):
                progress(f"round N={count}, {protocol}: {args.seconds:g} s, think {args.think:g} s")
                result = run_round(
                    server,
                    store,
                    project,
                    [(n, tokens[n]) for n in names[:count]],
                    args.seconds,
                    args.max_per_labeler,
                    args.think,
                    number,
                    protocol=protocol,
                )
                run.rounds.append(result)
                acks += result.saves
                progress(
                    f"  {len(result.saves)} saves, {len(result.saves) / result.seconds:.1f}/s, "
                    f"{result.cpu_ms_per_save:.1f} ms server CPU per save, errors {sum(result.errors.values())}"
                )
            run.server_log_tail = server.log_tail(1500)
            stop_server(server)
            server = None
            progress("checking the database against what the clients were told")
            run.check = check_database(store, acks, set(names))

            if tree is not None:
                progress(f"old page ({args.old_ref}): {args.old_clicks} Save & next in AppTest, in a subprocess")
                try:
                    with old_schema(store, tree):
                        run.old = old_page(tree, settings.data_dir, server_url, "old-page", args.old_clicks)
                except SystemExit as error:  # the new figures still stand
                    run.old_error = str(error)
                    progress(run.old_error)
            first = run.rounds[0] if run.rounds else None
            if args.profile == "yes" or (args.profile == "auto" and first and first.cpu_ms_per_save > TARGET_CPU_MS):
                progress(f"profiling {args.profile_cycles} cycles in this process")
                run.profile = profile_cycles(
                    store, settings, project, "profiled", tokens["profiled"], args.profile_cycles
                )
        finally:
            if server is not None:
                stop_server(server)
            cleanup()
    return run


# ---------------------------------------------------------------------------------------------
# Output


def code_state() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "workbench.py", "views", "speechlabel"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    changed = [line[3:] for line in dirty if line.strip()]
    return f"server code: this working tree at {head.strip()}" + (
        f", with uncommitted changes in {', '.join(changed)}" if changed else " (clean)"
    )


def print_run(run: DatabaseRun, args) -> None:
    print(
        f"\n== {run.name}: {run.segments} segments (built in {run.build_seconds:.0f} s), batch size "
        f"{run.batch_size}, think {args.think:g} s, {args.seconds:g} s per round"
    )
    print(f"server idle: {run.idle_cpu_ms_per_s:.1f} ms CPU per second (in the figures below, not subtracted)")
    print(f"{run.code}")
    print(
        "cores busy = CPU seconds / wall seconds of the round: the server, the bench's clients, all other "
        "processes of the machine (2 cores)"
    )
    print(
        " N | protocol | saves | saves/s | save p50 / p95 / max ms   | cycle p50 / p95 ms | peek p50 ms | "
        "CPU/save ms | cores: server clients others | errors"
    )
    for r in run.rounds:
        s, c = r.save_ms, r.cycle_ms
        saves = len(r.saves)
        save = f"{s.median:7.1f} / {s.p95:7.1f} / {s.max:7.1f}" if saves else "       -"
        cycle = f"{c.median:7.1f} / {c.p95:7.1f}" if saves else "       -"
        peek = f"{r.peek_ms.median:7.1f}" if r.peek_ms.values_ms else "      -"
        cores = (
            f"{r.cpu_seconds / r.seconds:6.2f} {r.bench_cpu_seconds / r.seconds:7.2f} "
            f"{r.other_cpu_seconds / r.seconds:6.2f}"
        )
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(r.errors.items())) or "none"
        print(
            f"{r.labelers:2d} | {r.protocol:8s} | {saves:5d} | {saves / r.seconds:7.1f} | {save} | {cycle} | {peek}     | "
            f"{r.cpu_ms_per_save:11.1f} |        {cores} | {errors}"
            + (f"; {r.out_of_work} ran out of work" if r.out_of_work else "")
            + (f"; {r.retried} sent again after a closed connection" if r.retried else "")
        )
    for single in run.breakdowns:
        if not single.saves:
            continue
        parts = ", ".join(
            f"{kind} {single.by_request_ns[kind] / 1e6 / single.by_request_count[kind]:.1f} ms"
            f" ({single.by_request_count[kind] / len(single.saves):.2f}/save)"
            for kind in ("peek", "clip", "wave clip", "save")
            if single.by_request_count[kind]
        )
        print(
            f"server CPU per request, one labeler, {single.protocol} ({len(single.saves)} cycles; run time of "
            f"the server's {run.threads} threads summed around each request): {parts}; all: "
            f"{single.cpu_ms_per_save:.1f} ms/save"
        )
    if any(r.errors for r in run.rounds):
        lines = [line for line in run.server_log_tail.splitlines() if line.strip()][-12:]
        print("server log, last lines:\n  " + ("\n  ".join(lines) or "(empty)"))
    print(f"database check: {run.check.line()}")
    for example in run.check.examples:
        print(f"  {example}")
    if run.old:
        o = run.old
        print(
            f"old page ({args.old_ref}, AppTest, {len(o.cpu_ms.values_ms)} clicks after 5 warm-up; code from "
            f"{Path(o.source).parent.parent}): CPU per Save & next median {o.cpu_ms.median:.0f} ms, "
            f"p95 {o.cpu_ms.p95:.0f} ms; less AppTest's recompiling median {o.cpu_less_compiling_ms.median:.0f} ms; "
            f"wall median {o.wall_ms.median:.0f} ms; submitted {o.saved}/{o.expected}, last text stored: "
            f"{'yes' if o.text_ok else 'NO'}"
        )
    elif run.old_error:
        print(f"old page: failed: {run.old_error.splitlines()[0]}")
    if run.profile:
        p = run.profile
        print(
            f"profile of {p.cycles} cycles in-process (the domain functions the routes call, each request's "
            "in one shared block after its session check), per request (CPU of this thread, with cProfile on, "
            "which about doubles it; SQL statements and transactions):"
        )
        for part, timings in p.parts_ms.items():
            if timings.values_ms:
                print(
                    f"  {part:46s} median {timings.median:6.1f} ms, p95 {timings.p95:6.1f} ms, "
                    f"{p.statements[part]:.1f} statements, {p.transactions[part]:.1f} transactions"
                )
        print(p.report)


def print_summary(runs: list[DatabaseRun], skipped: dict[str, str], args) -> None:
    print(
        f"\n== summary: targets with {TARGET_LABELERS} labelers: server CPU per save <= {TARGET_CPU_MS:.0f} ms, "
        f"save p95 <= {TARGET_P95_MS:.0f} ms (think {args.think:g} s)"
    )
    for run in runs:
        target = next((r for r in run.rounds if r.labelers == TARGET_LABELERS and r.protocol == FOLD), None)
        for r in run.rounds:
            if not r.saves:
                print(f"[{run.name}] N={r.labelers}: no saves")
                continue
            mark = ""
            if r is target:
                mark = (
                    f"  <- CPU {verdict(r.cpu_ms_per_save, TARGET_CPU_MS)}, p95 {verdict(r.save_ms.p95, TARGET_P95_MS)}"
                )
            print(
                f"[{run.name}] N={r.labelers:2d} {r.protocol}: {len(r.saves) / r.seconds:6.1f} saves/s, save p50 "
                f"{r.save_ms.median:6.1f} ms p95 {r.save_ms.p95:6.1f} ms max {r.save_ms.max:6.1f} ms, server CPU "
                f"{r.cpu_ms_per_save:5.1f} ms/save, errors {sum(r.errors.values())}, other processes "
                f"{r.other_cpu_seconds / r.seconds:.2f} cores{mark}"
            )
        if target is None:
            print(f"[{run.name}] no round with {TARGET_LABELERS} labelers: targets not judged")
        print(
            f"[{run.name}] lost updates {run.check.lost_updates}, segments submitted twice "
            f"{run.check.submitted_twice}, by another labeler {run.check.foreign_author}"
        )
        first = next((r for r in run.rounds if r.protocol == FOLD), None)
        new = first.cpu_ms_per_save if first else float("nan")
        if run.old:
            print(
                f"[{run.name}] old page: {run.old.cpu_ms.median:.0f} ms server CPU per save "
                f"({run.old.cpu_less_compiling_ms.median:.0f} ms less AppTest's recompiling) | new route: "
                f"{new:.1f} ms at N={first.labelers if first else '-'}"
                + (f", {target.cpu_ms_per_save:.1f} ms at N={TARGET_LABELERS}" if target else "")
                + " (with the prefetch and the clips)"
            )
    for name, reason in skipped.items():
        print(f"[{name}] skipped: {reason}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--labelers", default="1,10,20,50", help="labelers per round, comma-separated")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each round")
    parser.add_argument("--max-per-labeler", type=int, default=1000, help="saves per labeler and round, at most")
    parser.add_argument("--segments", type=int, default=FULL_SEGMENTS, help="project size (default 20,000)")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=0,
        help="the project's batch size (default: as large as lets every labeler's batch fit twice "
        "in the pool, at most 500)",
    )
    parser.add_argument("--think", type=float, default=0.0, help="mean think time before each save (s)")
    parser.add_argument(
        "--protocols",
        type=lambda text: [item for item in text.split(",") if item],
        default=list(PROTOCOLS),
        help="fold (the card ahead comes with the save, as the component does), peek (a request per card, "
        "as it did before); both by default, each round run once per protocol",
    )
    parser.add_argument("--old-ref", default=OLD_REF, help="the commit of the old label page")
    parser.add_argument("--old-clicks", type=int, default=40, help="Save & next on the old page (0: skip it)")
    parser.add_argument("--profile", choices=("auto", "yes", "no"), default="auto")
    parser.add_argument("--profile-cycles", type=int, default=60)
    parser.add_argument("--speech-dir", type=Path, default=corpus.DEFAULT_SPEECH)
    args = parser.parse_args(argv)
    try:
        args.labelers = [int(part) for part in args.labelers.split(",") if part.strip()]
    except ValueError:
        parser.error("--labelers takes whole numbers separated by commas, e.g. 1,10,20,50")
    if not args.labelers or min(args.labelers) < 1 or args.seconds <= 0 or args.segments < 500:
        parser.error("--labelers must be >= 1, --seconds > 0 and --segments >= 500")
    names = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    progress(f"loading the utterances of {args.speech_dir / 'en'}")
    utterances = load_utterances(args.speech_dir)
    runs, skipped = [], {}
    work = Path(tempfile.mkdtemp(prefix="bench-capacity-tree-"))
    try:
        with old_tree(args.old_ref, work) if args.old_clicks > 0 else _nothing() as tree:
            for name in names:
                if name == "postgresql":
                    reason = _postgres_missing()
                    if reason:
                        skipped[name] = reason
                        progress(reason)
                        continue
                run = run_database(name, args, utterances, tree)
                print_run(run, args)
                runs.append(run)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_summary(runs, skipped, args)


@contextmanager
def _nothing():
    yield None


def _postgres_missing() -> str | None:
    try:
        probe = sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with probe.connect():
            pass
        probe.dispose()
    except sqlalchemy.exc.OperationalError as error:
        return f"no PostgreSQL at {POSTGRES_URL}: {str(error).splitlines()[0]}"
    return None


if __name__ == "__main__":
    main()
