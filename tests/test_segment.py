"""VAD segmentation on real recordings, and the metrics that score it.

The thresholds come from the issue: speech recall >= 0.95 and precision >= 0.90 (10 ms frames)
on the diarization recordings, at most 2 s of "speech" in stationary noise, no segment longer
than ``max_duration``, boundaries in pauses.
"""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import numpy as np
import pytest
from faster_whisper.vad import get_vad_model

from speechlabel.audio.samples import load_mono_16k
from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.vad import (
    FRAME_SECONDS,
    SegmentOptions,
    Span,
    frame_features,
    segment_blocks,
    segment_speech,
    speech_probabilities,
)
from speechlabel.prelabel.vad_metrics import (
    Turn,
    UemRegion,
    frame_scores,
    purity_report,
    read_rttm,
    read_uem,
    segment_purity,
)
from tests.tiled_speech import load_utterances, tile

DIARIZATION = ["pyannote_sample", "ami_pyannote_tst00"]
NOISE = "noise/speechbrain_noise5_stationary.wav"

_audio_cache: dict[Path, np.ndarray] = {}


def _audio(path: Path) -> np.ndarray:
    if path not in _audio_cache:
        _audio_cache[path] = load_mono_16k(path)
    return _audio_cache[path]


def _frame_db(samples: np.ndarray) -> np.ndarray:
    """Level of each 10 ms frame in dB (full scale)."""
    frames = np.pad(samples, (0, -samples.size % 160)).reshape(-1, 160).astype(np.float64)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def _assert_well_formed(spans: list[Span], samples: np.ndarray) -> None:
    duration = samples.size / 16000
    for span in spans:
        assert 0 <= span.start < span.end <= duration, span
        assert span.start == round(span.start, 3) and span.end == round(span.end, 3), span
    for left, right in zip(spans, spans[1:]):
        assert left.end <= right.start, (left, right)


def _assert_boundaries_in_pauses(spans: list[Span], samples: np.ndarray, max_db: float) -> None:
    """Where two segments meet or nearly meet, the audio at the cut is at least ``max_db``
    below the loud speech of the file (95th percentile of 10 ms levels): a pause, not a word.
    The level is measured directly, independently of the VAD that chose the cut."""
    level = _frame_db(samples)
    loud = np.percentile(level, 95)
    for left, right in zip(spans, spans[1:]):
        if right.start - left.end >= 0.3:
            continue  # separated by silence anyway
        cut = (left.end + right.start) / 2
        index = int(round(cut * 100))
        quietest = level[max(0, index - 1) : index + 1].min()
        assert quietest <= loud - max_db, f"cut at {cut:.3f} s is only {loud - quietest:.1f} dB below loud speech"


# --- real recordings ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def diarization(speech_dir):
    """name -> (samples, turns, uem or None, spans with default options)."""
    data = {}
    for name in DIARIZATION:
        wav = speech_dir / "diarization" / f"{name}.wav"
        uem_path = wav.with_suffix(".uem")
        samples = _audio(wav)
        data[name] = (
            samples,
            read_rttm(wav.with_suffix(".rttm")),
            read_uem(uem_path) if uem_path.is_file() else None,
            segment_speech(samples),
        )
    return data


@pytest.mark.parametrize("name", DIARIZATION)
def test_speech_recall_and_precision_against_rttm(diarization, name):
    samples, turns, uem, spans = diarization[name]
    scores = frame_scores(spans, turns, samples.size / 16000, frame=0.01, uem=uem)
    assert scores.recall >= 0.95, scores
    assert scores.precision >= 0.90, scores


@pytest.mark.parametrize("name", DIARIZATION)
def test_segments_are_well_formed_and_labeler_sized(diarization, name):
    samples, turns, _, spans = diarization[name]
    _assert_well_formed(spans, samples)
    assert all(0.5 - 1e-9 <= s.duration <= 15.0 for s in spans), spans
    assert not math.isnan(segment_purity(spans, turns))


@pytest.mark.parametrize("name", DIARIZATION)
def test_boundaries_between_segments_fall_in_pauses(diarization, name):
    samples, _, _, spans = diarization[name]
    _assert_boundaries_in_pauses(spans, samples, max_db=20)
    probs = speech_probabilities(samples)
    threshold = SegmentOptions().threshold
    for left, right in zip(spans, spans[1:]):
        cut = (left.end + right.start) / 2
        assert probs[min(int(cut / FRAME_SECONDS), probs.size - 1)] < threshold, cut


def test_noise_without_speech_yields_at_most_two_seconds(speech_dir):
    samples = _audio(speech_dir / NOISE)
    spans = segment_speech(samples)
    assert sum(s.duration for s in spans) <= 2.0, spans


def test_small_max_duration_is_respected_and_cuts_stay_in_pauses(speech_dir):
    samples = _audio(speech_dir / "diarization" / "pyannote_sample.wav")
    options = SegmentOptions(max_duration=4.0)
    spans = segment_speech(samples, options=options)
    _assert_well_formed(spans, samples)
    assert spans and max(s.duration for s in spans) <= 4.0, spans
    # Speech with no pause of two VAD frames is cut too, but at an energy valley.
    _assert_boundaries_in_pauses(spans, samples, max_db=20)
    turns = read_rttm(speech_dir / "diarization" / "pyannote_sample.rttm")
    assert frame_scores(spans, turns, samples.size / 16000).recall >= 0.95


def test_lower_target_duration_gives_purer_shorter_segments(diarization):
    samples, turns, _, default_spans = diarization["pyannote_sample"]
    fine = segment_speech(samples, options=SegmentOptions(target_duration=0))
    assert len(fine) > len(default_spans)
    assert segment_purity(fine, turns) > segment_purity(default_spans, turns)
    assert min(s.duration for s in fine) >= 0.5 - 1e-9


def test_no_clips_shorter_than_min_duration_even_when_nothing_is_joined(speech_dir, diarization):
    # target_duration=0 keeps every piece apart, except stubs that must join a neighbour.
    options = SegmentOptions(target_duration=0)
    recordings = [samples for samples, *_ in diarization.values()]
    recordings += [_audio(p) for p in sorted((speech_dir / "en").glob("speechbrain_harvard_*.wav"))]
    for samples in recordings:
        spans = segment_speech(samples, options=options)
        assert min(s.duration for s in spans) >= options.min_duration - 1e-9, spans


def test_jfk_is_one_or_two_segments_covering_all_words(speech_dir):
    samples = _audio(speech_dir / "en" / "jfk.wav")
    spans = segment_speech(samples)
    assert 1 <= len(spans) <= 2, spans
    # "And so ..." starts at about 0.3 s, "... your country." ends at about 10.5 s.
    assert spans[0].start <= 0.3 and spans[-1].end >= 10.5, spans
    _assert_loud_frames_covered(spans, samples)


def _assert_loud_frames_covered(spans: list[Span], samples: np.ndarray) -> None:
    """Every 10 ms frame within 12 dB of the file's loud speech lies inside a segment."""
    level = _frame_db(samples)
    loud = level >= np.percentile(level, 95) - 12
    centres = (np.arange(level.size) + 0.5) / 100
    inside = np.zeros(level.size, dtype=bool)
    for span in spans:
        inside |= (centres >= span.start) & (centres < span.end)
    missed = centres[loud & ~inside]
    assert missed.size == 0, f"loud audio outside every segment at {missed[:5]} s"


def test_english_recordings_segment_sensibly(speech_dir):
    paths = sorted((speech_dir / "en").glob("*.wav")) + sorted((speech_dir / "en").glob("*.flac"))
    assert paths
    for path in paths:
        samples = _audio(path)
        spans = segment_speech(samples)
        assert 1 <= len(spans) <= math.ceil(samples.size / 16000 / 2), (path.name, spans)
        _assert_well_formed(spans, samples)
        _assert_loud_frames_covered(spans, samples)


# --- input handling ----------------------------------------------------------------------


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_other_sample_rates_are_rejected(rate):
    with pytest.raises(ValidationError, match="16000"):
        segment_speech(np.zeros(rate, dtype=np.float32), sample_rate=rate)
    with pytest.raises(ValidationError, match="16000"):
        speech_probabilities(np.zeros(rate, dtype=np.float32), sample_rate=rate)


@pytest.mark.parametrize(
    "samples, message",
    [
        (np.zeros((16000, 2), dtype=np.float32), "1-D"),
        (np.zeros(16000, dtype=np.int16), "floating point"),
        (np.full(16000, np.nan, dtype=np.float32), "NaN"),
    ],
)
def test_bad_sample_arrays_are_rejected(samples, message):
    with pytest.raises(ValidationError, match=message):
        segment_speech(samples)


@pytest.mark.parametrize("size", [0, 1, 100, 511])
def test_empty_or_very_short_input_gives_no_segments(size):
    assert segment_speech(np.zeros(size, dtype=np.float32)) == []


def test_silence_gives_no_segments():
    assert segment_speech(np.zeros(3 * 16000, dtype=np.float32)) == []
    quiet = np.random.default_rng(0).normal(0, 1e-4, 3 * 16000).astype(np.float32)
    assert segment_speech(quiet) == []


@pytest.mark.parametrize("size", [16000 + 100, 512 * 40])
def test_probabilities_one_per_frame_and_input_untouched(speech_dir, size):
    samples = _audio(speech_dir / "en" / "jfk.wav")[:size].copy()
    before = samples.copy()
    probs = speech_probabilities(samples)
    assert probs.shape == (math.ceil(samples.size / 512),)
    assert probs.dtype == np.float32 and ((probs >= 0) & (probs <= 1)).all()
    assert probs.max() > 0.5  # "And so my fellow Americans" is speech
    # faster-whisper's model writes into the array it gets; ours must not reach the caller.
    np.testing.assert_array_equal(samples, before)
    assert speech_probabilities(np.zeros(0, dtype=np.float32)).shape == (0,)


def test_concurrent_calls_share_the_model_and_agree(speech_dir):
    samples = _audio(speech_dir / "en" / "jfk.wav")
    expected = segment_speech(samples)
    results: list[list[Span]] = []
    threads = [threading.Thread(target=lambda: results.append(segment_speech(samples))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 3


# --- a long recording read in blocks --------------------------------------------------------

# A block size that falls anywhere in a frame and in a batch of the model's runs.
ODD_BLOCK = 777_777


@pytest.fixture(scope="module")
def eleven_minutes(speech_dir) -> np.ndarray:
    """Real speech past two of the 10,000-frame batches faster-whisper runs the model on (5 min
    20 s each; ours are 1,000 frames), cut off in the middle of a frame."""
    return tile(load_utterances(speech_dir), 660, rotate=3).samples[:-100]


def _blocks(samples: np.ndarray, size: int = ODD_BLOCK) -> list[np.ndarray]:
    return [samples[start : start + size] for start in range(0, samples.size, size)]


def test_probabilities_read_in_blocks_are_those_of_faster_whispers_call_on_the_whole(eleven_minutes):
    padded = np.pad(eleven_minutes, (0, -eleven_minutes.size % 512))
    whole = np.asarray(get_vad_model()(padded), dtype=np.float32).reshape(-1)  # faster-whisper's own call
    np.testing.assert_array_equal(frame_features(_blocks(eleven_minutes)).probabilities, whole)
    np.testing.assert_array_equal(speech_probabilities(eleven_minutes), whole)


def test_valley_levels_are_each_frames_quietest_quarter(eleven_minutes):
    quarters = np.pad(eleven_minutes, (0, -eleven_minutes.size % 512)).reshape(-1, 4, 128).astype(np.float64)
    expected = 10 * np.log10(np.mean(quarters**2, axis=2).min(axis=1) + 1e-12)
    np.testing.assert_array_equal(frame_features(_blocks(eleven_minutes, 512 * 100 + 7)).valley_db, expected)


@pytest.mark.parametrize(
    "options",
    [
        SegmentOptions(),
        # Speech lasts until the probability is almost 0, so long pieces are cut inside speech
        # at the quietest frame (the valley levels decide).
        SegmentOptions(hysteresis=0.49, max_duration=3.0, target_duration=3.0),
    ],
)
def test_segments_read_in_blocks_are_those_of_the_whole_recording(eleven_minutes, options, caplog):
    whole = segment_speech(eleven_minutes, options=options)
    assert len(whole) > 50
    for size in (ODD_BLOCK, 1 << 20):
        assert segment_blocks(_blocks(eleven_minutes, size), options=options) == whole
    if options.hysteresis == 0.49:
        assert "no pause in" in caplog.text


# --- options -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": 1.0}, "threshold"),
        ({"threshold": -0.2}, "threshold"),
        ({"hysteresis": 0.5}, "hysteresis"),
        ({"hysteresis": -0.1}, "hysteresis"),
        ({"min_silence": -1.0}, "min_silence"),
        ({"speech_pad": -0.1}, "speech_pad"),
        ({"min_speech": -0.1}, "min_speech"),
        ({"target_duration": -1.0}, "target_duration"),
        ({"max_duration": 0.5}, "max_duration"),
        ({"max_duration": math.inf}, "max_duration"),
        ({"min_duration": 3.0, "max_duration": 4.0}, "min_duration"),
        ({"split_pause": 2.0}, "split_pause"),
        ({"threshold": "0.5"}, "threshold"),
        ({"speech_pad": math.nan}, "speech_pad"),
    ],
)
def test_nonsense_options_are_rejected(changes, message):
    options = SegmentOptions(**changes)
    with pytest.raises(ValidationError, match=message):
        options.validate()
    with pytest.raises(ValidationError, match=message):
        segment_speech(np.zeros(16000, dtype=np.float32), options=options)


def test_defaults_are_valid_and_round_trip_through_json():
    options = SegmentOptions()
    options.validate()
    assert options.max_duration == 15.0
    stored = json.loads(json.dumps(options.to_dict()))
    assert SegmentOptions.from_dict(stored) == options
    assert SegmentOptions.from_dict({"max_duration": 8}).max_duration == 8


def test_from_dict_names_unknown_keys_and_allowed_ones():
    with pytest.raises(ValidationError) as error:
        SegmentOptions.from_dict({"max_len": 10})
    text = str(error.value)
    assert "max_len" in text and "max_duration" in text and "threshold" in text
    with pytest.raises(ValidationError, match="threshold"):
        SegmentOptions.from_dict({"threshold": 2})
    with pytest.raises(ValidationError, match="mapping"):
        SegmentOptions.from_dict([("threshold", 0.5)])


# --- metrics on a hand-computed example ---------------------------------------------------

TURNS = [Turn("A", 0.0, 2.0), Turn("B", 1.5, 3.0)]


def test_frame_scores_hand_computed():
    # Reference speech: 0-3 s (300 frames). Found: 0.5-2.5 (200, all speech) + 3.5-4.0 (50, none).
    scores = frame_scores([Span(0.5, 2.5), Span(3.5, 4.0)], TURNS, duration=4.0)
    assert scores.recall == pytest.approx(200 / 300)
    assert scores.precision == pytest.approx(200 / 250)
    assert scores.speech_seconds_found == pytest.approx(2.5)
    assert scores.reference_seconds == pytest.approx(3.0)
    # Scored only inside 0-1 s: reference 100 frames, found 0.5-1.0 = 50 frames.
    inside = frame_scores([Span(0.5, 2.5)], TURNS, duration=4.0, uem=[UemRegion(0.0, 1.0)])
    assert (inside.recall, inside.precision) == (pytest.approx(0.5), pytest.approx(1.0))
    assert frame_scores([Span(0.5, 2.5)], TURNS, 4.0, uem=[(0.0, 1.0)]) == inside
    nothing = frame_scores([], TURNS, duration=4.0)
    assert nothing.recall == 0.0 and math.isnan(nothing.precision)


def test_purity_hand_computed():
    spans = [Span(0.0, 1.0), Span(1.4, 3.0), Span(3.2, 3.8)]
    # [0,1]: A only -> pure. [1.4,3]: A 0.6 s + B 1.5 s -> B holds 1.5/2.1 = 71 % -> impure
    # (overlap counted per speaker) but 1.5/1.6 = 94 % of the time anyone talks -> pure when
    # overlap is ignored. [3.2,3.8]: no reference speech -> not scored.
    report = purity_report(spans, TURNS)
    assert (report.pure, report.scored, report.without_speech) == (1, 2, 1)
    assert report.purity == pytest.approx(0.5)
    assert segment_purity(spans, TURNS) == pytest.approx(0.5)
    assert segment_purity(spans, TURNS, count_overlap=False) == pytest.approx(1.0)
    assert segment_purity(spans, TURNS, share=0.7) == pytest.approx(1.0)
    assert math.isnan(segment_purity([Span(5.0, 6.0)], TURNS))
    with pytest.raises(ValidationError, match="share"):
        segment_purity(spans, TURNS, share=1.5)


def test_read_rttm_and_uem(tmp_path):
    rttm = tmp_path / "x.rttm"
    rttm.write_text(
        "SPEAKER x 1 2.500 1.000 <NA> <NA> bob <NA> <NA>\n"
        "SPKR-INFO x 1 <NA> <NA> <NA> unknown bob <NA> <NA>\n"
        "\n"
        "SPEAKER x 1 0.250 2.000 <NA> <NA> alice <NA> <NA>\n"
    )
    assert read_rttm(rttm) == [Turn("alice", 0.25, 2.25), Turn("bob", 2.5, 3.5)]
    rttm.write_text("SPEAKER x 1 zero 1.0 <NA> <NA> bob <NA> <NA>\n")
    with pytest.raises(ValidationError, match="x.rttm:1"):
        read_rttm(rttm)
    uem = tmp_path / "x.uem"
    uem.write_text("x NA 0.000 30.000\n")
    assert read_uem(uem) == [UemRegion(0.0, 30.0)]
    uem.write_text("x NA 5 1\n")
    with pytest.raises(ValidationError, match="before start"):
        read_uem(uem)


def test_real_rttm_files_parse(speech_dir):
    turns = read_rttm(speech_dir / "diarization" / "pyannote_sample.rttm")
    assert len(turns) == 10 and {t.speaker for t in turns} == {"speaker90", "speaker91"}
    ami = read_rttm(speech_dir / "diarization" / "ami_pyannote_tst00.rttm")
    assert {t.speaker for t in ami} == {"MEE071", "MEE073", "FEO070", "FEO072"}
    assert read_uem(speech_dir / "diarization" / "ami_pyannote_tst00.uem") == [UemRegion(0.0, 30.0)]
