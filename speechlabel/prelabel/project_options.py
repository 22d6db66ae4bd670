"""A project's stored pre-labeling options as the option dataclasses of VAD and the engines."""

from __future__ import annotations

from speechlabel.core.models import Project
from speechlabel.prelabel.engines.options import TranscribeOptions
from speechlabel.prelabel.vad import SegmentOptions


def segment_options_for(project: Project) -> SegmentOptions:
    return SegmentOptions.from_dict(project.segment_options)


def transcribe_options_for(project: Project) -> TranscribeOptions:
    return TranscribeOptions.from_dict(
        dict(project.engine_options, language=project.language, glossary=tuple(project.glossary))
    )
