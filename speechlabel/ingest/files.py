"""Import audio into a project: keep the original bytes, a 16 kHz mono copy and probe figures.

Stored file names are generated (content hash, recording id); the name a user gave is only a
label, so odd or hostile names can never reach the file system. Nothing is left half-written:
files are written atomically and removed again if the database refuses the row.

Memory stays bounded whatever a file's size: a file is read from its path (or the open upload)
as it is copied and hashed in chunks, and decoded from that copy in blocks; only bytes a caller
already holds are ever whole in memory.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from speechlabel.accounts.access import require_role
from speechlabel.audio.decode import AudioData, open_binary
from speechlabel.audio.normalize import Normalized, Truncation, check_importable, normalize_to_wav
from speechlabel.core.errors import (
    AudioDecodeError,
    DuplicateRecording,
    RecordingRefused,
    SpeechLabelError,
    english_message,
)
from speechlabel.core.leftovers import remove_stale_temporaries
from speechlabel.core.models import Actor, PrelabelState, Project, Recording
from speechlabel.core.qc import QcAction, QcProblems, RecordingQc, check_rules
from speechlabel.store import Store
from speechlabel.store.rows import utc_now
from speechlabel.workspace.config import Settings

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS = frozenset(
    {".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".mp4", ".webm", ".mka"}
)
MAX_LABEL_LENGTH = 255
ORIGINALS_FOLDER = "audio/originals"
# Originals are copied in chunks of this size: as fast as bigger ones, and nothing beside a
# decoder's block.
_COPY_CHUNK_BYTES = 1 << 20
# Container names as decoders report them -> the extension the stored original gets.
_EXTENSION_BY_FORMAT = {
    "WAV": ".wav",
    "FLAC": ".flac",
    "OGG": ".ogg",
    "MP3": ".mp3",
    "MPEG": ".mp3",
    "AAC": ".aac",
    "MATROSKA,WEBM": ".webm",
}


@dataclass(frozen=True)
class ImportFailure:
    source: str
    message: str
    # The error itself, so a page can show it in the reader's language (its message_key).
    error: SpeechLabelError | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ImportDuplicate:
    source: str
    existing_id: str
    message: str
    error: SpeechLabelError | None = field(default=None, compare=False)  # see ImportFailure


@dataclass(frozen=True)
class ImportWarning:
    """A file imported with a problem the user should know of (it is truncated, or breaks the
    project's recording checks and was imported with flags)."""

    source: str
    message: str
    message_key: str
    params: dict = field(compare=False)


@dataclass
class ImportReport:
    imported: list[Recording] = field(default_factory=list)
    duplicates: list[ImportDuplicate] = field(default_factory=list)
    failures: list[ImportFailure] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)


@dataclass(frozen=True)
class ImportedRecording:
    recording: Recording
    warnings: tuple[ImportWarning, ...] = ()


def import_audio(
    store: Store,
    settings: Settings,
    project: Project,
    data: AudioData,
    label: str,
    *,
    insert: Callable[[Recording], object] | None = None,
) -> Recording:
    """``import_recording`` for callers that need only the recording."""
    return import_recording(store, settings, project, data, label, insert=insert).recording


def import_recording(
    store: Store,
    settings: Settings,
    project: Project,
    data: AudioData,
    label: str,
    *,
    insert: Callable[[Recording], object] | None = None,
) -> ImportedRecording:
    """Import one file (its bytes, path or open file); raise AudioDecodeError /
    DuplicateRecording / RecordingRefused (the project's recording checks) with a clear message.
    A truncated file, or one breaking the checks of a project that flags, is imported with a
    warning saying so.

    ``insert`` stores the new row (default ``store.insert_recording``); a dataset import passes
    one that stores the recording together with its segments in one transaction. If it raises,
    the files written are removed again."""
    label = clean_label(label)
    check_importable(data, label, settings.audio_limits)  # nothing is copied of a file refused anyway
    staged = _stage_original(settings, data)
    try:
        return _import_staged(store, settings, project, staged, label, insert)
    finally:
        staged.path.unlink(missing_ok=True)  # gone already when it became the original


@dataclass(frozen=True)
class _StagedOriginal:
    """A file's bytes copied under a hidden name in the originals folder, hashed on the way."""

    path: Path
    sha256: str


def _stage_original(settings: Settings, data: AudioData) -> _StagedOriginal:
    """Copy ``data`` in chunks into a hidden file, hashing while copying: one read of the
    source, and never more than a chunk of it in memory."""
    folder = settings.data_dir / ORIGINALS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".tmp-{uuid.uuid4().hex}"
    digest = hashlib.sha256()
    try:
        with open_binary(data) as source, open(temporary, "wb") as out:
            while chunk := source.read(_COPY_CHUNK_BYTES):
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return _StagedOriginal(temporary, digest.hexdigest())


def _import_staged(
    store: Store,
    settings: Settings,
    project: Project,
    staged: _StagedOriginal,
    label: str,
    insert: Callable[[Recording], object] | None,
) -> ImportedRecording:
    existing = store.find_recording_by_hash(project.id, staged.sha256)
    if existing is not None:
        raise DuplicateRecording(label, existing.id, existing.label)
    recording_id = f"rec-{uuid.uuid4().hex[:12]}"
    normalized_path = f"audio/normalized/{recording_id}.wav"
    normalized = normalize_to_wav(staged.path, label, settings.audio_limits, settings.data_dir / normalized_path)
    qc = _checked(project, normalized, label, settings.data_dir / normalized_path)
    recording = Recording(
        id=recording_id,
        project_id=project.id,
        label=label,
        sha256=staged.sha256,
        original_path=_original_relpath(staged.sha256, normalized.probe.format),
        normalized_path=normalized_path,
        probe=normalized.probe,
        prelabel_state=PrelabelState.NEW,
        created_at=utc_now(),
        qc=qc,
    )
    created: tuple[Path | None, Path] = (None, settings.data_dir / normalized_path)
    try:
        created = (_keep_original(settings, recording, staged), created[1])
        (insert or store.insert_recording)(recording)
    except BaseException:
        _remove_files(created, store, staged.sha256)
        raise
    log.info("imported %s as %s (%.1f s)", label, recording.id, recording.duration)
    warnings = (truncation_warning(label, normalized.truncation), qc_warning(label, qc))
    return ImportedRecording(recording, tuple(w for w in warnings if w is not None))


def _checked(project: Project, normalized: Normalized, label: str, normalized_file: Path) -> RecordingQc:
    """The recording's measures and the project's rules it breaks; a project that refuses such
    recordings gets RecordingRefused (its 16 kHz copy removed: the caller removes the staged
    original, so nothing of it stays)."""
    qc = RecordingQc(normalized.measures, check_rules(project.qc_rules, normalized.measures))
    if qc.failures and project.qc_rules.action is QcAction.REFUSE:
        normalized_file.unlink(missing_ok=True)
        raise RecordingRefused(label, qc.failures)
    return qc


def qc_warning(label: str, qc: RecordingQc) -> ImportWarning | None:
    """What a user is told about a recording imported with flags (rules it breaks)."""
    if not qc.failures:
        return None
    return _warning(
        label, message_key="warning.qc_flagged", params={"label": label, "problems": QcProblems(qc.failures)}
    )


def truncation_warning(label: str, truncation: Truncation | None) -> ImportWarning | None:
    """What a user is told about a file that decoded to less than it declares."""
    if truncation is None:
        return None
    if truncation.declared_seconds is not None and truncation.decoded_seconds < truncation.declared_seconds:
        params = {
            "label": label,
            "declared": f"{truncation.declared_seconds:.2f}",
            "decoded": f"{truncation.decoded_seconds:.2f}",
        }
        return _warning(label, message_key="warning.audio_short", params=params)
    params = {"label": label, "decoded": f"{truncation.decoded_seconds:.2f}", "reason": truncation.reason or ""}
    return _warning(label, message_key="warning.audio_stopped", params=params)


def _warning(label: str, *, message_key: str, params: dict) -> ImportWarning:
    return ImportWarning(label, english_message(message_key, params), message_key=message_key, params=params)


def import_paths(
    store: Store,
    settings: Settings,
    project: Project,
    paths: Iterable[str | Path],
    on_file: Callable[[Path, int, int], None] | None = None,
) -> ImportReport:
    """Import files and folders (recursively); one bad file is reported and the others go on."""
    remove_stale_temporaries(settings)
    report = ImportReport()
    files = find_audio_files(paths, report)
    for index, path in enumerate(files):
        if on_file:
            on_file(path, index, len(files))
        import_one(store, settings, project, str(path), path, path.name, report)
    return report


def import_uploads(
    store: Store,
    settings: Settings,
    project: Project,
    uploads: Sequence[tuple[str, AudioData]],
    on_file: Callable[[str, int, int], object] | None = None,
    *,
    actor: Actor,
) -> ImportReport:
    """Import (name, file) pairs from a browser upload (leads only): each file an open upload
    (read in chunks, not copied whole), a path or bytes. One bad file does not stop the others."""
    require_uploader(actor, project)
    remove_stale_temporaries(settings)
    report = ImportReport()
    for index, (name, data) in enumerate(uploads):
        if on_file:
            on_file(name, index, len(uploads))
        import_one(store, settings, project, name, data, name, report)
    return report


def require_uploader(actor: Actor | None, project: Project | int) -> Actor:
    """The one rule for who may upload audio into a project (its leads and admins): the page's
    import and the upload route (views/upload_api.py) both ask here, the route before it reads
    any byte of the body."""
    return require_role(actor, project, action="uploading audio")


def import_one(store, settings, project, source: str, data: AudioData, label: str, report: ImportReport) -> None:
    """Import one file into ``report``: imported, duplicate or failed with the reason."""
    try:
        imported = import_recording(store, settings, project, data, label)
        report.imported.append(imported.recording)
        report.warnings.extend(imported.warnings)
    except DuplicateRecording as duplicate:
        report.duplicates.append(ImportDuplicate(source, duplicate.existing_id, str(duplicate), duplicate))
    except (SpeechLabelError, OSError) as error:
        report.failures.append(
            ImportFailure(source, str(error), error if isinstance(error, SpeechLabelError) else None)
        )
    except MemoryError:
        # Files are read and decoded in chunks and blocks (bounded by AudioLimits), but a
        # machine short of memory can still fail: report this file and go on with the next.
        failure = AudioDecodeError(message_key="error.audio_out_of_memory", params={"label": label})
        report.failures.append(ImportFailure(source, str(failure), failure))


def find_audio_files(paths: Iterable[str | Path], report: ImportReport) -> list[Path]:
    """Files named directly are always tried; inside folders only audio extensions are taken."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS))
        elif path.is_file():
            found.append(path)
        else:
            report.failures.append(ImportFailure(str(path), f"{str(path)!r} does not exist"))
    return found


def clean_label(label: str) -> str:
    """Keep a user's name as a label only: control characters dropped, length bounded."""
    text = "".join(ch for ch in (label or "") if not unicodedata.category(ch).startswith("C")).strip()
    if len(text) > MAX_LABEL_LENGTH:
        text = text[: MAX_LABEL_LENGTH - 1] + "…"
    return text or "unnamed"


def _original_relpath(sha256: str, audio_format: str) -> str:
    extension = _EXTENSION_BY_FORMAT.get(audio_format.upper(), "")
    if not extension and "MP4" in audio_format.upper():
        extension = ".m4a"
    return f"{ORIGINALS_FOLDER}/{sha256[:2]}/{sha256}{extension or '.bin'}"


def _keep_original(settings: Settings, recording: Recording, staged: _StagedOriginal) -> Path | None:
    """Move the staged copy into place, once per content hash; the original's path if this call
    created it, else None (the staged copy is then removed by the caller)."""
    original = settings.data_dir / recording.original_path
    if original.exists():
        return None
    original.parent.mkdir(parents=True, exist_ok=True)
    staged.path.replace(original)
    return original


def _remove_files(created: tuple[Path | None, Path], store: Store, sha256: str) -> None:
    created_original, normalized = created
    normalized.unlink(missing_ok=True)
    # Another project may have stored the same bytes meanwhile; keep an original still referenced.
    if created_original and store.count_recordings_with_hash(sha256) == 0:
        created_original.unlink(missing_ok=True)
