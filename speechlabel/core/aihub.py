"""AI Hub label JSON: one file per utterance, as the Korean public command and free-conversation
speech sets ship their labels (the layout their builders' tools read: sections ``기본정보``,
``음성정보``, ``전사정보``, ``화자정보``, ``환경정보``, ``파일정보``, ``기타정보``). One mapping,
both ways (``aihub_label`` writes, ``read_aihub_label`` reads):

==========================  ==========================================================
AI Hub field                speechlabel
==========================  ==========================================================
전사정보.TransLabelText      the segment's text (export: the chosen text variant); also
전사정보.OrgLabelText        written; read when TransLabelText is absent (then LabelText)
화자정보.SpeakerName         the segment's speaker ("" when none)
화자정보.Gender              gender: "Female"/"Male"/"Other"/"NotProvided" (read also
                            여/여성/F, 남/남성/M)
화자정보.Age                 age group: child "0~12", teen "13~19", 20s "20~29", 30s
                            "30~39", 40s "40~49", 50s "50~59", 60s+ "60~", unknown
                            "NotProvided". Read: a range by its lower bound ("10~19" is
                            teen), a number of years, "20대", "60대 이상", 아동, 청소년
화자정보.Region, .Dialect    dialect/region (both written; read Dialect, else Region)
화자정보.NativeLanguage      native language (no AI Hub field: an extra key their readers skip)
환경정보.RecordingEnviron    environment
환경정보.RecordingDevice     device (read also ``RecordingDevices``)
파일정보.Distance            microphone distance: near/mid/far (read also 근거리/중거리/원거리)
파일정보.FileName            the clip's file name, beside the JSON
파일정보.FileLength          the clip's seconds
기본정보.Language            "KOR" for ko, "ENG" for en, else the project's code
==========================  ==========================================================

"NotProvided", "NotProvidied" (sic, in public samples), "N/A" and "" read as unset. A value
the mapping does not know is left unset and reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from speechlabel.core.errors import ValidationError
from speechlabel.core.metadata import AgeGroup, Gender, MicDistance, RecordingMetadata, SpeakerMetadata, free_text

NOT_PROVIDED = "NotProvided"
_UNSET = {"", "notprovided", "notprovidied", "n/a", "na", "none", "unknown", "미상"}
_GENDER_OUT = {Gender.FEMALE: "Female", Gender.MALE: "Male", Gender.OTHER: "Other", Gender.UNKNOWN: NOT_PROVIDED}
_GENDER_IN = {"female": Gender.FEMALE, "f": Gender.FEMALE, "여": Gender.FEMALE, "여성": Gender.FEMALE}
_GENDER_IN |= {"male": Gender.MALE, "m": Gender.MALE, "남": Gender.MALE, "남성": Gender.MALE, "other": Gender.OTHER}
_AGE_OUT = {
    AgeGroup.CHILD: "0~12",
    AgeGroup.TEEN: "13~19",
    AgeGroup.TWENTIES: "20~29",
    AgeGroup.THIRTIES: "30~39",
    AgeGroup.FORTIES: "40~49",
    AgeGroup.FIFTIES: "50~59",
    AgeGroup.SIXTIES_PLUS: "60~",
    AgeGroup.UNKNOWN: NOT_PROVIDED,
}
_AGE_WORDS = {"아동": AgeGroup.CHILD, "어린이": AgeGroup.CHILD, "child": AgeGroup.CHILD, "청소년": AgeGroup.TEEN}
_DISTANCE_IN = {"근거리": MicDistance.NEAR, "중거리": MicDistance.MID, "원거리": MicDistance.FAR}
_LANGUAGES = {"ko": "KOR", "en": "ENG"}
_FIRST_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class AihubUtterance:
    """What one label JSON says, in speechlabel's terms."""

    text: str
    file_name: str | None
    seconds: float | None
    speaker: str | None
    speaker_metadata: SpeakerMetadata
    recording_metadata: RecordingMetadata
    problems: tuple[str, ...] = field(default=())
    """Values the mapping did not know (left unset)."""


def aihub_label(
    text: str,
    file_name: str,
    seconds: float,
    speaker: str | None,
    language: str | None,
    speaker_metadata: SpeakerMetadata,
    recording_metadata: RecordingMetadata,
    sampling_rate: int,
) -> dict[str, Any]:
    """The label JSON of one exported clip."""
    person, place = speaker_metadata, recording_metadata
    dialect = person.dialect or NOT_PROVIDED
    return {
        "기본정보": {
            "Language": _LANGUAGES.get(language or "", language or NOT_PROVIDED),
            "NumberOfSpeaker": "1",
            "Distributor": "speechlabel",
        },
        "음성정보": {"SamplingRate": str(sampling_rate), "NumberOfBit": "16", "NumberOfChannel": "1"},
        "전사정보": {"OrgLabelText": text, "TransLabelText": text},
        "화자정보": {
            "SpeakerName": speaker or "",
            "Gender": _GENDER_OUT[person.gender] if person.gender else NOT_PROVIDED,
            "Age": _AGE_OUT[person.age_group] if person.age_group else NOT_PROVIDED,
            "Region": dialect,
            "Dialect": dialect,
            "NativeLanguage": person.native_language or NOT_PROVIDED,
        },
        "환경정보": {
            "RecordingEnviron": place.environment or NOT_PROVIDED,
            "RecordingDevice": place.device or NOT_PROVIDED,
        },
        "파일정보": {
            "FileName": file_name,
            "FileLength": round(seconds, 3),
            "FileFormat": "WAV",
            "Distance": place.mic_distance.value if place.mic_distance else NOT_PROVIDED,
        },
        "기타정보": {"SpeechStart": 0.0, "SpeechEnd": round(seconds, 3)},
    }


def read_aihub_label(label: dict[str, Any]) -> AihubUtterance:
    """One label JSON (as ``json.load`` gives it) in speechlabel's terms."""
    transcript, person, place, file = (
        _section(label, name) for name in ("전사정보", "화자정보", "환경정보", "파일정보")
    )
    problems: list[str] = []
    text = _first(transcript, "TransLabelText", "OrgLabelText", "LabelText") or ""
    speaker_metadata = SpeakerMetadata(
        gender=_mapped(person.get("Gender"), _gender, "Gender", problems),
        age_group=_mapped(person.get("Age"), _age_group, "Age", problems),
        dialect=_free(_first(person, "Dialect") or _first(person, "Region"), "dialect", problems),
        native_language=_free(_first(person, "NativeLanguage"), "native_language", problems),
    )
    recording_metadata = RecordingMetadata(
        environment=_free(_first(place, "RecordingEnviron"), "environment", problems),
        device=_free(_first(place, "RecordingDevice", "RecordingDevices"), "device", problems),
        mic_distance=_mapped(file.get("Distance"), _distance, "Distance", problems),
    )
    return AihubUtterance(
        text=str(text),
        file_name=_first(file, "FileName"),
        seconds=_seconds(file.get("FileLength")),
        speaker=_first(person, "SpeakerName"),
        speaker_metadata=speaker_metadata,
        recording_metadata=recording_metadata,
        problems=tuple(problems),
    )


def is_aihub_label(label: object) -> bool:
    return isinstance(label, dict) and isinstance(label.get("전사정보"), dict)


def _section(label: dict[str, Any], name: str) -> dict[str, Any]:
    value = label.get(name)
    return value if isinstance(value, dict) else {}


def _first(section: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = section.get(key)
        if value is not None and str(value).strip().lower() not in _UNSET:
            return str(value).strip()
    return None


def _mapped(value: object, read, name: str, problems: list[str]):
    if value is None or str(value).strip().lower() in _UNSET:
        return None
    found = read(str(value).strip())
    if found is None:
        problems.append(f"{name} {str(value)!r} is not a value this mapping knows; left unset")
    return found


def _free(value: str | None, name: str, problems: list[str]) -> str | None:
    try:
        return free_text(value, name)
    except ValidationError:  # too long, or with control characters
        problems.append(f"{name} {(value or '')[:40]!r} is too long or holds control characters; left unset")
        return None


def _gender(value: str) -> Gender | None:
    return _GENDER_IN.get(value.lower())


def _age_group(value: str) -> AgeGroup | None:
    if value.lower() in _AGE_WORDS:
        return _AGE_WORDS[value.lower()]
    number = _FIRST_NUMBER.search(value)
    if number is None:
        return None
    years = int(number.group())
    if years < 13:
        return AgeGroup.TEEN if years == 10 and "~" in value else AgeGroup.CHILD  # "10~19" is the teen bracket
    if years < 20:
        return AgeGroup.TEEN
    return AgeGroup.SIXTIES_PLUS if years >= 60 else AgeGroup(f"{years // 10 * 10}s")


def _distance(value: str) -> MicDistance | None:
    if value in _DISTANCE_IN:
        return _DISTANCE_IN[value]
    try:
        return MicDistance(value.lower())
    except ValueError:
        return None


def _seconds(value: object) -> float | None:
    try:
        seconds = float(str(value))
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None
