"""Project settings, declared once: one ``ProjectSetting`` row per setting says its name, type,
default, allowed values (and its refusal), its command-line option and its form field.

Read by the settings dataclasses in ``models`` (their defaults, ``validate``, and the JSON the
store keeps: ``stored`` / ``from_stored``), by the command line (``settings_arguments``: the
options of ``speechlabel project settings`` and reading them back) and by the pages
(``views.forms.setting_fields``: the Users page's assignment form, the Dashboard's review
policy). Adding a setting to one of these groups is one row here, a field in its dataclass, and
its texts in the catalogs (form label, refusal).

In the table: the assignment settings (how work is handed out), the review settings (the
review sample and the quality policy) and the limits of the recording checks (``core.qc``;
their refuse-or-flag choice is a field of QcRules beside them, not a row). Not yet: the label
settings (speakers, tags, low-confidence threshold), the convention settings (tag scheme,
blocking submits) and the create-time engine and segmentation options, whose values are lists,
files and choices that this table's scalar rows do not describe.

Imports only ``errors``: ``models`` reads it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from speechlabel.core.errors import ValidationError

# The largest batch one claim may take; more is a reassignment, not a batch.
MAX_BATCH = 500


@dataclass(frozen=True)
class FormField:
    """How a page asks for a setting: a number box or a slider from ``low`` to ``high`` (None:
    the setting's own bounds) in ``step``s, labelled by the catalog's ``label_key``. An optional
    setting is off (None) when the checkbox labelled ``off_toggle_key`` is cleared, or, without
    such a checkbox, when the widget is set to ``off_value``; while it is off the widget shows
    ``off_value``."""

    widget: str  # "number" | "slider"
    label_key: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    off_toggle_key: str | None = None
    off_value: float | None = None


@dataclass(frozen=True)
class CliOption:
    """The setting's option of ``speechlabel project settings``: ``flag``, its English ``help``
    (``{default}`` is filled with the default), and for an optional setting the value that
    switches it off (``off``: a number of the setting's type, or a word such as "none")."""

    flag: str
    help: str
    off: int | float | str | None = None


@dataclass(frozen=True)
class ProjectSetting:
    """One setting. ``kind`` int takes whole numbers only; float takes any real number (ints
    too); neither takes True/False. Allowed: ``low`` to ``high`` inclusive (``high`` None: no
    upper bound), or None when ``optional``. A refused value raises ValidationError with
    ``error_key``, whose catalog entry is filled with ``value`` (the repr) and ``refusal_params``."""

    # the settings dataclass: "assignment" (AssignmentSettings), "review" (ReviewSettings), "qc" (QcRules)
    group: str
    name: str  # the dataclass field, the stored JSON key
    kind: type
    # Of ``kind`` (None only when optional); Any so that the settings dataclasses take it as their
    # fields' defaults (tests/test_project_settings_table.py checks each default is allowed).
    default: Any
    low: float
    high: float | None
    error_key: str
    cli: CliOption
    form: FormField
    optional: bool = False
    refusal_params: Mapping[str, Any] = field(default_factory=dict)

    def check(self, value: object) -> None:
        """ValidationError unless ``value`` is allowed (NaN never is)."""
        if value is None and self.optional:
            return
        high = math.inf if self.high is None else self.high
        allowed = (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and (self.kind is not int or isinstance(value, int))
            and self.low <= value <= high
        )
        if not allowed:
            params = {"value": repr(value), **self.refusal_params}
            raise ValidationError(message_key=self.error_key, params=params)


def _share(
    group: str,
    name: str,
    default: float | None,
    *,
    error_key: str,
    cli: CliOption,
    form: FormField,
    optional: bool = False,
) -> ProjectSetting:
    """A share: a number from 0 to 1."""
    return ProjectSetting(group, name, float, default, 0.0, 1.0, error_key, cli, form, optional)


ASSIGNMENT = "assignment"
REVIEW = "review"
QC = "qc"


def _qc_limit(
    name: str, default: float | None, low: float, high: float, *, flag: str, help: str, form: FormField
) -> ProjectSetting:
    """A limit of the recording checks (QcRules): optional, off with "none" on the command line
    and, on the form, at ``form.off_value`` (a value that would let every recording through)."""
    cli = CliOption(flag, help + "; 'none' for no limit (default {default})", off="none")
    params = {"setting": flag, "low": low, "high": high}
    return ProjectSetting(
        QC,
        name,
        float,
        default,
        low,
        high,
        error_key="error.qc_limit",
        cli=cli,
        form=form,
        optional=True,
        refusal_params=params,
    )


def _seconds_field(label_key: str) -> FormField:
    return FormField("number", label_key=label_key, low=0.0, high=_MOST_SECONDS, step=0.05, off_value=0.0)


# Silence and speech limits up to the longest import (4 h); a maximum is more than 0 s (0 on
# the form switches it off, as it does a minimum).
_MOST_SECONDS = 4 * 3600.0
_LEAST_MAXIMUM = 0.01

SETTINGS: tuple[ProjectSetting, ...] = (
    # --- how work is handed out (AssignmentSettings; the Users page) ---------------------------
    ProjectSetting(
        ASSIGNMENT,
        "batch_size",
        int,
        20,
        1,
        MAX_BATCH,
        error_key="error.batch_size",
        refusal_params={"most": MAX_BATCH},
        cli=CliOption("--batch-size", "segments per claim (default {default})"),
        form=FormField("number", label_key="users.batch_size"),
    ),
    ProjectSetting(
        ASSIGNMENT,
        "lease_minutes",
        float,
        30.0,
        1,
        7 * 24 * 60,
        error_key="error.lease_minutes",
        cli=CliOption(
            "--lease-minutes", "a lease returns to the pool after this long without a save (default {default:g})"
        ),
        form=FormField("number", label_key="users.lease_minutes"),
    ),
    ProjectSetting(
        ASSIGNMENT,
        "daily_quota",
        int,
        None,
        1,
        None,
        optional=True,
        error_key="error.daily_quota",
        cli=CliOption("--daily-quota", "segments one labeler may take per day; 0 for no cap", off=0),
        form=FormField("number", label_key="users.daily_quota", low=0, high=100_000, off_value=0),
    ),
    ProjectSetting(
        ASSIGNMENT,
        "double_share",
        float,
        0.0,
        0.0,
        1.0,
        error_key="error.double_share",
        cli=CliOption(
            "--double-share",
            "share of segments (0 to 1) a second labeler also transcribes, independently (default {default:g})",
        ),
        form=FormField("slider", label_key="users.double_share", step=0.05),
    ),
    ProjectSetting(
        ASSIGNMENT,
        "from_scratch_share",
        float,
        0.02,
        0.0,
        1.0,
        error_key="error.from_scratch_share",
        cli=CliOption(
            "--from-scratch-share",
            "share of segments (0 to 1) labeled without the draft, the measured baseline (default {default:g})",
        ),
        form=FormField("slider", label_key="users.from_scratch_share", step=0.01),
    ),
    # --- the review sample and the quality policy (ReviewSettings; the Dashboard page) ---------
    _share(
        REVIEW,
        "sample_share",
        0.1,
        error_key="error.sample_share",
        cli=CliOption(
            "--sample-share",
            "share (0 to 1) of each labeler's work the sample review order draws (default {default:g})",
        ),
        form=FormField("slider", label_key="dashboard.sample_share", step=0.05),
    ),
    _share(
        REVIEW,
        "defect_threshold",
        None,
        error_key="error.defect_threshold",
        cli=CliOption(
            "--defect-threshold",
            "flag a labeler whose rejected/reviewed share exceeds X (0 to 1); 'none' for no quality policy",
            off="none",
        ),
        form=FormField(
            "slider", label_key="dashboard.threshold", step=0.01, off_toggle_key="dashboard.use_policy", off_value=0.1
        ),
        optional=True,
    ),
    ProjectSetting(
        REVIEW,
        "min_reviews",
        int,
        20,
        1,
        10_000,
        error_key="error.min_reviews",
        cli=CliOption("--min-reviews", "reviews of a labeler before the threshold applies (default {default})"),
        form=FormField("number", label_key="dashboard.min_reviews"),
    ),
    _share(
        REVIEW,
        "flagged_share",
        0.5,
        error_key="error.flagged_share",
        cli=CliOption("--flagged-share", "share of a flagged labeler's work the sample draws (default {default:g})"),
        form=FormField("slider", label_key="dashboard.flagged_share", step=0.05),
    ),
    # --- the recording checks an import runs (QcRules; the Projects page) ---------------------
    _qc_limit(
        "leading_silence_min",
        None,
        0.0,
        _MOST_SECONDS,
        flag="--qc-leading-silence-min",
        help="seconds of silence a recording must start with, e.g. 0.3",
        form=_seconds_field(label_key="qc.field.leading_silence_min"),
    ),
    _qc_limit(
        "leading_silence_max",
        None,
        _LEAST_MAXIMUM,
        _MOST_SECONDS,
        flag="--qc-leading-silence-max",
        help="seconds of silence a recording may start with at most",
        form=_seconds_field(label_key="qc.field.leading_silence_max"),
    ),
    _qc_limit(
        "trailing_silence_min",
        None,
        0.0,
        _MOST_SECONDS,
        flag="--qc-trailing-silence-min",
        help="seconds of silence a recording must end with, e.g. 0.3",
        form=_seconds_field(label_key="qc.field.trailing_silence_min"),
    ),
    _qc_limit(
        "trailing_silence_max",
        None,
        _LEAST_MAXIMUM,
        _MOST_SECONDS,
        flag="--qc-trailing-silence-max",
        help="seconds of silence a recording may end with at most",
        form=_seconds_field(label_key="qc.field.trailing_silence_max"),
    ),
    _qc_limit(
        "speech_min",
        0.1,
        0.0,
        _MOST_SECONDS,
        flag="--qc-speech-min",
        help="seconds from the first to the last speech a recording must hold at least",
        form=_seconds_field(label_key="qc.field.speech_min"),
    ),
    _qc_limit(
        "speech_max",
        None,
        _LEAST_MAXIMUM,
        _MOST_SECONDS,
        flag="--qc-speech-max",
        help="seconds from the first to the last speech a recording may hold at most",
        form=_seconds_field(label_key="qc.field.speech_max"),
    ),
    _qc_limit(
        "peak_min",
        -40.0,
        -120.0,
        0.0,
        flag="--qc-peak-min",
        help="lowest peak level allowed, dBFS",
        form=FormField("number", label_key="qc.field.peak_min", step=1.0, off_value=-120.0),
    ),
    _qc_limit(
        "peak_max",
        None,
        -120.0,
        0.0,
        flag="--qc-peak-max",
        help="highest peak level allowed, dBFS, e.g. -1",
        form=FormField("number", label_key="qc.field.peak_max", step=0.5, off_value=0.0),
    ),
    _qc_limit(
        "high_band_min",
        -50.0,
        -120.0,
        0.0,
        flag="--qc-high-band-min",
        help="least energy above 4 kHz against the whole, dB (an 8 kHz recording upsampled has none)",
        form=FormField("number", label_key="qc.field.high_band_min", step=1.0, off_value=-120.0),
    ),
    _qc_limit(
        "imbalance_max",
        10.0,
        0.0,
        120.0,
        flag="--qc-imbalance-max",
        help="largest level difference between channels, dB",
        form=FormField("number", label_key="qc.field.imbalance_max", step=0.5, off_value=120.0),
    ),
)


def group(name: str) -> tuple[ProjectSetting, ...]:
    """The rows of one group, in the table's order (the dataclass's field order)."""
    return tuple(setting for setting in SETTINGS if setting.group == name)


def by_name(name: str) -> Mapping[str, ProjectSetting]:
    """One group's rows by setting name."""
    return MappingProxyType({setting.name: setting for setting in group(name)})


def check_all(settings: object, name: str) -> None:
    """Refuse the first setting of the group that is not allowed, in the table's order."""
    for setting in group(name):
        setting.check(getattr(settings, setting.name))


def stored(settings: object, name: str) -> dict[str, Any]:
    """The group's values as the store keeps them (a JSON object: name -> value)."""
    return {setting.name: getattr(settings, setting.name) for setting in group(name)}


def from_stored(values: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    """The stored values the group knows (NULL: projects from before its migration), for the
    dataclass; names it does not know are left out and missing ones take their defaults."""
    known = {setting.name for setting in group(name)}
    return {key: value for key, value in (values or {}).items() if key in known}
