"""Converting the bundled CTranslate2 weights to openai-whisper checkpoints, and checking it.

The reader and the name mapping need only numpy; the numerical checks load both engines on the
same input (faster-whisper in float32, so any difference is the conversion's, not int8's).
Each model is converted once per session into a temporary cache.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from speechlabel.audio.samples import load_mono_16k
from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.engines.bundled_models import resolve_model
from speechlabel.prelabel.engines.openai_whisper.ct2_model import read_ct2_model
from speechlabel.prelabel.engines.openai_whisper.mapping import ConversionError, to_openai_whisper

MODELS = ("tiny.en", "base")
LIBRISPEECH = "en/librispeech_2412-153948-0000.flac"
# Measured: encoder output differs by at most 3e-5 (values up to ~12), decoder logits by at
# most 7e-5 (values up to ~40) between CTranslate2 float32 and the converted torch model.
ENCODER_TOLERANCE = 1e-3
LOGIT_TOLERANCE = 5e-3


def model_bin(model: str) -> Path:
    return Path(resolve_model(model)) / "model.bin"


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory):
    """model -> ConvertedModel, converted once into a cache of this session's own."""
    pytest.importorskip("whisper", reason="openai-whisper is not installed (requirements-openai-whisper.txt)")
    from speechlabel.prelabel.engines.openai_whisper.checkpoint import openai_checkpoint

    cache = tmp_path_factory.mktemp("model-cache")
    # A directory, not the bundled name, so base is not assembled a second time into this cache.
    return {model: openai_checkpoint(resolve_model(model), cache) for model in MODELS}


# --- reading model.bin and mapping its names (numpy only) -----------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_every_source_variable_maps_once_onto_the_whole_openai_state_dict(model):
    source = read_ct2_model(model_bin(model))
    assert source.spec == "WhisperSpec" and source.aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}
    dims, state = to_openai_whisper(source)  # raises if any variable is unused or missing
    whisper = pytest.importorskip("whisper")
    expected = whisper.model.Whisper(whisper.model.ModelDimensions(**dims.to_dict())).state_dict()
    assert set(state) == set(expected)
    assert all(tuple(state[name].shape) == tuple(expected[name].shape) for name in expected)
    assert all(array.dtype == np.float32 for array in state.values())


def test_an_unused_or_missing_variable_is_named():
    source = read_ct2_model(model_bin("tiny.en"))
    source.variables["decoder/layer_0/extra/weight"] = np.zeros(3, dtype=np.float16)
    with pytest.raises(ConversionError, match="unused: decoder/layer_0/extra/weight"):
        to_openai_whisper(source)
    del source.variables["decoder/layer_0/extra/weight"]
    del source.variables["encoder/layer_1/ffn/linear_0/bias"]
    with pytest.raises(ConversionError, match="missing: encoder/layer_1/ffn/linear_0/bias"):
        to_openai_whisper(source)


def test_a_nonzero_key_bias_is_refused():
    source = read_ct2_model(model_bin("tiny.en"))
    name = "encoder/layer_0/self_attention/linear_0/bias"
    bias = source.variables[name].copy()
    bias[len(bias) // 3] = 1.0  # the first value of the key part
    source.variables[name] = bias
    with pytest.raises(ConversionError, match="key part of .*linear_0/bias is not zero"):
        to_openai_whisper(source)


def test_a_truncated_model_bin_gives_a_clear_error(tmp_path):
    data = model_bin("tiny.en").read_bytes()
    truncated = tmp_path / "model.bin"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValidationError, match=r"model.bin is truncated or corrupt: reading the data of .* needs"):
        read_ct2_model(truncated)


def test_a_file_that_is_not_a_model_bin_gives_a_clear_error(tmp_path):
    wrong = tmp_path / "model.bin"
    wrong.write_bytes(b"RIFF" + bytes(100))
    with pytest.raises(ValidationError, match="format version .* knows CTranslate2 model.bin versions 1 to 6"):
        read_ct2_model(wrong)
    trailing = tmp_path / "trailing.bin"
    trailing.write_bytes(model_bin("tiny.en").read_bytes() + struct.pack("<I", 7))
    with pytest.raises(ValidationError, match="4 bytes follow the last alias"):
        read_ct2_model(trailing)


# --- the checkpoint in the cache -----------------------------------------------------------------


def test_the_checkpoint_is_written_once_then_reused(checkpoints):
    from speechlabel.prelabel.engines.openai_whisper.checkpoint import openai_checkpoint

    first = checkpoints["tiny.en"]
    assert first.converted_now and first.checkpoint.is_file() and first.alignment_heads
    written = first.checkpoint.stat().st_mtime_ns
    again = openai_checkpoint(resolve_model("tiny.en"), first.checkpoint.parent.parent)
    assert not again.converted_now and again.checkpoint == first.checkpoint
    assert again.checkpoint.stat().st_mtime_ns == written
    assert [p.name for p in first.checkpoint.parent.iterdir() if p.name.startswith(".")] == []  # no temp files
    assert oct(first.checkpoint.stat().st_mode & 0o777) == oct(0o644)


def test_alignment_heads_come_from_config_json(checkpoints):
    import whisper

    model = whisper.load_model(str(checkpoints["tiny.en"].checkpoint), device="cpu")
    model.set_alignment_heads(checkpoints["tiny.en"].alignment_heads)
    heads = sorted(map(list, model.alignment_heads.indices().T.tolist()))
    assert heads == [[1, 0], [2, 0], [2, 5], [3, 0], [3, 1], [3, 2], [3, 3], [3, 4]]  # config.json of tiny.en


# --- the numbers agree with faster-whisper's -----------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("model", MODELS)
def test_encoder_output_and_decoder_logits_agree_with_ctranslate2(checkpoints, speech_dir, model):
    import ctranslate2
    import torch
    import whisper
    from faster_whisper.feature_extractor import FeatureExtractor

    ct2 = ctranslate2.models.Whisper(resolve_model(model), device="cpu", compute_type="float32")
    converted = whisper.load_model(str(checkpoints[model].checkpoint), device="cpu")
    mel = FeatureExtractor(feature_size=80)(load_mono_16k(speech_dir / "en/jfk.wav"))[:, :3000]
    mel = np.ascontiguousarray(np.pad(mel, ((0, 0), (0, 3000 - mel.shape[1])))[None], dtype=np.float32)

    expected_audio = np.array(ct2.encode(ctranslate2.StorageView.from_array(mel), to_cpu=True))
    with torch.no_grad():
        audio_features = converted.encoder(torch.from_numpy(mel))
    assert np.abs(audio_features.numpy() - expected_audio).max() < ENCODER_TOLERANCE

    tokenizer = whisper.tokenizer.get_tokenizer(converted.is_multilingual, language="en", task="transcribe")
    prompt = list(tokenizer.sot_sequence_including_notimestamps)
    result = ct2.generate(
        ctranslate2.StorageView.from_array(expected_audio),
        [prompt],
        beam_size=1,
        max_length=40,
        return_logits_vocab=True,
        suppress_blank=False,
        suppress_tokens=[],
    )[0]
    expected_logits = np.stack([np.array(step).reshape(-1) for step in result.logits[0]])
    tokens = torch.tensor([prompt + result.sequences_ids[0]])
    with torch.no_grad():
        logits = converted.decoder(tokens, audio_features).numpy()[0]
    logits = logits[len(prompt) - 1 : len(prompt) - 1 + len(expected_logits)]
    assert len(expected_logits) >= 10  # JFK's sentence, not an empty decode
    assert np.abs(logits - expected_logits).max() < LOGIT_TOLERANCE


@pytest.mark.slow
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("name", ["en/jfk.wav", LIBRISPEECH])
def test_greedy_transcripts_are_identical_between_the_engines(speech_dir, model, name):
    pytest.importorskip("whisper", reason="openai-whisper is not installed (requirements-openai-whisper.txt)")
    from speechlabel.prelabel.engines.options import TranscribeOptions
    from speechlabel.prelabel.transcribe import get_engine

    samples = load_mono_16k(speech_dir / name)
    texts = []
    for engine in ("faster-whisper", "openai-whisper"):
        options = TranscribeOptions(engine=engine, model=model, compute_type="float32", language="en")
        texts.append(get_engine(options).transcribe(samples, options).text)
    assert texts[0] == texts[1] and len(texts[0].split()) >= 20


def test_no_conversion_is_left_half_written(tmp_path):
    """A failed conversion leaves no checkpoint behind for the next call to trust."""
    pytest.importorskip("whisper")
    from speechlabel.prelabel.engines.openai_whisper.checkpoint import openai_checkpoint

    broken = tmp_path / "broken-model"
    broken.mkdir()
    source = Path(resolve_model("tiny.en"))
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (broken / name).write_bytes((source / name).read_bytes())
    (broken / "model.bin").write_bytes((source / "model.bin").read_bytes()[:1000])
    with pytest.raises(ValidationError, match="truncated or corrupt"):
        openai_checkpoint(str(broken), tmp_path / "cache")
    assert list((tmp_path / "cache").rglob("*.pt*")) == []
