"""`speechlabel speaker set|list` and `speechlabel recording set|list`: who a project's speakers
are and how its recordings were made (core/metadata.py). ``set`` changes only the options given
(an empty value clears a field) and acts as the command line (admin rights)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from speechlabel.workspace.workspace import Workspace

_SPEAKER_OPTIONS = {
    "gender": "female, male, other or unknown",
    "age_group": "child, teen, 20s, 30s, 40s, 50s, 60s+ or unknown",
    "dialect": "dialect or region, free text",
    "native_language": "free text, e.g. ko",
}
_RECORDING_OPTIONS = {
    "environment": "free text, e.g. quiet indoor, office, factory, vehicle, outdoor",
    "device": "free text, e.g. the phone or microphone model",
    "mic_distance": "near (<0.5 m), mid (0.5-2 m), far or unknown",
}


def add_speaker_command(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="speaker_command", required=True)
    setter = sub.add_parser("set", help="set a speaker's metadata (only the options given; '' clears one)")
    setter.add_argument("project")
    setter.add_argument("speaker", help="the speaker's name as segments carry it")
    _add_options(setter, _SPEAKER_OPTIONS)
    setter.set_defaults(handler=run_speaker_set)
    listing = sub.add_parser("list", help="list the project's speakers with metadata (tab separated)")
    listing.add_argument("project")
    listing.set_defaults(handler=run_speaker_list)


def add_recording_command(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="recording_command", required=True)
    setter = sub.add_parser("set", help="set how a recording was made (only the options given; '' clears one)")
    setter.add_argument("project")
    setter.add_argument("recording", help="the recording's id or its label (file name)")
    _add_options(setter, _RECORDING_OPTIONS)
    setter.set_defaults(handler=run_recording_set)
    listing = sub.add_parser("list", help="list the project's recordings with metadata (tab separated)")
    listing.add_argument("project")
    listing.set_defaults(handler=run_recording_list)


def _add_options(parser: argparse.ArgumentParser, options: dict[str, str]) -> None:
    for name, help_text in options.items():
        parser.add_argument("--" + name.replace("_", "-"), help=help_text)


def _merged(args: argparse.Namespace, names, stored: dict[str, str]) -> dict[str, str | None]:
    """The stored values with the options given replacing them (None: not given)."""
    return {name: stored.get(name) if getattr(args, name) is None else getattr(args, name) for name in names}


def run_speaker_set(workspace: Workspace, args) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.core.metadata import SpeakerMetadata
    from speechlabel.projects.metadata import set_speaker_metadata

    store = workspace.store
    project = store.get_project(args.project)
    stored = store.speaker_metadata(project.id).get(args.speaker.strip(), SpeakerMetadata())
    metadata = SpeakerMetadata.from_text(**_merged(args, _SPEAKER_OPTIONS, stored.values()))
    set_speaker_metadata(store, project, args.speaker, metadata, actor=SYSTEM)
    print(_row(args.speaker.strip(), metadata.values(), _SPEAKER_OPTIONS))
    return 0


def run_speaker_list(workspace: Workspace, args) -> int:
    store = workspace.store
    project = store.get_project(args.project)
    for name, metadata in sorted(store.speaker_metadata(project.id).items()):
        print(_row(name, metadata.values(), _SPEAKER_OPTIONS))
    return 0


def run_recording_set(workspace: Workspace, args) -> int:
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.core.metadata import RecordingMetadata
    from speechlabel.projects.metadata import project_recording, set_recording_metadata

    store = workspace.store
    project = store.get_project(args.project)
    recording = project_recording(store, project, args.recording)
    stored = store.recording_metadata(project.id).get(recording.id, RecordingMetadata())
    metadata = RecordingMetadata.from_text(**_merged(args, _RECORDING_OPTIONS, stored.values()))
    set_recording_metadata(store, project, recording.id, metadata, actor=SYSTEM)
    print(_row(f"{recording.id}\t{recording.label}", metadata.values(), _RECORDING_OPTIONS))
    return 0


def run_recording_list(workspace: Workspace, args) -> int:
    store = workspace.store
    project = store.get_project(args.project)
    metadata = store.recording_metadata(project.id)
    for recording in store.list_recordings(project.id):
        values = metadata[recording.id].values() if recording.id in metadata else {}
        print(_row(f"{recording.id}\t{recording.label}", values, _RECORDING_OPTIONS))
    return 0


def _row(first: str, values: dict[str, str], names) -> str:
    return "\t".join([first, *(f"{name}={values.get(name, '')}" for name in names)])
