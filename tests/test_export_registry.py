"""Export formats by name: the registry, and a third format picked up by the export, its dataset
card, the saved exports and the command line without touching ``export/run.py``."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import ClassVar

import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.cli import main
from speechlabel.core.errors import ValidationError
from speechlabel.export import CARD_NAME, ExportFormat, ExportOptions, export_dataset
from speechlabel.export.aihub_format import AihubWriter
from speechlabel.export.destinations import list_exports
from speechlabel.export.formats import (
    BUILTIN_FORMATS,
    FormatWriter,
    format_names,
    format_writer_class,
    register_format,
    unregister_format,
)
from speechlabel.export.hf import AudiofolderWriter
from speechlabel.export.job import ExportJob
from speechlabel.export.kaldi import KaldiWriter
from speechlabel.export.lhotse_format import LhotseWriter
from speechlabel.export.nemo import JsonlWriter, NemoWriter
from speechlabel.export.options import parse_format
from speechlabel.export.saved import export_to_data_folder
from speechlabel.export.select import ExportItem
from speechlabel.export.speech_commands import SpeechCommandsWriter
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.workspace.config import Settings
from tests.export_corpus import build_corpus
from tests.korean_errors import assert_in_korean


@pytest.fixture
def corpus(store, settings, project, speech_dir):
    return build_corpus(store, settings, project, speech_dir)


def test_the_built_in_formats_are_registered_in_their_order():
    assert format_names() == BUILTIN_FORMATS == tuple(member.value for member in ExportFormat)
    writers = [format_writer_class(name) for name in format_names()]
    assert writers == [
        JsonlWriter,
        NemoWriter,
        AudiofolderWriter,
        LhotseWriter,
        KaldiWriter,
        SpeechCommandsWriter,
        AihubWriter,
    ]
    assert all(writer.how_to_load for writer in writers)


@pytest.mark.parametrize(
    "value, parsed",
    [
        ("nemo", ExportFormat.NEMO),
        (" NeMo ", ExportFormat.NEMO),
        (ExportFormat.KALDI, ExportFormat.KALDI),
        ("JSONL", ExportFormat.JSONL),
    ],
)
def test_a_built_in_format_is_its_enum_member(value, parsed):
    assert parse_format(value) is parsed
    assert ExportOptions(format=value).validated().format is parsed


@pytest.mark.parametrize("value", ["wav2vec", "", None, 3, "csv"])
def test_an_unknown_format_is_refused_naming_the_registered_ones(value):
    with pytest.raises(ValidationError) as refused:
        ExportOptions(format=value).validated()
    assert (
        str(refused.value)
        == f"unknown export format {value!r}; allowed: jsonl, nemo, hf, lhotse, kaldi, speech_commands, aihub"
    )
    assert "jsonl, nemo, hf, lhotse, kaldi, speech_commands, aihub" in assert_in_korean(refused.value)


def test_a_format_with_rules_of_its_own_says_so_in_both_languages():
    with pytest.raises(ValidationError) as refused:
        ExportOptions(format="hf", cut_clips=False).validated()
    assert str(refused.value).startswith("the Hugging Face audiofolder format needs one file per example")
    assert_in_korean(refused.value)


class CsvWriter(FormatWriter):
    """A third format for the tests: ``segments.csv`` (id, text) per split; clips only."""

    how_to_load = 'CSV: `pandas.read_csv("segments.csv")`.'
    made: ClassVar[list[CsvWriter]] = []

    def __init__(self) -> None:
        self.splits: list[str | None] = []
        CsvWriter.made.append(self)

    @classmethod
    def check_options(cls, options: ExportOptions) -> None:
        if not options.cut_clips:
            raise ValidationError("the CSV format needs clips")  # a format outside speechlabel: no catalog key

    def write(self, job: ExportJob, split: str | None, items: list[ExportItem]) -> Path:
        self.splits.append(split)
        path = job.folder(split) / "segments.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            rows = csv.writer(handle)
            for item in items:
                rows.writerow([job.segment_ids(item.row.segment.id), item.text, job.audio_for(item).path])
                job.advance()
        return job.wrote(path)


@pytest.fixture
def csv_format():
    """The third format, registered for one test only (its module would do this when imported)."""
    CsvWriter.made.clear()
    register_format("csv", CsvWriter)
    yield CsvWriter
    unregister_format("csv")
    assert "csv" not in format_names()


def test_a_format_name_is_lower_case():
    with pytest.raises(ValueError, match="lower case"):
        register_format("CSV", CsvWriter)
    assert "CSV" not in format_names()


def test_a_third_format_is_exported_by_name_with_its_card(store, settings, project, corpus, tmp_path, csv_format):
    assert format_names() == (*BUILTIN_FORMATS, "csv")
    options = ExportOptions(format=" CSV ", statuses=None, split_by="recording", split_shares=(0.5, 0.5, 0.0))
    assert options.validated().format == "csv"
    seen = []
    report = export_dataset(store, settings, project, tmp_path / "out", options, seen.append, actor=SYSTEM)
    [writer] = CsvWriter.made  # one writer for the whole export, given every split
    assert writer.splits == ["train", "dev"] and seen == list(range(1, 8))
    assert report.files == (Path("train/segments.csv"), Path("dev/segments.csv"))
    assert report.manifest == tmp_path / "out" / "train" / "segments.csv"
    rows = [
        row
        for split in ("train", "dev")
        for row in csv.reader((tmp_path / "out" / split / "segments.csv").read_text(encoding="utf-8").splitlines())
    ]
    assert len(rows) == report.segments == 7 and all((tmp_path / "out" / row[2]).is_file() for row in rows)
    card = (tmp_path / "out" / CARD_NAME).read_text(encoding="utf-8")
    assert CsvWriter.how_to_load in card and "- format: csv" in card
    with pytest.raises(ValidationError, match="the CSV format needs clips"):
        export_dataset(
            store, settings, project, tmp_path / "offsets", ExportOptions(format="csv", cut_clips=False), actor=SYSTEM
        )
    assert not (tmp_path / "offsets").exists()


def test_a_third_format_is_saved_listed_and_chosen_on_the_command_line(
    data_dir, speech_dir, tmp_path, capsys, csv_format
):
    settings = Settings(data_dir=data_dir)
    store = Store.open(settings.resolved_database_url)
    try:
        project = create_project(store, "demo", language="en", actor=SYSTEM)
        build_corpus(store, settings, project, speech_dir)
        run = export_to_data_folder(
            store, settings, project, "as-csv", ExportOptions(format="csv"), actor=SYSTEM, make_zip=False
        )
        assert run.saved.format == "csv" and run.report.segments == 4  # the approved ones
        assert [(saved.name, saved.format) for saved in list_exports(settings, project, actor=SYSTEM)] == [
            ("as-csv", "csv")
        ]
    finally:
        store.close()
    out = tmp_path / "cli"
    assert main(["--data-dir", str(data_dir), "export", "demo", "--format", "csv", "--out", str(out)]) == 0
    assert "exported 4 segments" in capsys.readouterr().out and (out / "segments.csv").is_file()
