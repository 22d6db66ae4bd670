"""Turn a Whisper checkpoint the company has into a faster-whisper (CTranslate2) directory.

Supported sources:
- ``ct2``: a faster-whisper directory (model.bin, config.json, tokenizer.json); copied as it is.
- ``hf``: a Hugging Face ``WhisperForConditionalGeneration`` folder (config.json + safetensors or
  pytorch_model.bin, and the tokenizer.json its processor saved: faster-whisper needs it); converted with CTranslate2's own ``TransformersConverter`` (needs
  ``transformers``: requirements-models.txt), weights stored as float16 (CTranslate2 turns them
  into int8 on a CPU when loading, and GPUs run float16).
- ``openai``: an openai-whisper ``.pt`` checkpoint is written as a Hugging Face folder first
  (``openai_pt``: transformers 5 no longer ships its own conversion script), then converted as
  ``hf``. Its tokenizer comes from the bundled model of the same vocabulary.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.engines.bundled_models import check_model_dir

log = logging.getLogger(__name__)

HF_WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
# Files a Hugging Face folder may hold that faster-whisper reads beside model.bin.
HF_SIDE_FILES = ("tokenizer.json", "preprocessor_config.json")
STORED_AS = "float16"


def detect_kind(source: Path) -> str:
    """``ct2``, ``hf`` or ``openai``, from what the path holds; ValidationError when none fits."""
    if source.is_file() and source.suffix == ".pt":
        return "openai"
    if source.is_dir() and (source / "model.bin").is_file() and (source / "config.json").is_file():
        return "ct2"
    if source.is_dir() and _is_hf_whisper(source):
        return "hf"
    raise ValidationError(message_key="error.model_source_unknown", params={"path": str(source)})


def to_ctranslate2(source: Path, kind: str, target: Path) -> None:
    """Write the CTranslate2 model of ``source`` into the empty or missing folder ``target``."""
    if kind == "ct2":
        check_model_dir(source)
        shutil.copytree(source, target, dirs_exist_ok=True)
    elif kind == "hf":
        _convert_hf(source, target)
    elif kind == "openai":
        _convert_openai(source, target)
    else:
        raise ValidationError(message_key="error.model_kind", params={"kind": kind, "allowed": "auto, ct2, hf, openai"})


def _convert_openai(source: Path, target: Path) -> None:
    """openai-whisper .pt -> a Hugging Face folder beside the target -> CTranslate2."""
    if not source.is_file():
        raise ValidationError(message_key="error.model_source_unknown", params={"path": str(source)})
    from speechlabel.asr_models.openai_pt import write_hf_folder

    between = target.with_name(target.name + "-hf")
    try:
        try:
            write_hf_folder(source, between)
        except ImportError as error:  # torch or transformers missing
            raise ValidationError(message_key="error.model_needs_transformers", params={"error": error}) from error
        _convert_hf(between, target)
    finally:
        shutil.rmtree(between, ignore_errors=True)


def _is_hf_whisper(folder: Path) -> bool:
    config = folder / "config.json"
    if not config.is_file() or not any((folder / name).is_file() for name in HF_WEIGHTS):
        return False
    try:
        return json.loads(config.read_text(encoding="utf-8")).get("model_type") == "whisper"
    except (OSError, ValueError):
        return False


def _convert_hf(source: Path, target: Path) -> None:
    if not _is_hf_whisper(source):
        raise ValidationError(message_key="error.model_source_unknown", params={"path": str(source)})
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError as error:  # transformers is missing: ctranslate2 imports it in the converter
        raise ValidationError(message_key="error.model_needs_transformers", params={"error": error}) from error
    if not (source / "tokenizer.json").is_file():
        # Without it the converter invents placeholder tokens and the model writes nonsense.
        raise ValidationError(message_key="error.model_no_tokenizer", params={"path": str(source)})
    side_files = [name for name in HF_SIDE_FILES if (source / name).is_file()]
    log.info("converting %s to CTranslate2 (%s) in %s", source, STORED_AS, target)
    try:
        TransformersConverter(str(source), copy_files=side_files).convert(
            str(target), quantization=STORED_AS, force=True
        )
    except ImportError as error:
        raise ValidationError(message_key="error.model_needs_transformers", params={"error": error}) from error
    except (ValueError, OSError, RuntimeError, KeyError) as error:
        raise ValidationError(
            message_key="error.model_conversion", params={"path": str(source), "error": error}
        ) from error
    _fill_language_ids(target)


def _fill_language_ids(target: Path) -> None:
    """Give a multilingual model the ids of its language tokens when the converter found none.

    The converter reads them from the tokenizer's ``additional_special_tokens``, which tokenizers
    loaded by transformers 5 (and any saved without a tokenizer_config.json) do not have; with
    an empty list faster-whisper's language detection fails (IndexError) on every project whose
    language is "auto". The ids are those of ``<|en|>``, ``<|de|>``, ... in tokenizer.json.
    """
    from faster_whisper.tokenizer import _LANGUAGE_CODES  # the codes Whisper was trained on

    config_path = target / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if config.get("lang_ids"):
        return
    vocabulary = json.loads((target / "tokenizer.json").read_text(encoding="utf-8"))
    ids = {token["content"]: token["id"] for token in vocabulary.get("added_tokens", [])}
    found = [ids[f"<|{code}|>"] for code in _LANGUAGE_CODES if f"<|{code}|>" in ids]
    if found:
        config["lang_ids"] = sorted(found)
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
