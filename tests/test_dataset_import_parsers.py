"""Dataset import, the parts that need no database: SRT/VTT and TextGrid parsing, the segment
rules, audio path rules and the detection of a dataset's kind."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from speechlabel.core.errors import NotFound, ValidationError
from speechlabel.ingest.datasets import DatasetKind, ImportOptions
from speechlabel.ingest.datasets.checks import check_segments, fit_to_audio
from speechlabel.ingest.datasets.detect import find_dataset
from speechlabel.ingest.datasets.fields import JsonLine, read_json_lines
from speechlabel.ingest.datasets.model import SourceSegment
from speechlabel.ingest.datasets.paths import AudioLocator, AudioPathError
from speechlabel.ingest.datasets.srt_vtt import parse_subtitles
from speechlabel.ingest.datasets.subtitles import choose_tier, decode_text
from speechlabel.ingest.datasets.textgrid import TextGridError, parse_textgrid

# --- SRT / VTT -----------------------------------------------------------------------------------

SRT = (
    "\ufeff1\r\n"
    "00:00:00,300 --> 00:00:02,300\r\n"
    "And so, my <i>fellow</i>\r\n"
    "Americans &amp; friends\r\n"
    "\r\n"
    "2\r\n"
    "00:00:02,500 --> 00:00:05,000 X1:100 X2:600 Y1:20 Y2:80\r\n"
    '{\\an8}<font color="#ffff00">ask not</font>\r\n'
    "\r\n"
    "3\r\n"
    "00:00:05,500 --> 00:00:08,000\r\n"
    "무엇을 <b>할</b> 수 있는지\r\n"
    "\r\n"
    "4\r\n"
    "00:00:09,000 -> 00:00:10,000\r\n"
    "broken arrow\r\n"
    "\r\n"
    "just text without timing\r\n"
    "\r\n"
    "5\r\n"
    "00:00:61,000 --> 00:01:02,000\r\n"
    "sixty-one seconds\r\n"
)


def test_srt_cues_with_bom_crlf_settings_tags_and_multiline_text():
    cues, problems = parse_subtitles(SRT, "talk.srt", vtt=False)
    assert [(c.line, c.start, c.end, c.text) for c in cues] == [
        (2, 0.3, 2.3, "And so, my fellow Americans & friends"),
        (7, 2.5, 5.0, "ask not"),
        (11, 5.5, 8.0, "무엇을 할 수 있는지"),
    ]
    assert [(p.line, p.segments_skipped) for p in problems] == [(14, 1), (18, 1), (21, 1)]
    assert "has no timing line" in problems[0].message and "00:00:09,000 -> 00:00:10,000" in problems[0].message
    assert "no timing line" in problems[1].message
    assert "'00:00:61,000' is not allowed" in problems[2].message and "below 60" in problems[2].message


def test_srt_with_lone_cr_line_ends_and_dot_milliseconds():
    cues, problems = parse_subtitles(
        "1\r00:00:01.5 --> 00:00:02.25\rone\r\r2\r00:00:03,000-->00:00:04,000\rtwo\r", "a.srt", vtt=False
    )
    assert not problems
    assert [(c.start, c.end, c.text) for c in cues] == [(1.5, 2.25, "one"), (3.0, 4.0, "two")]


VTT = """WEBVTT - a talk
Kind: captions

NOTE this is a comment
that spans two lines

STYLE
::cue { color: lime }

intro
00:00.100 --> 00:02.800 align:start position:10%
<v Ana>She had your <c.loud>dark</c> suit</v>

00:01:00.000 --> 00:01:02.000
<v.first Ben>안녕하세요</v> <00:01:01.000>반갑습니다

NOTE closing note

00:02.000 --> 00:03.000
<v Ana>two</v> <v Ben>voices</v>
"""


def test_vtt_cues_skip_header_notes_and_styles_and_keep_the_voice_as_speaker():
    cues, problems = parse_subtitles(VTT, "talk.vtt", vtt=True)
    assert not problems
    assert [(c.line, c.start, c.end, c.text, c.speaker) for c in cues] == [
        (11, 0.1, 2.8, "She had your dark suit", "Ana"),
        (14, 60.0, 62.0, "안녕하세요 반갑습니다", "Ben"),
        (19, 2.0, 3.0, "two voices", None),  # two voices: no single speaker
    ]


def test_a_vtt_file_must_start_with_webvtt():
    cues, problems = parse_subtitles("00:00.100 --> 00:02.800\nhello\n", "talk.vtt", vtt=True)
    assert cues == [] and "does not start with 'WEBVTT'" in problems[0].message


def test_text_files_decode_from_utf8_with_bom_and_utf16():
    text = 'File type = "ooTextFile" 한국어'
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode_text(text.encode("utf-16")) == text  # with its byte-order mark, as Praat writes
    with pytest.raises(UnicodeDecodeError):
        decode_text("한국어".encode("euc-kr"))


# --- TextGrid ------------------------------------------------------------------------------------

LONG_TEXTGRID = """File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0
xmax = 30
tiers? <exists>
size = 2
item []:
    item [1]:
        class = "TextTier"
        name = "events"
        xmin = 0
        xmax = 30
        points: size = 1
        points [1]:
            number = 6.5
            mark = "door"
    item [2]:
        class = "IntervalTier"
        name = "utterances"
        xmin = 0
        xmax = 30
        intervals: size = 4
        intervals [1]:
            xmin = 0
            xmax = 6.68
            text = ""
        intervals [2]:
            xmin = 6.68
            xmax = 7.16
            text = "Hello? ! not a comment inside a string"
        intervals [3]:
            xmin = 7.16
            xmax = 9.798
            text = "She said ""hi""
and left"
        intervals [4]:
            xmin = 9.798
            xmax = 30
            text = "   "
"""

SHORT_TEXTGRID = """File type = "ooTextFile"
Object class = "TextGrid"

0
30
<exists>
2
"TextTier"
"events"
0
30
1
6.5
"door"
"IntervalTier"
"utterances"
0
30
4
0
6.68
""
6.68
7.16
"Hello? ! not a comment inside a string"
7.16
9.798
"She said ""hi""
and left"
9.798
30
"   "
"""


@pytest.mark.parametrize("content", [LONG_TEXTGRID, SHORT_TEXTGRID], ids=["long", "short"])
def test_textgrid_long_and_short_formats_read_the_same(content):
    tiers = parse_textgrid(content)
    assert [(t.kind, t.name) for t in tiers] == [("TextTier", "events"), ("IntervalTier", "utterances")]
    intervals = tiers[1].intervals
    assert [(i.start, i.end, i.text) for i in intervals] == [
        (0.0, 6.68, ""),
        (6.68, 7.16, "Hello? ! not a comment inside a string"),
        (7.16, 9.798, 'She said "hi"\nand left'),
        (9.798, 30.0, "   "),
    ]
    texts = content.splitlines()
    assert "Hello?" in texts[intervals[1].line - 1] and "She said" in texts[intervals[2].line - 1]


def test_textgrid_comments_and_utf16_with_hangul():
    content = LONG_TEXTGRID.replace('text = "Hello?', '! a comment line with "quotes"\n            text = "안녕?')
    tiers = parse_textgrid(decode_text(content.encode("utf-16")))
    assert tiers[1].intervals[1].text.startswith("안녕?")


def test_textgrid_tier_choice():
    tiers = parse_textgrid(LONG_TEXTGRID)
    assert choose_tier(tiers, None).name == "utterances"  # the first interval tier, not the point tier
    assert choose_tier(tiers, "UTTERANCES").name == "utterances"
    with pytest.raises(TextGridError, match="no tier named 'words'; its tiers: 'events', 'utterances'"):
        choose_tier(tiers, "words")
    with pytest.raises(TextGridError, match="'events' is a point tier"):
        choose_tier(tiers, "events")
    with pytest.raises(TextGridError, match="no interval tier"):
        choose_tier(tiers[:1], None)


@pytest.mark.parametrize(
    "content, message",
    [
        ("ooBinaryFile\x00\x01", "binary TextGrid"),
        ('File type = "ooTextFile"\nObject class = "Sound"\n', "not a TextGrid"),
        (LONG_TEXTGRID.split("intervals [3]")[0], "the file ends where an interval's start should come"),
        (LONG_TEXTGRID.replace('"She said', '"She said unclosed').replace('and left"', "and left"), "never closed"),
        (LONG_TEXTGRID.replace('"IntervalTier"', '"WordTier"'), "tier class 'WordTier' is unknown"),
    ],
)
def test_broken_textgrids_say_what_is_wrong(content, message):
    with pytest.raises(TextGridError, match=message):
        parse_textgrid(content)


# --- segment rules -------------------------------------------------------------------------------


def segment(line: int, start: float, end: float, text: str = "words") -> SourceSegment:
    return SourceSegment("m.jsonl", line, start, end, text)


def test_segments_sorted_with_empty_backwards_and_overlapping_ones_left_out():
    usable, problems = check_segments(
        [
            segment(1, 5.0, 6.0),
            segment(2, 0.0, 2.0),
            segment(3, 1.5, 3.0),
            segment(4, 2.0, 2.0004),
            segment(5, 3.0, 4.0, " \n "),
            segment(6, 2.0, 3.0),
            segment(7, -1.0, 1.0),
        ]
    )
    assert [(s.line, s.start, s.end) for s in usable] == [(2, 0.0, 2.0), (6, 2.0, 3.0), (1, 5.0, 6.0)]
    reasons = {p.line: p.message for p in problems}
    assert "before the audio begins" in reasons[7]
    assert "overlaps the one from line 2 (0.000–2.000 s)" in reasons[3]
    assert "at or before its start" in reasons[4]  # 0.4 ms: empty at millisecond precision
    assert "text is empty" in reasons[5]
    assert all(p.segments_skipped == 1 for p in problems)


def test_segments_fit_to_the_audio_within_the_tolerance():
    fitted, problems = fit_to_audio(
        [segment(1, 0.0, 2.0), segment(2, 9.0, 11.04), segment(3, 10.0, 11.2), segment(4, 11.0, 12.0)],
        duration=11.0,
        tolerance=0.05,
    )
    assert [(s.line, s.end) for s in fitted] == [(1, 2.0), (2, 11.0)]  # cut to the end of the audio
    assert "ends at 11.200 s, past the end of the audio (11.000 s)" in problems[0].message
    assert "starts at 11.000 s, after the audio ends" in problems[1].message


@pytest.mark.parametrize(
    "options, message",
    [
        (ImportOptions(kind="kaldi"), "unknown dataset kind 'kaldi'; allowed: nemo, lhotse, aihub, subtitles"),
        (ImportOptions(tier="  "), "give a tier name"),
        (ImportOptions(end_tolerance=5), "end tolerance 5 is not allowed"),
    ],
)
def test_bad_options_say_what_is_allowed(options, message):
    with pytest.raises(ValidationError, match=message):
        options.validated()


# --- audio paths ---------------------------------------------------------------------------------


def test_audio_paths_stay_in_the_dataset_unless_the_manifest_is_absolute_style(tmp_path):
    root = tmp_path / "dataset"
    (root / "audio").mkdir(parents=True)
    (root / "audio" / "a.wav").write_bytes(b"x")
    (tmp_path / "outside.wav").write_bytes(b"x")
    relative = AudioLocator(root, (root,), absolute_style=False)
    assert relative.locate("audio/../audio/a.wav") == root / "audio" / "a.wav"
    assert relative.locate(str(root / "audio" / "a.wav")) == root / "audio" / "a.wav"
    with pytest.raises(AudioPathError, match="leads out of the dataset folder"):
        relative.locate("../outside.wav")
    with pytest.raises(AudioPathError, match="points outside the dataset folder"):
        relative.locate(str(tmp_path / "outside.wav"))
    with pytest.raises(AudioPathError, match="not found"):
        relative.locate("audio/b.wav")
    absolute = AudioLocator(root, (root,), absolute_style=True)
    assert absolute.locate(str(tmp_path / "outside.wav")) == tmp_path / "outside.wav"
    with pytest.raises(AudioPathError, match="leads out of the dataset folder"):
        absolute.locate("../outside.wav")


# --- detection -----------------------------------------------------------------------------------


def write_jsonl(path: Path, lines: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


RECORDING = {
    "id": "r1",
    "sources": [{"type": "file", "channels": [0], "source": "a.wav"}],
    "sampling_rate": 16000,
    "num_samples": 16000,
    "duration": 1.0,
    "channel_ids": [0],
}
SUPERVISION = {"id": "s1", "recording_id": "r1", "start": 0.0, "duration": 1.0, "channel": 0, "text": "hi"}


def test_detects_nemo_lhotse_and_subtitles(tmp_path):
    nemo = write_jsonl(tmp_path / "nemo" / "train_manifest.jsonl", [{"audio_filepath": "a.wav"}])
    write_jsonl(tmp_path / "nemo" / "test_manifest.json", [{"audio_filepath": "a.wav"}])
    found = find_dataset(nemo.parent, None)
    assert found.kind == DatasetKind.NEMO and [p.name for p in found.manifests] == [
        "test_manifest.json",
        "train_manifest.jsonl",
    ]
    assert find_dataset(nemo, None).manifests == (nemo,)

    recordings = write_jsonl(tmp_path / "lhotse" / "train" / "cuts_recordings_train.jsonl.gz", [RECORDING])
    supervisions = write_jsonl(tmp_path / "lhotse" / "train" / "cuts_supervisions_train.jsonl.gz", [SUPERVISION])
    found = find_dataset(tmp_path / "lhotse", None)
    assert found.kind == DatasetKind.LHOTSE and found.root == tmp_path / "lhotse"
    assert [(p.recordings, p.supervisions) for p in found.pairs] == [(recordings, supervisions)]
    by_file = find_dataset(supervisions, None)
    assert by_file.kind == DatasetKind.LHOTSE and by_file.pairs[0].recordings == recordings

    (tmp_path / "subs").mkdir()
    assert find_dataset(tmp_path / "subs", None).kind == DatasetKind.SUBTITLES
    assert find_dataset(tmp_path / "subs", DatasetKind.SUBTITLES).root == tmp_path / "subs"


def test_lhotse_files_are_recognised_by_their_lines_too(tmp_path):
    recordings = write_jsonl(tmp_path / "a.jsonl", [RECORDING])
    with pytest.raises(ValidationError, match="a.jsonl is a Lhotse recordings file but its partner"):
        find_dataset(recordings, None)
    assert find_dataset(recordings, DatasetKind.NEMO).kind == DatasetKind.NEMO  # the override wins


@pytest.mark.parametrize(
    "layout, kind, message",
    [
        ({"notes.txt": ""}, None, "'notes.txt' is not a manifest"),
        ({"m.jsonl": ""}, DatasetKind.SUBTITLES, "is a file; a subtitles import reads a folder"),
        ({"recordings.jsonl": RECORDING}, None, "its partner supervisions.jsonl is not beside it"),
        ({"supervisions.jsonl": SUPERVISION}, DatasetKind.LHOTSE, "holds no Lhotse recordings manifest"),
        ({"audio.wav": ""}, DatasetKind.NEMO, "holds no NeMo manifest"),
        ({"manifest.jsonl": {"audio_filepath": "a.wav"}}, DatasetKind.LHOTSE, "holds no Lhotse recordings"),
    ],
)
def test_detection_refuses_what_it_cannot_read(tmp_path, layout, kind, message):
    for name, content in layout.items():
        path = tmp_path / "d" / name
        if isinstance(content, dict):
            write_jsonl(path, [content])
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    target = tmp_path / "d" / next(iter(layout)) if message.startswith(("'", "is a file")) else tmp_path / "d"
    with pytest.raises(ValidationError, match=message):
        find_dataset(target, kind)


def test_a_missing_path_is_not_found(tmp_path):
    with pytest.raises(NotFound, match="does not exist"):
        find_dataset(tmp_path / "nope", None)


# --- JSON lines ----------------------------------------------------------------------------------


def test_json_lines_report_lines_that_are_not_json_objects(tmp_path):
    good = "\ufeff" + json.dumps({"text": "첫 줄"}) + "\n\n" + json.dumps({"text": "two"}) + "\n"
    raw = good.encode("utf-8") + b'{"text": "\xff"}\n' + b'"a string"\n' + "\ufeff{}\n".encode()
    path = tmp_path / "m.jsonl"
    path.write_bytes(raw)
    lines = list(read_json_lines(path))
    assert [line.number for line in lines] == [1, 3, 4, 5, 6]
    assert lines[0].value == {"text": "첫 줄"} and lines[1] == JsonLine(3, {"text": "two"})
    assert "not UTF-8" in lines[2].error and "is a JSON str, not an object" in lines[3].error
    assert "not JSON" in lines[4].error  # a byte-order mark is only allowed at the start of the file
    with pytest.raises(ValidationError, match="cannot read"):
        list(read_json_lines(tmp_path / "missing.jsonl"))


def test_a_damaged_gzip_manifest_keeps_the_lines_before_the_damage(tmp_path):
    raw = "".join(
        json.dumps({"line": n, "noise": hashlib.sha256(str(n).encode()).hexdigest()}) + "\n" for n in range(20000)
    ).encode()
    packed = gzip.compress(raw)
    path = tmp_path / "m.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])  # cut off half way
    lines = list(read_json_lines(path))
    assert len(lines) > 1000 and all(
        line.value == {"line": line.number - 1, "noise": line.value["noise"]} for line in lines[:-1]
    )
    assert lines[-1].value is None and f"cannot be read from line {lines[-1].number} on" in lines[-1].error
