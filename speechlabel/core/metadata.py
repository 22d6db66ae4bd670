"""Speaker and recording metadata: who spoke (gender, age group, dialect/region, native language)
and how it was recorded (environment, device, microphone distance). Every field is optional.

Closed sets where the consumers need them comparable: gender, age group and microphone distance
are choices (``parse_choice``: trimmed, any case). The age groups are the brackets AI Hub's Korean
speech sets report (아동, 청소년, then decades 20대 … 60대 이상; ranges such as "20~29"), so each
maps to one AI Hub value and back (``core/aihub.py``):

    child → "0~12" (아동), teen → "13~19" (청소년), 20s → "20~29" (20대), 30s, 40s, 50s alike,
    60s+ → "60~" (60대 이상), unknown → "NotProvided" (미상)

Environment, device, dialect/region and native language are free text (up to 100 characters, no
control characters): sites name their own rooms, lines and microphones ("press line 3", "ReSpeaker
4-mic"), and AI Hub's sets do not share one list of places or regions, so a fixed list would
either refuse real values or force a lossy choice. ``ENVIRONMENT_SUGGESTIONS`` are what the page
offers first.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, fields

from speechlabel.core.choices import parse_choice
from speechlabel.core.control_chars import has_controls
from speechlabel.core.errors import Phrase, ValidationError
from speechlabel.i18n.labels import labeled

MAX_TEXT = 100
ENVIRONMENT_SUGGESTIONS = ("quiet indoor", "office", "home", "factory", "vehicle", "outdoor", "public place")


@labeled("gender")
class Gender(str, enum.Enum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@labeled("age_group")
class AgeGroup(str, enum.Enum):
    CHILD = "child"
    TEEN = "teen"
    TWENTIES = "20s"
    THIRTIES = "30s"
    FORTIES = "40s"
    FIFTIES = "50s"
    SIXTIES_PLUS = "60s+"
    UNKNOWN = "unknown"


@labeled("mic_distance")
class MicDistance(str, enum.Enum):
    """Near: under 0.5 m (headset, handheld); mid: 0.5-2 m (a device on the desk); far: beyond."""

    NEAR = "near"
    MID = "mid"
    FAR = "far"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SpeakerMetadata:
    gender: Gender | None = None
    age_group: AgeGroup | None = None
    dialect: str | None = None
    """Dialect or region, as the project names it ("경상", "Seoul")."""
    native_language: str | None = None

    @classmethod
    def from_text(
        cls,
        gender: object = None,
        age_group: object = None,
        dialect: object = None,
        native_language: object = None,
    ) -> SpeakerMetadata:
        """From text (a form, the command line, a stored row): empty or None leaves a field unset;
        anything else not allowed is a ValidationError saying what is."""
        return cls(
            gender=_choice(Gender, gender, message_key="error.speaker_gender"),
            age_group=_choice(AgeGroup, age_group, message_key="error.speaker_age_group"),
            dialect=free_text(dialect, "dialect"),
            native_language=free_text(native_language, "native_language"),
        )

    def values(self) -> dict[str, str]:
        """The fields that are set, as plain strings (the export columns' values)."""
        return _set_values(self)


@dataclass(frozen=True)
class RecordingMetadata:
    environment: str | None = None
    device: str | None = None
    mic_distance: MicDistance | None = None

    @classmethod
    def from_text(
        cls, environment: object = None, device: object = None, mic_distance: object = None
    ) -> RecordingMetadata:
        return cls(
            environment=free_text(environment, "environment"),
            device=free_text(device, "device"),
            mic_distance=_choice(MicDistance, mic_distance, message_key="error.mic_distance"),
        )

    def values(self) -> dict[str, str]:
        return _set_values(self)


SPEAKER_FIELDS = tuple(f.name for f in fields(SpeakerMetadata))
RECORDING_FIELDS = tuple(f.name for f in fields(RecordingMetadata))
METADATA_FIELDS = SPEAKER_FIELDS + RECORDING_FIELDS
"""Every metadata column the exports write, in their order."""


def _choice(kind: type[enum.Enum], value: object, *, message_key: str):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_choice(kind, value, message_key)


def free_text(value: object, field: str) -> str | None:
    """A free-text field: trimmed; empty is unset; at most ``MAX_TEXT`` characters, no control
    characters (they would break one-line exports)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) > MAX_TEXT or has_controls(text):
        raise ValidationError(
            message_key="error.metadata_text",
            params={"field": Phrase(f"metadata.{field}"), "value": repr(text[:40]), "limit": MAX_TEXT},
        )
    return text


def _set_values(metadata: SpeakerMetadata | RecordingMetadata) -> dict[str, str]:
    return {
        name: value.value if isinstance(value, enum.Enum) else value
        for name, value in asdict(metadata).items()
        if value is not None
    }
