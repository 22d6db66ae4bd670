"""Which segments go into an export, with which text, in which split."""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import cast

from speechlabel.analytics.metrics import DualSide, strip_tags
from speechlabel.conventions import Side, Style, TagScheme, TextVariantOptions, text_variant
from speechlabel.core.control_chars import has_controls, without_controls
from speechlabel.core.errors import ValidationError
from speechlabel.export.options import SPLIT_NAMES, ExportOptions, SplitBy, TextVariant
from speechlabel.projects.conventions import project_scheme
from speechlabel.store import ExportRow, Store
from speechlabel.store.exports import ExportQuery


@dataclass(frozen=True)
class ExportItem:
    """One segment as it is exported: its row, the text variant chosen, and its split (None
    when the export is not split)."""

    row: ExportRow
    text: str
    split: str | None = None

    @property
    def seconds(self) -> float:
        return self.row.segment.duration


def select_items(store: Store, project_id: int, options: ExportOptions) -> list[ExportItem]:
    """The chosen segments in recording/time order, each with its text and split.

    Filters the database can apply run there; the tag filter runs here (tags are JSON, which
    SQLite and PostgreSQL query differently). The list is held in memory because a split needs
    every group's total before it can assign any segment, and Kaldi's files are sorted.
    """
    query = ExportQuery(
        options.statuses, options.recording_ids, options.edited_since, options.edited_until, options.labeler
    )
    rows = [plain_row(row) for row in store.iter_export_rows(project_id, query=query) if _tags_match(row, options)]
    scheme = project_scheme(store.get_project_by_id(project_id))
    items = [ExportItem(row, export_text(row.segment.text, options.text, scheme, options.dual_side)) for row in rows]
    if options.split_by is None:
        return items
    splits = assign_splits(items, options.split_by, options.split_shares, options.seed)
    return [ExportItem(item.row, item.text, splits[split_key(item.row, options.split_by)]) for item in items]


# A control character in stored JSON: escaped (json.dumps writes \u001b, \n, ...) or raw.
_JSON_CONTROL = re.compile(r"\\u00[0-1][0-9a-fA-F]|\\u00[89][0-9a-fA-F]|\\u007[fF]|\\[btnfr]|[\x00-\x1f\x7f-\x9f]")


def plain_row(row: ExportRow) -> ExportRow:
    """``row`` with every control character in the text a writer may write made a space
    (``core.control_chars``): what every format and the dataset card read, so no writer has to
    remember it. Text saved before the control-character rule may hold NUL or ESC."""
    segment = row.segment
    texts = (
        segment.text,
        segment.speaker,
        *segment.tags,
        segment.updated_by,
        segment.language,
        row.recording_label,
        row.draft_text,
        row.draft_model,
        row.draft_engine,
        row.labeler,
    )
    words = row.draft_words_json
    dirty_words = bool(words) and _JSON_CONTROL.search(words or "") is not None
    if not dirty_words and not any(value and has_controls(value) for value in texts):
        return row  # nearly every row: nothing to copy
    return replace(
        row,
        segment=replace(
            segment,
            text=without_controls(segment.text),
            speaker=_plain(segment.speaker),
            tags=tuple(without_controls(tag) for tag in segment.tags),
            updated_by=_plain(segment.updated_by),
            language=_plain(segment.language),
        ),
        recording_label=without_controls(row.recording_label),
        draft_text=_plain(row.draft_text),
        draft_model=_plain(row.draft_model),
        draft_engine=_plain(row.draft_engine),
        labeler=_plain(row.labeler),
        draft_words_json=_plain_words(words) if dirty_words else words,
    )


def _plain(value: str | None) -> str | None:
    return None if value is None else without_controls(value)


def _plain_words(words_json: str | None) -> str | None:
    """The draft's words (``[symbol, start, duration, score]`` lists) with plain symbols."""
    if not words_json:
        return words_json
    return json.dumps([[without_controls(word[0]), *word[1:]] for word in json.loads(words_json)])


def export_text(text: str, variant: TextVariant, scheme: TagScheme | None = None, side: Side | None = None) -> str:
    """The text of ``variant``; the disfluent and fluent variants (and a side of verbatim) read
    the text by ``scheme``, the project's (``project_conventions.project_scheme``)."""
    if variant == TextVariant.CLEAN:
        # Side.BOTH's "both" is no DualSide: strip_tags refuses it with a ValidationError, as before.
        return strip_tags(text, dual_side=cast(DualSide, (side or Side.PRONUNCIATION).value))
    if variant == TextVariant.VERBATIM and side in (None, Side.BOTH):
        return text
    if scheme is None:
        raise ValidationError(message_key="error.variant_needs_scheme", params={"variant": variant.value})
    style = _STYLES[variant]
    default_side = Side.BOTH if variant == TextVariant.VERBATIM else Side.PRONUNCIATION
    return text_variant(text, scheme, TextVariantOptions(side=side or default_side, style=style))


_STYLES = {
    TextVariant.VERBATIM: Style.VERBATIM,
    TextVariant.DISFLUENT: Style.DISFLUENT,
    TextVariant.FLUENT: Style.FLUENT,
}


def _tags_match(row: ExportRow, options: ExportOptions) -> bool:
    tags = set(row.segment.tags)
    if options.with_tags and not tags.intersection(options.with_tags):
        return False
    return not tags.intersection(options.without_tags)


def split_key(row: ExportRow, split_by: SplitBy) -> str:
    """The group that must stay within one split. A segment without a speaker is grouped with
    the other unattributed segments of its recording: nobody knows whose voice it is."""
    segment = row.segment
    if split_by == SplitBy.SPEAKER and segment.speaker:
        return f"speaker:{segment.speaker}"
    return f"recording:{segment.recording_id}"


def assign_splits(
    items: Iterable[ExportItem], split_by: SplitBy, shares: tuple[float, float, float], seed: int
) -> dict[str, str]:
    """Group → split name. Groups are shuffled with ``seed`` (from a sorted start, so the result
    depends only on the data and the seed) and laid end to end by duration; a group goes to the
    split whose share of the total its midpoint falls in. Whole groups move, so shares are met
    as closely as the group sizes allow."""
    seconds: dict[str, float] = defaultdict(float)
    for item in items:
        seconds[split_key(item.row, split_by)] += item.seconds
    keys = sorted(seconds)
    random.Random(seed).shuffle(keys)
    total = sum(seconds.values()) or 1.0
    bounds, running = [], 0.0
    for share in shares:
        running += share
        bounds.append(running)
    assigned, elapsed = {}, 0.0
    for key in keys:
        middle = (elapsed + seconds[key] / 2) / total
        index = next((i for i, bound in enumerate(bounds) if middle < bound and shares[i] > 0), _last_open(shares))
        assigned[key] = SPLIT_NAMES[index]
        elapsed += seconds[key]
    return assigned


def _last_open(shares: tuple[float, float, float]) -> int:
    return max(i for i, share in enumerate(shares) if share > 0)
