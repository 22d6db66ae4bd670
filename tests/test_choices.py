"""Every enum read from text goes through ``choices.parse_choice``: a member as it is, a value
trimmed and folded to lower case, anything else refused with the same English words as before
(the catalog's English entry) and a Korean message; and no module keeps a parse of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from speechlabel.core.choices import parse_choice
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import Role, SegmentStatus
from speechlabel.export.options import ExportFormat, ExportOptions, SplitBy, TextVariant
from speechlabel.ingest.datasets.options import DatasetKind
from speechlabel.labeling.waveform.view import Edge
from speechlabel.review.decisions import ReviewOrder, _reason
from tests.korean_errors import assert_in_korean

ROOT = Path(__file__).resolve().parents[1]

PARSERS = [
    (
        SegmentStatus.parse,
        " Approved ",
        SegmentStatus.APPROVED,
        "aproved",
        "unknown status 'aproved'; allowed: new, drafted, in_progress, submitted, approved, rejected, reworked, "
        "skipped, untranscribable, auto_accepted",
    ),
    (Role.parse, "LEAD", Role.LEAD, "boss", "unknown role 'boss'; allowed: labeler, reviewer, lead"),
    (
        ReviewOrder.parse,
        "Sample",
        ReviewOrder.SAMPLE,
        "random",
        "unknown review order 'random'; allowed: low_confidence, sample, labeler, recording",
    ),
    (
        ExportFormat.parse,
        "NeMo ",
        ExportFormat.NEMO,
        "csv",
        "unknown export format 'csv'; allowed: jsonl, nemo, hf, lhotse, kaldi, speech_commands, aihub",
    ),
    (
        TextVariant.parse,
        "CLEAN",
        TextVariant.CLEAN,
        "pretty",
        "unknown text variant 'pretty'; allowed: verbatim, clean, disfluent, fluent",
    ),
    (SplitBy.parse, "speaker", SplitBy.SPEAKER, "day", "unknown split 'day'; allowed: recording, speaker"),
    (
        DatasetKind.parse,
        "Lhotse",
        DatasetKind.LHOTSE,
        "kaldi",
        "unknown dataset kind 'kaldi'; allowed: nemo, lhotse, aihub, subtitles",
    ),
    (
        _reason,
        "Wrong_Speaker",
        _reason("wrong_speaker"),
        "typo",
        "unknown reason 'typo'; allowed: text_minor, text_major, wrong_speaker, wrong_tags, bad_boundaries, "
        "should_be_untranscribable",
    ),
    (Edge.parse, "end", Edge.END, "START", "edge 'START' is not start or end"),
]


@pytest.mark.parametrize(("parse", "given", "member", "bad", "english"), PARSERS)
def test_each_enum_reads_its_values_and_refuses_others_in_both_languages(parse, given, member, bad, english):
    assert parse(given) is member
    assert parse(member) is member
    with pytest.raises(ValidationError) as caught:
        parse(bad)
    assert str(caught.value) == english
    assert_in_korean(caught.value)


def test_the_edge_of_a_drag_may_be_none_and_is_spelled_exactly():
    assert Edge.parse(None) is None
    with pytest.raises(ValidationError):
        Edge.parse(" end")


def test_a_non_text_value_is_refused_not_a_crash():
    with pytest.raises(ValidationError, match="unknown status 3"):
        parse_choice(SegmentStatus, 3, message_key="error.unknown_status")


def test_the_dual_side_of_an_export_is_read_the_same_way():
    with pytest.raises(ValidationError, match="unknown dual side 'left'; allowed: "):
        ExportOptions(dual_side="left").validated()


def test_no_module_keeps_an_enum_parse_of_its_own():
    """An ``except ValueError`` around a call of an enum class inside a ``parse`` method is a copy
    of ``parse_choice``: every ``parse`` classmethod of an enum calls the helper."""
    copies = []
    for path in sorted((ROOT / "speechlabel").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "parse":
                        calls = {
                            getattr(call.func, "id", None) for call in ast.walk(item) if isinstance(call, ast.Call)
                        }
                        if "parse_choice" not in calls:
                            copies.append(f"{path.relative_to(ROOT)}:{item.lineno} {node.name}.parse")
    assert not copies, copies
