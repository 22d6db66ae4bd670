"""The waveform's Python side: peaks, pauses, snapping, the window, and the save of dragged
bounds (real audio, a real SQLite file and the real PostgreSQL); the component's requests; and
its committed bundle (built from views/waveform_component, loading nothing from the network)."""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from speechlabel.audio.samples import load_mono_16k
from speechlabel.core.errors import Forbidden, StaleVersion, ValidationError
from speechlabel.core.models import Role, Segment, SegmentStatus
from speechlabel.labeling import actions as labeling
from speechlabel.labeling.clips import MAX_CLIP_SECONDS
from speechlabel.labeling.draft_view import DraftView, DraftWord, split_time_for, word_index_at
from speechlabel.labeling.waveform import (
    Edge,
    PauseOptions,
    PeakOptions,
    SnapOptions,
    Span,
    WaveformOptions,
    WaveformView,
    drag_bounds,
    find_pauses,
    peaks,
    snap,
    snapped_bounds,
    view_window,
    waveform_view,
)
from tests.sample_projects import add_recording, signed_in

RATE = 16000
COMPONENT = Path(__file__).resolve().parents[1] / "views" / "waveform_component"
# Speaker turns of pyannote_sample.rttm (30 s), trimmed where two turns overlap.
PYANNOTE_BOUNDS = [(6.69, 7.12), (7.55, 8.30), (8.32, 10.02), (10.57, 14.40)]


def tone(seconds: float, amplitude: float = 0.5, frequency: float = 220.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def silence(seconds: float, level: float = 0.0) -> np.ndarray:
    noise = (
        np.random.default_rng(7).normal(0, level, round(seconds * RATE)) if level else np.zeros(round(seconds * RATE))
    )
    return noise.astype(np.float32)


# --- peaks ----------------------------------------------------------------------------------------


def test_peaks_are_the_loudest_sample_of_each_bin():
    samples = np.concatenate([tone(1.0, 0.5), silence(1.0)])
    values = peaks(samples, RATE, PeakOptions(bins_per_second=200))
    assert values.shape == (400,) and values.dtype == np.float32
    assert np.allclose(values[:200], 0.5, atol=0.01)  # every 5 ms bin holds a crest of a 220 Hz tone
    assert not values[200:].any()


def test_peaks_cover_every_sample_of_an_odd_length_and_clip_to_one():
    samples = np.zeros(RATE + 1, dtype=np.float32)
    samples[-1] = 3.0  # the very last sample, alone in the last bin; a clipped file may exceed 1
    values = peaks(samples, RATE, PeakOptions(bins_per_second=100))
    assert len(values) == math.ceil((RATE + 1) * 100 / RATE) == 101
    assert values[-1] == 1.0 and not values[:-1].any()
    assert len(peaks(np.zeros(0, dtype=np.float32), RATE)) == 0


@pytest.mark.parametrize("bins", [0, 9, 1001, 200.5, True])
def test_peak_options_refuse_what_cannot_be_drawn(bins):
    with pytest.raises(ValidationError, match="bins_per_second"):
        peaks(tone(0.1), RATE, PeakOptions(bins_per_second=bins))


# --- pauses ---------------------------------------------------------------------------------------


def test_pauses_are_found_where_the_sound_stops():
    # speech-like bursts with pauses at 1.0–1.4 s and 2.2–2.5 s, over a faint noise floor
    samples = np.concatenate([tone(1.0), silence(0.4, 0.0005), tone(0.8, 0.3), silence(0.3, 0.0005), tone(0.5)])
    pauses = find_pauses(samples, RATE)
    assert [(p.start, p.end) for p in pauses] == [(1.0, 1.4), (2.2, 2.5)]


def test_a_click_does_not_cut_a_pause_but_a_word_gap_is_no_pause():
    click = tone(0.01, 0.5)
    samples = np.concatenate([tone(0.5), silence(0.2), click, silence(0.2), tone(0.3), silence(0.02), tone(0.5)])
    pauses = find_pauses(samples, RATE, PauseOptions(bridge_seconds=0.02, min_pause_seconds=0.03))
    # 0.5–0.91: the 10 ms click is bridged; the 20 ms gap at 1.21 s is shorter than a pause
    assert [(p.start, p.end) for p in pauses] == [(0.5, 0.91)]


def test_speech_without_pauses_has_none_and_silence_is_one_pause():
    assert find_pauses(tone(2.0), RATE) == ()
    assert find_pauses(silence(2.0), RATE) == (Span(0.0, 2.0),)
    assert find_pauses(np.zeros(10, dtype=np.float32), RATE) == ()  # shorter than a frame


def test_pauses_of_a_real_recording_lie_between_the_speaker_turns(speech_dir):
    samples = load_mono_16k(speech_dir / "diarization" / "pyannote_sample.wav")
    pauses = find_pauses(samples, RATE)
    # The reference has a gap between the turns 6.69–7.12 and 7.55–8.35: a pause covers most of it.
    assert any(p.start <= 7.15 and p.end >= 7.5 for p in pauses)
    # Inside the long turn 10.57–14.70 only short gaps between words are pauses.
    assert all(p.duration < 0.2 for p in pauses if 10.7 < p.start < 14.6)
    assert all(0 <= p.start < p.end <= 30.0 for p in pauses)


# --- snapping -------------------------------------------------------------------------------------

PAUSES = (Span(1.00, 1.40), Span(2.00, 2.01))


@pytest.mark.parametrize(
    "dropped, landed",
    [
        (0.96, 1.01),  # 50 ms before the pause (its inset start is 1.01): moves into it
        (0.95, 0.95),  # 60 ms away: stays where it was dropped
        (1.20, 1.20),  # inside the pause: stays
        (1.44, 1.39),  # after the pause, within 50 ms of its inset end
        (2.04, 2.005),  # a 10 ms pause: the edge goes to its middle
        (1.70, 1.70),
    ],
)
def test_a_dropped_edge_snaps_into_the_nearest_pause_within_50_ms(dropped, landed):
    assert snap(dropped, PAUSES) == pytest.approx(landed, abs=1e-9)


def test_the_nearer_of_two_pauses_wins_and_the_tolerance_is_an_option():
    pauses = (Span(1.0, 1.1), Span(1.16, 1.3))
    assert snap(1.125, pauses, SnapOptions(inset_seconds=0)) == 1.1  # 25 ms vs 35 ms
    assert snap(0.9, pauses, SnapOptions(tolerance_seconds=0.2, inset_seconds=0)) == 1.0
    with pytest.raises(ValidationError, match="tolerance_seconds"):
        snap(1.0, pauses, SnapOptions(tolerance_seconds=-1))


def test_the_browser_snaps_like_the_server():
    """src/snap.js previews where a drop lands; speechlabel.labeling.waveform.snap decides. Same answers."""
    node = shutil.which("node")
    assert node, "Node.js is needed to check the waveform's JavaScript (.ci/run builds the bundle with it)"
    rng = random.Random(3)
    cases = []
    for _ in range(400):
        edges = sorted(round(rng.uniform(0, 5), 3) for _ in range(6))
        pauses = [(edges[i], edges[i + 1]) for i in range(0, 6, 2) if edges[i + 1] > edges[i]]
        cases.append(
            {
                "time": round(rng.uniform(0, 5), 3),
                "pauses": pauses,
                "tolerance": rng.choice([0.05, 0.1]),
                "inset": rng.choice([0.0, 0.01, 0.03]),
            }
        )
    script = (
        "import { snap } from " + json.dumps((COMPONENT / "src" / "snap.js").as_uri()) + ";\n"
        "const cases = JSON.parse(process.argv[1]);\n"
        "console.log(JSON.stringify(cases.map((c) => snap(c.time, c.pauses, c.tolerance, c.inset))));"
    )
    result = subprocess.run(
        [node, "--input-type=module", "-e", script, json.dumps(cases)], capture_output=True, text=True, check=True
    )
    browser = json.loads(result.stdout)
    for case, theirs in zip(cases, browser, strict=True):
        ours = snap(case["time"], [Span(*p) for p in case["pauses"]], SnapOptions(case["tolerance"], case["inset"]))
        assert ours == pytest.approx(theirs, abs=0.0005), case


# --- the window -----------------------------------------------------------------------------------


def a_segment(start: float, end: float) -> Segment:
    return Segment("s", "r", start, round(end - start, 3), "", SegmentStatus.DRAFTED, 1)


def test_the_window_is_the_segment_with_context_inside_the_recording():
    assert view_window(a_segment(10.0, 12.0), 100.0, 3.0) == Span(7.0, 15.0)
    assert view_window(a_segment(1.0, 2.0), 3.5, 3.0) == Span(0.0, 3.5)
    # a long segment gets less context, so the window stays within what the clip route cuts
    window = view_window(a_segment(100.0, 216.0), 1000.0, 3.0)
    assert window == Span(98.0, 218.0) and window.duration == MAX_CLIP_SECONDS


def test_a_segment_longer_than_a_clip_has_no_waveform():
    with pytest.raises(ValidationError, match="the waveform shows segments up to 120 s") as refused:
        view_window(a_segment(0.0, 121.0), 1000.0, 3.0)
    assert refused.value.message_key == "error.waveform_segment_too_long"


# --- the view and the save, on a real recording ---------------------------------------------------


@pytest.fixture
def pyannote(store, settings, project, speech_dir):
    texts = ["one", "two", "three", "four five six seven"]
    return add_recording(
        store, settings, project, speech_dir, "diarization/pyannote_sample.wav", PYANNOTE_BOUNDS, texts
    )


@pytest.fixture
def lead(store, project):
    return signed_in(store, project, "lou", Role.LEAD)


def test_the_view_holds_the_windows_peaks_pauses_and_neighbours(store, settings, lead, pyannote):
    recording, segments = pyannote
    view = waveform_view(store, settings, lead, segments[1].id)
    assert view.window == Span(4.55, 11.3) and view.segment == Span(7.55, 8.3)
    assert len(view.peaks) == round(view.window.duration * 200) and max(view.peaks) <= 1.0
    assert view.others == (Span(6.69, 7.12), Span(8.32, 10.02), Span(10.57, 14.4))
    assert view.limits == Span(7.12, 8.32)
    assert all(view.window.start <= p.start < p.end <= view.window.end for p in view.pauses)
    assert view.clip_url == f"/clip/{recording.id}.wav?start=4.550&end=11.300"
    # The peaks are those of the window's own samples (read by seeking, not the whole file).
    samples = load_mono_16k(Path(settings.data_dir / recording.normalized_path))[
        round(4.55 * RATE) : round(11.3 * RATE)
    ]
    assert np.allclose(view.peaks, peaks(samples, RATE), atol=0.001)


def test_a_labeler_sees_the_waveform_of_their_work_only(store, settings, project, pyannote):
    _, segments = pyannote
    lee = signed_in(store, project, "lee", Role.LABELER)
    with pytest.raises(Forbidden):
        waveform_view(store, settings, lee, segments[0].id)
    first = labeling.next_segment(store, lee, project)  # the queue leases a batch to lee
    assert waveform_view(store, settings, lee, first.id).segment_id == first.id


def test_a_dragged_end_is_snapped_to_the_pause_and_saved_with_the_version(store, settings, lead, pyannote):
    _, segments = pyannote
    segment = segments[0]  # 6.69–7.12, then a pause up to about 7.6
    view = waveform_view(store, settings, lead, segment.id)
    pause = next(p for p in view.pauses if p.start <= 7.2 and p.end >= 7.5)
    dropped = round(pause.start - 0.03, 3)  # 30 ms before the pause: snaps 10 ms into it
    saved = drag_bounds(store, settings, lead, segment.id, segment.version, segment.start, dropped, "end")
    assert (saved.start, saved.end) == (segment.start, round(pause.start + 0.01, 3))
    assert saved.version == segment.version + 1 and saved.updated_by == "lou"
    # the same request again is stale: someone (here: the same drag) saved in between
    with pytest.raises(StaleVersion):
        drag_bounds(store, settings, lead, segment.id, segment.version, segment.start, dropped, "end")


def test_a_drop_far_from_a_pause_and_key_steps_are_saved_as_they_are(store, settings, lead, pyannote):
    _, segments = pyannote
    segment = segments[2]  # 8.32–10.02
    view = waveform_view(store, settings, lead, segment.id)
    far = next(
        round(t, 3)
        for t in np.arange(9.3, 9.95, 0.005)
        if all(t < p.start - 0.06 or t > p.end + 0.06 for p in view.pauses)
    )
    saved = drag_bounds(store, settings, lead, segment.id, segment.version, segment.start, far, "end")
    assert saved.end == far
    # keys move by exact steps: no snapping, even next to a pause
    stepped = drag_bounds(
        store, settings, lead, segment.id, saved.version, round(segment.start + 0.05, 3), saved.end, None
    )
    assert (stepped.start, stepped.end) == (round(segment.start + 0.05, 3), saved.end)


def test_a_snap_never_carries_an_edge_into_a_neighbour():
    view = WaveformView(
        recording_id="r",
        segment_id="s",
        version=1,
        window=Span(4.0, 12.0),
        segment=Span(7.5, 8.3),
        others=(Span(6.0, 7.0), Span(8.32, 9.0)),
        pauses=(Span(6.9, 7.4), Span(8.35, 8.6)),
        peaks=(),
    )
    assert view.limits == Span(7.0, 8.32)
    # the pause after 8.32 is within 50 ms of a drop at 8.31 but lies in the next segment: no snap
    assert snapped_bounds(view, 7.5, 8.31, Edge.END) == (7.5, 8.31)
    # a snap back into the previous segment's end is refused the same way; one inside the gap is made
    assert snapped_bounds(view, 6.99, 8.3, Edge.START) == (6.99, 8.3)
    assert snapped_bounds(view, 7.44, 8.3, Edge.START) == (7.39, 8.3)


@pytest.mark.parametrize(
    "start, end, edge, message",
    [
        (7.0, 8.3, "start", "overlaps the previous segment"),
        (7.55, 8.4, "end", "overlaps the next segment"),
        (7.55, 7.6, "end", "must last at least 0.1 s"),
        ("x", 8.3, "start", "start 'x' is not a number of seconds"),
        (7.55, float("nan"), "end", "end nan is not a number of seconds"),
        (7.55, 8.3, "middle", "edge 'middle' is not start or end"),
    ],
)
def test_bad_bounds_are_refused_with_what_is_allowed(store, settings, lead, pyannote, start, end, edge, message):
    _, segments = pyannote
    second = segments[1]
    with pytest.raises(ValidationError, match=re.escape(message)) as refused:
        drag_bounds(store, settings, lead, second.id, second.version, start, end, edge)
    assert refused.value.message_key
    assert store.get_segment(second.id).version == second.version  # nothing saved


def test_the_options_are_checked_before_any_audio_is_read(store, settings, lead, pyannote):
    _, segments = pyannote
    with pytest.raises(ValidationError, match="context_seconds"):
        waveform_view(store, settings, lead, segments[0].id, WaveformOptions(context_seconds=-1))
    with pytest.raises(ValidationError, match="frame_seconds"):
        waveform_view(store, settings, lead, segments[0].id, WaveformOptions(pauses=PauseOptions(frame_seconds=0)))


# --- split at the playhead: which word ------------------------------------------------------------


def test_the_text_is_cut_where_the_audio_is():
    segment = a_segment(10.0, 14.0)
    draft = DraftView(
        tuple(
            DraftWord(w, s, e, 0.9, False)
            for w, s, e in [("four", 10.1, 10.5), ("five", 10.7, 11.2), ("six", 11.5, 12.0), ("seven", 12.4, 13.6)]
        ),
        "four five six seven",
        "faster-whisper",
        "base",
    )
    assert word_index_at(segment, "four five six seven", 11.3, draft) == 2  # between "five" and "six"
    assert word_index_at(segment, "four five six seven", 10.0, draft) == 0
    assert word_index_at(segment, "four five six seven", 14.0, draft) == 4
    # rewritten text (not one word per draft word): by share of characters, the inverse of split_time_for
    text = "four and five six seven"
    for index in range(1, 5):
        assert word_index_at(segment, text, split_time_for(segment, text, index, draft), draft) == index
    assert word_index_at(segment, "", 12.0, None) == 0


# --- the component's requests and its bundle ------------------------------------------------------


def test_requests_are_taken_only_for_the_version_they_were_made_on():
    from views.waveform import BoundsRequest, MergeRequest, SplitRequest, parse_request

    token = "seg-1:3"
    assert parse_request("bounds", {"token": token, "start": 1.0, "end": 2.5, "edge": "end"}, token) == BoundsRequest(
        1.0, 2.5, Edge.END
    )
    assert parse_request("bounds", {"token": token, "start": 1, "end": 2, "edge": None}, token) == BoundsRequest(
        1.0, 2.0, None
    )
    assert parse_request("split", {"token": token, "at": 1.5}, token) == SplitRequest(1.5)
    assert parse_request("merge", {"token": token}, token) == MergeRequest()
    for name, value in [
        ("bounds", {"token": "seg-1:2", "start": 1.0, "end": 2.0}),  # an older version
        ("bounds", {"token": token, "start": "1", "end": 2.0}),
        ("bounds", {"token": token, "start": 1.0}),
        ("bounds", {"token": token, "start": 1.0, "end": 2.0, "edge": "middle"}),
        ("split", {"token": token, "at": True}),
        ("merge", None),
        ("bounds", "1-2"),
    ]:
        assert parse_request(name, value, token) is None, (name, value)


@pytest.mark.parametrize("name", ["waveform.js", "label_loop.js"])
def test_the_committed_bundle_loads_nothing_from_the_network(name):
    bundle = (COMPONENT / "dist" / name).read_text(encoding="utf-8")
    assert "wavesurfer.js 8.0.1" in bundle[:200] and "BSD 3-Clause License" in bundle[:400]
    assert "export{" in bundle.replace(" ", "")  # one ES module, as st.components.v2 imports it
    urls = set(re.findall(r"https?://[^\s\"'`)]+", bundle))
    assert urls <= {"http://www.w3.org/1999/xhtml"}, urls  # an XML namespace name, never fetched
    assert "import(" not in bundle and not re.search(r"\bimport\s*[\"'{*]", bundle)
    lock = json.loads((COMPONENT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/wavesurfer.js"]["version"] == "8.0.1"
