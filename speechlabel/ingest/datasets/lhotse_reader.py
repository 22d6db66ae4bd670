"""Lhotse manifests: a ``recordings`` file and its ``supervisions`` partner (``.jsonl`` or
``.jsonl.gz``), read with json/gzip (lhotse itself needs torch and is not installed by default).

A recording line is ``{id, sources: [{type, channels, source}], sampling_rate, num_samples,
duration, channel_ids}``; only ``file`` sources are read (the one holding channel 0). A
supervision is ``{id, recording_id, start, duration, channel, text, language, speaker, custom,
alignment}``; only channel 0 is imported (the project's audio is mono). Word alignments
(``alignment.word``: ``[symbol, start, duration, score]`` items) become the draft's words; a
missing score counts as 1.0 (a transcript, not a guess). Source paths are tried against the
dataset folder, then the manifest's folder. Recordings are grouped by audio file across pairs
(one recording may appear in several splits). Our exports put ``recording_label`` in
``custom``; it names the recording when present, else the Lhotse recording id does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from speechlabel.core.models import Word
from speechlabel.ingest.datasets import fields
from speechlabel.ingest.datasets.fields import BadField, read_json_lines
from speechlabel.ingest.datasets.model import ReadResult, SourceRecording, SourceSegment
from speechlabel.ingest.datasets.paths import AudioLocator, AudioPathError, is_absolute_style, relative_name

MODEL = "lhotse"


@dataclass(frozen=True)
class LhotsePair:
    recordings: Path
    supervisions: Path


def read_lhotse(pairs: tuple[LhotsePair, ...], root: Path) -> ReadResult:
    result = ReadResult()
    by_audio: dict[str, SourceRecording] = {}
    for pair in pairs:
        recordings = _read_recordings(pair.recordings, root, result)
        used = _read_supervisions(pair.supervisions, root, recordings, by_audio, result)
        for recording_id, recording in recordings.items():
            if recording_id not in used:
                reason = recording.error or (
                    f"recording {recording_id!r} has no usable supervision; only transcribed audio is imported"
                )
                result.problem(recording.source, recording.line, f"{reason}; it was not imported")
    result.recordings.extend(by_audio.values())
    return result


def _read_recordings(path: Path, root: Path, result: ReadResult) -> dict[str, SourceRecording]:
    """The recordings by id. One whose source is unusable is kept with its ``error``, so its
    supervisions are reported with it, once."""
    source = relative_name(path, root)
    lines = list(read_json_lines(path))
    written = [_file_source(line.value) for line in lines if line.value is not None and _has_file_source(line.value)]
    locator = AudioLocator(root, tuple(dict.fromkeys((root, path.parent))), is_absolute_style(written))
    recordings: dict[str, SourceRecording] = {}
    for line in lines:
        if line.value is None:  # then line.error says why
            result.problem(source, line.number, line.error or "")
            continue
        try:
            recording_id = _recording_id(line.value, "id")
            if recording_id in recordings:
                raise BadField(
                    f"recording id {recording_id!r} was already given on line "
                    f"{recordings[recording_id].line}; ids must be unique"
                )
        except BadField as error:
            result.problem(source, line.number, str(error))
            continue
        recordings[recording_id] = _recording(line.value, recording_id, locator, source, line.number)
    return recordings


def _recording(
    line: dict[str, Any], recording_id: str, locator: AudioLocator, source: str, number: int
) -> SourceRecording:
    try:
        written = _file_source(line)
        return SourceRecording(locator.locate(written), recording_id, source, number, MODEL)
    except (BadField, AudioPathError) as error:
        # Never grouped with another recording: its "audio" names the line, not a file.
        return SourceRecording(Path(f"{source}:{number}"), recording_id, source, number, MODEL, error=str(error))


def _has_file_source(line: dict[str, Any]) -> bool:
    try:
        _file_source(line)
    except BadField:
        return False
    return True


def _file_source(line: dict[str, Any]) -> str:
    """The path of the ``file`` source holding channel 0."""
    sources = fields.required(line, "sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, dict) for s in sources):
        raise BadField('\'sources\' is not a list of sources; give [{"type": "file", "channels": [0], "source": PATH}]')
    for item in sources:
        channels = item.get("channels", [0])
        if isinstance(channels, list) and 0 in channels:
            if item.get("type") != "file":
                raise BadField(
                    f"source type {item.get('type')!r} is not supported; only 'file' sources (audio "
                    "files on disk) are imported"
                )
            path = item.get("source")
            if not isinstance(path, str):
                raise BadField(f"source {path!r} is not a path; give the audio file's path as a string")
            return path
    raise BadField("no source holds channel 0; only channel 0 is imported")


def _recording_id(line: dict[str, Any], key: str) -> str:
    value = fields.required(line, key)
    if not isinstance(value, str) or not value.strip():
        raise BadField(f"{key} {value!r} is not allowed; give a non-empty string")
    return value


def _read_supervisions(
    path: Path,
    root: Path,
    recordings: dict[str, SourceRecording],
    by_audio: dict[str, SourceRecording],
    result: ReadResult,
) -> set[str]:
    """Add each supervision to its audio file's recording in ``by_audio``; return the ids of the
    recordings that got at least one."""
    source = relative_name(path, root)
    used: set[str] = set()
    for line in read_json_lines(path):
        if line.value is None:  # then line.error says why
            result.problem(source, line.number, line.error or "", segments_skipped=1)
            continue
        try:
            recording_id = _recording_id(line.value, "recording_id")
            if recording_id not in recordings:
                raise BadField(
                    f"recording {recording_id!r} is not in the recordings file beside it; every "
                    "supervision needs its recording"
                )
            segment, warning = _segment(line.value, source, line.number)
        except BadField as error:
            result.problem(source, line.number, str(error), segments_skipped=1)
            continue
        if warning:
            result.problem(source, line.number, warning)
        listed = recordings[recording_id]
        recording = by_audio.setdefault(str(listed.audio), replace(listed, segments=[]))
        recording.segments.append(segment)
        if recording_id not in used and recording.label == listed.label:
            recording.label = _label(line.value) or recording.label
        used.add(recording_id)
    return used


def _label(line: dict[str, Any]) -> str | None:
    """The recording's name our exports keep in ``custom.recording_label``."""
    custom = line.get("custom")
    return fields.optional_string(custom, "recording_label") if isinstance(custom, dict) else None


def _segment(line: dict[str, Any], source: str, number: int) -> tuple[SourceSegment, str | None]:
    channel = line.get("channel", 0)
    if channel not in (0, [0], None):
        raise BadField(f"the supervision is on channel {channel!r}; only channel 0 is imported")
    start = fields.number(line, "start")
    duration = fields.number(line, "duration", positive=True)
    if start is None or duration is None:
        raise BadField("'start' and 'duration' are required (seconds in the recording)")
    text = fields.text(line, "text")
    speaker, language = fields.speaker_and_language(line, "speaker", "language")
    words, warning = _words(line.get("alignment"))
    return SourceSegment(
        source, number, start, start + duration, text, speaker, language, words, fields.optional_string(line, "id")
    ), warning


def _words(alignment: Any) -> tuple[tuple[Word, ...], str | None]:
    """The ``word`` alignment as draft words; a malformed one is left out with a warning."""
    if not isinstance(alignment, dict) or alignment.get("word") is None:
        return (), None
    items = alignment["word"]
    try:
        if not isinstance(items, list):
            raise BadField("it is not a list")
        return tuple(_word(item) for item in items), None
    except BadField as error:
        return (), (
            f"the word alignment is malformed ({error}); the segment is imported without word timings "
            "(allowed items: [symbol, start, duration, score])"
        )


def _word(item: Any) -> Word:
    if isinstance(item, dict):
        item = [item.get("symbol"), item.get("start"), item.get("duration"), item.get("score")]
    if not isinstance(item, list) or len(item) not in (3, 4):
        raise BadField(f"item {item!r} is not [symbol, start, duration, score]")
    symbol, start, duration, score = (item + [None])[:4]
    if not isinstance(symbol, str) or not symbol.strip():
        raise BadField(f"word symbol {symbol!r} is not a word")
    if start is None or duration is None:
        raise BadField(f"word {symbol!r} has no start or duration")
    values = {"start": start, "duration": duration, "score": 1.0 if score is None else score}
    # Every value is there (checked above), so number() gives a float, never its None default.
    numbers = {key: cast(float, fields.number(values, key)) for key in values}
    if numbers["score"] > 1:
        raise BadField(f"word score {score!r} is above 1; scores are 0 to 1")
    return Word(symbol.strip(), round(numbers["start"], 3), round(numbers["duration"], 3), numbers["score"])
