"""Dataset import on real audio, a real SQLite file and real PostgreSQL: NeMo, Lhotse and
subtitled folders; round trips export → import → export; bad input reported per line with the
rest imported and nothing half-written; re-imports that duplicate nothing; the command line.

Round trips compare by real identity, not by ids: recording and segment ids are the database's
own random keys (a new project in the same database cannot reuse them) and the export orders
recordings by them. So each manifest line is reduced to what the dataset is (the audio's
SHA-256 in place of its path, offset, duration, text, speaker, language, recording name; for
Lhotse also the word alignment) and the lines, ordered by recording name and time, must be
equal one for one. Provenance (status, draft, last editor) is the import's own by design: the
imported texts are drafts to correct.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lhotse import Recording, RecordingSet, SupervisionSegment, SupervisionSet
from lhotse.supervision import AlignmentItem

from speechlabel.accounts.access import SYSTEM
from speechlabel.cli import main
from speechlabel.core.errors import Forbidden
from speechlabel.core.models import Actor, PrelabelState, Role, SegmentStatus, User
from speechlabel.export import ExportOptions, SplitBy, export_dataset
from speechlabel.ingest.datasets import (
    IMPORT_ENGINE,
    DatasetKind,
    ImportOptions,
    import_dataset,
)
from speechlabel.labeling.draft_view import draft_view
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.workspace.config import Settings
from tests.export_corpus import (
    HOSTILE_LABEL,
    LONG_HANGUL_LABEL,
    build_corpus,
    read_jsonl,
)

NEMO_PROVENANCE = {"segment_id", "recording_id", "status", "draft_text", "model", "engine", "last_editor", "edited_at"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_import(store, settings, project, path, **choices):
    return import_dataset(store, settings, project, path, ImportOptions(**choices), actor=SYSTEM)


def export(store, settings, project, out, **choices):
    choices.setdefault("statuses", None)  # every status unless a test chooses: the default is approved only
    return export_dataset(store, settings, project, out, ExportOptions(**choices), actor=SYSTEM)


@pytest.fixture
def corpus(store, settings, project, speech_dir):
    return build_corpus(store, settings, project, speech_dir)


@pytest.fixture
def fresh(store):
    return create_project(store, "imported", language="ko", actor=SYSTEM)


# --- round trips -----------------------------------------------------------------------------------


def nemo_identity(line: dict, root: Path, clips: bool) -> dict:
    """What a NeMo line says about the data. With clips, start/end are the clip's own (0…) after an
    import, so only the clip itself (audio, duration) and its labels are compared."""
    identity = {key: value for key, value in line.items() if key not in NEMO_PROVENANCE}
    identity["audio_filepath"] = sha256(root / line["audio_filepath"])
    if clips:
        del identity["start"], identity["end"]
    return identity


def nemo_manifest(root: Path, clips: bool) -> list[dict]:
    lines = [nemo_identity(line, root, clips) for line in read_jsonl(root / "manifest.jsonl")]
    return sorted(lines, key=lambda line: (line["recording_label"], line.get("offset", 0.0), line["audio_filepath"]))


@pytest.mark.parametrize("clips", [False, True], ids=["offsets", "clips"])
def test_nemo_round_trip_gives_the_same_manifest(store, settings, project, corpus, fresh, tmp_path, clips):
    export(store, settings, project, tmp_path / "first", format="nemo", cut_clips=clips)
    report = run_import(store, settings, fresh, tmp_path / "first")
    assert report.kind == DatasetKind.NEMO and not report.problems and not report.duplicates
    assert (len(report.recordings), report.segments) == ((7, 7) if clips else (3, 7))
    export(store, settings, fresh, tmp_path / "second", format="nemo", cut_clips=clips)

    first, second = nemo_manifest(tmp_path / "first", clips), nemo_manifest(tmp_path / "second", clips)
    assert len(first) == 7 and second == first
    fields = {"audio_filepath", "duration", "text", "speaker", "lang", "recording_label"}
    assert set(first[0]) == (fields if clips else fields | {"offset", "start", "end"})
    assert {line["recording_label"] for line in first} == {"call 01.wav", HOSTILE_LABEL, LONG_HANGUL_LABEL}
    again = read_jsonl(tmp_path / "second" / "manifest.jsonl")
    assert {(line["engine"], line["model"], line["status"]) for line in again} == {(IMPORT_ENGINE, "nemo", "drafted")}
    assert all(line["draft_text"] == line["text"] for line in again)


def lhotse_identity(root: Path) -> tuple[list[dict], list[dict]]:
    recordings = {line["id"]: line for line in read_jsonl(root / "recordings.jsonl.gz")}
    audio = {key: sha256(root / line["sources"][0]["source"]) for key, line in recordings.items()}
    kept_custom = {"recording_label", "source_start", "alignment_source", "text_variant"}
    supervisions = []
    for line in read_jsonl(root / "supervisions.jsonl.gz"):
        line = line | {
            "recording_id": audio[line["recording_id"]],
            "custom": {k: v for k, v in line["custom"].items() if k in kept_custom},
        }
        del line["id"]
        supervisions.append(line)
    recording_lines = [
        line | {"id": audio[key], "sources": [source | {"source": audio[key]} for source in line["sources"]]}
        for key, line in recordings.items()
    ]
    return (
        sorted(recording_lines, key=lambda line: line["id"]),
        sorted(supervisions, key=lambda line: (line["custom"]["recording_label"], line["start"], line["recording_id"])),
    )


def test_lhotse_round_trip_gives_the_same_manifests(store, settings, project, corpus, fresh, tmp_path):
    export(store, settings, project, tmp_path / "first", format="lhotse", cut_clips=False)
    report = run_import(store, settings, fresh, tmp_path / "first")
    assert report.kind == DatasetKind.LHOTSE and not report.problems
    assert (len(report.recordings), report.segments) == (3, 7)
    export(store, settings, fresh, tmp_path / "second", format="lhotse", cut_clips=False)

    recordings, supervisions = lhotse_identity(tmp_path / "first")
    assert (recordings, supervisions) == lhotse_identity(tmp_path / "second")
    assert len(supervisions) == 7 and all(line["alignment"]["word"] for line in supervisions)
    assert {line["speaker"] for line in supervisions if "speaker" in line} == {"A", "B", "A B", "화자 1"}


def test_a_split_export_comes_back_as_one_dataset(store, settings, project, corpus, fresh, tmp_path):
    """Split by speaker, one recording's segments land in several manifests: they are grouped
    back into one recording."""
    export(
        store,
        settings,
        project,
        tmp_path / "split",
        format="nemo",
        cut_clips=False,
        split_by=SplitBy.SPEAKER,
        split_shares=(0.4, 0.3, 0.3),
    )
    assert len(list((tmp_path / "split").glob("*_manifest.jsonl"))) >= 2
    report = run_import(store, settings, fresh, tmp_path / "split")
    assert (len(report.recordings), report.segments, report.problems) == (3, 7, [])
    labels = sorted(store.get_recording(r.id).label for r in report.recordings)
    assert labels == sorted(r.label for r in corpus)


def test_reimport_duplicates_nothing(store, settings, project, corpus, fresh, tmp_path):
    export(store, settings, project, tmp_path / "first", format="nemo", cut_clips=False)
    run_import(store, settings, fresh, tmp_path / "first")
    again = run_import(store, settings, fresh, tmp_path / "first")
    assert (again.recordings, again.segments, again.problems) == ([], 0, [])
    assert len(again.duplicates) == 3 and again.duplicate_segments == 7
    assert all("already in this project" in d.message and d.source.startswith("recordings/") for d in again.duplicates)
    assert sum(store.count_segments_by_status(fresh.id).values()) == 7
    assert len(store.list_recordings(fresh.id)) == 3


# --- what the labeler sees -------------------------------------------------------------------------


def test_imported_segments_look_like_whisper_drafts(store, settings, project, corpus, fresh, tmp_path):
    export(store, settings, project, tmp_path / "first", format="lhotse", cut_clips=False)
    report = run_import(store, settings, fresh, tmp_path / "first")
    whisper = store.list_segments(corpus[0].id)[0]
    for recording in report.recordings:
        assert store.get_recording(recording.id).prelabel_state == PrelabelState.DRAFTED  # prelabel leaves it alone
        for segment in store.list_segments(recording.id):
            assert (segment.status, segment.version, segment.updated_by) == (SegmentStatus.DRAFTED, 2, "import")
            shape = [(r.version, r.status, r.comment) for r in store.list_revisions(segment.id)]
            assert shape == [(r.version, r.status, r.comment) for r in store.list_revisions(whisper.id)[:2]]
            drafts = store.list_drafts(segment.id)
            assert len(drafts) == 1 and drafts[0].text == segment.text and drafts[0].language == "en"
            assert (drafts[0].engine, drafts[0].model) == ("import", "lhotse")
            assert drafts[0].options["source"] == "supervisions.jsonl.gz" and drafts[0].options["id"]
            view = draft_view(drafts, segment, threshold=0.5)
            assert view.words and view.engine == "import"
            assert [w.low_confidence for w in view.words] == [False, True]  # the source's scores, 0.91 and 0.42


def test_lhotse_written_by_lhotse_with_alignment_and_bad_lines(
    store, settings, fresh, speech_dir, tmp_path, monkeypatch
):
    dataset = tmp_path / "lhotse"
    (dataset / "wav").mkdir(parents=True)
    for name in ("jfk.wav", "LDC93S1.wav"):
        shutil.copy(speech_dir / "en" / name, dataset / "wav" / name)
    monkeypatch.chdir(dataset)  # lhotse keeps the path as given: relative to the dataset folder
    recordings = RecordingSet.from_recordings(
        [
            Recording.from_file("wav/jfk.wav", recording_id="jfk"),
            Recording.from_file("wav/LDC93S1.wav", recording_id="timit"),
        ]
    )
    words = [
        AlignmentItem("and", 0.35, 0.2, 0.93),
        AlignmentItem("so", 0.6, 0.3, 0.31),
        AlignmentItem("my", 1.0, 0.2, None),
    ]
    supervisions = SupervisionSet.from_segments(
        [
            SupervisionSegment(
                "jfk-1",
                "jfk",
                0.3,
                2.0,
                channel=0,
                text="and so my fellow americans",
                language="en",
                speaker="kennedy",
                alignment={"word": words},
            ),
            SupervisionSegment(
                "jfk-2", "jfk", 2.5, 2.5, channel=0, text="묻지 마십시오", language="ko", speaker="통역"
            ),
            SupervisionSegment("jfk-3", "jfk", 6.0, 1.0, channel=1, text="other channel"),
            SupervisionSegment("timit-1", "timit", 0.1, 2.7, channel=0, text="she had your dark suit"),
        ]
    )
    recordings.to_file("recordings.jsonl.gz")
    supervisions.to_file("supervisions.jsonl.gz")
    with gzip.open("supervisions.jsonl.gz", "at", encoding="utf-8") as more:  # a second gzip member
        more.write(json.dumps({"id": "x", "recording_id": "nobody", "start": 0, "duration": 1, "text": "t"}) + "\n")
        more.write(
            json.dumps(
                {
                    "id": "y",
                    "recording_id": "timit",
                    "start": 2.8,
                    "duration": 0.1,
                    "text": "z",
                    "alignment": {"word": [["z", "late"]]},
                }
            )
            + "\n"
        )
        more.write(json.dumps({"id": "w", "recording_id": "web", "start": 0, "duration": 1, "text": "remote"}) + "\n")
    with gzip.open("recordings.jsonl.gz", "at", encoding="utf-8") as more:
        more.write(
            json.dumps(
                {
                    "id": "web",
                    "sources": [{"type": "url", "channels": [0], "source": "https://x/a.wav"}],
                    "sampling_rate": 16000,
                    "num_samples": 16000,
                    "duration": 1.0,
                }
            )
            + "\n"
        )
    monkeypatch.chdir(tmp_path)

    report = run_import(store, settings, fresh, dataset)
    assert (report.kind, len(report.recordings), report.segments) == (DatasetKind.LHOTSE, 2, 4)
    problems = {(problem.source, problem.line): problem.message for problem in report.problems}
    assert len(problems) == 4
    assert "channel 1; only channel 0" in problems[("supervisions.jsonl.gz", 3)]
    assert "recording 'nobody' is not in the recordings file" in problems[("supervisions.jsonl.gz", 5)]
    assert "word alignment is malformed" in problems[("supervisions.jsonl.gz", 6)]  # a warning: the segment went in
    assert problems[("recordings.jsonl.gz", 3)] == (
        "source type 'url' is not supported; only 'file' sources (audio files on disk) are imported; its segment "
        "was not imported (supervisions.jsonl.gz line 7)"
    )
    assert report.skipped_segments == 3
    by_label = {r.label: store.list_segments(r.id) for r in report.recordings}
    jfk = by_label["jfk"]
    assert [(s.start, s.duration, s.speaker, s.language, s.text) for s in jfk] == [
        (0.3, 2.0, "kennedy", "en", "and so my fellow americans"),
        (2.5, 2.5, "통역", "ko", "묻지 마십시오"),
    ]
    draft = store.latest_draft(jfk[0].id)
    assert [(w.symbol, w.start, w.duration, w.score) for w in draft.words] == [
        ("and", 0.35, 0.2, 0.93),
        ("so", 0.6, 0.3, 0.31),
        ("my", 1.0, 0.2, 1.0),
    ]  # no score: a transcript's 1.0
    assert [s.text for s in by_label["timit"]] == ["she had your dark suit", "z"]


# --- subtitles -------------------------------------------------------------------------------------

SRT = (
    "\ufeff1\r\n00:00:00,300 --> 00:00:02,300\r\nAnd so my <i>fellow</i>\r\nAmericans\r\n\r\n"
    "2\r\n00:00:02,500 --> 00:00:05,000\r\nask not\r\n\r\n3\r\n00:00:05,000 --> 00:00:12,000\r\npast the end\r\n"
)
VTT = (
    "WEBVTT\n\nNOTE from the TIMIT transcript\n\n00:00.100 --> 00:02.800 line:0\n<v 화자 1>She had your dark "
    "suit</v>\n\n00:02.000 --> 00:02.900\noverlapping\n"
)
STM_TIMES = [
    (6.68, 7.16, "Diane", "Hello?"),
    (7.634, 8.155, "Sheila", "Hello?"),
    (8.436, 8.876, "Diane", "Oh, hello."),
    (8.916, 9.798, "Diane", "I didn't know you were there."),
]


def textgrid_for(turns: list[tuple[float, float, str, str]], duration: float) -> str:
    """A long-format TextGrid: a "speaker" tier and a "words" tier with gaps as empty intervals."""

    def tier(name: str, column: int) -> list[str]:
        intervals, time = [], 0.0
        for start, end, *labels in turns:
            if start > time:
                intervals.append((time, start, ""))
            intervals.append((start, end, labels[column]))
            time = end
        intervals.append((time, duration, ""))
        lines = [
            '        class = "IntervalTier"',
            f'        name = "{name}"',
            "        xmin = 0",
            f"        xmax = {duration}",
            f"        intervals: size = {len(intervals)}",
        ]
        for number, (start, end, text) in enumerate(intervals, start=1):
            lines += [
                f"        intervals [{number}]:",
                f"            xmin = {start}",
                f"            xmax = {end}",
                f'            text = "{text}"',
            ]
        return lines

    header = [
        'File type = "ooTextFile"',
        'Object class = "TextGrid"',
        "",
        "xmin = 0",
        f"xmax = {duration}",
        "tiers? <exists>",
        "size = 2",
        "item []:",
    ]
    return "\n".join(header + ["    item [1]:"] + tier("speaker", 0) + ["    item [2]:"] + tier("words", 1)) + "\n"


@pytest.fixture
def subtitled(speech_dir, tmp_path) -> Path:
    folder = tmp_path / "subtitled"
    (folder / "talks").mkdir(parents=True)
    shutil.copy(speech_dir / "en" / "jfk.wav", folder / "jfk.wav")
    (folder / "jfk.srt").write_bytes(SRT.encode("utf-8"))
    shutil.copy(speech_dir / "en" / "LDC93S1.wav", folder / "talks" / "timit.wav")
    (folder / "talks" / "timit.vtt").write_text(VTT, encoding="utf-8")
    shutil.copy(speech_dir / "diarization" / "pyannote_sample.wav", folder / "call.wav")
    (folder / "call.TextGrid").write_bytes(textgrid_for(STM_TIMES, 30.0).encode("utf-16"))
    shutil.copy(speech_dir / "noise" / "speechbrain_noise5_stationary.wav", folder / "noise.wav")
    (folder / "orphan.vtt").write_text("WEBVTT\n", encoding="utf-8")
    return folder


def test_subtitled_folder(store, settings, fresh, subtitled):
    report = run_import(store, settings, fresh, subtitled, tier="words")
    assert report.kind == DatasetKind.SUBTITLES
    segments = {r.label: store.list_segments(r.id) for r in report.recordings}
    assert sorted(segments) == ["call.wav", "jfk.wav", "talks/timit.wav"]
    assert [(s.start, s.end, s.text) for s in segments["jfk.wav"]] == [
        (0.3, 2.3, "And so my fellow Americans"),
        (2.5, 5.0, "ask not"),
    ]
    assert [(s.start, s.end, s.text, s.speaker) for s in segments["talks/timit.wav"]] == [
        (0.1, 2.8, "She had your dark suit", "화자 1")
    ]
    assert [(s.start, s.end, s.text) for s in segments["call.wav"]] == [(a, b, text) for a, b, _, text in STM_TIMES]
    assert store.latest_draft(segments["call.wav"][0].id).model == "textgrid"
    assert store.latest_draft(segments["talks/timit.wav"][0].id).model == "vtt"
    assert report.segments == 7
    problems = {(p.source, p.line): p.message for p in report.problems}
    assert "past the end of the audio (11.000 s)" in problems[("jfk.srt", 11)]
    assert "overlaps the one from line 5" in problems[("talks/timit.vtt", 8)]
    assert "no transcript beside it" in problems[("noise.wav", None)]
    assert "no audio file of the same name" in problems[("orphan.vtt", None)]
    assert report.skipped_segments == 2


def test_textgrid_tier_by_name_or_the_first(store, settings, fresh, subtitled):
    first = run_import(store, settings, fresh, subtitled, kind="subtitles")
    call = next(r for r in first.recordings if r.label == "call.wav")
    assert [s.text for s in store.list_segments(call.id)] == ["Diane", "Sheila", "Diane", "Diane"]
    other = create_project(store, "other", actor=SYSTEM)
    missing = run_import(store, settings, other, subtitled, tier="turns")
    assert "call.wav" not in {r.label for r in missing.recordings}
    assert any(
        p.source == "call.TextGrid" and "no tier named 'turns'; its tiers: 'speaker', 'words'" in p.message
        for p in missing.problems
    )


# --- bad input -------------------------------------------------------------------------------------


def test_bad_nemo_lines_are_reported_and_the_rest_imported(store, settings, fresh, speech_dir, tmp_path):
    dataset = tmp_path / "dataset"
    (dataset / "audio").mkdir(parents=True)
    for source, name in [
        ("en/jfk.wav", "jfk.wav"),
        ("en/LDC93S1.wav", "timit.wav"),
        ("other/deepspeech_ru.wav", "ru.wav"),
    ]:
        shutil.copy(speech_dir / source, dataset / "audio" / name)
    shutil.copy(speech_dir / "en" / "jfk_44k_24bit_stereo.flac", tmp_path / "outside.flac")
    (dataset / "audio" / "broken.wav").write_bytes(b"RIFF not really audio")
    jfk = {"audio_filepath": "audio/jfk.wav"}
    lines = [
        jfk | {"offset": 0.3, "duration": 2.0, "text": "and so my fellow americans", "speaker": "화자 1", "lang": "en"},
        "{not json",
        jfk | {"offset": 1.0, "duration": 2.0, "text": "overlapping"},
        jfk | {"offset": 2.5, "duration": 2.5, "text": "  "},
        jfk | {"offset": 9.0, "duration": 5.0, "text": "past the end"},
        jfk | {"offset": 3.0, "text": "no duration"},
        jfk | {"offset": 5.5, "duration": 2.0},
        {"audio_filepath": "audio/missing.wav", "duration": 1.0, "text": "gone"},
        {"audio_filepath": "../outside.flac", "duration": 1.0, "text": "escape"},
        {"audio_filepath": str(speech_dir / "en" / "LDC93S1.wav"), "duration": 1.0, "text": "absolute"},
        {"audio_filepath": "audio/broken.wav", "duration": 1.0, "text": "broken"},
        {"audio_filepath": "audio/timit.wav", "duration": 2.92, "text": "she had your dark suit 한국어"},
        [1, 2],
        jfk | {"offset": -1, "duration": 1.0, "text": "negative"},
        jfk | {"offset": 8.0, "duration": 2.0, "text": "ask", "speaker": "x" * 101},
        jfk | {"offset": 5.5, "duration": 2.0, "text": "what your country can do", "speaker": 7},
        {"audio_filepath": "audio/ru.wav", "offset": 100.0, "duration": 1.0, "text": "far away"},
        jfk | {"offset": "0.5", "duration": 1.0, "text": "offset as text"},
    ]
    manifest = dataset / "manifest.jsonl"
    manifest.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines),
        encoding="utf-8",
    )

    report = run_import(store, settings, fresh, dataset)
    assert (len(report.recordings), report.segments) == (2, 3)
    expected = [
        (2, "not JSON"),
        (3, "overlaps the one from line 1"),
        (4, "text is empty"),
        (5, "past the end of the audio"),
        (6, "'duration' field is missing"),
        (7, "'text' field is missing"),
        (8, "'audio/missing.wav' not found"),
        (9, "leads out of the dataset folder"),
        (10, "points outside the dataset folder"),
        (11, "audio 'audio/broken.wav':"),
        (13, "not an object"),
        (14, "offset -1 is not allowed"),
        (15, "101 characters long; at most 100"),
        (17, "after the audio ends"),
        (17, "audio 'audio/ru.wav': none of its segments lies inside the audio; it was not imported"),
        (18, "offset '0.5' is not a number"),
    ]
    problems = [(p.line, p.message) for p in report.problems]
    assert len(problems) == len(expected)
    for line, message in expected:
        assert any(number == line and message in text for number, text in problems), (line, message, problems)
    assert all(p.source == "manifest.jsonl" for p in report.problems)
    assert report.skipped_segments == 15
    by_label = {r.label: store.list_segments(r.id) for r in report.recordings}
    assert [(s.start, s.end, s.speaker, s.text) for s in by_label["audio/jfk.wav"]] == [
        (0.3, 2.3, "화자 1", "and so my fellow americans"),
        (5.5, 7.5, "7", "what your country can do"),
    ]
    assert [(s.end, s.text) for s in by_label["audio/timit.wav"]] == [(2.92, "she had your dark suit 한국어")]
    # Nothing half-written: only the two imported recordings left files in the data folder.
    stored = sorted(p.name for p in (settings.data_dir / "audio").rglob("*") if p.is_file())
    assert len(stored) == 4 and sorted(f"{r.id}.wav" for r in report.recordings) == sorted(
        name for name in stored if name.startswith("rec-")
    )


def test_an_absolute_path_manifest_may_point_anywhere(store, settings, fresh, speech_dir, tmp_path):
    manifest = tmp_path / "made-here" / "train_manifest.json"
    manifest.parent.mkdir()
    lines = [
        {"audio_filepath": str(speech_dir / "en" / "LDC93S1.wav"), "duration": 2.9248, "text": "she had"},
        {"audio_filepath": str(speech_dir / "en" / "jfk.wav"), "duration": 11.0, "text": "and so", "lang": "en"},
    ]
    manifest.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    report = run_import(store, settings, fresh, manifest)
    assert (sorted(r.label for r in report.recordings), report.segments, report.problems) == (
        ["LDC93S1.wav", "jfk.wav"],
        2,
        [],
    )
    durations = {r.label: store.list_segments(r.id)[0].duration for r in report.recordings}
    assert durations == {"LDC93S1.wav": 2.925, "jfk.wav": 11.0}
    languages = {r.label: store.list_segments(r.id)[0].language for r in report.recordings}
    assert languages == {"LDC93S1.wav": "ko", "jfk.wav": "en"}  # the project's language unless the line has one


def test_only_leads_import(store, settings, project, speech_dir, tmp_path):
    manifest = tmp_path / "manifest.jsonl"
    shutil.copy(speech_dir / "en" / "jfk.wav", tmp_path / "jfk.wav")
    manifest.write_text(json.dumps({"audio_filepath": "jfk.wav", "duration": 11.0, "text": "and so"}) + "\n")
    labeler = Actor(User(7, "lea", False, False, datetime(2026, 1, 1, tzinfo=UTC)), {project.id: Role.LABELER})
    with pytest.raises(Forbidden, match="importing a dataset needs the lead role"):
        import_dataset(store, settings, project, manifest, actor=labeler)
    assert store.list_recordings(project.id) == []
    lead = Actor(labeler.user, {project.id: Role.LEAD})
    assert import_dataset(store, settings, project, manifest, actor=lead).segments == 1


# --- command line ----------------------------------------------------------------------------------


def test_command_line_import_dataset(data_dir, speech_dir, tmp_path, capsys):
    settings = Settings(data_dir=data_dir)
    store = Store.open(settings.resolved_database_url)
    try:
        project = create_project(store, "source", language="en", actor=SYSTEM)
        build_corpus(store, settings, project, speech_dir)
        export(store, settings, project, tmp_path / "lhotse", format="lhotse")
    finally:
        store.close()
    base = ["--data-dir", str(data_dir)]
    assert main([*base, "project", "create", "target", "--language", "en"]) == 0
    capsys.readouterr()
    assert main([*base, "import-dataset", "target", str(tmp_path / "lhotse")]) == 0
    printed = capsys.readouterr().out
    assert "lhotse dataset" in printed and "7 recordings and 7 segments imported as drafts" in printed
    assert main([*base, "import-dataset", "target", str(tmp_path / "lhotse")]) == 0
    assert (
        "0 recordings and 0 segments imported as drafts; 7 recordings already in the project (7 segments)"
        in capsys.readouterr().out
    )

    broken = tmp_path / "broken" / "manifest.jsonl"
    broken.parent.mkdir()
    broken.write_text('{"audio_filepath": "nowhere.wav", "duration": 1, "text": "x"}\n')
    assert main([*base, "import-dataset", "target", str(broken.parent), "--kind", "nemo"]) == 1
    captured = capsys.readouterr()
    assert "problem manifest.jsonl:1: audio file 'nowhere.wav' not found" in captured.err
    assert "1 segments skipped; 1 problems" in captured.out
    assert main([*base, "import-dataset", "target", str(broken), "--kind", "subtitles"]) == 1
    assert "error:" in capsys.readouterr().err
