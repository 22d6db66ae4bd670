"""``speech_commands``: Google's Speech Commands layout, as ``torchaudio.datasets.SPEECHCOMMANDS``,
TensorFlow's speech_commands scripts and Hugging Face ``audiofolder`` read it::

    <label>/<speaker hash>_nohash_<n>.wav   1 s, 16 kHz mono (command_clips.py: label, fit)
    _background_noise_/                     whole noise-tagged segments (+ README.md)
    validation_list.txt, testing_list.txt   "<label>/<file>" lines, by the speaker's hash
    trimmed_list.txt                        clips cut to 1 s (empty when none was)

The dataset's own split, so the export options' split is refused; 16 kHz only (the layout's
rate). Clips are always cut: the layout has no other form.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from speechlabel.audio.samples import TARGET_RATE, write_wav
from speechlabel.core.errors import ValidationError
from speechlabel.export.command_clips import (
    NOISE_FOLDER,
    LongClips,
    clip_frames,
    command_label,
    fit_clip,
    speaker_hash,
    which_set,
)
from speechlabel.export.formats import FormatWriter, register_format
from speechlabel.export.job import ExportJob
from speechlabel.export.options import ExportOptions, SplitBy
from speechlabel.export.select import ExportItem, split_key

VALIDATION_LIST = "validation_list.txt"
TESTING_LIST = "testing_list.txt"
TRIMMED_LIST = "trimmed_list.txt"
NOISE_README = (
    "Background noise: the segments of this export tagged as noise, whole (not cut to 1 s).\n"
    "Empty when none was: mix in noise of your own (the original dataset's is not included).\n"
)


class SpeechCommandsWriter(FormatWriter):
    """``speech_commands``: one folder per command label, 1 s clips, the dataset's split lists."""

    how_to_load = (
        "Speech Commands layout: one folder per label of 1 s 16 kHz clips named "
        "`<speaker>_nohash_<n>.wav`; `validation_list.txt` and `testing_list.txt` list the "
        "validation and test clips (split by a hash of the speaker, as TensorFlow's `which_set`), "
        "the rest is training; `trimmed_list.txt` lists clips cut to 1 s around their middle. "
        "Read it with a `torchaudio.datasets.SPEECHCOMMANDS`-style reader, or with Hugging Face: "
        '`datasets.load_dataset("audiofolder", data_files={"train": [...], "validation": [...], "test": [...]})` '
        "with the clips of each list (training: every `*/*.wav` in neither list, outside `_background_noise_`); "
        "labels come from the folder names. A bare `data_dir` would read the lists' names as empty splits."
    )

    @classmethod
    def check_options(cls, options: ExportOptions) -> None:
        if options.split_by is not None:
            raise ValidationError(message_key="error.speech_commands_split")
        if options.sample_rate != TARGET_RATE:
            raise ValidationError(message_key="error.speech_commands_rate", params={"rate": options.sample_rate})
        options.speech_commands.validated()

    def write(self, job: ExportJob, split: str | None, items: list[ExportItem]) -> Path:
        options = job.options.speech_commands.validated()
        length = clip_frames(options, job.audio.rate)
        noise_tags = set(options.noise_tags)
        counts: Counter[tuple[str, str]] = Counter()
        lists: dict[str, list[str]] = {"validation": [], "testing": [], "training": [], "trimmed": []}
        _write_noise_readme(job.root)
        for item in items:
            if noise_tags.intersection(item.row.segment.tags):
                _write_noise(job, item)
            else:
                name, trimmed = _write_command(job, item, length, counts, options.long_clips)
                lists[which_set(name, options.validation_percentage, options.testing_percentage)].append(name)
                if trimmed:
                    lists["trimmed"].append(name)
            job.advance()
        main = _write_list(job, VALIDATION_LIST, lists["validation"])
        _write_list(job, TESTING_LIST, lists["testing"])
        _write_list(job, TRIMMED_LIST, lists["trimmed"])
        return main


register_format("speech_commands", SpeechCommandsWriter)


def _write_command(
    job: ExportJob, item: ExportItem, length: int, counts: Counter[tuple[str, str]], long_clips: LongClips
) -> tuple[str, bool]:
    """Write one command clip; its path relative to the root and whether it was cut."""
    label = command_label(item.text)
    speaker = speaker_hash(split_key(item.row, SplitBy.SPEAKER))
    samples, trimmed = fit_clip(job.audio.samples(item.row), length)
    if trimmed and long_clips == LongClips.REFUSE:
        segment = item.row.segment
        raise ValidationError(
            message_key="error.speech_commands_long",
            params={"segment": segment.id, "seconds": round(segment.duration, 2), "limit": length / job.audio.rate},
        )
    name = f"{label}/{speaker}_nohash_{counts[label, speaker]}.wav"
    counts[label, speaker] += 1
    (job.root / label).mkdir(exist_ok=True)
    write_wav(job.root / name, samples, job.audio.rate)
    return name, trimmed


def _write_noise(job: ExportJob, item: ExportItem) -> None:
    segment_id = job.segment_ids(item.row.segment.id)
    write_wav(job.root / NOISE_FOLDER / f"{segment_id}.wav", job.audio.samples(item.row), job.audio.rate)


def _write_noise_readme(root: Path) -> None:
    folder = root / NOISE_FOLDER
    folder.mkdir(exist_ok=True)
    (folder / "README.md").write_text(NOISE_README, encoding="utf-8")


def _write_list(job: ExportJob, file_name: str, names: list[str]) -> Path:
    path = job.root / file_name
    path.write_text("".join(f"{name}\n" for name in sorted(names)), encoding="utf-8")
    return job.wrote(path)
