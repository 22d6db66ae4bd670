"""The command-line options of the settings in ``project_settings``: one option per row, added and
read back from the table (``speechlabel project settings NAME --batch-size 10 ...``)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any, TypeVar

from speechlabel.core.models import AssignmentSettings, ReviewSettings
from speechlabel.core.project_settings import ProjectSetting, group
from speechlabel.core.qc import QcRules

Settings = TypeVar("Settings", AssignmentSettings, ReviewSettings, QcRules)


def add_setting_options(parser: argparse.ArgumentParser, name: str) -> None:
    """An option for each setting of the group ``name``. No defaults: None means "not given", so
    ``project settings`` changes only what is given (the help says the default)."""
    for setting in group(name):
        option = setting.cli
        extra: dict[str, Any] = {"type": setting.kind}
        if isinstance(option.off, str):
            extra = {"type": _number_or(setting, option.off), "metavar": f"X|{option.off}"}
        parser.add_argument(option.flag, help=option.help.format(default=setting.default), **extra)


def settings_from_args(args: argparse.Namespace, base: Settings, name: str) -> Settings:
    """``base`` with only the options given on the command line replaced; an optional setting's
    ``off`` value (quota 0, threshold "none") switches it off (None)."""
    changes: dict[str, Any] = {}
    for setting in group(name):
        value = getattr(args, _dest(setting))
        if value is None:
            continue
        changes[setting.name] = None if setting.optional and value == setting.cli.off else value
    return replace(base, **changes)


def _dest(setting: ProjectSetting) -> str:
    return setting.cli.flag.removeprefix("--").replace("-", "_")


def _number_or(setting: ProjectSetting, word: str):
    """A number, or ``word`` (kept as the string: it switches the setting off)."""

    def parse(value: str) -> float | str:
        if value.strip().lower() == word:
            return word
        try:
            return setting.kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{value!r} is not a number from {setting.low:g} to {setting.high:g} or {word!r}"
            ) from None

    return parse
