"""Kaldi/ESPnet data directory: ``wav.scp``, ``segments``, ``text``, ``utt2spk``, ``spk2utt``.

Written to pass Kaldi's ``utils/validate_data_dir.sh --no-feats``:
- every file sorted in C-locale (byte) order with unique keys, one ``\\n``-terminated line each;
- utterance ids are ``<speaker>-<segment>`` so that sorting by utterance also sorts by speaker
  (speaker ids are letters and digits only, see ``names.kaldi_speaker_id``);
- ``text``, ``utt2spk`` and ``segments`` list the same utterances; ``spk2utt`` is the inverse of
  ``utt2spk``; ``wav.scp`` lists exactly the recordings ``segments`` uses;
- no whitespace inside ids, texts on one line with plain spaces only.
With clips, ``wav.scp`` is indexed by utterance and there is no ``segments`` file; with
offsets it lists whole recordings and ``segments`` cuts them. Audio paths are relative to the
export's root folder (run Kaldi/ESPnet from there, or prefix them).
A segment without a speaker is attributed to its recording (``unknown<recording>``), the usual
Kaldi practice when speakers are not known.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from speechlabel.export.formats import FormatWriter, register_format
from speechlabel.export.job import ExportJob
from speechlabel.export.names import SafeNames, kaldi_speaker_id
from speechlabel.export.select import ExportItem

# Words Kaldi's validate_data_dir.sh refuses in a transcript (they are its own markers).
_RESERVED_WORDS = frozenset({"<s>", "</s>", "#0"})


def write_data_dir(job: ExportJob, split: str | None, items: list[ExportItem], speakers: SafeNames):
    folder = job.folder(split)
    wav, segments, text, utt2spk = {}, {}, {}, {}
    for item in items:
        segment = item.row.segment
        speaker = speakers(segment.speaker or f"unknown{job.recording_ids(segment.recording_id)}")
        utterance = f"{speaker}-{job.segment_ids(segment.id)}"
        audio = job.audio_for(item)
        if job.options.cut_clips:
            wav[utterance] = audio.path
        else:
            recording = job.recording_ids(segment.recording_id)
            wav[recording] = audio.path
            segments[utterance] = f"{recording} {segment.start:.3f} {segment.end:.3f}"
        text[utterance] = kaldi_text(item.text)
        utt2spk[utterance] = speaker
        job.advance()
    _write_table(folder / "wav.scp", wav)
    if segments:
        _write_table(folder / "segments", segments)
    _write_table(folder / "text", text)
    _write_table(folder / "utt2spk", utt2spk)
    _write_table(folder / "spk2utt", _inverse(utt2spk))
    return job.wrote(folder / "text")


class KaldiWriter(FormatWriter):
    """``kaldi``: a Kaldi/ESPnet data directory per split."""

    how_to_load = (
        "Kaldi/ESPnet: a data directory (per split) with wav.scp, text, utt2spk, spk2utt (and "
        "segments when recordings are referenced with offsets); audio paths are relative to this "
        "folder, so run from here or prefix them."
    )

    def __init__(self) -> None:
        self.speakers = SafeNames(kaldi_speaker_id, what="speaker")  # one mapping for every split

    def write(self, job: ExportJob, split: str | None, items: list[ExportItem]) -> Path:
        return write_data_dir(job, split, items, self.speakers)


register_format("kaldi", KaldiWriter)


def kaldi_text(text: str) -> str:
    """One line of plain-space separated words: every Unicode whitespace (newlines, tabs,
    no-break and ideographic spaces) becomes one space; Kaldi's reserved symbols are dropped."""
    return " ".join(word for word in text.split() if word not in _RESERVED_WORDS)


def _inverse(utt2spk: dict[str, str]) -> dict[str, str]:
    by_speaker: dict[str, list[str]] = defaultdict(list)
    for utterance in sorted(utt2spk, key=_c_order):
        by_speaker[utt2spk[utterance]].append(utterance)
    return {speaker: " ".join(utterances) for speaker, utterances in by_speaker.items()}


def _c_order(key: str) -> bytes:
    """``LC_ALL=C sort`` order: bytes of the UTF-8 encoding."""
    return key.encode("utf-8")


def _write_table(path: Path, table: dict[str, str]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for key in sorted(table, key=_c_order):
            value = table[key]
            handle.write(f"{key} {value}\n" if value else f"{key}\n")
