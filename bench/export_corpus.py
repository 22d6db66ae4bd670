"""A large project for the export benchmark, built fast from real speech (see bench/export.py).

A handful of real recordings from ``../shared/speech`` are joined into one session of about
2.5 minutes (0.4 s of silence between them) and imported through ``import_audio`` like any
upload. That recording is then repeated in bulk: each repeat is its own recording row with its
own byte-for-byte copy of the normalized 16 kHz WAV (copies, not links, so every source is read
from disk once, as in a real project), tiled with segments of 1-10 s separated by 0.15-0.6 s
pauses. Every segment has a reference text of the real clips, a draft, and a history (submitted
by a labeler, approved by a reviewer). Rows go in with bulk inserts (COPY on PostgreSQL).
"""

from __future__ import annotations

import random
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select

from bench.bulk_rows import insert_rows
from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.samples import TARGET_RATE, load_mono_16k, wav_bytes
from speechlabel.core.models import Project
from speechlabel.ingest.files import import_audio
from speechlabel.projects.manage import create_project
from speechlabel.store import Store, schema
from speechlabel.workspace.config import Settings

SPEECH_FILES = (
    "en/jfk.wav",
    "en/librispeech_2412-153948-0000.flac",
    "en/ami_ES2011a_Headset-0_40s-46s.wav",
    "en/LDC93S1.wav",
    "en/speech_recognition_english.wav",
    "en/speechbrain_harvard_spk1_snt1.wav",
    "en/speechbrain_harvard_spk2_snt3.wav",
    "en/stereo_diarization.wav",
    "diarization/pyannote_sample.wav",
    "diarization/ami_pyannote_tst00.wav",
    "noise/librispeech_1088-134315-0000_dry.wav",
    "other/deepspeech_ru.wav",
)
PAUSE_SECONDS = 0.4
SPEAKERS = ("spk1", "spk2", "spk3")
LABELERS = ("labeler01", "labeler02", "labeler03", "labeler04")
EDITED = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class CorpusShape:
    segments: int = 50_000
    min_seconds: float = 1.0
    max_seconds: float = 10.0
    min_pause: float = 0.15
    max_pause: float = 0.6
    seed: int = 6


@dataclass
class Corpus:
    """The built project and what was put on disk for it."""

    project: Project
    session_seconds: float
    sources: list[Path] = field(default_factory=list)
    """The normalized WAV of every recording (what the export reads)."""
    segments: int = 0
    audio_seconds: float = 0.0


def real_session(speech_dir: Path) -> tuple[bytes, list[str]]:
    """The real recordings joined into one 16 kHz WAV, and their reference texts."""
    pause = np.zeros(int(PAUSE_SECONDS * TARGET_RATE), dtype=np.float32)
    parts, texts = [], []
    for name in SPEECH_FILES:
        path = speech_dir / name
        parts += [load_mono_16k(path), pause]
        reference = path.with_suffix(".txt")
        if reference.exists():
            texts.append(" ".join(reference.read_text(encoding="utf-8").split()))
    return wav_bytes(np.concatenate(parts)), texts


def build_corpus(store: Store, settings: Settings, speech_dir: Path, shape: CorpusShape) -> Corpus:
    project = create_project(store, f"export-bench-{uuid.uuid4().hex[:6]}", language="en", actor=SYSTEM)
    session, texts = real_session(speech_dir)
    imported = import_audio(store, settings, project, session, "session.wav")
    with store.engine.connect() as connection:
        template = dict(
            connection.execute(select(schema.recordings).where(schema.recordings.c.id == imported.id)).one()._mapping
        )
    corpus = Corpus(project, template["duration"])
    rng = random.Random(shape.seed)
    rows: dict[str, list[dict]] = {"recordings": [], "segments": [], "drafts": [], "revisions": []}
    number = 0
    while corpus.segments < shape.segments:
        recording = _repeat(template, number)
        number += 1
        corpus.sources.append(settings.data_dir / recording["normalized_path"])
        shutil.copyfile(settings.data_dir / imported.normalized_path, corpus.sources[-1])
        rows["recordings"].append(recording)
        for start, duration in _tiles(rng, shape, corpus.session_seconds):
            if corpus.segments == shape.segments:
                break
            _add_segment(rows, recording, corpus.segments, start, duration, rng.choice(texts), rng)
            corpus.segments += 1
            corpus.audio_seconds += duration
    with store.engine.begin() as connection:
        for table in ("recordings", "segments", "drafts", "revisions"):
            insert_rows(connection, getattr(schema, table), rows[table])
        if store.dialect == "postgresql":
            connection.exec_driver_sql("ANALYZE")  # what autovacuum does soon after a bulk load
    return corpus


def _repeat(template: dict, number: int) -> dict:
    recording_id = f"rec-{number:06d}-{uuid.uuid4().hex[:6]}"
    return {
        **template,
        "id": recording_id,
        "label": f"session-{number:06d}.wav",
        "sha256": uuid.uuid4().hex * 2,
        "normalized_path": f"audio/normalized/{recording_id}.wav",
        "prelabel_state": "drafted",
    }


def _tiles(rng: random.Random, shape: CorpusShape, seconds: float):
    start = round(rng.uniform(0.0, shape.max_pause), 3)
    while True:
        duration = round(rng.uniform(shape.min_seconds, shape.max_seconds), 3)
        if start + duration > seconds:
            return
        yield start, duration
        start = round(start + duration + rng.uniform(shape.min_pause, shape.max_pause), 3)


def _add_segment(
    rows: dict[str, list[dict]],
    recording: dict,
    index: int,
    start: float,
    duration: float,
    text: str,
    rng: random.Random,
) -> None:
    segment_id = f"{recording['id']}-{index:07d}"
    labeler, reviewer = rng.choice(LABELERS), "reviewer01"
    submitted = EDITED + timedelta(seconds=index * 7)
    approved = submitted + timedelta(hours=2)
    speaker = rng.choice(SPEAKERS)
    rows["segments"].append(
        {
            "id": segment_id,
            "project_id": recording["project_id"],
            "recording_id": recording["id"],
            "start": start,
            "duration": duration,
            "channel": 0,
            "text": text,
            "language": "en",
            "speaker": speaker,
            "tags": [],
            "custom": {},
            "status": "approved",
            "version": 4,
            "updated_by": reviewer,
            "updated_at": approved,
        }
    )
    words = [
        [word, round(start + n * duration / len(text.split()), 3), 0.3, round(rng.uniform(0.4, 1.0), 3)]
        for n, word in enumerate(text.split())
    ]
    rows["drafts"].append(
        {
            "segment_id": segment_id,
            "engine": "faster-whisper",
            "model": "base",
            "options": {"beam_size": 1},
            "text": text.lower(),
            "words": words,
            "avg_logprob": -0.3,
            "no_speech_prob": 0.02,
            "compression_ratio": 1.2,
            "language": "en",
            "language_probability": 0.98,
            "created_at": EDITED,
        }
    )
    for version, author, at, status in (
        (1, "prelabel", EDITED, "new"),
        (2, "prelabel", EDITED, "drafted"),
        (3, labeler, submitted, "submitted"),
        (4, reviewer, approved, "approved"),
    ):
        rows["revisions"].append(
            {
                "segment_id": segment_id,
                "version": version,
                "author": author,
                "created_at": at,
                "text": text,
                "speaker": speaker,
                "tags": [],
                "start": start,
                "duration": duration,
                "status": status,
                "comment": None,
            }
        )
