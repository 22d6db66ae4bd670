"""How to draft a transcript: ``TranscribeOptions`` and its validation.

Kept apart from the engines so that projects, the CLI and the app can build and check options
without loading a model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from speechlabel.core.errors import ValidationError
from speechlabel.prelabel.engines.bundled_models import BUNDLED_MODELS
from speechlabel.prelabel.engines.registry import BUILTIN_ENGINES, engine_kind
from speechlabel.prelabel.engines.style_prompt import check_style_prompt

# Types CTranslate2 runs on a CPU ("default"/"auto" let it choose).
COMPUTE_TYPES = ("int8", "int8_float32", "int16", "float32", "default", "auto")
# The engines that ship with speechlabel: the default (CTranslate2) and the optional
# openai-whisper (requirements-openai-whisper.txt), which runs the same bundled weights in torch.
# Which engines can draft is the registry's answer (``engine_registry.engine_names``): these
# and any other registered one.
ENGINES = tuple(BUILTIN_ENGINES)
# torch has no int8 Whisper: openai-whisper runs float32 on the CPU, and only that.
OPENAI_WHISPER_COMPUTE_TYPES = ("float32",)
# Where an engine runs: "auto" is cuda when the engine's library finds a CUDA device, else cpu.
DEVICES = ("cpu", "cuda", "auto")
MAX_BEAM_SIZE = 16
MAX_GLOSSARY_TERM_CHARS = 100
# The token limit of ``tokens_per_second`` never goes below this: a 1 s window still has room
# for a few words and their timestamp tokens.
MIN_NEW_TOKENS = 16
MAX_NEW_TOKENS = 220
MAX_NO_REPEAT_NGRAM = 20


def _language_codes() -> tuple[str, ...]:
    from faster_whisper.tokenizer import _LANGUAGE_CODES  # the codes Whisper was trained on

    return tuple(_LANGUAGE_CODES)


@dataclass(frozen=True)
class TranscribeOptions:
    """How to draft a transcript. Recorded with every Draft as provenance (``to_dict``)."""

    # A bundled model ("base": multilingual incl. Korean; "tiny.en": English only, 2-3x faster),
    # a local faster-whisper model directory, or a hub name (downloads; needs a network).
    model: str = "base"
    # int8: ~1.5x faster than float32 on 2 cores (JFK RTF 9.4 vs 6.0) with the same WER on
    # JFK, LibriSpeech and Harvard.
    compute_type: str = "int8"
    # Beam 5. On 160 real 1-4 s English utterances (bench/prelabel_throughput.py --beam-sizes 1,5,
    # one run) greedy decoding failed whole clips (its first decode scored below -1 and Whisper
    # took it for silence: no-speech 0.32-0.38 on phone speech), where beam 5 decoded them: WER
    # 0.252 greedy against 0.224 with beam 5 (plain faster-whisper, beam 5 over whole files:
    # 0.223), segments drafted one by one. On Korean conversational speech beam 5 with a
    # spoken-style prompt took CER from 0.228 to 0.190 (issue 20's hidden set). It costs ~1.4x
    # the decode time; greedy was the default until these short-utterance figures (the long
    # files alone had shown no difference). A project can choose 1 for speed.
    beam_size: int = 5
    # None = auto-detect per segment; when set, that language is forced. Projects should set
    # it: detection on short or noisy segments picks wrong languages, and it costs a second
    # encoder pass in faster-whisper 1.2.1 (short segments draft ~2x faster when forced).
    language: str | None = None
    # Domain words, names, device names and commands. Sent to Whisper as "hotwords": a prompt
    # "term, term, term." before every 30 s window (see glossary_prompt).
    glossary: tuple[str, ...] = ()
    # Silero VAD drops non-speech first; stops hallucinated text over silence and noise.
    vad_filter: bool = True
    # Per-word start/end/probability (decoder confidence), needed for word-level review.
    word_timestamps: bool = True
    # 0 = all cores of this machine.
    cpu_threads: int = 0
    # Consecutive segments spanning at most this many seconds are drafted in one Whisper window
    # and split back by word times (see ``windowing``): Whisper encodes 30 s whatever the input
    # length, so one decode per segment wastes most of it. 0 drafts every segment on its own.
    window_seconds: float = 28.0
    # A 30 s window is dropped as "no speech" when Whisper's no-speech probability is above
    # this AND its decode failed (avg log-prob < -1 even after temperature fallback). Whisper's
    # 0.6 let through invented tails after short utterances ("Thank you.", "I'm sorry.": 0.38-
    # 0.58) and, with a glossary, invented sentences over pure noise. 0.3 removed those, and
    # its pooled WER on 19 English recordings was never worse than 0.6's (base beam 1 and 5,
    # tiny.en beam 1; no glossary and two glossaries).
    no_speech_threshold: float = 0.3
    # Which engine drafts (see ENGINES). After the others, so positional construction keeps its meaning.
    engine: str = "faster-whisper"
    # Where the engine runs (see DEVICES). CPU by default: the bundled models are sized for it.
    device: str = "cpu"
    # Text in the register of the speech, sent as ``initial_prompt`` before every window after the
    # glossary's hotwords (see ``style_prompt``); "" sends none. Projects start with their
    # language's default (``style_prompt.default_style_prompt``).
    style_prompt: str = ""
    # Repetition-loop guards (faster-whisper only; openai-whisper has none of them). A loop is a
    # decode that repeats a phrase until the token limit: its compression ratio passes 2.4 and
    # Whisper decodes the window again by sampling, at higher temperatures (~3x the CPU).
    # bench/decoding.py, one run (60 1-4 s English clips + 5 noise pieces, and the long shared
    # files; base, beam 5, the real pipeline; re-decodes = windows decoded again at a higher
    # temperature): with an English spoken-style prompt, which sends clips into loops, WER was
    # 0.289 short / 0.113 long with no guard and with each guard alike, and re-decodes 13 / 7
    # (repetition_penalty 1.2: 13 / 8; no_repeat_ngram_size 4: 13 / 7; tokens_per_second 10:
    # 13 / 7). Without a prompt: 0.232 / 0.126 and 7 / 0 re-decodes; penalty 0.232 / 0.126,
    # 4 / 0; n-gram 0.227 / 0.126, 4 / 0; token limit as without (run-to-run noise is of that
    # size: an earlier run's baseline was 0.230 / 0.121 and the token limit's 3 re-decodes).
    # None avoided the fallback in English, where loops are rare (1-3 of 60 clips). Penalty and
    # n-gram stay off: they also forbid real repetitions, which KsponSpeech-style references
    # transcribe ("word+").
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    # New tokens a window may decode per second of its audio, plus MIN_NEW_TOKENS (at most
    # MAX_NEW_TOKENS); 0 = Whisper's own limit (448 less the prompt). On: it changed no WER in
    # either run, and a loop stops there instead of running to ~440 tokens (a 2 s clip: 36), so
    # the loop costs less before its fallback (the fallback itself still comes). 10 a second
    # is ~2.5x English speech (~4 tokens/s) and ~2x conversational Korean (~5 tokens/s with the
    # multilingual tokenizer): a window's own text is never cut short.
    tokens_per_second: float = 10.0

    def __post_init__(self) -> None:
        # Lists arrive from JSON and from callers; store a tuple so the options stay hashable.
        if isinstance(self.glossary, list):
            object.__setattr__(self, "glossary", tuple(self.glossary))
        self.validate()

    def validate(self) -> None:
        """Raise ValidationError naming the first option that breaks its rule."""
        if not isinstance(self.model, str) or not self.model.strip():
            raise ValidationError(
                message_key="error.model_name_empty",
                params={"model": self.model, "bundled": ", ".join(BUNDLED_MODELS)},
            )
        kind = engine_kind(self.engine)  # the registered engine, or an error naming them
        if kind.check_options is not None:
            kind.check_options(self)
        if self.compute_type not in kind.compute_types:
            raise ValidationError(
                message_key="error.compute_type",
                params={"compute_type": self.compute_type, "allowed": ", ".join(kind.compute_types)},
            )
        if self.device not in DEVICES:
            raise ValidationError(
                message_key="error.device", params={"device": self.device, "allowed": ", ".join(DEVICES)}
            )
        check_int("beam_size", self.beam_size, 1, MAX_BEAM_SIZE)
        check_int("cpu_threads", self.cpu_threads, 0, 1024)
        _check_probability("no_speech_threshold", self.no_speech_threshold)
        if (
            isinstance(self.window_seconds, bool)
            or not isinstance(self.window_seconds, (int, float))
            or not (self.window_seconds == 0 or 1 <= self.window_seconds <= 30)
        ):
            raise ValidationError(message_key="error.window_seconds", params={"value": self.window_seconds})
        _check_language(self.language)
        _check_glossary(self.glossary)
        check_style_prompt(self.style_prompt)
        _check_loop_guards(self)
        for name in ("vad_filter", "word_timestamps"):
            if not isinstance(getattr(self, name), bool):
                raise ValidationError(
                    message_key="error.option_not_bool", params={"name": name, "value": getattr(self, name)}
                )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the glossary becomes a list."""
        data = asdict(self)
        data["glossary"] = list(self.glossary)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TranscribeOptions:
        """Build from stored or user-given settings; missing keys take the defaults."""
        if not isinstance(data, dict):
            raise ValidationError(message_key="error.transcribe_options_type", params={"type": type(data).__name__})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(
                message_key="error.transcribe_options_unknown",
                params={"unknown": ", ".join(map(repr, unknown)), "allowed": ", ".join(sorted(known))},
            )
        values = dict(data)
        if isinstance(values.get("glossary"), list):
            values["glossary"] = tuple(values["glossary"])
        return cls(**values)


def default_compute_type(engine: str) -> str:
    """What an engine runs when the user names no compute type (the options' default for a name
    that is no engine: checking the options then says so)."""
    try:
        return engine_kind(engine).default_compute_type
    except ValidationError:
        return TranscribeOptions.compute_type


def check_int(name: str, value: Any, low: int, high: int) -> None:
    # bool is an int in Python; True as a beam size is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            message_key="error.option_whole_number", params={"name": name, "low": low, "high": high, "value": value}
        )


def _check_probability(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValidationError(message_key="error.option_probability", params={"name": name, "value": value})


def _check_language(language: Any) -> None:
    if language is None:
        return
    if not isinstance(language, str) or language not in _language_codes():
        raise ValidationError(
            message_key="error.whisper_language",
            params={"language": language},
        )


def _check_glossary(glossary: Any) -> None:
    if not isinstance(glossary, tuple):
        raise ValidationError(message_key="error.glossary_type", params={"type": type(glossary).__name__})
    for term in glossary:
        if not isinstance(term, str) or not term.strip():
            raise ValidationError(message_key="error.glossary_term_empty", params={"term": term})
        if "\n" in term or len(term) > MAX_GLOSSARY_TERM_CHARS:
            raise ValidationError(
                message_key="error.glossary_term_long",
                params={"term": term[:40], "most": MAX_GLOSSARY_TERM_CHARS},
            )


def _check_loop_guards(options: TranscribeOptions) -> None:
    penalty = options.repetition_penalty
    if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or not 1.0 <= penalty <= 3.0:
        raise ValidationError(message_key="error.repetition_penalty", params={"value": penalty})
    check_int("no_repeat_ngram_size", options.no_repeat_ngram_size, 0, MAX_NO_REPEAT_NGRAM)
    rate = options.tokens_per_second
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not (rate == 0 or 1 <= rate <= 100):
        raise ValidationError(message_key="error.tokens_per_second", params={"value": rate})


def max_new_tokens(options: TranscribeOptions, seconds: float) -> int | None:
    """The decode's token limit for a window of ``seconds`` (None: Whisper's own)."""
    if not options.tokens_per_second:
        return None
    # At most MAX_NEW_TOKENS: with a full prompt (224 tokens and the start tokens) more would
    # pass Whisper's 448-token context, which faster-whisper refuses.
    return min(MAX_NEW_TOKENS, MIN_NEW_TOKENS + round(options.tokens_per_second * seconds))
