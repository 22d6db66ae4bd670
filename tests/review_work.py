"""Submitted work to review: 12 segments of jfk.wav with drafts of known confidence (the
``work`` fixture in tests/conftest.py labels them)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from speechlabel.core.models import Draft, Word
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling

# Draft confidence of each of the 12 segments (None: no draft); the first six are Ana's work.
CONFIDENCES = [0.9, 0.3, 0.6, 0.1, 0.8, 0.5, 0.2, 0.7, 0.4, 0.95, None, None]


def a_draft(text: str, confidence: float, start: float) -> Draft:
    """A draft whose words all score ``confidence`` and whose avg_logprob is its log."""
    words = tuple(Word(symbol, round(start + 0.2 * i, 3), 0.15, confidence) for i, symbol in enumerate(text.split()))
    return Draft(text, words, math.log(confidence), 0.01, 1.1, "en", 0.99, "faster-whisper", "base", {})


@dataclass
class Work:
    recording_id: str
    ids: list[str]  # in time order; ana labeled ids[:6], ben ids[6:]

    def of(self, labeler: str) -> list[str]:
        return self.ids[:6] if labeler == "ana" else self.ids[6:]


def load_segments(store, settings, project, speech_dir):
    recording = import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    bounds = [(round(i * 0.9, 3), round(i * 0.9 + 0.8, 3)) for i in range(len(CONFIDENCES))]
    segments = store.replace_segments(recording.id, project.id, bounds, {}, "prelabel")
    for segment, confidence in zip(segments, CONFIDENCES):
        if confidence is not None:
            store.add_draft(segment.id, a_draft("and so my fellow", confidence, segment.start), "prelabel")
    return recording, segments


def label_all(store, actor, ids: list[str], text: str = "words") -> None:
    for segment_id in ids:
        version = store.get_segment(segment_id).version
        labeling.save_and_next(store, actor, segment_id, version, f"{text} {segment_id[-4:]}", None, [], None)
