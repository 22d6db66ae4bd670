"""Many labelers at once, through the same domain functions as the label page: each pulls work
(leases), opens and saves segments for a fixed time; then what must hold is checked. The test
(tests/test_concurrency.py) runs it for 30 s on SQLite and PostgreSQL; bench/teams.py runs it
longer and prints saves per second."""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from speechlabel.accounts import users as accounts
from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.samples import write_wav
from speechlabel.core.errors import Conflict
from speechlabel.core.models import Actor, AssignmentSettings, Project, Role
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.workspace.config import Settings

PASSWORD = "correct horse battery"


@dataclass
class SimulationResult:
    seconds: float
    saves: list[tuple[str, str, str]] = field(default_factory=list)  # (segment, labeler, text)
    second_saves: list[tuple[str, str, str]] = field(default_factory=list)  # second labelings, the same
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def saves_per_second(self) -> float:
        return (len(self.saves) + len(self.second_saves)) / self.seconds if self.seconds else 0.0


def build_pool(
    store: Store, settings: Settings, segments: int, batch_size: int = 5, double_share: float = 0.0
) -> Project:
    """A project with ``segments`` to-do segments over one recording (a tone: the audio is not
    what is measured here) and small batches, so labelers keep coming back to the pool."""
    project = create_project(store, f"crowd-{uuid.uuid4().hex[:6]}", language="en", actor=SYSTEM)
    project = store.update_assignment_settings(
        project.id, AssignmentSettings(batch_size=batch_size, lease_minutes=5, double_share=double_share)
    )
    seconds = segments * 0.2 + 1
    path = Path(tempfile.mkdtemp()) / "tone.wav"
    write_wav(path, (0.1 * np.sin(np.arange(int(seconds * 16000)) * 0.05)).astype(np.float32))
    recording = import_audio(store, settings, project, path.read_bytes(), "tone.wav")
    bounds = [(round(i * 0.2, 3), round(i * 0.2 + 0.15, 3)) for i in range(segments)]
    store.replace_segments(recording.id, project.id, bounds, {}, "segmented")  # status new: in the pool
    return store.get_project(project.name)


def crowd(store: Store, project: Project, count: int) -> list[Actor]:
    people = []
    for index in range(count):
        name = f"labeler{index:02d}-{project.id}"
        accounts.create_user(store, SYSTEM, name, PASSWORD)
        accounts.set_role(store, SYSTEM, name, project.name, Role.LABELER)
        people.append(accounts.login(store, name, PASSWORD)[1])
    return people


def simulate(store: Store, project: Project, people: list[Actor], seconds: float) -> SimulationResult:
    """Every labeler loops: next segment, open it, save it (Save & next) until time is up."""
    result = SimulationResult(seconds)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    start = threading.Barrier(len(people))

    def work(actor: Actor) -> None:
        start.wait()
        upcoming = None
        while time.monotonic() < deadline:
            try:
                upcoming = upcoming or labeling.next_segment(store, actor, project)
                if upcoming is None:
                    return  # the pool is empty
                context = labeling.open_segment(store, actor, upcoming.id)
                opened = context.segment
                text = f"{actor.username} {opened.id} {time.monotonic_ns()}"
                _, upcoming = labeling.save_and_next(store, actor, opened.id, opened.version, text, None, (), None)
                with lock:
                    (result.second_saves if context.second_labeling else result.saves).append(
                        (opened.id, actor.username, text)
                    )
            except Conflict:
                with lock:
                    result.conflicts += 1
                upcoming = None
            except Exception as error:  # noqa: BLE001 — every other error is a finding to report
                with lock:
                    result.errors.append(f"{actor.username}: {type(error).__name__}: {error}")
                return

    threads = [threading.Thread(target=work, args=(actor,)) for actor in people]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - began
    return result


def check(store: Store, result: SimulationResult) -> list[str]:
    """What must hold after a run; returns the problems found (empty: all good)."""
    problems = list(result.errors)
    by_segment: dict[str, set[str]] = {}
    for segment_id, labeler, _ in result.saves:
        by_segment.setdefault(segment_id, set()).add(labeler)
    shared = {segment: who for segment, who in by_segment.items() if len(who) > 1}
    if shared:
        problems.append(f"{len(shared)} segments labeled by two people, e.g. {next(iter(shared.items()))}")
    texts = Counter(text for _, _, text in result.saves)
    for segment_id in list(by_segment)[:2000]:
        history = {revision.text for revision in store.list_revisions(segment_id)}
        lost = [text for sid, _, text in result.saves if sid == segment_id and text not in history]
        if lost:
            problems.append(f"lost update on {segment_id}: {lost[0]!r} is not in its history")
            break
    if any(count > 1 for count in texts.values()):
        problems.append("one save was counted twice")
    return problems + _check_second_labelings(store, result, by_segment)


def _check_second_labelings(store: Store, result: SimulationResult, first: dict[str, set[str]]) -> list[str]:
    """Each second labeling saved once, by someone who did not label the segment, and kept."""
    problems = []
    seconds = Counter(segment_id for segment_id, _, _ in result.second_saves)
    if any(count > 1 for count in seconds.values()):
        problems.append("a segment was second-labeled twice")
    for segment_id, labeler, text in result.second_saves:
        if labeler in first.get(segment_id, ()):
            problems.append(f"{labeler} labeled {segment_id} twice (first and second labeling)")
        kept = store.get_second_label(segment_id)
        if kept is None or (kept.labeler, kept.text) != (labeler, text):
            problems.append(f"second labeling of {segment_id} by {labeler} was not kept")
    return problems
