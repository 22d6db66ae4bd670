"""The recording checks' options of ``speechlabel project settings`` (``--qc-*``: one per limit of
the ``qc`` group in ``project_settings``, and ``--qc-action``)."""

from __future__ import annotations

import argparse
from dataclasses import replace

from speechlabel.cli.project_settings import add_setting_options, settings_from_args
from speechlabel.core.project_settings import QC
from speechlabel.core.qc import QcAction, QcRules
from speechlabel.core.qc_text import rules_lines


def add_qc_options(parser: argparse.ArgumentParser) -> None:
    add_setting_options(parser, QC)
    parser.add_argument(
        "--qc-action",
        choices=[action.value for action in QcAction],
        help="what an import does with a recording that breaks a check: refuse it, or import it with a flag "
        "(default flag)",
    )


def qc_rules_from_args(args: argparse.Namespace, base: QcRules) -> QcRules:
    """``base`` with only the options given replaced ("none" switches a limit off)."""
    rules = settings_from_args(args, base, QC)
    return replace(rules, action=QcAction(args.qc_action)) if args.qc_action else rules


def format_qc_rules(rules: QcRules) -> list[str]:
    return [f"recording checks: {line}" for line in rules_lines(rules)]
