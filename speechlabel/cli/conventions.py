"""Command-line options of ``speechlabel project create|settings`` for the transcription
convention: ``--scheme kspon|aihub|generic|FILE`` and ``--block-on-lint-errors``."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from speechlabel.core.models import ConventionSettings, Project
from speechlabel.projects.conventions import project_scheme, scheme_option


def add_convention_options(parser: argparse.ArgumentParser) -> None:
    # No defaults: None means "not given", so `project settings` changes only what is given.
    parser.add_argument(
        "--scheme",
        metavar="kspon|aihub|generic|FILE",
        help="the tag scheme transcripts follow: a built-in scheme or a lead's .toml/.json scheme "
        "file (default for a new project: kspon for --language ko, else generic)",
    )
    parser.add_argument(
        "--block-on-lint-errors",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="refuse Save & next while the transcript has lint errors (warnings never block; default: no)",
    )


def convention_settings_from_args(args, base: ConventionSettings) -> ConventionSettings:
    """``base`` with only the options given replaced; a scheme file is read here, so a bad one
    is reported before anything changes."""
    changes: dict[str, Any] = {}
    if args.scheme is not None:
        changes["scheme"] = scheme_option(args.scheme)
    if args.block_on_lint_errors is not None:
        changes["block_submit_on_lint_errors"] = args.block_on_lint_errors
    return replace(base, **changes)


def format_convention_settings(project: Project) -> list[str]:
    settings, scheme = project.convention_settings, project_scheme(project)
    origin = "" if settings.scheme is not None else " (from the language)"
    return [
        f"tag scheme: {scheme.name} — {scheme.title}{origin}",
        f"block submit on lint errors: {'yes' if settings.block_submit_on_lint_errors else 'no'}",
    ]
