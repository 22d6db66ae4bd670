"""The rules every imported segment must meet, whatever the source: some text, a start before
its end, inside the audio, and no overlap with the recording's other segments (the label page
keeps one recording's segments in one non-overlapping timeline).

Checked in two steps: what the source alone tells (``check_segments``, before any audio is
read, so a recording with nothing usable is not decoded at all), then against the decoded
audio's duration (``fit_to_audio``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from speechlabel.core.bounds import after_recording, before_recording, empty, in_ms, overlaps_previous, past_end
from speechlabel.ingest.datasets.model import ImportProblem, SourceSegment


def check_segments(segments: Sequence[SourceSegment]) -> tuple[list[SourceSegment], list[ImportProblem]]:
    """The usable segments in time order, and a problem for each one left out."""
    usable: list[SourceSegment] = []
    problems: list[ImportProblem] = []
    for segment in sorted(segments, key=lambda s: (s.start, s.line)):
        problem = _problem(segment) or _overlap(segment, usable[-1] if usable else None)
        if problem:
            problems.append(ImportProblem(segment.source, segment.line, problem, segments_skipped=1))
        else:
            usable.append(_rounded(segment))
    return usable, problems


def fit_to_audio(
    segments: Sequence[SourceSegment], duration: float, tolerance: float
) -> tuple[list[SourceSegment], list[ImportProblem]]:
    """Segments inside ``duration`` seconds of audio; one ending at most ``tolerance`` past the
    end is cut at the end (durations in manifests are rounded), one further out is left out."""
    fitted, problems = [], []
    for segment in segments:
        if after_recording(segment.start, duration):
            message = (
                f"the segment starts at {segment.start:.3f} s, after the audio ends ({duration:.3f} s); "
                "segments must lie inside their audio"
            )
        elif past_end(segment.end, duration, tolerance):
            message = (
                f"the segment ends at {segment.end:.3f} s, past the end of the audio ({duration:.3f} s); "
                f"segments must end inside their audio (at most {tolerance:g} s later)"
            )
        else:
            end = in_ms(min(segment.end, duration))
            if not empty(segment.start, end):
                fitted.append(replace(segment, end=end))
                continue
            message = f"the segment is empty once cut to the end of the audio ({duration:.3f} s)"
        problems.append(ImportProblem(segment.source, segment.line, message, segments_skipped=1))
    return fitted, problems


def _problem(segment: SourceSegment) -> str | None:
    if not segment.text.strip():
        return "the text is empty; every segment needs a transcript to correct"
    if before_recording(segment.start):
        return f"the segment starts at {segment.start:.3f} s, before the audio begins; use 0 or more"
    if empty(in_ms(segment.start), in_ms(segment.end)):
        return (
            f"the segment ends ({segment.end:.3f} s) at or before its start ({segment.start:.3f} s); "
            "the end must come after the start (times are kept to the millisecond)"
        )
    return None


def _overlap(segment: SourceSegment, previous: SourceSegment | None) -> str | None:
    if previous is None or not overlaps_previous(in_ms(segment.start), previous.end):
        return None
    where = f"line {previous.line}" if previous.source == segment.source else f"{previous.source}:{previous.line}"
    return (
        f"the segment ({segment.start:.3f}–{segment.end:.3f} s) overlaps the one from {where} "
        f"({previous.start:.3f}–{previous.end:.3f} s); segments of one recording must not overlap"
    )


def _rounded(segment: SourceSegment) -> SourceSegment:
    """Times to the millisecond, as segmentation stores them; the text without outer blanks."""
    return replace(segment, start=in_ms(segment.start), end=in_ms(segment.end), text=segment.text.strip())
