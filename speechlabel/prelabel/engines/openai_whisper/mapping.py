"""Map the variables of a CTranslate2 Whisper ``model.bin`` onto openai-whisper's state dict.

Every source variable must be used exactly once: a variable left over or asked for twice means
the two layouts disagree (another Whisper variant, another converter version) and the weights
would be silently wrong, so ``to_openai_whisper`` raises ``ConversionError`` naming them.
Names follow DESIGN.md §4. Arrays stay numpy (float32) so this module needs no torch.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np

from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.engines.openai_whisper.ct2_model import Ct2Model

# Settings CTranslate2 stores as scalars, with the value openai-whisper's architecture has
# built in (activation 3 = GELU; pre-norm layers; no ALiBi, no embedding scaling). Anything
# else is a model openai-whisper cannot run. alignment_heads/alignment_layer configure
# CTranslate2's own aligner and have no counterpart (openai-whisper takes config.json's heads).
_FIXED_SETTINGS = {
    "decoder/activation": 3,
    "decoder/alibi": 0,
    "decoder/pre_norm": 1,
    "decoder/scale_embeddings": 0,
    "decoder/start_from_zero_embedding": 0,
}
_UNUSED_BY_DESIGN = ("decoder/alignment_heads", "decoder/alignment_layer")
_TIED_PROJECTION = ("decoder/projection/weight", "decoder/embeddings/weight")
_LAYER = re.compile(r"^(encoder|decoder)/layer_(\d+)/")


class ConversionError(ValidationError):
    """The CTranslate2 model does not map one-to-one onto openai-whisper's layout."""


@dataclass(frozen=True)
class ModelDims:
    """openai-whisper's ``ModelDimensions``, read off the weights' shapes."""

    n_mels: int
    n_vocab: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


class _Source:
    """The model's variables, handed out once each."""

    def __init__(self, model: Ct2Model) -> None:
        self.variables = model.variables
        self.used: set[str] = set()
        self.missing: list[str] = []

    def take(self, name: str) -> np.ndarray:
        if name in self.used:
            raise ConversionError(message_key="error.ct2_variable_twice", params={"name": name})
        if name not in self.variables:
            self.missing.append(name)
            return np.zeros(0, dtype=np.float32)
        self.used.add(name)
        return self.variables[name]

    def weight(self, name: str) -> np.ndarray:
        return np.ascontiguousarray(self.take(name), dtype=np.float32)

    def unused(self) -> list[str]:
        return sorted(set(self.variables) - self.used)


def to_openai_whisper(model: Ct2Model) -> tuple[ModelDims, dict[str, np.ndarray]]:
    """(dims, state dict) for ``whisper.model.Whisper``; raises ConversionError on any mismatch."""
    if model.spec != "WhisperSpec":
        raise ConversionError(message_key="error.ct2_not_whisper", params={"spec": model.spec})
    _check_aliases(model)
    source = _Source(model)
    dims = _dims(model)
    state: dict[str, np.ndarray] = {}
    _check_settings(source)
    _encoder(source, state, dims)
    _decoder(source, state, dims)
    problems = []
    if source.missing:
        problems.append(f"missing: {', '.join(source.missing)}")
    if source.unused():
        problems.append(f"unused: {', '.join(source.unused())}")
    if problems:
        raise ConversionError(message_key="error.ct2_unmapped", params={"problems": "; ".join(problems)})
    return dims, state


def _check_aliases(model: Ct2Model) -> None:
    """The output projection must be the token embeddings (tied), as openai-whisper has it."""
    unexpected = {a: t for a, t in model.aliases.items() if (a, t) != _TIED_PROJECTION}
    if unexpected:
        raise ConversionError(message_key="error.ct2_aliases", params={"unexpected": unexpected})


def _dims(model: Ct2Model) -> ModelDims:
    variables = model.variables
    try:
        conv1 = variables["encoder/conv1/weight"]
        embeddings = variables["decoder/embeddings/weight"]
        return ModelDims(
            n_mels=conv1.shape[1],
            n_vocab=embeddings.shape[0],
            n_audio_ctx=variables["encoder/position_encodings/encodings"].shape[0],
            n_audio_state=conv1.shape[0],
            n_audio_head=int(variables["encoder/num_heads"]),
            n_audio_layer=_count_layers(variables, "encoder"),
            n_text_ctx=variables["decoder/position_encodings/encodings"].shape[0],
            n_text_state=embeddings.shape[1],
            n_text_head=int(variables["decoder/num_heads"]),
            n_text_layer=_count_layers(variables, "decoder"),
        )
    except KeyError as error:
        raise ConversionError(message_key="error.ct2_lacks", params={"name": error.args[0]}) from error


def _count_layers(variables: dict[str, np.ndarray], stack: str) -> int:
    indices = {int(m.group(2)) for name in variables if (m := _LAYER.match(name)) and m.group(1) == stack}
    if indices != set(range(len(indices))):
        raise ConversionError(message_key="error.ct2_layers", params={"stack": stack, "indices": sorted(indices)})
    return len(indices)


def _check_settings(source: _Source) -> None:
    for name, expected in _FIXED_SETTINGS.items():
        value = source.take(name)
        if value.size and int(value) != expected:
            raise ConversionError(
                message_key="error.ct2_setting", params={"name": name, "value": int(value), "expected": expected}
            )
    for name in _UNUSED_BY_DESIGN:
        source.take(name)
    # num_heads were read into the dims; mark them used here, once.
    source.take("encoder/num_heads")
    source.take("decoder/num_heads")


def _encoder(source: _Source, state: dict[str, np.ndarray], dims: ModelDims) -> None:
    for conv in ("conv1", "conv2"):
        for part in ("weight", "bias"):
            state[f"encoder.{conv}.{part}"] = source.weight(f"encoder/{conv}/{part}")
    state["encoder.positional_embedding"] = source.weight("encoder/position_encodings/encodings")
    for i in range(dims.n_audio_layer):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        _self_attention(source, state, f"{src}/self_attention", f"{dst}.attn", f"{dst}.attn_ln")
        _mlp(source, state, src, dst)
    _layer_norm(source, state, "encoder/layer_norm", "encoder.ln_post")


def _decoder(source: _Source, state: dict[str, np.ndarray], dims: ModelDims) -> None:
    # decoder/projection/weight is only an alias of the embeddings: openai-whisper ties them too.
    state["decoder.token_embedding.weight"] = source.weight("decoder/embeddings/weight")
    state["decoder.positional_embedding"] = source.weight("decoder/position_encodings/encodings")
    for i in range(dims.n_text_layer):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        _self_attention(source, state, f"{src}/self_attention", f"{dst}.attn", f"{dst}.attn_ln")
        _cross_attention(source, state, f"{src}/attention", f"{dst}.cross_attn", f"{dst}.cross_attn_ln")
        _mlp(source, state, src, dst)
    _layer_norm(source, state, "decoder/layer_norm", "decoder.ln")


def _self_attention(source: _Source, state, src: str, dst: str, ln: str) -> None:
    """linear_0 is q;k;v stacked; the key's bias is zero in CTranslate2 and absent in openai-whisper."""
    weight, bias = source.weight(f"{src}/linear_0/weight"), source.weight(f"{src}/linear_0/bias")
    for name, w, b in zip(("query", "key", "value"), np.split(weight, 3), np.split(bias, 3)):
        state[f"{dst}.{name}.weight"] = np.ascontiguousarray(w)
        _set_bias(state, f"{dst}.{name}", b, f"{src}/linear_0/bias")
    _linear(source, state, f"{src}/linear_1", f"{dst}.out")
    _layer_norm(source, state, f"{src}/layer_norm", ln)


def _cross_attention(source: _Source, state, src: str, dst: str, ln: str) -> None:
    """linear_0 is the query, linear_1 is k;v stacked (zero key bias), linear_2 the output."""
    _linear(source, state, f"{src}/linear_0", f"{dst}.query")
    weight, bias = source.weight(f"{src}/linear_1/weight"), source.weight(f"{src}/linear_1/bias")
    for name, w, b in zip(("key", "value"), np.split(weight, 2), np.split(bias, 2)):
        state[f"{dst}.{name}.weight"] = np.ascontiguousarray(w)
        _set_bias(state, f"{dst}.{name}", b, f"{src}/linear_1/bias")
    _linear(source, state, f"{src}/linear_2", f"{dst}.out")
    _layer_norm(source, state, f"{src}/layer_norm", ln)


def _set_bias(state, dst: str, bias: np.ndarray, src: str) -> None:
    if dst.endswith(".key"):
        if bias.size and np.any(bias != 0):
            raise ConversionError(message_key="error.ct2_key_bias", params={"src": src})
        return
    state[f"{dst}.bias"] = np.ascontiguousarray(bias)


def _mlp(source: _Source, state, src: str, dst: str) -> None:
    _linear(source, state, f"{src}/ffn/linear_0", f"{dst}.mlp.0")
    _linear(source, state, f"{src}/ffn/linear_1", f"{dst}.mlp.2")
    _layer_norm(source, state, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")


def _linear(source: _Source, state, src: str, dst: str) -> None:
    state[f"{dst}.weight"] = source.weight(f"{src}/weight")
    state[f"{dst}.bias"] = source.weight(f"{src}/bias")


def _layer_norm(source: _Source, state, src: str, dst: str) -> None:
    state[f"{dst}.weight"] = source.weight(f"{src}/gamma")
    state[f"{dst}.bias"] = source.weight(f"{src}/beta")


def alignment_heads_dump(heads: list[list[int]], dims: ModelDims) -> bytes:
    """openai-whisper's ``set_alignment_heads`` format: base85 of gzip of a bool
    [n_text_layer, n_text_head] mask (config.json gives the heads as [layer, head] pairs)."""
    import base64
    import gzip

    mask = np.zeros((dims.n_text_layer, dims.n_text_head), dtype=bool)
    for pair in heads:
        if len(pair) != 2 or not (0 <= pair[0] < dims.n_text_layer and 0 <= pair[1] < dims.n_text_head):
            raise ConversionError(
                message_key="error.alignment_head",
                params={"pair": pair, "layers": dims.n_text_layer, "heads": dims.n_text_head},
            )
        mask[pair[0], pair[1]] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))
