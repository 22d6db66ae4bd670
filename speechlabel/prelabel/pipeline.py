"""Pre-labeling: segment every recording not yet done and give each segment a Whisper draft.

Consecutive segments of a recording are drafted together in one Whisper window (``windowing``),
and short recordings are drafted in batches whose segments share windows across recordings
(``packing``). Resumable by construction: a recording's segmentation is stored in one
transaction, and each draft is stored with its segment's status change in another, so a re-run
after an interruption continues with the segments still ``new`` and duplicates nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from speechlabel.audio.samples import TARGET_RATE, read_span
from speechlabel.core.errors import NotFound
from speechlabel.core.heap import release_free_memory
from speechlabel.core.lifecycle import Action, allowed_from
from speechlabel.core.models import Draft, PrelabelState, Project, Recording, Segment
from speechlabel.core.project_scheme import DraftStyle, draft_style
from speechlabel.prelabel.packing import PackOptions, Stretch, draft_packed, stretches_of
from speechlabel.prelabel.project_options import segment_options_for, transcribe_options_for
from speechlabel.prelabel.transcribe import Engine, TranscribeOptions, get_engine
from speechlabel.prelabel.vad import SegmentOptions, Span, segment_blocks
from speechlabel.prelabel.windowing import group_into_windows
from speechlabel.store import Store
from speechlabel.workspace.config import Settings

log = logging.getLogger(__name__)

PRELABEL_AUTHOR = "prelabel"
# prelabel_project drafts short recordings in batches of about this much audio: enough for ten
# full windows (and batched decoding), little memory (300 s of 16 kHz float32 is 19 MB), and
# progress still reported every few seconds of work.
BATCH_AUDIO_SECONDS = 300.0


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
        return real_time_factor(self.audio_seconds, self.wall_seconds)


def real_time_factor(audio_seconds: float, wall_seconds: float) -> float:
    """Audio seconds processed per wall-clock second (higher is faster); 0 before any time passed."""
    return audio_seconds / wall_seconds if wall_seconds else 0.0


@dataclass(frozen=True)
class BatchProgress:
    """How far ``prelabel_recordings`` is through its batch of recordings."""

    recordings_done: int
    audio_seconds_done: float  # of the recordings done, and of a long one's drafted windows
    segments_drafted: int


ProgressCallback = Callable[[PrelabelProgress], None]


def prelabel_project(
    store: Store,
    settings: Settings,
    project: Project,
    engine: Engine | None = None,
    on_progress: ProgressCallback | None = None,
    pack_options: PackOptions | None = None,
) -> PrelabelReport:
    """Segment and draft every recording of ``project`` that is not fully drafted yet: short
    recordings in batches whose segments share Whisper windows (``prelabel_recordings``), each
    long one on its own. ``pack_options`` defaults to packing under the project's window."""
    segment_options = segment_options_for(project)
    transcribe_options = transcribe_options_for(project)
    engine = engine or get_engine(transcribe_options)
    pack_options = pack_options or PackOptions.for_transcribe(transcribe_options)
    pending = store.list_recordings(project.id, pending_only=True)
    total_seconds = sum(recording.duration for recording in pending)
    started = time.perf_counter()
    done, done_seconds, drafted = 0, 0.0, 0
    if on_progress:  # what there is to do, before the model loads
        on_progress(PrelabelProgress(0, len(pending), 0.0, total_seconds, 0))
    for batch in batches_of(pending, pack_options):

        def report_window(batch: BatchProgress) -> None:
            if on_progress:  # called while this batch is being drafted, so the loop values hold
                on_progress(
                    PrelabelProgress(
                        done + batch.recordings_done,  # noqa: B023
                        len(pending),
                        done_seconds + batch.audio_seconds_done,  # noqa: B023
                        total_seconds,
                        drafted + batch.segments_drafted,  # noqa: B023
                    )
                )

        drafted += prelabel_recordings(
            store,
            settings,
            batch,
            segment_options,
            transcribe_options,
            engine,
            report_window,
            pack_options,
            style=draft_style(project),
        )
        done += len(batch)
        done_seconds += sum(recording.duration for recording in batch)
        if on_progress:
            on_progress(PrelabelProgress(done, len(pending), done_seconds, total_seconds, drafted))
    return PrelabelReport(len(pending), drafted, total_seconds, time.perf_counter() - started)


def batches_of(recordings: list[Recording], options: PackOptions) -> list[list[Recording]]:
    """Consecutive short recordings in batches of up to ``BATCH_AUDIO_SECONDS``; a long one alone."""
    batches: list[list[Recording]] = []
    for run in _runs(recordings, options):
        seconds = BATCH_AUDIO_SECONDS  # the first recording of a run starts a batch
        for recording in run:
            if seconds + recording.duration > BATCH_AUDIO_SECONDS:
                batches.append([])
                seconds = 0.0
            batches[-1].append(recording)
            seconds += recording.duration
    return batches


def is_short(recording: Recording, options: PackOptions) -> bool:
    """Whether a recording's segments fit one window, so they are packed with other recordings'.

    Longer recordings are drafted on their own as before packing: their windows are full
    already, and their audio need not be held while other recordings are decoded.
    """
    return recording.duration <= options.window_seconds


def prelabel_recordings(
    store: Store,
    settings: Settings,
    recordings: list[Recording],
    segment_options: SegmentOptions,
    transcribe_options: TranscribeOptions,
    engine: Engine,
    on_window: Callable[[BatchProgress], None] | None = None,
    pack_options: PackOptions | None = None,
    work_owner: str | None = None,
    style: DraftStyle | None = None,
) -> int:
    """Bring a batch of recordings to ``drafted``; return how many drafts this call produced.
    ``work_owner`` and ``style``: as for ``prelabel_recording``, for every recording of the batch.

    Short recordings (``is_short``) are segmented, then their segments are packed into shared
    Whisper windows (``packing``); each long one goes through ``prelabel_recording``. Recordings
    of a project without a language are not mixed in a window: Whisper detects one language per
    window. ``on_window`` gets the batch's progress after every window. Each recording is marked
    drafted as soon as its last segment is.
    """
    pack_options = pack_options or PackOptions.for_transcribe(transcribe_options)
    done, done_seconds, count = 0, 0.0, 0
    # The reports below run during a recording or group, while done, done_seconds and count
    # still hold what was finished before it.

    def report_recording(seconds_into_recording: float, drafted: int) -> None:
        if on_window:
            on_window(BatchProgress(done, done_seconds + seconds_into_recording, count + drafted))

    def report_group(group: BatchProgress) -> None:
        if on_window:
            on_window(
                BatchProgress(
                    done + group.recordings_done,
                    done_seconds + group.audio_seconds_done,
                    count + group.segments_drafted,
                )
            )

    for run in _runs(recordings, pack_options):
        if not is_short(run[0], pack_options):
            count += prelabel_recording(
                store,
                settings,
                run[0],
                segment_options,
                transcribe_options,
                engine,
                report_recording,
                work_owner,
                style,
            )
            done, done_seconds = done + 1, done_seconds + run[0].duration
            continue
        # Whisper detects one language per window: without a project language, no mixing.
        groups = [run] if transcribe_options.language else [[recording] for recording in run]
        for group in groups:
            count += _prelabel_packed(
                store,
                settings,
                group,
                segment_options,
                transcribe_options,
                engine,
                pack_options,
                report_group,
                work_owner,
                style,
            )
            done, done_seconds = done + len(group), done_seconds + sum(r.duration for r in group)
    return count


def _runs(recordings: list[Recording], options: PackOptions) -> list[list[Recording]]:
    """Consecutive short recordings together, each long one alone, in their order."""
    runs: list[list[Recording]] = []
    for recording in recordings:
        if runs and is_short(recording, options) and is_short(runs[-1][-1], options):
            runs[-1].append(recording)
        else:
            runs.append([recording])
    return runs


@dataclass(frozen=True)
class _Owner:
    """Whose segments a packed stretch holds."""

    recording: int  # index into the group
    segments: list[Segment]


def _prelabel_packed(
    store: Store,
    settings: Settings,
    recordings: list[Recording],
    segment_options: SegmentOptions,
    transcribe_options: TranscribeOptions,
    engine: Engine,
    pack_options: PackOptions,
    on_window: Callable[[BatchProgress], None],
    work_owner: str | None = None,
    style: DraftStyle | None = None,
) -> int:
    """Segment ``recordings`` (those still new) and draft their pending segments packed."""
    stretches: list[Stretch] = []
    owners: list[_Owner] = []
    left = []  # segments still to draft, per recording
    for index, recording in enumerate(recordings):
        samples, pending = _segmented(store, settings, recording, segment_options, work_owner)
        taken = 0
        for stretch in stretches_of(samples, [(s.start, s.end) for s in pending], pack_options.window_seconds):
            stretches.append(stretch)
            owners.append(_Owner(index, pending[taken : taken + len(stretch.spans)]))
            taken += len(stretch.spans)
        left.append(len(pending))
    count, done, done_seconds = 0, 0, 0.0
    for index, recording in enumerate(recordings):
        if not left[index]:  # nothing heard, or drafted by an earlier run
            store.set_prelabel_state(recording.id, PrelabelState.DRAFTED, work_owner=work_owner)
            done, done_seconds = done + 1, done_seconds + recording.duration
    for window in draft_packed(engine, stretches, transcribe_options, pack_options):
        for member, drafts in zip(window.members, window.drafts):
            owner = owners[member]
            for segment, draft in zip(owner.segments, drafts):
                _store_draft(store, segment, draft, style, work_owner)
                count += 1
            left[owner.recording] -= len(owner.segments)
            if not left[owner.recording]:
                recording = recordings[owner.recording]
                store.set_prelabel_state(recording.id, PrelabelState.DRAFTED, work_owner=work_owner)
                done, done_seconds = done + 1, done_seconds + recording.duration
        on_window(BatchProgress(done, done_seconds, count))
    return count


def _segmented(
    store: Store,
    settings: Settings,
    recording: Recording,
    segment_options: SegmentOptions,
    work_owner: str | None = None,
) -> tuple[np.ndarray, list[Segment]]:
    """A short recording's audio (at most a window's: held whole) and its segments still to
    draft, segmenting it first if it is new."""
    path = normalized_audio(settings, recording)
    if recording.prelabel_state == PrelabelState.NEW:
        _store_segmentation(store, recording, segment_normalized(path, segment_options), segment_options, work_owner)
    samples, _rate = sf.read(str(path), dtype="float32")
    return samples, store.list_segments(recording.id, allowed_from(Action.DRAFT))


def _store_segmentation(
    store: Store, recording: Recording, spans: list[Span], segment_options: SegmentOptions, work_owner: str | None
) -> None:
    """The recording's segmentation, in one transaction (a rerun after an interruption finds it)."""
    store.replace_segments(
        recording.id,
        recording.project_id,
        [(s.start, s.end) for s in spans],
        segment_options.to_dict(),
        PRELABEL_AUTHOR,
        work_owner=work_owner,
    )
    log.info("%s: %d segments", recording.id, len(spans))


def prelabel_recording(
    store: Store,
    settings: Settings,
    recording: Recording,
    segment_options: SegmentOptions,
    transcribe_options: TranscribeOptions,
    engine: Engine,
    on_window: Callable[[float, int], None] | None = None,
    work_owner: str | None = None,
    style: DraftStyle | None = None,
) -> int:
    """Bring one recording to ``drafted``; return how many drafts this call produced. With
    ``work_owner`` (a pre-labeling runner), every write checks that the runner still holds the
    recording, and stops with WorkLost when it does not (store/work.py). With ``style`` (the
    project's, ``core.project_scheme.draft_style``), each segment starts with its draft in the
    project's convention; without, with Whisper's text as it is.

    The recording is never held whole (a 4-hour one is 0.9 GB as float samples): the VAD reads
    its 16 kHz copy in blocks, and each Whisper window reads its own span from the file."""
    path = normalized_audio(settings, recording)
    if recording.prelabel_state == PrelabelState.NEW:
        _store_segmentation(store, recording, segment_normalized(path, segment_options), segment_options, work_owner)
    pending = store.list_segments(recording.id, allowed_from(Action.DRAFT))
    count = 0
    for group in group_into_windows([(s.start, s.end) for s in pending], transcribe_options.window_seconds):
        window = [pending[i] for i in group]
        start = window[0].start
        audio = read_span(path, start, window[-1].end)
        window_spans = [(s.start - start, s.end - start) for s in window]
        drafts = engine.transcribe_window(audio, window_spans, transcribe_options, offset=start)
        for segment, draft in zip(window, drafts):
            _store_draft(store, segment, draft, style, work_owner)
            count += 1
        if on_window:
            on_window(window[-1].end, count)
    store.set_prelabel_state(recording.id, PrelabelState.DRAFTED, work_owner=work_owner)
    release_free_memory()  # so a worker's memory stays flat from one recording to the next
    return count


def _store_draft(
    store: Store, segment: Segment, draft: Draft, style: DraftStyle | None, work_owner: str | None
) -> None:
    """The draft kept as Whisper wrote it (noting its style); the segment starts with it styled."""
    if style is None:
        store.add_draft(segment.id, draft, PRELABEL_AUTHOR, work_owner=work_owner)
        return
    styled = style.text(draft.text)
    store.add_draft(segment.id, style.recorded(draft), PRELABEL_AUTHOR, work_owner=work_owner, text=styled)


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
