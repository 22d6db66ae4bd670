"""Export text variants by the project's tag scheme: the side of dual transcriptions and the
verbatim / disfluent / fluent styles, on a KsponSpeech line (and the command line's options)."""

from __future__ import annotations

import json

import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.cli import main
from speechlabel.conventions import AIHUB, GENERIC_EN, KSPON, Side
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import SegmentEdit, SegmentStatus
from speechlabel.export import ExportOptions, TextVariant, export_dataset
from speechlabel.export.select import export_text
from speechlabel.ingest.files import import_audio
from speechlabel.projects.manage import create_project
from speechlabel.workspace.config import Settings
from speechlabel.workspace.workspace import Workspace

KSPON_LINE = "b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/"


@pytest.mark.parametrize(
    ("variant", "side", "expected"),
    [
        (TextVariant.VERBATIM, None, KSPON_LINE),
        (TextVariant.VERBATIM, Side.SPELLING, "b/ 아/ 모+ 몬 소리야 70% 확률이라니 n/"),
        (TextVariant.VERBATIM, Side.PRONUNCIATION, "b/ 아/ 모+ 몬 소리야 칠십 퍼센트 확률이라니 n/"),
        (TextVariant.DISFLUENT, None, "아 모 몬 소리야 칠십 퍼센트 확률이라니"),
        (TextVariant.DISFLUENT, Side.SPELLING, "아 모 몬 소리야 70% 확률이라니"),
        (TextVariant.DISFLUENT, Side.BOTH, "아 모 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니"),
        (TextVariant.FLUENT, None, "몬 소리야 칠십 퍼센트 확률이라니"),
        (TextVariant.FLUENT, Side.SPELLING, "몬 소리야 70% 확률이라니"),
        (TextVariant.CLEAN, None, "아 모 몬 소리야 칠십 퍼센트 확률이라니"),
        (TextVariant.CLEAN, Side.SPELLING, "아 모 몬 소리야 70% 확률이라니"),
    ],
)
def test_each_variant_of_a_kspon_line(variant, side, expected):
    assert export_text(KSPON_LINE, variant, KSPON, side) == expected


def test_the_scheme_decides_what_is_a_filler():
    assert export_text("(FP:음) 그러니까 (NO:) 내일", TextVariant.FLUENT, AIHUB) == "그러니까 내일"
    assert export_text("%um I think [noise] so", TextVariant.FLUENT, GENERIC_EN) == "I think so"
    assert export_text("%um I think [noise] so", TextVariant.DISFLUENT, GENERIC_EN) == "um I think so"


def test_clean_keeps_one_side_and_a_bad_side_is_refused():
    with pytest.raises(ValidationError, match="choose spelling or pronunciation"):
        ExportOptions(text="clean", dual_side="both").validated()
    with pytest.raises(ValidationError, match="unknown dual side 'written'; allowed: spelling, pronunciation, both"):
        ExportOptions(text="fluent", dual_side="written").validated()
    with pytest.raises(ValidationError, match="unknown text variant 'tidy'; allowed: verbatim, clean, disfluent"):
        ExportOptions(text="tidy").validated()


@pytest.fixture
def kspon_corpus(store, settings, speech_dir):
    project = create_project(store, "kspon", language="ko", actor=SYSTEM)
    recording = import_audio(store, settings, project, (speech_dir / "en/LDC93S1.wav").read_bytes(), "a.wav")
    segment = store.replace_segments(recording.id, project.id, [(0.1, 2.8)], {}, "prelabel")[0]
    store.save_labeled(segment.id, segment.version, SegmentEdit(text=KSPON_LINE, status=SegmentStatus.SUBMITTED), "ana")
    return project


def test_an_export_writes_the_variant_by_the_projects_scheme(store, settings, kspon_corpus, tmp_path):
    export_dataset(
        store,
        settings,
        kspon_corpus,
        tmp_path / "fl",
        ExportOptions(format="nemo", text="fluent", dual_side="spelling", statuses=(SegmentStatus.SUBMITTED,)),
        actor=SYSTEM,
    )
    lines = [json.loads(line) for line in (tmp_path / "fl" / "manifest.jsonl").read_text().splitlines()]
    assert [line["text"] for line in lines] == ["몬 소리야 70% 확률이라니"]
    export_dataset(
        store,
        settings,
        kspon_corpus,
        tmp_path / "all",
        ExportOptions(format="jsonl", text="disfluent", statuses=None),
        actor=SYSTEM,
    )
    line = json.loads((tmp_path / "all" / "manifest.jsonl").read_text().splitlines()[0])
    assert (line["text"], line["verbatim_text"], line["text_variant"]) == (
        "아 모 몬 소리야 칠십 퍼센트 확률이라니",
        KSPON_LINE,
        "disfluent",
    )


def test_the_command_line_takes_the_variant_and_the_side(data_dir, speech_dir, tmp_path, capsys):
    base = ["--data-dir", str(data_dir)]
    assert main(base + ["project", "create", "kp", "--language", "ko"]) == 0
    assert main(base + ["import", "kp", str(speech_dir / "en/LDC93S1.wav")]) == 0
    store = Workspace.open(Settings.from_env(data_dir)).store
    project = store.get_project("kp")
    [recording] = store.list_recordings(project.id)
    segment = store.replace_segments(recording.id, project.id, [(0.1, 2.8)], {}, "test")[0]
    store.save_labeled(segment.id, segment.version, SegmentEdit(text=KSPON_LINE, status=SegmentStatus.SUBMITTED), "ana")
    out = tmp_path / "cli"
    assert (
        main(
            base
            + [
                "export",
                "kp",
                "--out",
                str(out),
                "--format",
                "nemo",
                "--text",
                "verbatim",
                "--dual-side",
                "pronunciation",
                "--status",
                "submitted",
            ]
        )
        == 0
    )
    first = json.loads((out / "manifest.jsonl").read_text().splitlines()[0])
    assert first["text"] == "b/ 아/ 모+ 몬 소리야 칠십 퍼센트 확률이라니 n/"
