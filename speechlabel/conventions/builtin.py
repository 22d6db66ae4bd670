"""The built-in schemes and how a scheme is named on the command line or in project settings.

- ``kspon``: KsponSpeech / ETRI rules, as ESPnet's ``egs2/ksponspeech/asr1/local/
  get_transcriptions.py`` reads them: ``b/ l/ n/ o/ u/``, ``word+``, ``word/``, ``word*`` and
  ``(spelling)/(pronunciation)``; numbers and foreign words only as dual transcriptions.
- ``aihub``: AI Hub conversational sets: ``(NO:)`` noise, ``(SN:)`` speaker noise, ``(FP:음)``
  filled pause, ``(SP:…)`` unclear speech (``(SP:)`` when nothing could be made out); dual
  transcriptions as in KsponSpeech, digits allowed outside them.
- ``generic``: English bracket tags ``[noise]`` ``[laughter]`` … and LDC-style ``%um`` fillers.
"""

from __future__ import annotations

from speechlabel.conventions.schemes import Content, DigitRule, Tag, TagForm, TagKind, TagScheme
from speechlabel.core.errors import ValidationError

HANGUL_SYLLABLES = "가-힣"
# Korean fillers a draft marks (TagScheme.fillers): always fillers when they stand alone, and
# those that are ordinary words too (그 "that", 뭐 "what", 이제 "now"), marked only before a pause.
KOREAN_FILLERS = ("어", "음", "아", "으", "에", "흠")
KOREAN_PAUSE_FILLERS = ("그", "뭐", "이제", "저", "막")

KSPON = TagScheme(
    name="kspon",
    title="KsponSpeech / ETRI",
    language="ko",
    dual_transcription=True,
    digits=DigitRule.SPELLING_SIDE_ONLY,
    word_characters=HANGUL_SYLLABLES + ".,?!",
    dual_hotkey="Alt+D",
    accept_dual_hotkey="Alt+A",
    fillers=KOREAN_FILLERS,
    pause_fillers=KOREAN_PAUSE_FILLERS,
    tags=(
        Tag("b/", TagKind.BREATH, "breath", hotkey="Alt+B"),
        Tag("l/", TagKind.LAUGHTER, "laughter", hotkey="Alt+L"),
        Tag("n/", TagKind.NOISE, "noise", hotkey="Alt+N"),
        Tag("o/", TagKind.OVERLAP, "other speaker or overlapping speech, at the start", hotkey="Alt+O", at_start=True),
        Tag("u/", TagKind.UNINTELLIGIBLE, "speech nobody could make out", hotkey="Alt+U"),
        Tag("/", TagKind.FILLER, "filler word", hotkey="Alt+/"),
        Tag("+", TagKind.REPETITION, "repeated or broken-off word", hotkey="Alt+="),
        Tag("*", TagKind.UNCERTAIN, "hard-to-hear word", hotkey="Alt+H"),  # hard to hear (Alt+1-9 choose speakers)
    ),
    description="KsponSpeech/ETRI transcription rules as parsed by ESPnet's KsponSpeech recipe.",
)

AIHUB = TagScheme(
    name="aihub",
    title="AI Hub conversational",
    language="ko",
    dual_transcription=True,
    digits=DigitRule.PRONUNCIATION_SPELLED,
    word_characters=HANGUL_SYLLABLES + r"A-Za-z0-9.,?!%'\-",
    dual_hotkey="Alt+D",
    accept_dual_hotkey="Alt+A",
    fillers=KOREAN_FILLERS,
    pause_fillers=KOREAN_PAUSE_FILLERS,
    tags=(
        Tag("(NO:)", TagKind.NOISE, "noise", hotkey="Alt+N"),
        Tag("(SN:)", TagKind.SPEAKER_NOISE, "speaker noise (breath, cough, laughter)", hotkey="Alt+S"),
        Tag("(FP:)", TagKind.FILLER, "filled pause: (FP:음)", hotkey="Alt+F"),
        Tag(
            "(SP:)",
            TagKind.UNCERTAIN,
            "unclear speech: (SP:words heard), (SP:) when none",
            hotkey="Alt+U",
            content=Content.OPTIONAL,
        ),
    ),
    description="AI Hub conversational speech tags.",
)

GENERIC_EN = TagScheme(
    name="generic",
    title="Generic English",
    language="en",
    fillers=("um", "uh", "er", "erm", "hmm", "mm"),
    tags=(
        Tag("[noise]", TagKind.NOISE, "noise", hotkey="Alt+N", time_ranged=True),
        Tag("[laughter]", TagKind.LAUGHTER, "laughter", hotkey="Alt+L", time_ranged=True),
        Tag("[cough]", TagKind.COUGH, "cough", hotkey="Alt+C"),
        Tag("[breath]", TagKind.BREATH, "breath", hotkey="Alt+B"),
        Tag("[music]", TagKind.MUSIC, "music", hotkey="Alt+M", time_ranged=True),
        Tag("[unintelligible]", TagKind.UNINTELLIGIBLE, "speech nobody could make out", hotkey="Alt+U"),
        Tag("[crosstalk]", TagKind.OVERLAP, "other speakers talking over", hotkey="Alt+O", time_ranged=True),
        Tag("[silence]", TagKind.SILENCE, "a long pause"),
        Tag("%", TagKind.FILLER, "filler word (%um)", hotkey="Alt+F", form=TagForm.PREFIX),
    ),
    description="Bracketed event tags and LDC-style %filler words.",
)

BUILTIN_SCHEMES: dict[str, TagScheme] = {scheme.name: scheme for scheme in (KSPON, AIHUB, GENERIC_EN)}


def builtin_scheme(name: str) -> TagScheme:
    try:
        return BUILTIN_SCHEMES[name]
    except (KeyError, TypeError):
        raise ValidationError(
            message_key="error.scheme_builtin_unknown", params={"name": name, "builtin": ", ".join(BUILTIN_SCHEMES)}
        ) from None
