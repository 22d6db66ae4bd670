"""``aihub``: AI Hub label JSON, one file per segment beside its clip (``core/aihub.py`` has the
field-by-field mapping): ``audio/<recording>/<segment>.wav`` + ``.json``, and ``aihub_labels.txt``
listing every JSON (relative paths, one a line)."""

from __future__ import annotations

import json
from pathlib import Path

from speechlabel.core.aihub import aihub_label
from speechlabel.core.errors import ValidationError
from speechlabel.export.formats import FormatWriter, register_format
from speechlabel.export.job import ExportJob
from speechlabel.export.options import ExportOptions
from speechlabel.export.select import ExportItem

INDEX_NAME = "aihub_labels.txt"


class AihubWriter(FormatWriter):
    """``aihub``: a label JSON per clip, as AI Hub's Korean speech sets ship them."""

    how_to_load = (
        "AI Hub label JSON: each clip `audio/<recording>/<segment>.wav` has its label "
        "`<segment>.json` beside it (sections 기본정보, 전사정보, 화자정보, 환경정보, 파일정보; "
        "the transcript is `전사정보.TransLabelText`); `aihub_labels.txt` lists them. "
        "`speechlabel import-dataset` reads the folder back."
    )

    @classmethod
    def check_options(cls, options: ExportOptions) -> None:
        if not options.cut_clips:
            raise ValidationError(message_key="error.aihub_needs_clips")

    def write(self, job: ExportJob, split: str | None, items: list[ExportItem]) -> Path:
        folder = job.folder(split)
        labels = []
        for item in items:
            audio = job.audio_for(item, folder)
            labels.append(_write_label(job, item, folder, audio.path, audio.duration, audio.sampling_rate))
            job.advance()
        index = folder / INDEX_NAME
        index.write_text("".join(f"{name}\n" for name in labels), encoding="utf-8")
        return job.wrote(index)


register_format("aihub", AihubWriter)


def _write_label(job: ExportJob, item: ExportItem, folder: Path, clip: str, seconds: float, rate: int) -> str:
    segment = item.row.segment
    metadata = job.metadata
    label = aihub_label(
        text=item.text,
        file_name=Path(clip).name,
        seconds=seconds,
        speaker=segment.speaker,
        language=job.language(item),
        speaker_metadata=metadata.speaker(segment.speaker),
        recording_metadata=metadata.recording(segment.recording_id),
        sampling_rate=rate,
    )
    name = str(Path(clip).with_suffix(".json"))
    (folder / name).write_text(json.dumps(label, ensure_ascii=False, indent=1), encoding="utf-8")
    return name
