"""Pre-labeling: segment every recording not yet done and give each segment a Whisper draft.

Consecutive segments are drafted together in one Whisper window (``windowing``). Resumable by
construction: a recording's segmentation is stored in one transaction, and each draft is stored
with its segment's status change in another, so a re-run after an interruption continues with
the first segment still ``new`` and duplicates nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from speechlabel.audio.samples import TARGET_RATE, read_span
from speechlabel.core.errors import NotFound
from speechlabel.core.heap import release_free_memory
from speechlabel.core.lifecycle import Action, allowed_from
from speechlabel.core.models import PrelabelState, Project, Recording
from speechlabel.prelabel.project_options import segment_options_for, transcribe_options_for
from speechlabel.prelabel.transcribe import Engine, TranscribeOptions, get_engine
from speechlabel.prelabel.vad import SegmentOptions, Span, segment_blocks
from speechlabel.prelabel.windowing import group_into_windows
from speechlabel.store import Store
from speechlabel.workspace.config import Settings

log = logging.getLogger(__name__)

PRELABEL_AUTHOR = "prelabel"


@dataclass(frozen=True)
class PrelabelProgress:
    recordings_done: int
    recordings_total: int
    audio_seconds_done: float
    audio_seconds_total: float
    segments_drafted: int


@dataclass(frozen=True)
class PrelabelReport:
    recordings: int
    segments_drafted: int
    audio_seconds: float
    wall_seconds: float

    @property
    def real_time_factor(self) -> float:
        """Audio seconds processed per wall-clock second (higher is faster)."""
        return self.audio_seconds / self.wall_seconds if self.wall_seconds else 0.0


ProgressCallback = Callable[[PrelabelProgress], None]


def prelabel_project(
    store: Store,
    settings: Settings,
    project: Project,
    engine: Engine | None = None,
    on_progress: ProgressCallback | None = None,
) -> PrelabelReport:
    """Segment and draft every recording of ``project`` that is not fully drafted yet."""
    segment_options = segment_options_for(project)
    transcribe_options = transcribe_options_for(project)
    engine = engine or get_engine(transcribe_options)
    pending = store.list_recordings(project.id, pending_only=True)
    total_seconds = sum(recording.duration for recording in pending)
    started = time.perf_counter()
    done_seconds, drafted = 0.0, 0
    if on_progress:  # what there is to do, before the model loads
        on_progress(PrelabelProgress(0, len(pending), 0.0, total_seconds, 0))
    for index, recording in enumerate(pending):

        def report_window(seconds_into_recording: float, count: int) -> None:
            if on_progress:  # called while this recording is being drafted, so the loop values hold
                on_progress(
                    PrelabelProgress(
                        index,  # noqa: B023
                        len(pending),
                        done_seconds + seconds_into_recording,  # noqa: B023
                        total_seconds,
                        drafted + count,  # noqa: B023
                    )
                )

        drafted += prelabel_recording(
            store, settings, recording, segment_options, transcribe_options, engine, report_window
        )
        done_seconds += recording.duration
        if on_progress:
            on_progress(PrelabelProgress(index + 1, len(pending), done_seconds, total_seconds, drafted))
    return PrelabelReport(len(pending), drafted, total_seconds, time.perf_counter() - started)


def prelabel_recording(
    store: Store,
    settings: Settings,
    recording: Recording,
    segment_options: SegmentOptions,
    transcribe_options: TranscribeOptions,
    engine: Engine,
    on_window: Callable[[float, int], None] | None = None,
) -> int:
    """Bring one recording to ``drafted``; return how many drafts this call produced.

    The recording is never held whole (a 4-hour one is 0.9 GB as float samples): the VAD reads
    its 16 kHz copy in blocks, and each Whisper window reads its own span from the file."""
    path = normalized_audio(settings, recording)
    if recording.prelabel_state == PrelabelState.NEW:
        spans = segment_normalized(path, segment_options)
        store.replace_segments(
            recording.id,
            recording.project_id,
            [(s.start, s.end) for s in spans],
            segment_options.to_dict(),
            PRELABEL_AUTHOR,
        )
        log.info("%s: %d segments", recording.id, len(spans))
    pending = store.list_segments(recording.id, allowed_from(Action.DRAFT))
    count = 0
    for group in group_into_windows([(s.start, s.end) for s in pending], transcribe_options.window_seconds):
        window = [pending[i] for i in group]
        start = window[0].start
        audio = read_span(path, start, window[-1].end)
        window_spans = [(s.start - start, s.end - start) for s in window]
        drafts = engine.transcribe_window(audio, window_spans, transcribe_options, offset=start)
        for segment, draft in zip(window, drafts):
            store.add_draft(segment.id, draft, PRELABEL_AUTHOR)
            count += 1
        if on_window:
            on_window(window[-1].end, count)
    store.set_prelabel_state(recording.id, PrelabelState.DRAFTED)
    release_free_memory()  # so a worker's memory stays flat from one recording to the next
    return count


def normalized_audio(settings: Settings, recording: Recording) -> Path:
    """The path of ``recording``'s 16 kHz mono copy, checked to be there and at 16 kHz."""
    path = settings.data_dir / recording.normalized_path
    if not path.is_file():
        raise NotFound(
            message_key="error.job_audio_missing",
            params={"recording": recording.id, "label": recording.label, "path": str(path)},
        )
    rate = sf.info(str(path)).samplerate
    if rate != TARGET_RATE:  # every normalised copy is written at 16 kHz; anything else is damage
        raise RuntimeError(f"normalised copy of {recording.id} is at {rate} Hz, expected {TARGET_RATE}")
    return path


# Blocks of the 16 kHz copy the VAD reads: 4 MB each, a minute of audio.
_BLOCK_SAMPLES = 1 << 20


def segment_normalized(path: Path, options: SegmentOptions) -> list[Span]:
    """The segments of a 16 kHz mono WAV (a recording's normalized copy), read in blocks: the
    segments ``segment_speech`` finds in the whole of it."""
    with sf.SoundFile(str(path)) as handle:
        return segment_blocks(handle.blocks(_BLOCK_SAMPLES, dtype="float32"), handle.samplerate, options)
