"""An openai-whisper ``.pt`` checkpoint as a Hugging Face Whisper folder, for CTranslate2's
converter (transformers 5 no longer ships its own ``convert_openai_to_hf`` script).

The checkpoint is ``{"dims": {...}, "model_state_dict": {...}}``; its names map one to one onto
``WhisperForConditionalGeneration``'s (the output projection is tied to the token embedding).
openai-whisper keeps no tokenizer in the file: it is taken from the bundled model with the same
vocabulary (51864 tokens: English-only, tiny.en's; 51865: multilingual up to large-v2, base's).
large-v3's 51866 (and its 128 mel bins) has none bundled and is refused.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.engines.bundled_models import resolve_model

log = logging.getLogger(__name__)

BUNDLED_TOKENIZERS = {51864: "tiny.en", 51865: "base"}
_PROJ = {"query": "q_proj", "key": "k_proj", "value": "v_proj", "out": "out_proj"}
# (pattern, replacement) in order, applied to every openai-whisper name.
_RENAMES = (
    (r"^encoder\.positional_embedding$", "encoder.embed_positions.weight"),
    (r"^decoder\.positional_embedding$", "decoder.embed_positions.weight"),
    (r"^decoder\.token_embedding\.", "decoder.embed_tokens."),
    (r"^encoder\.ln_post\.", "encoder.layer_norm."),
    (r"^decoder\.ln\.", "decoder.layer_norm."),
    (r"\.blocks\.", ".layers."),
    (r"\.cross_attn_ln\.", ".encoder_attn_layer_norm."),
    (r"\.attn_ln\.", ".self_attn_layer_norm."),
    (r"\.mlp_ln\.", ".final_layer_norm."),
    (r"\.mlp\.0\.", ".fc1."),
    (r"\.mlp\.2\.", ".fc2."),
    (r"\.cross_attn\.(query|key|value|out)\.", lambda m: f".encoder_attn.{_PROJ[m[1]]}."),
    (r"\.attn\.(query|key|value|out)\.", lambda m: f".self_attn.{_PROJ[m[1]]}."),
)


def hf_name(name: str) -> str:
    for pattern, replacement in _RENAMES:
        name = re.sub(pattern, replacement, name)
    return "model." + name


def write_hf_folder(checkpoint: Path, folder: Path) -> None:
    """Write ``checkpoint`` as a Hugging Face Whisper folder (config, safetensors, tokenizer)."""
    import torch
    import transformers

    data = _load(checkpoint, torch)
    dims, state = data["dims"], data["model_state_dict"]
    bundled = BUNDLED_TOKENIZERS.get(dims["n_vocab"])
    if bundled is None:
        raise ValidationError(
            message_key="error.model_openai_vocabulary", params={"path": str(checkpoint), "size": dims["n_vocab"]}
        )
    model = transformers.WhisperForConditionalGeneration(_config(dims, transformers))
    missing, unexpected = model.load_state_dict({hf_name(k): v for k, v in state.items()}, strict=False)
    # proj_out is tied to the token embedding; k_proj has no bias in either model.
    if unexpected or [k for k in missing if k != "proj_out.weight"]:
        raise ValidationError(
            message_key="error.model_conversion",
            params={"path": str(checkpoint), "error": f"names not mapped: {sorted(unexpected or missing)[:5]}"},
        )
    model.tie_weights()
    model.save_pretrained(folder)
    # transformers 5's WhisperTokenizer is the fast one (WhisperTokenizerFast is an alias of it).
    tokenizer_file = Path(resolve_model(bundled)) / "tokenizer.json"
    transformers.WhisperTokenizer(tokenizer_file=str(tokenizer_file)).save_pretrained(folder)
    log.info("wrote %s as a Hugging Face Whisper folder with %s's tokenizer", checkpoint, bundled)


def _load(checkpoint: Path, torch) -> dict:
    try:
        data = torch.load(checkpoint, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for damaged or foreign files
        raise ValidationError(
            message_key="error.model_conversion", params={"path": str(checkpoint), "error": error}
        ) from error
    if not isinstance(data, dict) or "dims" not in data or "model_state_dict" not in data:
        raise ValidationError(
            message_key="error.model_conversion",
            params={"path": str(checkpoint), "error": "not an openai-whisper checkpoint (no dims / model_state_dict)"},
        )
    return data


def _config(dims: dict, transformers):
    english_only = dims["n_vocab"] == 51864
    end = 50256 if english_only else 50257  # <|endoftext|>; <|startoftranscript|> follows it
    return transformers.WhisperConfig(
        vocab_size=dims["n_vocab"],
        num_mel_bins=dims["n_mels"],
        d_model=dims["n_audio_state"],
        encoder_layers=dims["n_audio_layer"],
        encoder_attention_heads=dims["n_audio_head"],
        decoder_layers=dims["n_text_layer"],
        decoder_attention_heads=dims["n_text_head"],
        encoder_ffn_dim=4 * dims["n_audio_state"],
        decoder_ffn_dim=4 * dims["n_text_state"],
        max_source_positions=dims["n_audio_ctx"],
        max_target_positions=dims["n_text_ctx"],
        bos_token_id=end,
        eos_token_id=end,
        pad_token_id=end,
        decoder_start_token_id=end + 1,
        tie_word_embeddings=True,
    )
