"""Export formats: each written as its tool loads it, proven by loading or validating it here.

- NeMo / generic JSONL: fields and files (NeMo itself needs torch; see the lead's note).
- Hugging Face audiofolder: loaded with ``datasets.load_dataset("audiofolder", ...)``.
- Kaldi/ESPnet: checked by ``validate_kaldi_data_dir`` below, which performs the checks of
  Kaldi's ``utils/validate_data_dir.sh --no-feats`` (and ``validate_text.pl``); Kaldi's scripts
  are not installable here.
- Lhotse: lhotse needs torch, so the manifests are checked against its schema (the keys and
  rules of ``Recording``/``SupervisionSegment.from_dict`` and its validation); a test that
  loads them with lhotse and builds a CutSet runs where lhotse is installed.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import datasets
import lhotse
import pytest
import soundfile as sf

from speechlabel.accounts.access import SYSTEM
from speechlabel.cli import main
from speechlabel.core.errors import Forbidden, ValidationError
from speechlabel.core.models import (
    Actor,
    Role,
    SegmentStatus,
    User,
)
from speechlabel.export import (
    CARD_NAME,
    ExportOptions,
    SplitBy,
    TextVariant,
    export_dataset,
)
from speechlabel.export.names import SafeNames, kaldi_speaker_id, safe_id
from speechlabel.projects.manage import create_project
from speechlabel.store import Store
from speechlabel.workspace.config import Settings
from tests.export_corpus import CORPUS, HOSTILE_LABEL, LONG_HANGUL_LABEL, build_corpus, read_jsonl


@pytest.fixture
def corpus(store, settings, project, speech_dir):
    return build_corpus(store, settings, project, speech_dir)


def export(store, settings, project, out, **choices):
    choices.setdefault("statuses", None)  # every status unless a test chooses: the default is approved only
    return export_dataset(store, settings, project, out, ExportOptions(**choices), actor=SYSTEM)


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- Kaldi: the checks of utils/validate_data_dir.sh --no-feats -------------------------------------


def validate_kaldi_data_dir(data: Path, root: Path) -> None:
    """Raise AssertionError where Kaldi's validate_data_dir.sh --no-feats would fail. Also checks
    (beyond the script) that every wav.scp path is a file inside ``root``."""
    for name in ("spk2utt", "utt2spk"):
        assert (data / name).is_file() and (data / name).stat().st_size, f"no or empty {name}"
    utt2spk = _kaldi_lines(data / "utt2spk")
    assert all(len(line.split()) == 2 for line in utt2spk), "utt2spk has wrong format"
    _check_sorted_and_uniq(data / "utt2spk")
    by_speaker = sorted(utt2spk, key=lambda line: (line.split()[1].encode(), line.encode()))
    assert by_speaker == utt2spk, "utt2spk is not sorted by speaker-id (make speaker-ids prefixes of utt-ids)"
    _check_sorted_and_uniq(data / "spk2utt")
    inverse = [f"{utt} {line.split()[0]}" for line in _kaldi_lines(data / "spk2utt") for utt in line.split()[1:]]
    assert inverse == [" ".join(line.split()) for line in utt2spk], "spk2utt and utt2spk do not match"
    utts = [line.split()[0] for line in utt2spk]
    _check_text(data / "text", utts)
    assert (data / "wav.scp").is_file(), "no wav.scp"
    _check_sorted_and_uniq(data / "wav.scp")
    wav = [line.split(maxsplit=1) for line in _kaldi_lines(data / "wav.scp")]
    assert not any(path.startswith("~") for _, path in wav), "tilde in wav.scp"
    if (data / "segments").exists():
        _check_sorted_and_uniq(data / "segments")
        segments = [line.split() for line in _kaldi_lines(data / "segments")]
        assert all(len(f) == 4 and float(f[3]) > float(f[2]) for f in segments), "badly formatted segments"
        assert [f[0] for f in segments] == utts, "utterance list differs between utt2spk and segments"
        recordings = sorted({f[1] for f in segments}, key=str.encode)
        assert [key for key, _ in wav] == recordings, "recording-ids differ between segments and wav.scp"
    else:
        assert [key for key, _ in wav] == utts, "utterance lists differ between utt2spk and wav.scp"
    for _, path in wav:
        resolved = (root / path).resolve()
        assert resolved.is_file() and resolved.is_relative_to(root.resolve()), path


def _kaldi_lines(path: Path) -> list[str]:
    raw = path.read_bytes()
    assert raw.endswith(b"\n"), f"{path.name} has an invalid last newline"
    return raw.decode("utf-8").split("\n")[:-1]


def _check_sorted_and_uniq(path: Path) -> None:
    keys = [line.split()[0] for line in _kaldi_lines(path)]
    assert keys == sorted(set(keys), key=str.encode), f"{path.name} is not in sorted order or has duplicates"


def _check_text(path: Path, utts: list[str]) -> None:
    lines = _kaldi_lines(path)  # validate_text.pl: UTF-8, one \n per line, no CR, no other whitespace
    for line in lines:
        assert "\r" not in line and not any(c.isspace() and c not in "\t " for c in line), repr(line)
        assert not {"<s>", "</s>", "#0"}.intersection(line.split()), f"illegal symbol in {line!r}"
    _check_sorted_and_uniq(path)
    assert [line.split()[0] for line in lines] == utts, "utterance lists differ between utt2spk and text"


# --- formats ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cut_clips", [False, True], ids=["recordings+segments", "clips"])
def test_kaldi_data_dirs_pass_validate_data_dir_in_every_split(store, settings, project, corpus, tmp_path, cut_clips):
    out = tmp_path / "kaldi"
    report = export(
        store,
        settings,
        project,
        out,
        format="kaldi",
        cut_clips=cut_clips,
        split_by="speaker",
        split_shares=(0.5, 0.25, 0.25),
        seed=3,
    )
    written = [s for s in report.splits if s.segments]
    assert sum(s.segments for s in written) == report.segments == 7
    speakers_per_split = []
    for split in written:
        validate_kaldi_data_dir(out / split.name, out)
        speakers_per_split.append({line.split()[0] for line in _kaldi_lines(out / split.name / "spk2utt")})
    for i, first in enumerate(speakers_per_split):  # splitting by speaker: no speaker in two splits
        for second in speakers_per_split[i + 1 :]:
            assert not first & second
    assert (out / "segments").exists() is False
    assert any((out / s.name / "segments").exists() for s in written) is (not cut_clips)


def test_kaldi_texts_are_one_line_of_plain_spaces_and_clean_text_drops_tags(store, settings, project, corpus, tmp_path):
    export(store, settings, project, tmp_path / "k", format="kaldi", text="clean")
    texts = dict(line.split(" ", 1) for line in _kaldi_lines(tmp_path / "k" / "text"))
    assert sorted(texts.values()) == sorted(
        [
            "okay computer",
            "turn on the light",
            "음 hello world",
            "and so my fellow americans",
            "ask not",
            "what your country can do",
            "she had your dark suit",
        ]
    )
    validate_kaldi_data_dir(tmp_path / "k", tmp_path / "k")


def test_hugging_face_audiofolder_loads_with_datasets(store, settings, project, corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "hf"
    report = export(
        store,
        settings,
        project,
        out,
        format="hf",
        split_by="recording",
        split_shares=(0.6, 0.2, 0.2),
        seed=1,
        text="clean",
    )
    loaded = datasets.load_dataset("audiofolder", data_dir=str(out), cache_dir=str(tmp_path / "hf-cache"))
    expected = {
        {"train": "train", "dev": "validation", "test": "test"}[s.name]: s.segments for s in report.splits if s.segments
    }
    assert {name: len(split) for name, split in loaded.items()} == expected
    # datasets 4+ decodes audio with torchcodec (which needs torch): read the file references
    # undecoded and check them with soundfile instead.
    rows = [row for split in loaded.values() for row in split.cast_column("audio", datasets.Audio(decode=False))]
    assert len(rows) == 7
    for row in rows:
        path = Path(row["audio"]["path"])
        assert path.resolve().is_relative_to(out.resolve()) and sf.info(str(path)).samplerate == 16000
        assert sf.info(str(path)).duration == pytest.approx(row["duration"], abs=0.002)
    by_id = {row["segment_id"]: row for row in rows}
    assert {row["recording_label"] for row in rows} == {"call 01.wav", HOSTILE_LABEL, LONG_HANGUL_LABEL}
    assert sorted(row["text"] for row in rows if row["tags"]) == ["ask not", "okay computer"]
    assert {row["labeler"] for row in by_id.values()} == {"ana", "ben", ""}


def test_hugging_face_needs_clips(store, settings, project, corpus, tmp_path):
    with pytest.raises(ValidationError, match="needs one file per example"):
        export(store, settings, project, tmp_path / "hf", format="hf", cut_clips=False)


LHOTSE_RECORDING_KEYS = {"id", "sources", "sampling_rate", "num_samples", "duration", "channel_ids", "transforms"}
LHOTSE_SUPERVISION_KEYS = {
    "id",
    "recording_id",
    "start",
    "duration",
    "channel",
    "text",
    "language",
    "speaker",
    "gender",
    "custom",
    "alignment",
}


@pytest.mark.parametrize("cut_clips", [False, True], ids=["recordings", "clips"])
def test_lhotse_manifests_follow_its_schema(store, settings, project, corpus, tmp_path, cut_clips):
    out = tmp_path / "lhotse"
    export(store, settings, project, out, format="lhotse", cut_clips=cut_clips)
    recordings = {r["id"]: r for r in read_jsonl(out / "recordings.jsonl.gz")}
    supervisions = read_jsonl(out / "supervisions.jsonl.gz")
    assert len(recordings) == (7 if cut_clips else 3) and len(supervisions) == 7
    for recording in recordings.values():
        assert set(recording) <= LHOTSE_RECORDING_KEYS and recording["channel_ids"] == [0]
        (source,) = recording["sources"]
        assert source["type"] == "file" and source["channels"] == [0]
        info = sf.info(str(out / source["source"]))
        assert (info.samplerate, info.frames) == (recording["sampling_rate"], recording["num_samples"])
        assert round(recording["duration"] * recording["sampling_rate"]) == recording["num_samples"]
    for sup in supervisions:
        # lhotse's deserialize_item takes a line with "sources", "type", "shape" or "array" for another kind
        assert set(sup) <= LHOTSE_SUPERVISION_KEYS and not {"sources", "type", "shape", "array"} & set(sup)
        recording = recordings[sup["recording_id"]]
        assert 0 <= sup["start"] and sup["start"] + sup["duration"] <= recording["duration"] + 1e-6
        assert all(not isinstance(value, dict) for value in sup["custom"].values())
        for symbol, start, duration, score in sup["alignment"]["word"]:
            assert sup["start"] - 1e-6 <= start and start + duration <= sup["start"] + sup["duration"] + 1e-3
            assert isinstance(symbol, str) and 0 <= score <= 1
    first = next(s for s in supervisions if s["text"] == "okay computer" or s["text"] == "[noise] okay computer")
    assert first["speaker"] == "A" and first["language"] == "en"
    assert first["custom"]["labeler"] == "ana" and first["custom"]["last_editor"] == "rob"
    assert first["custom"]["draft_avg_logprob"] == -0.31 and first["custom"]["tags"] == ["noise"]
    assert first["alignment"]["word"][0][0] == "draft" and first["alignment"]["word"][0][3] == 0.91


@pytest.mark.parametrize("cut_clips", [False, True], ids=["recordings", "clips"])
def test_lhotse_loads_the_manifests_and_builds_cuts(store, settings, project, corpus, tmp_path, cut_clips):
    out = tmp_path / "lhotse"
    export(store, settings, project, out, format="lhotse", cut_clips=cut_clips)
    recordings = lhotse.load_manifest(out / "recordings.jsonl.gz").with_path_prefix(out)
    supervisions = lhotse.load_manifest(out / "supervisions.jsonl.gz")
    lhotse.validate_recordings_and_supervisions(recordings, supervisions)
    cuts = lhotse.CutSet.from_manifests(recordings=recordings, supervisions=supervisions).trim_to_supervisions()
    cuts = cuts.to_eager()
    assert len(cuts) == 7
    for cut in cuts:
        samples = cut.load_audio()
        assert samples.shape[0] == 1 and abs(samples.shape[1] - round(cut.duration * 16000)) <= 1
    (supervision,) = [s for s in supervisions if s.text == "[noise] okay computer"]
    first_word = supervision.alignment["word"][0]
    assert (first_word.symbol, first_word.score) == ("draft", 0.91)
    assert supervision.start <= first_word.start and supervision.custom["labeler"] == "ana"


@pytest.mark.parametrize("export_format", ["nemo", "jsonl"])
def test_nemo_and_jsonl_manifests_per_split_with_offsets(store, settings, project, corpus, tmp_path, export_format):
    out = tmp_path / export_format
    report = export(
        store,
        settings,
        project,
        out,
        format=export_format,
        cut_clips=False,
        split_by="recording",
        split_shares=(0.5, 0.5, 0.0),
    )
    assert [str(f) for f in report.files] == [f"{s.name}_manifest.jsonl" for s in report.splits if s.segments]
    lines = [line for name in report.files for line in read_jsonl(out / name)]
    assert len(lines) == 7
    for line in lines:
        info = sf.info(str(out / line["audio_filepath"]))
        assert line["offset"] + line["duration"] <= info.duration + 1e-3 and line["duration"] > 0
        assert {"text", "speaker", "lang", "segment_id", "recording_label", "status", "model"} <= set(line)
    assert ("tags" in lines[0] and "draft_words" in lines[0]) is (export_format == "jsonl")


# --- choices ------------------------------------------------------------------------------------------


def _segment_texts(out: Path) -> list[str]:
    return sorted(
        line["verbatim_text"] if "verbatim_text" in line else line["text"]
        for line in read_jsonl(out / "manifest.jsonl")
    )


def test_filters_by_status_labeler_of_record_recording_tags_and_date(store, settings, project, corpus, tmp_path):
    def texts(name, **choices):
        export(store, settings, project, tmp_path / name, **choices)
        return _segment_texts(tmp_path / name)

    assert texts("ben", labeler="ben") == ["and so my fellow americans", "turn on the light"]  # one approved by rob
    assert texts("rob", labeler="rob") == []  # the reviewer is nobody's labeler of record
    assert texts("approved", statuses=(SegmentStatus.APPROVED,), labeler="ana") == [
        "[noise] okay computer",
        "b/ 음 hello/ world*",
        "she had your dark suit",
    ]
    assert texts("rec", recording_ids=(corpus[2].id,)) == ["she had your dark suit"]
    assert texts("noise", with_tags=("noise", "music")) == ["[noise] okay computer", "ask not"]
    assert len(texts("quiet", without_tags=("noise",))) == 5
    assert texts("laughs", with_tags=("noise",), without_tags=("laughter",)) == ["[noise] okay computer"]
    now = datetime.now(UTC)
    assert len(texts("recent", edited_since=now - timedelta(hours=1), edited_until=now + timedelta(hours=1))) == 7
    assert texts("future", edited_since=now + timedelta(hours=1)) == []
    assert texts("past", edited_until=now - timedelta(hours=1)) == []


def test_text_variant_clean_removes_tags_and_keeps_the_verbatim_in_jsonl(store, settings, project, corpus, tmp_path):
    export(store, settings, project, tmp_path / "clean", text=TextVariant.CLEAN, with_tags=("noise",))
    lines = read_jsonl(tmp_path / "clean" / "manifest.jsonl")
    assert sorted((line["text"], line["verbatim_text"]) for line in lines) == [
        ("ask not", "ask not"),
        ("okay computer", "[noise] okay computer"),
    ]


@pytest.mark.parametrize("split_by", list(SplitBy))
def test_splits_keep_groups_together_and_repeat_with_the_seed(store, settings, project, corpus, tmp_path, split_by):
    def split_of(name, seed):
        export(
            store,
            settings,
            project,
            tmp_path / name,
            format="jsonl",
            split_by=split_by,
            split_shares=(0.4, 0.3, 0.3),
            seed=seed,
        )
        return {
            line["segment_id"]: (
                line["split"],
                line["recording_id"] if split_by == SplitBy.RECORDING else line["speaker"] or line["recording_id"],
            )
            for path in (tmp_path / name).glob("*_manifest.jsonl")
            for line in read_jsonl(path)
        }

    first, again = split_of("a", 7), split_of("b", 7)
    assert first == again and len(first) == 7
    groups: dict[str, set[str]] = {}
    for split, group in first.values():
        groups.setdefault(group, set()).add(split)
    assert all(len(splits) == 1 for splits in groups.values())
    assert len({split for split, _ in first.values()}) >= 2


def test_sample_rate_resamples_clips_and_recordings(store, settings, project, corpus, tmp_path):
    for cut_clips in (True, False):
        out = tmp_path / f"8k-{cut_clips}"
        export(store, settings, project, out, format="lhotse", sample_rate=8000, cut_clips=cut_clips)
        for recording in read_jsonl(out / "recordings.jsonl.gz"):
            info = sf.info(str(out / recording["sources"][0]["source"]))
            assert info.samplerate == recording["sampling_rate"] == 8000 and info.frames == recording["num_samples"]
    (clip,) = [
        s
        for s in read_jsonl(tmp_path / "8k-True" / "supervisions.jsonl.gz")
        if s.get("speaker") == "A" and s["custom"]["source_start"] == 6.69
    ]
    assert clip["duration"] == pytest.approx(0.43, abs=1 / 8000)


@pytest.mark.parametrize(
    "choices, message",
    [
        ({"sample_rate": 4000}, "sample rate 4000 is not allowed"),
        ({"split_by": "speaker", "split_shares": (0.5, 0.6, 0.1)}, "split shares"),
        ({"format": "wav2vec"}, "unknown export format 'wav2vec'"),
        ({"text": "shouting"}, "unknown text variant"),
        (
            {"edited_since": datetime(2026, 5, 2, tzinfo=UTC), "edited_until": datetime(2026, 5, 1, tzinfo=UTC)},
            "date range",
        ),
    ],
)
def test_choices_are_checked_before_anything_is_written(store, settings, project, tmp_path, choices, message):
    with pytest.raises(ValidationError, match=message):
        export(store, settings, project, tmp_path / "out", **choices)
    assert not (tmp_path / "out").exists()


def test_the_dataset_card_gives_counts_hours_speakers_tags_splits_and_settings(
    store, settings, project, corpus, tmp_path
):
    report = export(
        store,
        settings,
        project,
        tmp_path / "card",
        format="nemo",
        split_by="speaker",
        seed=2,
        with_tags=(),
        text="clean",
    )
    card = (tmp_path / "card" / CARD_NAME).read_text(encoding="utf-8")
    assert report.card == tmp_path / "card" / CARD_NAME
    hours = sum(e - s for _, _, spans in CORPUS for s, e, *_ in spans) / 3600
    assert "- segments: 7" in card and f"- audio: {hours:.3f} h" in card and "- speakers: 4" in card
    assert "| noise | 2 |" in card and "| laughter | 1 |" in card and "| 화자 1 | 1 |" in card
    assert "| train |" in card and "- text: clean" in card and "- format: nemo" in card and "seed 2" in card


# --- safety -------------------------------------------------------------------------------------------

HOSTILE_IDS = ["../../etc/passwd", "a/b", "with space", "녹음-한글", "." * 3, "/abs", "C:\\x", "x" * 29]


def test_hostile_ids_and_labels_never_leave_the_output_folder(store, settings, project, corpus, tmp_path):
    normalized = corpus[0].normalized_path
    for number, hostile in enumerate(HOSTILE_IDS):
        recording = replace(
            corpus[0], id=hostile, label=hostile + " label", sha256=f"{number:064d}", normalized_path=normalized
        )
        store.insert_recording(recording)
        store.replace_segments(hostile, project.id, [(1.0, 2.0)], {}, "prelabel")
    before = set(tmp_path.parent.iterdir())
    for export_format, cut_clips in [
        ("jsonl", True),
        ("nemo", False),
        ("hf", True),
        ("lhotse", True),
        ("lhotse", False),
        ("kaldi", True),
        ("kaldi", False),
    ]:
        out = tmp_path / "exports" / f"{export_format}-{cut_clips}"
        report = export(store, settings, project, out, format=export_format, cut_clips=cut_clips)
        assert report.segments == 7 + len(HOSTILE_IDS)
        for path in files_under(out):
            relative = path.relative_to(out).as_posix()
            assert path.resolve().is_relative_to(out.resolve()) and relative.isascii() and " " not in relative
        if export_format == "kaldi":
            validate_kaldi_data_dir(out, out)
    assert set(tmp_path.parent.iterdir()) == before
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == sorted(
        ["jsonl-True", "nemo-False", "hf-True", "lhotse-True", "lhotse-False", "kaldi-True", "kaldi-False"]
    )


def test_safe_names_are_plain_unique_and_kaldi_speakers_sort_consistently():
    assert safe_id("rec-0a1b2c") == "rec-0a1b2c"
    for hostile in HOSTILE_IDS + ["", "-x", "_"]:
        name = safe_id(hostile)
        assert name.isascii() and name[0].isalnum() and "/" not in name and ".." not in name and " " not in name
    names = SafeNames()
    assert names("a b") == names("a b") != names("a_b")
    speakers = ["A", "AB", "A B", "A-B", "화자", "Z", "a"]
    utterances = sorted(f"{kaldi_speaker_id(s)}-rec-1" for s in speakers)
    assert [u.rsplit("-rec-1", 1)[0] for u in utterances] == sorted(kaldi_speaker_id(s) for s in speakers)
    assert all(kaldi_speaker_id(s).isascii() and kaldi_speaker_id(s).isalnum() for s in speakers)


def test_only_leads_export(store, settings, project, corpus, tmp_path):
    labeler = Actor(User(7, "lea", False, False, datetime(2026, 1, 1, tzinfo=UTC)), {project.id: Role.LABELER})
    with pytest.raises(Forbidden, match="exporting needs the lead role"):
        export_dataset(store, settings, project, tmp_path / "out", ExportOptions(format="kaldi"), actor=labeler)
    lead = Actor(labeler.user, {project.id: Role.LEAD})
    assert (
        export_dataset(
            store, settings, project, tmp_path / "out", ExportOptions(format="hf", statuses=None), actor=lead
        ).segments
        == 7
    )


# --- command line -------------------------------------------------------------------------------------


def test_command_line_export_with_choices(data_dir, speech_dir, tmp_path, capsys):
    settings = Settings(data_dir=data_dir)
    store = Store.open(settings.resolved_database_url)
    try:
        project = create_project(store, "demo", language="en", actor=SYSTEM)
        recordings = build_corpus(store, settings, project, speech_dir)
    finally:
        store.close()
    out = tmp_path / "kaldi"
    args = [
        "--data-dir",
        str(data_dir),
        "export",
        "demo",
        "--format",
        "kaldi",
        "--out",
        str(out),
        "--offsets",
        "--status",
        "approved,submitted",
        "--since",
        "2000-01-01",
        "--without-tag",
        "laughter",
        "--recording",
        "call 01.wav",
        "--recording",
        recordings[1].id,
        "--text",
        "clean",
        "--split-by",
        "speaker",
        "--split",
        "0.5,0.5,0",
        "--seed",
        "4",
        "--sample-rate",
        "8000",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "exported 5 segments" in printed and "statuses: approved, submitted)" in printed and "as kaldi" in printed
    for split in ("train", "dev"):
        if (out / split).exists():
            validate_kaldi_data_dir(out / split, out)
    assert not (out / "test").exists() and sf.info(str(next((out / "recordings").iterdir()))).samplerate == 8000
    assert main(args) == 1 and "already exists" in capsys.readouterr().err
    assert main([*args, "--overwrite", "--format", "hf"]) == 1
    assert "needs one file per example" in capsys.readouterr().err
    assert main([*args[:-2], "--split", "a,b", "--overwrite"]) == 1
    shutil.rmtree(out)
