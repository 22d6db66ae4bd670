"""Tag schemes: which tags a transcript may carry, what they mean, and how they are written.

A scheme is data, checked once when it is built (built-in or loaded from a lead's file), so the
linter, the text variants and the converter can trust it. Tags are written in one of five forms:

- ``x/``       TOKEN: one ASCII letter and a slash, a word of its own (KsponSpeech ``n/``).
- ``+``        SUFFIX mark: one character after a word (``word+`` repetition, ``word/`` filler).
- ``%``        PREFIX mark: one character before a word (``%um``: LDC-style filler).
- ``(XX:)``    CODE: an upper-case code in parentheses, with or without words (``(FP:음)``).
- ``[x]`` ``<x>``  BRACKET: a name in brackets, a word of its own (``[noise]``).

Dual transcription ``(spelling)/(pronunciation)`` is a property of the scheme, not a tag.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from functools import cached_property

from speechlabel.conventions.hotkeys import check_hotkeys, normalize_hotkey
from speechlabel.core.errors import Phrase, ValidationError


class TagForm(str, enum.Enum):
    TOKEN = "token"
    SUFFIX = "suffix"
    PREFIX = "prefix"
    CODE = "code"
    BRACKET = "bracket"


class TagKind(str, enum.Enum):
    """What a tag stands for. Kinds, not spellings, are what schemes have in common: the
    converter maps KsponSpeech ``n/`` to AI Hub ``(NO:)`` because both are NOISE."""

    NOISE = "noise"
    SPEAKER_NOISE = "speaker-noise"
    BREATH = "breath"
    LAUGHTER = "laughter"
    COUGH = "cough"
    MUSIC = "music"
    OVERLAP = "overlap"
    SILENCE = "silence"
    OTHER = "other"
    UNINTELLIGIBLE = "unintelligible"
    FILLER = "filler"
    REPETITION = "repetition"
    UNCERTAIN = "uncertain"

    @property
    def marks_words(self) -> bool:
        """Filler, repetition and uncertain tags say something about spoken words."""
        return self in _WORD_KINDS

    @property
    def disfluent(self) -> bool:
        """Removed, with their words, from the fluent text variant."""
        return self in (TagKind.FILLER, TagKind.REPETITION)


_WORD_KINDS = frozenset({TagKind.FILLER, TagKind.REPETITION, TagKind.UNCERTAIN})

# A narrower event that a scheme lacks is written as the broader one (breath -> speaker noise
# -> noise); the converter reports it as an approximation.
BROADER: dict[TagKind, TagKind] = {
    TagKind.BREATH: TagKind.SPEAKER_NOISE,
    TagKind.LAUGHTER: TagKind.SPEAKER_NOISE,
    TagKind.COUGH: TagKind.SPEAKER_NOISE,
    TagKind.SPEAKER_NOISE: TagKind.NOISE,
    TagKind.MUSIC: TagKind.NOISE,
}


class Content(str, enum.Enum):
    """Whether a CODE tag holds words: ``(NO:)`` never, ``(FP:음)`` always, ``(SP:…)`` may."""

    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


class DigitRule(str, enum.Enum):
    """Where digits may be written.

    ANYWHERE: digits are ordinary characters (English). PRONUNCIATION_SPELLED: the pronunciation
    side of a dual transcription says the number in words; elsewhere digits are fine.
    SPELLING_SIDE_ONLY: KsponSpeech: a number is always a dual transcription ``(70%)/(칠십 퍼센트)``.
    """

    ANYWHERE = "anywhere"
    PRONUNCIATION_SPELLED = "pronunciation-spelled"
    SPELLING_SIDE_ONLY = "spelling-side-only"


class NumberStyle(str, enum.Enum):
    """How a draft (``draft_style``) writes the numbers Whisper gives as digits.

    KEEP: as written (``70%``). READ: the Korean reading alone (``칠십 퍼센트``). DUAL: a proposed
    dual transcription ``(70%)/(칠십 퍼센트)`` the labeler confirms. A scheme that names none gets
    the one its ``digits`` rule implies (``TagScheme.draft_numbers``).
    """

    KEEP = "keep"
    READ = "read"
    DUAL = "dual"


MARK_CHARACTERS = "+/*%~#@^&="  # not , . ? ! which end sentences
SENTENCE_PUNCTUATION = ",.?!"
_TOKEN = re.compile(r"[A-Za-z]/")
_CODE = re.compile(r"\(([A-Z]{2,4}):\)")
_BRACKET = re.compile(r"\[[\w-]+(?: [\w-]+)*\]|<[\w-]+>")
FORM_HELP = Phrase("phrase.tag_forms")  # its text lists MARK_CHARACTERS (tests/test_i18n_raise_sites.py)


def infer_form(text: str, declared: TagForm | None) -> TagForm:
    """The form ``text`` is written in; raises ValidationError when it fits none."""
    if _TOKEN.fullmatch(text):
        found = TagForm.TOKEN
    elif _CODE.fullmatch(text):
        found = TagForm.CODE
    elif _BRACKET.fullmatch(text):
        found = TagForm.BRACKET
    elif len(text) == 1 and text in MARK_CHARACTERS:
        found = declared if declared in (TagForm.SUFFIX, TagForm.PREFIX) else TagForm.SUFFIX
    else:
        raise ValidationError(message_key="error.tag_form_unknown", params={"text": text, "help": FORM_HELP})
    if declared is not None and declared != found:
        raise ValidationError(
            message_key="error.tag_form_declared",
            params={"text": text, "found": found.value, "declared": declared.value},
        )
    return found


@dataclass(frozen=True)
class Tag:
    """One tag of a scheme. ``text`` is how it is written (for CODE tags without words:
    ``(FP:)``); ``hotkey`` like ``Alt+N``; ``time_ranged`` when the event lasts (music) rather
    than happens at a point; ``at_start`` when it may only come before the first word (``o/``)."""

    text: str
    kind: TagKind
    meaning: str = ""
    hotkey: str | None = None
    time_ranged: bool = False
    at_start: bool = False
    content: Content | None = None  # CODE tags only; default from the kind
    form: TagForm | None = None  # inferred from ``text``; give it only for PREFIX marks

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text:
            raise ValidationError(message_key="error.tag_no_text")
        object.__setattr__(self, "kind", _enum(TagKind, self.kind, message_key="error.tag_kind", tag=self.text))
        declared = _enum(TagForm, self.form, message_key="error.tag_form", tag=self.text) if self.form else None
        form = infer_form(self.text, declared)
        object.__setattr__(self, "form", form)
        object.__setattr__(self, "content", self._checked_content())
        if self.hotkey is not None:
            object.__setattr__(self, "hotkey", normalize_hotkey(self.hotkey))
        word_form = form in (TagForm.SUFFIX, TagForm.PREFIX)
        if word_form and not self.kind.marks_words:
            raise ValidationError(
                message_key="error.tag_mark_kind", params={"text": self.text, "kind": self.kind.value}
            )
        if form in (TagForm.TOKEN, TagForm.BRACKET) and self.kind.marks_words:
            raise ValidationError(
                message_key="error.tag_alone_kind", params={"text": self.text, "kind": self.kind.value}
            )

    def _checked_content(self) -> Content | None:
        if self.form != TagForm.CODE:
            if self.content not in (None, Content.NONE, "none"):
                raise ValidationError(message_key="error.tag_content_not_code", params={"text": self.text})
            return None
        if self.content is None:
            return Content.REQUIRED if self.kind.marks_words else Content.NONE
        content = _enum(Content, self.content, message_key="error.tag_content", tag=self.text)
        if self.kind.marks_words and content == Content.NONE:
            raise ValidationError(
                message_key="error.tag_content_none", params={"text": self.text, "kind": self.kind.value}
            )
        return content

    @property
    def code(self) -> str | None:
        """``FP`` for ``(FP:)``; None for other forms."""
        return self.text[1:-2] if self.form == TagForm.CODE else None


DEFAULT_WORD_CHARACTERS = r"\w'’\-.,?!;:\"&%$@"


@dataclass(frozen=True)
class TagScheme:
    """A transcription convention. ``word_characters`` is the body of a regular-expression
    character class: the characters words may contain outside tags and dual transcriptions
    (digits are governed by ``digits`` as well). ``dual_hotkey`` inserts ``()/()``;
    ``accept_dual_hotkey`` accepts the next proposed dual transcription after the caret.

    What a draft marks as a filler (``draft_style``): a word of ``fillers`` wherever it stands
    alone; a word of ``pause_fillers`` (words that are also ordinary words, 그 "that", 뭐 "what")
    only before a comma or at the end. ``numbers``: how a draft writes digits (None: as ``digits``
    implies, see ``draft_numbers``)."""

    name: str
    tags: tuple[Tag, ...]
    title: str = ""
    language: str = ""
    dual_transcription: bool = False
    digits: DigitRule = DigitRule.ANYWHERE
    word_characters: str = DEFAULT_WORD_CHARACTERS
    dual_hotkey: str | None = None
    description: str = field(default="", compare=False)
    fillers: tuple[str, ...] = ()
    pause_fillers: tuple[str, ...] = ()
    numbers: NumberStyle | None = None
    accept_dual_hotkey: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z0-9][\w.-]{0,39}", self.name):
            raise ValidationError(message_key="error.scheme_name", params={"name": self.name})
        object.__setattr__(self, "tags", tuple(self.tags))
        object.__setattr__(self, "digits", _enum(DigitRule, self.digits, message_key="error.scheme_digits"))
        for name in ("dual_hotkey", "accept_dual_hotkey"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, normalize_hotkey(getattr(self, name)))
        if self.numbers is not None:
            object.__setattr__(self, "numbers", _enum(NumberStyle, self.numbers, message_key="error.scheme_numbers"))
        for name in ("fillers", "pause_fillers"):
            object.__setattr__(self, name, _checked_fillers(getattr(self, name)))
        if not self.tags:
            raise ValidationError(message_key="error.scheme_empty", params={"name": self.name})
        _check_unique_tags(self.tags)
        check_hotkeys(
            [(tag.text, tag.hotkey) for tag in self.tags]
            + [("()/()", self.dual_hotkey), (ACCEPT_DUAL, self.accept_dual_hotkey)]
        )
        _check_word_characters(self.word_characters)

    # --- lookups, computed once per scheme ---------------------------------------------------

    @cached_property
    def by_text(self) -> dict[str, Tag]:
        return {tag.text: tag for tag in self.tags}

    @cached_property
    def by_code(self) -> dict[str, Tag]:
        return {tag.code: tag for tag in self.tags if tag.code}

    @cached_property
    def suffix_marks(self) -> dict[str, Tag]:
        return {tag.text: tag for tag in self.tags if tag.form == TagForm.SUFFIX}

    @cached_property
    def prefix_marks(self) -> dict[str, Tag]:
        return {tag.text: tag for tag in self.tags if tag.form == TagForm.PREFIX}

    @cached_property
    def slash_joins_words(self) -> bool:
        """A slash between two words or numbers ("and/or", "50/50") is ordinary text: the scheme
        writes no tag or dual transcription with "/" (KsponSpeech's ``n/``, ``word/`` and
        ``(A)/(B)`` all do, so there a slash is always markup)."""
        return not self.dual_transcription and not any("/" in tag.text for tag in self.tags)

    @cached_property
    def token_letters(self) -> str:
        """The letters of the scheme's ``x/`` tags ("blnou" for KsponSpeech)."""
        return "".join(tag.text[0] for tag in self.tags if tag.form == TagForm.TOKEN)

    def tags_of(self, kind: TagKind) -> list[Tag]:
        return [tag for tag in self.tags if tag.kind == kind]

    @property
    def draft_numbers(self) -> NumberStyle:
        """``numbers``, or what ``digits`` implies: a dual transcription where the scheme writes
        numbers in one (KsponSpeech always, AI Hub for the pronunciation side), digits elsewhere."""
        if self.numbers is not None:
            return self.numbers
        if self.dual_transcription and self.digits != DigitRule.ANYWHERE:
            return NumberStyle.DUAL
        return NumberStyle.KEEP


# The label page's pseudo tag for ``accept_dual_hotkey`` (projects.conventions.insert_at_caret).
ACCEPT_DUAL = "(…)/(…) ✓"


def _checked_fillers(words) -> tuple[str, ...]:
    """Filler words: each one word (no spaces, no brackets), so a draft can find it alone."""
    if isinstance(words, str) or not all(isinstance(word, str) and word for word in words):
        raise ValidationError(message_key="error.scheme_fillers", params={"value": words})
    checked = tuple(words)
    for word in checked:
        if word.split() != [word] or any(char in "()[]<>" for char in word):
            raise ValidationError(message_key="error.scheme_fillers", params={"value": word})
    return checked


def _check_unique_tags(tags: tuple[Tag, ...]) -> None:
    seen: dict[str, int] = {}
    for number, tag in enumerate(tags, start=1):
        if not isinstance(tag, Tag):
            raise ValidationError(
                message_key="error.tag_not_tag", params={"number": number, "type": type(tag).__name__}
            )
        key = tag.text.casefold() if tag.form == TagForm.BRACKET else tag.text
        if key in seen:
            raise ValidationError(
                message_key="error.tag_twice", params={"text": tag.text, "first": seen[key], "number": number}
            )
        seen[key] = number


def _check_word_characters(body: str) -> None:
    if not isinstance(body, str) or not body:
        raise ValidationError(message_key="error.word_characters_empty")
    if _unescaped_bracket(body):
        # A bare ] would close the class and let the rest be any pattern (one that backtracks
        # for seconds per line, or one that matches everything and turns the linter off).
        raise ValidationError(message_key="error.word_characters_bracket", params={"body": body})
    try:
        allowed = re.compile(f"[{body}]")
    except re.error as error:
        raise ValidationError(
            message_key="error.word_characters_invalid", params={"body": body, "error": error}
        ) from None
    structural = [char for char in "()[]<> " if allowed.match(char)]
    if structural:
        raise ValidationError(
            message_key="error.word_characters_structural", params={"body": body, "characters": "".join(structural)}
        )


def _unescaped_bracket(body: str) -> bool:
    escaped = False
    for char in body:
        if char == "]" and not escaped:
            return True
        escaped = char == "\\" and not escaped
    return False


def _enum(cls, value, message_key: str, tag: str | None = None):
    """``value`` as a member of ``cls``; a clear error listing the allowed values otherwise
    (``message_key``: the message naming what was checked, of the tag ``tag`` or of the scheme)."""
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(member.value for member in cls)
        raise ValidationError(
            message_key=message_key, params={"tag": tag, "value": value, "allowed": allowed}
        ) from None
