"""Recording QC: a project's rules (``QcRules``), what an import measured (``QcMeasures``) and
each rule a recording breaks (``QcFailure``: the rule, the measured value, the allowed range).

The rules' thresholds are rows of the ``qc`` group in ``project_settings`` (default, allowed
values, command-line option, form field); ``action`` says what an import does with a recording
that breaks one: refuse it (nothing of it is kept) or import it with the failures stored beside
it as flags. How the figures are measured (block by block, while the file is decoded):
``speechlabel.audio.qc_meter``.

Imports only ``errors``, ``project_settings`` and the catalogs' enum labels: ``models`` reads it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from speechlabel.core import project_settings
from speechlabel.core.choices import parse_choice
from speechlabel.core.errors import LocalizedParam, Phrase, ValidationError
from speechlabel.i18n.labels import labeled

_RULES = project_settings.by_name(project_settings.QC)


@labeled("qc_action")
class QcAction(str, enum.Enum):
    """What an import does with a recording that breaks a rule."""

    FLAG = "flag"  # import it; its failures are kept and shown beside it
    REFUSE = "refuse"  # refuse it, naming each failure; nothing of it is kept

    @classmethod
    def parse(cls, value: object) -> QcAction:
        return parse_choice(cls, value, message_key="error.qc_action")


@dataclass(frozen=True)
class QcRules:
    """Per project: the limits a recording's measures must keep (None: that limit is off) and
    what an import does with one that does not. The defaults pass a clean recording (all the
    real speech in the shared test folder does): some speech, a peak above -40 dBFS, energy
    above 4 kHz (not an upsampled 8 kHz recording) and channels within 10 dB of each other."""

    leading_silence_min: float | None = _RULES["leading_silence_min"].default
    leading_silence_max: float | None = _RULES["leading_silence_max"].default
    trailing_silence_min: float | None = _RULES["trailing_silence_min"].default
    trailing_silence_max: float | None = _RULES["trailing_silence_max"].default
    speech_min: float | None = _RULES["speech_min"].default
    speech_max: float | None = _RULES["speech_max"].default
    peak_min: float | None = _RULES["peak_min"].default
    peak_max: float | None = _RULES["peak_max"].default
    high_band_min: float | None = _RULES["high_band_min"].default
    imbalance_max: float | None = _RULES["imbalance_max"].default
    action: QcAction = QcAction.FLAG

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", QcAction.parse(self.action))

    def validate(self) -> QcRules:
        project_settings.check_all(self, project_settings.QC)
        for rule in RULES:
            lowest, highest = limits(self, rule)
            if lowest is not None and highest is not None and lowest > highest:
                params = {"rule": Phrase(rule.label_key), "low": lowest, "high": highest}
                raise ValidationError(message_key="error.qc_limits_crossed", params=params)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {**project_settings.stored(self, project_settings.QC), "action": self.action.value}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> QcRules:
        """NULL (projects from before migration 0016_qc) gives the defaults."""
        action = (values or {}).get("action", QcAction.FLAG.value)
        return cls(**project_settings.from_stored(values, project_settings.QC), action=action)


@dataclass(frozen=True)
class QcMeasures:
    """What an import measured of a recording. Silence is the time before the first and after
    the last 20 ms frame of speech (by energy); ``speech`` the time between them; ``high_band_db``
    the energy above 4 kHz against the whole (None for a file at 8 kHz or less, or silent);
    ``channel_rms_dbfs`` each channel's RMS level."""

    leading_silence: float
    trailing_silence: float
    speech: float
    peak_dbfs: float
    high_band_db: float | None
    channel_rms_dbfs: tuple[float, ...] = ()

    @property
    def imbalance_db(self) -> float | None:
        """The loudest channel's level minus the quietest's (None for one channel)."""
        levels = self.channel_rms_dbfs
        return round(max(levels) - min(levels), 2) if len(levels) > 1 else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "channel_rms_dbfs": list(self.channel_rms_dbfs)}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> QcMeasures:
        known = {f.name for f in fields(cls)}
        given = {key: value for key, value in values.items() if key in known}
        return cls(**{**given, "channel_rms_dbfs": tuple(given.get("channel_rms_dbfs") or ())})


@dataclass(frozen=True)
class QcRule:
    """One check: the measure (a ``QcMeasures`` attribute), the ``QcRules`` fields of its lower
    and upper limit ("" where it has none), and the catalog's words for it and its unit."""

    measure: str
    low: str
    high: str
    label_key: str
    unit_key: str


RULES: tuple[QcRule, ...] = (
    QcRule(
        "leading_silence",
        "leading_silence_min",
        "leading_silence_max",
        label_key="qc.rule.leading_silence",
        unit_key="qc.unit.s",
    ),
    QcRule(
        "trailing_silence",
        "trailing_silence_min",
        "trailing_silence_max",
        label_key="qc.rule.trailing_silence",
        unit_key="qc.unit.s",
    ),
    QcRule("speech", "speech_min", "speech_max", label_key="qc.rule.speech", unit_key="qc.unit.s"),
    QcRule("peak_dbfs", "peak_min", "peak_max", label_key="qc.rule.peak_dbfs", unit_key="qc.unit.dbfs"),
    QcRule("high_band_db", "high_band_min", "", label_key="qc.rule.high_band_db", unit_key="qc.unit.db"),
    QcRule("imbalance_db", "", "imbalance_max", label_key="qc.rule.imbalance_db", unit_key="qc.unit.db"),
)
RULE_BY_MEASURE: Mapping[str, QcRule] = {rule.measure: rule for rule in RULES}


def limits(rules: QcRules, rule: QcRule) -> tuple[float | None, float | None]:
    """``rule``'s lower and upper limit in ``rules`` (None: no limit that side)."""
    return (getattr(rules, rule.low) if rule.low else None, getattr(rules, rule.high) if rule.high else None)


@dataclass(frozen=True)
class QcFailure:
    """A rule a recording breaks: the measure (``rule``), its value and the allowed range (a
    None bound: no limit that side)."""

    rule: str
    measured: float
    low: float | None
    high: float | None

    @property
    def check(self) -> QcRule:
        return RULE_BY_MEASURE[self.rule]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> QcFailure:
        return cls(values["rule"], values["measured"], values.get("low"), values.get("high"))


@dataclass(frozen=True)
class RecordingQc:
    """A recording's measures and the rules it broke when imported (kept with it: its flags)."""

    measures: QcMeasures
    failures: tuple[QcFailure, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"measures": self.measures.to_dict(), "failures": [f.to_dict() for f in self.failures]}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> RecordingQc | None:
        if not values:
            return None
        failures = tuple(QcFailure.from_dict(f) for f in values.get("failures") or ())
        return cls(QcMeasures.from_dict(values["measures"]), failures)


class QcProblems(tuple, LocalizedParam):
    """``QcFailure``s as a message param: each says the rule, what was measured and what is
    allowed, in the reader's language; English when formatted."""

    def in_language(self, lang: object) -> str:
        from speechlabel.core.qc_text import failures_text  # here: it imports this module

        return failures_text(self, lang)


def check_rules(rules: QcRules, measures: QcMeasures) -> tuple[QcFailure, ...]:
    """Every rule ``measures`` break, in the rules' order (a measure that does not apply, such as
    the imbalance of one channel, breaks none)."""
    failures = []
    for rule in RULES:
        value = getattr(measures, rule.measure)
        low, high = limits(rules, rule)
        if value is None or (low is None and high is None):
            continue
        if (low is not None and value < low) or (high is not None and value > high):
            failures.append(QcFailure(rule.measure, value, low, high))
    return tuple(failures)
