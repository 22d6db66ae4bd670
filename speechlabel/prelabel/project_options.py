"""A project's stored pre-labeling options as the option dataclasses of VAD and the engines."""

from __future__ import annotations

from speechlabel.core.models import Project
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.vad import SegmentOptions


def segment_options_for(project: Project) -> SegmentOptions:
    return SegmentOptions.from_dict(project.segment_options)


def transcribe_options_for(project: Project) -> TranscribeOptions:
    return TranscribeOptions.from_dict(
        dict(project.engine_options, language=project.language, glossary=steering_terms(project))
    )


def steering_terms(project: Project) -> tuple[str, ...]:
    """The words Whisper is given as hotwords: the glossary, and in a command project that asks
    for it (``CommandSettings.steer``, off by default: see there why) every form of every command
    after it (the engines send them before each window; a glossary past the prompt's budget is
    cut at the end, and is logged)."""
    terms = tuple(project.glossary)
    if project.command_settings.is_commands and project.command_settings.steer:
        terms = tuple(dict.fromkeys((*terms, *project.command_settings.terms())))
    return terms
