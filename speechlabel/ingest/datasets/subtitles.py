"""A folder of audio files with sidecar transcripts: ``talk.wav`` + ``talk.srt``, ``talk.vtt``
or ``talk.TextGrid`` beside it (same folder, same name; any depth below the dataset folder).

SRT/VTT cues become segments (see ``srt_vtt``). In a TextGrid one interval tier is read: the
one named by the ``tier`` option, else the first interval tier; its empty intervals are the
gaps between utterances, not segments. An audio file without a transcript, a transcript
without audio, or an audio file with two transcripts is reported and left out.
"""

from __future__ import annotations

import codecs
from collections import defaultdict
from pathlib import Path

from speechlabel.ingest.datasets.model import ReadResult, SourceRecording, SourceSegment
from speechlabel.ingest.datasets.paths import relative_name
from speechlabel.ingest.datasets.srt_vtt import parse_subtitles
from speechlabel.ingest.datasets.textgrid import INTERVAL_TIER, TextGridError, Tier, parse_textgrid
from speechlabel.ingest.files import AUDIO_EXTENSIONS

SIDECAR_MODELS = {".srt": "srt", ".vtt": "vtt", ".textgrid": "textgrid"}


def read_subtitle_folder(root: Path, tier: str | None) -> ReadResult:
    result = ReadResult()
    audio_by_stem: dict[Path, list[Path]] = defaultdict(list)
    sidecars_by_stem: dict[Path, list[Path]] = defaultdict(list)
    for path in _visible_files(root):
        suffix = path.suffix.lower()
        if suffix in AUDIO_EXTENSIONS:
            audio_by_stem[path.with_suffix("")].append(path)
        elif suffix in SIDECAR_MODELS:
            sidecars_by_stem[path.with_suffix("")].append(path)
    for stem, audio_files in audio_by_stem.items():
        _pair(root, stem, audio_files, sidecars_by_stem.get(stem, []), tier, result)
    for stem, sidecars in sidecars_by_stem.items():
        if stem not in audio_by_stem:
            for sidecar in sidecars:
                result.problem(
                    relative_name(sidecar, root),
                    None,
                    "no audio file of the same name is beside this "
                    f"transcript (looked for {stem.name}.wav, .flac, .mp3, …); it was not imported",
                )
    return result


def _visible_files(root: Path) -> list[Path]:
    """Files below ``root``, sorted, leaving out hidden files and folders (such as an export's
    unfinished ``.name.partial-…`` folder)."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


def _pair(
    root: Path, stem: Path, audio_files: list[Path], sidecars: list[Path], tier: str | None, result: ReadResult
) -> None:
    names = ", ".join(relative_name(path, root) for path in audio_files + sidecars)
    if not sidecars:
        for audio in audio_files:
            result.problem(
                relative_name(audio, root),
                None,
                f"no transcript beside it ({stem.name}.srt, "
                f"{stem.name}.vtt or {stem.name}.TextGrid); it was not imported",
            )
    elif len(sidecars) > 1 or len(audio_files) > 1:
        result.problem(
            relative_name(sidecars[0], root),
            None,
            f"the files {names} share one name; keep one audio "
            "file and one transcript per name (the others were not imported)",
        )
    else:
        _read_pair(root, audio_files[0], sidecars[0], tier, result)


def _read_pair(root: Path, audio: Path, sidecar: Path, tier: str | None, result: ReadResult) -> None:
    source = relative_name(sidecar, root)
    model = SIDECAR_MODELS[sidecar.suffix.lower()]
    try:
        content = decode_text(sidecar.read_bytes())
    except (OSError, UnicodeDecodeError) as error:
        result.problem(
            source,
            None,
            f"the transcript cannot be read ({error}); save it as UTF-8 (or UTF-16 with a byte-order mark)",
        )
        return
    recording = SourceRecording(audio, relative_name(audio, root), source, None, model)
    if model == "textgrid":
        segments = _textgrid_segments(content, source, tier, result)
    else:
        cues, problems = parse_subtitles(content, source, vtt=model == "vtt")
        result.problems.extend(problems)
        segments = [SourceSegment(source, cue.line, cue.start, cue.end, cue.text, cue.speaker) for cue in cues]
    if segments:
        recording.segments.extend(segments)
        result.recordings.append(recording)


def _textgrid_segments(content: str, source: str, tier_name: str | None, result: ReadResult) -> list[SourceSegment]:
    try:
        tier = choose_tier(parse_textgrid(content), tier_name)
    except TextGridError as error:
        result.problem(source, error.line, str(error))
        return []
    return [
        SourceSegment(source, interval.line, interval.start, interval.end, " ".join(interval.text.split()))
        for interval in tier.intervals
        if interval.text.strip()
    ]


def choose_tier(tiers: list[Tier], name: str | None) -> Tier:
    """The interval tier called ``name`` (exact, else ignoring case), or the first interval tier."""
    names = ", ".join(repr(tier.name) for tier in tiers) or "none"
    if name is None:
        tier = next((tier for tier in tiers if tier.kind == INTERVAL_TIER), None)
        if tier is None:
            raise TextGridError(
                None, f"the TextGrid has no interval tier (tiers: {names}); utterances are read from an interval tier"
            )
        return tier
    tier = next((t for t in tiers if t.name == name), None) or next(
        (t for t in tiers if t.name.casefold() == name.casefold()), None
    )
    if tier is None:
        raise TextGridError(None, f"the TextGrid has no tier named {name!r}; its tiers: {names}")
    if tier.kind != INTERVAL_TIER:
        raise TextGridError(tier.line, f"tier {tier.name!r} is a point tier; choose an interval tier ({names})")
    return tier


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark) or UTF-16 with one (Praat saves non-ASCII
    TextGrids as UTF-16)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")
