"""NeMo manifests: one JSON object per line with ``audio_filepath``, ``duration`` and ``text``;
optional ``offset``, ``speaker``, ``lang``.

Lines naming the same audio file with an ``offset`` are segments of one recording (a long
recording referenced piecewise); a line without ``offset`` is a recording of its own (a clip),
its segment the first ``duration`` seconds. Lines are grouped across all the manifests of a
dataset (``train_manifest.jsonl``, ``dev_…``): one recording may appear in several splits.
Our own exports add ``recording_label`` (the recording's name) and ``segment_id``, used when
present. Audio paths are relative to the manifest's folder (see ``paths`` for the rule).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from speechlabel.ingest.datasets import fields
from speechlabel.ingest.datasets.fields import BadField, read_json_lines
from speechlabel.ingest.datasets.model import ReadResult, SourceRecording, SourceSegment
from speechlabel.ingest.datasets.paths import AudioLocator, AudioPathError, is_absolute_style, relative_name

MODEL = "nemo"


def read_nemo(manifests: tuple[Path, ...], root: Path) -> ReadResult:
    result = ReadResult()
    groups: dict[Any, SourceRecording] = {}
    for manifest in manifests:
        source = relative_name(manifest, root)
        lines = list(read_json_lines(manifest))
        written = [line.value.get("audio_filepath") for line in lines if line.value is not None]
        locator = AudioLocator(root, (manifest.parent,), is_absolute_style([p for p in written if isinstance(p, str)]))
        for line in lines:
            if line.value is None:  # then line.error says why
                result.problem(source, line.number, line.error or "", segments_skipped=1)
                continue
            try:
                _add_line(groups, locator, source, line.number, line.value)
            except BadField as error:
                result.problem(source, line.number, str(error), segments_skipped=1)
    result.recordings.extend(groups.values())
    return result


def _add_line(
    groups: dict[Any, SourceRecording], locator: AudioLocator, source: str, number: int, line: dict[str, Any]
) -> None:
    written = fields.required(line, "audio_filepath")
    if not isinstance(written, str):
        raise BadField(f"audio_filepath {written!r} is not a path; give the audio file's path as a string")
    duration = fields.number(line, "duration", positive=True)
    if duration is None:
        raise BadField("the 'duration' field is missing; NeMo needs each line's duration in seconds")
    offset = fields.number(line, "offset")
    text = fields.text(line, "text")
    speaker, language = fields.speaker_and_language(line, "speaker", "lang")
    try:
        audio, error = locator.locate(written), None
    except AudioPathError as problem:
        audio, error = Path(written), str(problem)
    start = offset or 0.0
    segment = SourceSegment(
        source,
        number,
        start,
        start + duration,
        text,
        speaker,
        language,
        source_id=fields.optional_string(line, "segment_id"),
    )
    # With an offset the line is a piece of a longer recording; without, the file is the clip.
    key = ("file", str(audio)) if offset is not None else ("line", source, number)
    recording = groups.get(key)
    if recording is None:
        label = fields.optional_string(line, "recording_label") or (
            Path(written).name if Path(written).is_absolute() else written
        )
        recording = groups[key] = SourceRecording(audio, label, source, number, MODEL, error=error)
    recording.segments.append(segment)
