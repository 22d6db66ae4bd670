"""AI Hub label JSON: a folder (searched recursively) of one ``.json`` label per utterance, each
naming its audio in ``파일정보.FileName`` beside it (else the audio file of the JSON's own name,
``.wav`` or ``.flac``). Each utterance is a recording of its own, whole, its transcript the
draft; the speaker's and the recording's metadata come along (``core/aihub.py`` maps them).
"""

from __future__ import annotations

import json
from pathlib import Path

import soundfile as sf

from speechlabel.core.aihub import AihubUtterance, is_aihub_label, read_aihub_label
from speechlabel.ingest.datasets.model import ReadResult, SourceRecording, SourceSegment
from speechlabel.ingest.datasets.paths import AudioLocator, AudioPathError, relative_name

MODEL = "aihub"
_AUDIO_SUFFIXES = (".wav", ".flac")


def aihub_labels(folder: Path) -> list[Path]:
    """The ``.json`` files under ``folder`` (hidden folders left out), in path order."""
    return sorted(
        path
        for path in folder.rglob("*.json")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def looks_like_aihub(folder: Path) -> bool:
    """Whether the first JSON under ``folder`` is an AI Hub label (has a ``전사정보`` section)."""
    labels = aihub_labels(folder)
    return bool(labels) and is_aihub_label(_load(labels[0]))


def read_aihub(root: Path) -> ReadResult:
    result = ReadResult()
    for path in aihub_labels(root):
        source = relative_name(path, root)
        label = _load(path)
        if not is_aihub_label(label):
            result.problem(source, None, "not an AI Hub label: no 전사정보 section; skipped", segments_skipped=1)
            continue
        assert isinstance(label, dict)
        utterance = read_aihub_label(label)
        for problem in utterance.problems:
            result.problem(source, None, problem)
        result.recordings.append(_recording(root, path, source, utterance))
    return result


def _recording(root: Path, path: Path, source: str, utterance: AihubUtterance) -> SourceRecording:
    audio, error = _audio(root, path, utterance.file_name)
    recording = SourceRecording(audio, relative_name(audio, root), source, None, MODEL, error=error)
    recording.metadata = utterance.recording_metadata
    if utterance.speaker:
        recording.speakers[utterance.speaker] = utterance.speaker_metadata
    end = utterance.seconds
    if end is None and error is None:  # no FileLength: the whole file
        try:
            end = sf.info(str(audio)).duration
        except (OSError, RuntimeError) as problem:  # soundfile's LibsndfileError is a RuntimeError
            recording.error = f"audio {recording.label!r} cannot be read: {problem}"
    recording.segments.append(SourceSegment(source, 1, 0.0, end or 0.0, utterance.text, utterance.speaker))
    return recording


def _audio(root: Path, path: Path, file_name: str | None) -> tuple[Path, str | None]:
    locator = AudioLocator(root, (path.parent,), absolute_style=False)
    names = [file_name] if file_name else [path.with_suffix(suffix).name for suffix in _AUDIO_SUFFIXES]
    error = None
    for name in names:
        try:
            return locator.locate(name), None
        except AudioPathError as problem:
            error = str(problem)
    return path.parent / names[0], error


def _load(path: Path) -> object:
    try:
        with open(path, encoding="utf-8-sig") as handle:  # -sig: some sets' labels start with a BOM
            return json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
