"""The dataset card: a ``README.md`` saying what is in an export and how it was made."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from speechlabel.core.control_chars import without_controls
from speechlabel.core.markdown_text import markdown_literal
from speechlabel.core.models import Project, SegmentStatus
from speechlabel.export.formats import format_name, format_writer_class
from speechlabel.export.options import ExportOptions
from speechlabel.export.select import ExportItem

CARD_NAME = "README.md"
# The card's third line; also how ``--overwrite`` knows a folder is an export it may replace.
CARD_SIGNATURE = "Exported by speechlabel on "


@dataclass(frozen=True)
class SplitSummary:
    name: str | None
    segments: int
    seconds: float
    speakers: int
    recordings: int


def summarize(name: str | None, items: list[ExportItem]) -> SplitSummary:
    speakers = {item.row.segment.speaker for item in items if item.row.segment.speaker}
    recordings = {item.row.segment.recording_id for item in items}
    return SplitSummary(name, len(items), sum(item.seconds for item in items), len(speakers), len(recordings))


def write_card(
    root: Path, project: Project, options: ExportOptions, items: list[ExportItem], splits: list[SplitSummary]
) -> Path:
    total = summarize(None, items)
    lines = [
        f"# {_cell(project.name)}: speech dataset",
        "",
        f"{CARD_SIGNATURE}{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        format_writer_class(options.format).how_to_load,
        "",
        "## Contents",
        "",
        f"- segments: {total.segments}",
        f"- audio: {total.seconds / 3600:.3f} h ({total.seconds:.1f} s)",
        f"- recordings: {total.recordings}",
        f"- speakers: {total.speakers}",
        f"- language: {_cell(project.language or 'auto')}",
        "",
        *_table(
            "Segments by status",
            ("status", "segments"),
            sorted(Counter(item.row.segment.status.value for item in items).items()),
        ),
        *_table("Speakers", ("speaker", "segments", "hours"), _speaker_rows(items)),
        *_table("Tags", ("tag", "segments", "hours"), _tag_rows(items)),
        *_table(
            "Splits",
            ("split", "segments", "hours", "speakers", "recordings"),
            [(s.name or "(all)", s.segments, f"{s.seconds / 3600:.3f}", s.speakers, s.recordings) for s in splits],
        ),
        "## Export settings",
        "",
        *[f"- {name}: {_cell(str(value))}" for name, value in _settings(options)],
        "",
    ]
    path = root / CARD_NAME
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _speaker_rows(items: list[ExportItem]) -> list[tuple]:
    seconds: dict[str, float] = defaultdict(float)
    counts: Counter = Counter()
    for item in items:
        speaker = item.row.segment.speaker or "(none)"
        seconds[speaker] += item.seconds
        counts[speaker] += 1
    return [(_cell(name), counts[name], f"{seconds[name] / 3600:.3f}") for name in sorted(counts)]


def _tag_rows(items: list[ExportItem]) -> list[tuple]:
    seconds: dict[str, float] = defaultdict(float)
    counts: Counter = Counter()
    for item in items:
        for tag in set(item.row.segment.tags):
            seconds[tag] += item.seconds
            counts[tag] += 1
    return [(_cell(tag), counts[tag], f"{seconds[tag] / 3600:.3f}") for tag in sorted(counts)]


def _table(title: str, header: tuple[str, ...], rows: list[tuple]) -> list[str]:
    if not rows:
        return [f"## {title}", "", "(none)", ""]
    return [
        f"## {title}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *["| " + " | ".join(str(value) for value in row) + " |" for row in rows],
        "",
    ]


def _cell(value: str) -> str:
    # A name (project, speaker, tag, labeler) is user input: shown literally, on one line, so it
    # cannot add a link, an image, HTML or a table cell to the card, nor a control character.
    return markdown_literal(" ".join(without_controls(value).split()))


def _auto_accepted(options: ExportOptions) -> str:
    """Whether drafts that routing accepted without a person's pass are in: a reader of the card
    must know that some texts are a model's, checked only by the audit sample."""
    included = options.statuses is None or SegmentStatus.AUTO_ACCEPTED in options.statuses
    if included:
        return "included (drafts accepted by confidence routing, not checked by a person except the audit sample)"
    return "excluded (every text was checked by a person)"


def _settings(options: ExportOptions) -> list[tuple[str, object]]:
    return [
        ("format", format_name(options.format)),
        ("statuses", options.included_statuses),
        ("auto-accepted segments", _auto_accepted(options)),
        ("last edit from", options.edited_since.isoformat() if options.edited_since else "any"),
        ("last edit before", options.edited_until.isoformat() if options.edited_until else "any"),
        ("labeler of record", options.labeler or "any"),
        ("recordings", ", ".join(options.recording_ids) if options.recording_ids else "all"),
        ("with any of the tags", ", ".join(options.with_tags) or "no condition"),
        ("without the tags", ", ".join(options.without_tags) or "no condition"),
        (
            "text",
            options.text.value
            + (f", {options.dual_side.value} side of dual transcriptions" if options.dual_side else ""),
        ),
        ("audio", "clips cut per segment" if options.cut_clips else "whole recordings with offsets"),
        ("sample rate", f"{options.sample_rate} Hz, mono, 16-bit PCM WAV"),
        (
            "split",
            f"by {options.split_by.value}, shares {options.split_shares}, seed {options.seed}"
            if options.split_by
            else "none",
        ),
    ]
