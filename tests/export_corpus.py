"""The corpus the export tests export: three real recordings (hostile and long Hangul labels among
them), seven segments with drafts, submitted by two labelers, some approved."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from speechlabel.core.models import Draft, SegmentEdit, SegmentStatus, Word
from speechlabel.ingest.files import import_audio

HOSTILE_LABEL = "../../etc/passwd"
LONG_HANGUL_LABEL = ("회의 녹음 파일 " * 40)[:254]  # ends in a letter: labels are stripped
# (file, label, [(start, end, speaker, tags, final text, labeler, approved)])
CORPUS = [
    (
        "diarization/pyannote_sample.wav",
        "call 01.wav",
        [
            (6.69, 7.12, "A", ("noise",), "[noise] okay computer", "ana", True),
            (8.32, 10.02, "B", (), "turn on the light", "ben", False),
            (10.57, 14.7, "A", (), "b/ 음 hello/ world*", "ana", True),
        ],
    ),
    (
        "en/jfk.wav",
        HOSTILE_LABEL,
        [
            (0.3, 2.3, "A B", (), "and so my fellow americans", "ben", True),
            (2.5, 5.0, None, ("laughter", "noise"), "ask not", None, False),
            (5.5, 8.0, "화자 1", (), "what your country\u3000can do", "ana", False),
        ],
    ),
    (
        "en/LDC93S1.wav",
        LONG_HANGUL_LABEL,
        [
            (0.1, 2.8, "B", (), "she had your dark suit", "ana", True),
        ],
    ),
]


def build_corpus(store, settings, project, speech_dir):
    """Three real recordings, seven segments: drafts with word timings, submitted by ana or
    ben, some approved by rob (so updated_by is rob but the labeler of record is not)."""
    recordings = []
    for file, label, spans in CORPUS:
        recording = import_audio(store, settings, project, (speech_dir / file).read_bytes(), label)
        segments = store.replace_segments(recording.id, project.id, [(s, e) for s, e, *_ in spans], {}, "prelabel")
        for segment, (start, end, speaker, tags, text, labeler, approved) in zip(segments, spans):
            words = (Word("draft", start + 0.05, 0.3, 0.91), Word("words", start + 0.4, end - start, 0.42))
            store.add_draft(
                segment.id,
                Draft("draft words", words, -0.31, 0.02, 1.2, "en", 0.99, "faster-whisper", "base", {}),
                "prelabel",
            )
            status = SegmentStatus.SUBMITTED if labeler else SegmentStatus.IN_PROGRESS
            saved = store.save_segment(
                segment.id, 2, SegmentEdit(text=text, speaker=speaker, tags=tags, status=status), labeler or "prelabel"
            )
            if approved:
                store.save_segment(segment.id, saved.version, SegmentEdit(status=SegmentStatus.APPROVED), "rob")
        recordings.append(recording)
    return recordings


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]
