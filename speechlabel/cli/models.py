"""`speechlabel model list | add | check | remove`: the Whisper models projects may draft with
(the command line acts as ``SYSTEM``, an admin logged as "cli")."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from speechlabel.asr_models.manage import ModelRow
    from speechlabel.workspace.registered_models import RegisteredModel
    from speechlabel.workspace.workspace import Workspace


def add_model_command(model: argparse.ArgumentParser) -> None:
    sub = model.add_subparsers(dest="model_command", required=True)
    sub.add_parser("list", help="bundled and registered models: size, languages, speed, WER").set_defaults(
        handler=run_model_list
    )
    add = sub.add_parser("add", help="convert a model the company has to CTranslate2, verify it and register it")
    add.add_argument("name", help="the name projects choose it by (a-z, 0-9, . _ -)")
    add.add_argument("path", type=Path, help="a faster-whisper directory or a Hugging Face Whisper checkpoint folder")
    add.add_argument(
        "--kind",
        choices=("auto", "ct2", "hf", "openai"),
        default="auto",
        help="what PATH holds (default: recognised from its files)",
    )
    _add_check_options(add)
    add.set_defaults(handler=run_model_add)
    check = sub.add_parser("check", help="verify a registered model again on this machine (WER, speed)")
    check.add_argument("name")
    _add_check_options(check)
    check.set_defaults(handler=run_model_check)
    remove = sub.add_parser("remove", help="delete a registered model no project uses")
    remove.add_argument("name")
    remove.set_defaults(handler=run_model_remove)


def _add_check_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check-dir",
        type=Path,
        help="folder of NAME.wav + NAME.txt to verify on (default: $SPEECHLABEL_MODEL_CHECK_DIR)",
    )
    parser.add_argument("--check-language", default="en", help="the check folder's language (default: en)")
    parser.add_argument("--check-files", type=int, default=0, help="only the N shortest files (default: all)")
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu", help="where to verify")


def _check_request(args):
    from speechlabel.asr_models.manage import CheckRequest

    compute_type = "int8" if args.device == "cpu" else "default"  # GPUs: the stored float16
    return CheckRequest(args.check_dir, args.check_language, args.check_files, args.device, compute_type)


def run_model_list(workspace: Workspace, args) -> int:
    from speechlabel.asr_models.manage import list_models

    print("name\torigin\tsize MB\tlanguages\tRTF\tWER\tchecked")
    for row in list_models(workspace.settings):
        print(model_line(row))
    return 0


def model_line(row: ModelRow) -> str:
    size = f"{row.size_bytes / 1e6:.0f}" if row.size_bytes is not None else "-"
    languages = "multilingual" if row.multilingual else "English"
    check = row.verification
    if check is None:
        return f"{row.name}\t{row.origin}\t{size}\t{languages}\t-\t-\t-"
    verdict = "" if check.passed else " FAILED"
    return (
        f"{row.name}\t{row.origin}\t{size}\t{languages}\t{check.rtf:.1f}\t{check.wer:.3f}{verdict}\t{check.checked_at}"
    )


def run_model_add(workspace: Workspace, args) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.asr_models.manage import add_model

    model = add_model(workspace.settings, SYSTEM, args.name, args.path, args.kind, _check_request(args))
    print(f"registered {model.name!r} ({model.kind}, {model.size_bytes / 1e6:.0f} MB): {_result(model)}")
    return 0


def run_model_check(workspace: Workspace, args) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.asr_models.manage import check_model

    model = check_model(workspace.settings, SYSTEM, args.name, _check_request(args))
    print(f"{model.name!r}: {_result(model)}")
    return 0 if model.verification.passed else 1


def run_model_remove(workspace: Workspace, args) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.asr_models.manage import remove_model

    remove_model(workspace.store, workspace.settings, SYSTEM, args.name)
    print(f"removed {args.name!r}")
    return 0


def _result(model: RegisteredModel) -> str:
    check = model.verification
    verdict = "passed" if check.passed else "FAILED"
    return (
        f"{verdict}: WER {check.wer:.3f} on {check.files} files ({check.audio_seconds:.0f} s), "
        f"RTF {check.rtf:.1f} on {check.device}"
    )
