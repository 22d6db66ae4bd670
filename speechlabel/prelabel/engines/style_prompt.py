"""A project's style prompt: text in the register of its speech that Whisper reads before every
window (``initial_prompt``), beside the glossary's hotwords, and the default per language.

Whisper continues the style of the text before a window: a prompt of spoken sentences with
fillers makes it write fillers and spoken forms, which KsponSpeech-style references keep and
Whisper otherwise drops. On issue 20's hidden set of conversational Korean a spoken-style prompt
with beam 5 took CER from 0.228 to 0.190 (0.235 to 0.196 on utterances not used to choose it);
the same text given as glossary hotwords gained only 0.006.

Checked without loading a model: the length in tokens of the bundled multilingual tokenizer.
"""

from __future__ import annotations

from functools import lru_cache

from speechlabel.core.errors import ValidationError
from speechlabel.core.segment_rules import typed_text

# The word that turns the style prompt off, on the command line and in the form.
NO_PROMPT = "none"
# Whisper keeps at most 223 tokens (half its 448-token context, less one) before a window, for
# the glossary's hotwords and this prompt together; the engine cuts the prompt's start when the
# two pass that (``fit_prompt``). 150 leaves a glossary at least 73 tokens.
MAX_STYLE_PROMPT_TOKENS = 150
MAX_STYLE_PROMPT_CHARS = 600  # checked first, so a pasted book is refused before it is tokenized
PROMPT_BUDGET_TOKENS = 223

# Conversational Korean as KsponSpeech-style references write it: fillers (어, 음, 그, 뭐, 아),
# numbers read in Hangul, no digits, no Latin letters, no tags (a project's scheme marks fillers
# its own way when a draft is styled, see conventions.draft_style). 41 tokens.
KOREAN_DEFAULT = (
    "음 그러니까 어제 친구랑 밥 먹으러 갔는데요. 어 그게 뭐 생각보다 괜찮더라고요. "
    "그 가게가 한 삼십 분 정도 걸렸는데 아 다음에 또 가 보려고요."
)
# English: none. On the shared English files (bench/decoding.py, base beam 5) a spoken-style
# English prompt took WER on 60 short 1-4 s clips from 0.232 to 0.289 and their re-decodes at a
# higher temperature from 7 to 13, for 0.126 -> 0.113 on the long files (0 -> 7 re-decodes): it
# costs more than it gives on the short utterances labeling is made of.
DEFAULTS: dict[str, str] = {"ko": KOREAN_DEFAULT}


def default_style_prompt(language: str | None) -> str:
    """The prompt a new project of ``language`` starts with ("" for none)."""
    return DEFAULTS.get(language or "", "")


def style_prompt_from_input(text: str | None, language: str | None) -> str:
    """What a lead typed (form, command line) as the stored prompt: nothing (None or blank) is the
    language's default, "none" is no prompt, anything else is checked and kept."""
    if text is None or not text.strip():
        return default_style_prompt(language)
    if text.strip().casefold() == NO_PROMPT:
        return ""
    return check_style_prompt(text)


def check_style_prompt(text: object) -> str:
    """The prompt cleaned (``typed_text``: stripped, line breaks as spaces), or ValidationError:
    not text, a control character, too many characters or tokens."""
    if not isinstance(text, str):
        raise ValidationError(message_key="error.style_prompt_type", params={"type": type(text).__name__})
    cleaned = typed_text(
        text,
        MAX_STYLE_PROMPT_CHARS,
        too_long_key="error.style_prompt_chars",
        control_key="error.style_prompt_control",
    )
    count = token_count(cleaned)
    if count > MAX_STYLE_PROMPT_TOKENS:
        raise ValidationError(
            message_key="error.style_prompt_tokens", params={"count": count, "most": MAX_STYLE_PROMPT_TOKENS}
        )
    return cleaned


def token_count(text: str) -> int:
    """Tokens of ``text`` as Whisper reads a prompt (a leading space, no special tokens)."""
    return len(_tokenizer().encode(" " + text, add_special_tokens=False).ids) if text else 0


def fit_prompt(prompt: str, hotword_tokens: int, encode, decode) -> str:
    """``prompt`` cut from its start so that it and the hotwords fit Whisper's prompt budget
    (faster-whisper would otherwise send both whole and leave the decoder too little context).
    The end is kept: it sits next to the audio, as Whisper keeps the last of previous text."""
    room = PROMPT_BUDGET_TOKENS - hotword_tokens
    ids = encode(" " + prompt) if prompt else []
    if len(ids) <= room:
        return prompt
    return decode(ids[-room:]).strip() if room > 0 else ""


@lru_cache(maxsize=1)
def _tokenizer():
    # The bundled multilingual model's tokenizer.json (no model is assembled or loaded for it);
    # tiny.en's English-only vocabulary counts English the same within a few tokens.
    from tokenizers import Tokenizer

    from speechlabel.prelabel.engines.bundled_models import base_parts

    return Tokenizer.from_file(str(base_parts().data_dir / "tokenizer.json"))
