"""Text saved before the control-character rule (or written by an engine) may hold NUL, ESC and
other control characters: no export file and no CSV download writes them, in any format. The
text goes into the store directly, as old data would be there, past the rule that refuses it
when typed; every export writer and the dashboard's CSV read it through the one cleaning step
(speechlabel/core/control_chars.py), which makes each a space."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.analytics.csv_rows import to_csv
from speechlabel.analytics.dashboard import build_dashboard
from speechlabel.core.control_chars import without_controls
from speechlabel.core.models import Draft, SegmentEdit, SegmentStatus, Word
from speechlabel.export import CARD_NAME, ExportOptions, export_dataset
from speechlabel.ingest.files import import_audio

ESC_RED = "\x1b[31mred\x1b[0m"
CONTROLS = "\x07\x08\x0b\x0c\x1b\x7f\x85\x9b"  # bell, backspace, VT, FF, ESC, DEL, C1 NEL and CSI
# Any control character but the line feed that ends a line of every format (none writes a tab).
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def hostile_texts(nul: str) -> dict[str, str]:
    """``nul`` is NUL where the database can hold it (PostgreSQL cannot: nothing old holds one there)."""
    return {
        "text": f"and so{nul} my {ESC_RED} fellow\tamericans\nask{CONTROLS}not",
        "speaker": f"Ken{nul}\x1b[2Jnedy",
        "tag": f"noi{nul}\x07se",
        "label": f"call{nul} \x1b]0;title\x07 01.wav",
        "draft": f"draft{nul} \x1b[31mwords",
        "word": f"wo{nul}\x1brd",
    }


@pytest.fixture
def hostile(store, settings, project, speech_dir):
    texts = hostile_texts("\x00" if store.engine.dialect.name == "sqlite" else "")
    recording = import_audio(store, settings, project, (speech_dir / "en/jfk.wav").read_bytes(), "jfk.wav")
    _set_label(store, recording.id, texts["label"])  # import_audio cleans a label: set it as old data has it
    segments = store.replace_segments(recording.id, project.id, [(0.3, 2.3), (2.5, 5.0)], {}, "prelabel")
    for segment in segments:
        words = (Word(texts["word"], segment.start + 0.05, 0.3, 0.9), Word("ok", segment.start + 0.5, 0.3, 0.8))
        draft = Draft(texts["draft"], words, -0.3, 0.02, 1.2, "en", 0.99, "faster-whisper", "base", {})
        store.add_draft(segment.id, draft, "prelabel")
        edit = SegmentEdit(
            text=texts["text"], speaker=texts["speaker"], tags=(texts["tag"],), status=SegmentStatus.SUBMITTED
        )
        store.save_segment(segment.id, 2, edit, "ana")
    stored = store.get_segment(segments[0].id)
    assert (stored.text, stored.speaker, stored.tags) == (texts["text"], texts["speaker"], (texts["tag"],))
    return texts


def _set_label(store, recording_id: str, label: str) -> None:
    from speechlabel.store import schema

    with store.write() as connection:
        connection.execute(schema.recordings.update().where(schema.recordings.c.id == recording_id).values(label=label))


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in strings_in(key) + strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    return (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")


@pytest.mark.parametrize(
    ("export_format", "cut_clips"),
    [("jsonl", True), ("nemo", False), ("hf", True), ("lhotse", True), ("lhotse", False), ("kaldi", False)],
)
def test_no_export_file_holds_a_control_character(
    store, settings, project, hostile, tmp_path, export_format, cut_clips
):
    out = tmp_path / export_format
    options = ExportOptions(format=export_format, cut_clips=cut_clips, statuses=None)
    report = export_dataset(store, settings, project, out, options, actor=SYSTEM)
    assert report.segments == 2
    written = [path for path in out.rglob("*") if path.is_file() and path.suffix != ".wav"]
    assert any(path.name == CARD_NAME for path in written) and len(written) >= 2
    seen = ""
    for path in written:
        text = read_text(path)
        seen += text
        found = RAW_CONTROL.search(text)
        assert found is None, f"{path.relative_to(out)} holds U+{ord(found.group()):04X}: {text[:300]!r}"
        if ".jsonl" in path.name:  # and no value holds one escaped (\u001b) either
            values = [s for line in text.splitlines() for s in strings_in(json.loads(line))]
            assert not [s for s in values if RAW_CONTROL.search(s)], values
    # The words are still there, each control character a space (so no two words were glued).
    if export_format == "kaldi":  # one line of single spaces; speakers are ids of letters and digits
        assert " ".join(without_controls(hostile["text"]).split()) in seen
    else:
        written_fields = ("text", "speaker", "label", "draft") + (() if export_format == "nemo" else ("tag",))
        for name in written_fields:
            assert without_controls(hostile[name]) in seen, name


def test_the_cleaning_makes_each_control_character_a_space():
    assert without_controls("a\x00b\x1b[31mc\td\ne\x7ff\x85g") == "a b [31mc d e f g"
    assert without_controls("한국어 ok") == "한국어 ok"


def test_the_dashboard_csv_holds_no_control_character(store, project, hostile):
    figures = build_dashboard(store, SYSTEM, project)
    assert figures.segments, "the dashboard has the hostile segments"
    csv_text = to_csv(figures.segments)
    assert RAW_CONTROL.search(csv_text) is None, csv_text
    assert "fellow americans ask" in csv_text
