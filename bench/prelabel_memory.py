"""Memory of import and pre-labeling (issue 19, point 5): the peak of importing a 4-hour upload
and of segmenting it, this tree's code beside an older commit's; the app's upload (a real
``streamlit run`` server, the file POSTed to its upload route) beside Streamlit's UploadedFile,
which the page's ``st.file_uploader`` gave before; and a worker's memory over hundreds of
recordings.

    python bench/prelabel_memory.py [--quick] [--hours 4] [--recordings 150] [--old-commit 3de3a4d]
                                    [--old-worker] [--upload-only] [--speech-dir ../shared/speech]

Every figure comes from a fresh process that does only that one thing with one tree's code (this
one, or a git worktree of ``--old-commit`` added for the run and removed after): its peak RSS
(VmHWM) and the RSS it had when it began (libraries, the database, an upload's bytes). The
4-hour file is real speech (../shared/speech/en, tiled) as a 44.1 kHz 16-bit stereo WAV (2.5 GB,
in a temporary folder, deleted after); the VAD runs on its 16 kHz copy as pre-labeling does.
The worker imports ``--recordings`` clips of 1-4 s cut from the same speech and pre-labels them
with tiny.en in one process (about 1.2 s each on 2 cores), printing its RSS after every 100
(every tenth of them when fewer than 1,000): flat means the last reading is within ~10 % of the
first. ``--recordings 1000`` takes about 17 minutes more. ``--quick``: half an hour and 200
clips.

The app's upload: ``streamlit run workbench.py`` (this tree) on a fresh data folder, the file sent
to ``POST /api/upload/<project>`` as the page's component sends it (one streamed body, with the
session cookie and the tab header); the server's RSS before the request and its peak (VmHWM)
after the answer, which covers the whole request: receiving, writing to disk and importing.
Beside it, the import of the same file from Streamlit's ``UploadedFile`` (what the file picker
handed the page: the whole upload in the server's memory). ``--upload-only`` measures just these
two (a few minutes).

Figures, not a timed test; the default run takes about 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEECH = ROOT.parent / "shared" / "speech"
# main's commit when the work on bounded memory began: the code that read whole files.
OLD_COMMIT = "3de3a4d"
MB = 2**20


# --- the measured processes (``--case``): only the standard library at module level, so a
# case runs on whichever tree is first on PYTHONPATH ----------------------------------------


def memory_mb() -> dict[str, float]:
    """This process's resident memory now (VmRSS) and at its peak so far (VmHWM), in MB."""
    figures = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = int(value.split()[0]) / 1024
    return {"rss": figures["VmRSS"], "peak": figures["VmHWM"]}


def open_project(data_dir: Path, model: str = "tiny.en"):
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.prelabel.transcribe import TranscribeOptions
    from speechlabel.projects.manage import create_project
    from speechlabel.workspace.config import Settings
    from speechlabel.workspace.workspace import Workspace

    settings = Settings(data_dir=data_dir)
    workspace = Workspace.open(settings)
    project = create_project(
        workspace.store, "memory", language="en", transcribe_options=TranscribeOptions(model=model), actor=SYSTEM
    )
    return settings, workspace.store, project


def case_import_path(wav: Path, data_dir: Path) -> dict:
    """``import_paths``, the CLI's import, of one file."""
    from speechlabel.ingest.files import import_paths

    settings, store, project = open_project(data_dir)
    began = memory_mb()
    report = import_paths(store, settings, project, [wav])
    return {"began": began, "ended": memory_mb(), "imported": [r.duration for r in report.imported]}


def case_import_upload(wav: Path, data_dir: Path, given_as: str) -> dict:
    """``import_uploads``, the app's import, of a Streamlit UploadedFile holding the file: passed
    as its bytes (``getvalue()``, what the page did) or as the open upload itself."""
    from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

    from speechlabel.accounts.access import SYSTEM
    from speechlabel.ingest.files import import_uploads

    settings, store, project = open_project(data_dir)
    upload = UploadedFile(UploadedFileRec("bench", wav.name, "audio/wav", wav.read_bytes()), None)
    began = memory_mb()
    data = upload.getvalue() if given_as == "bytes" else upload
    report = import_uploads(store, settings, project, [(wav.name, data)], actor=SYSTEM)
    return {"began": began, "ended": memory_mb(), "imported": [r.duration for r in report.imported]}


def case_vad(normalized: Path, how: str, spans_out: Path) -> dict:
    """Pre-labeling's segmentation of a recording's 16 kHz copy: ``whole`` as the old pipeline
    did it (the whole file as float32, then ``segment_speech``), ``blocks`` as it does now."""
    import numpy as np

    from speechlabel.prelabel.vad import SegmentOptions, speech_probabilities

    speech_probabilities(np.zeros(512, dtype=np.float32))  # the model, loaded before measuring
    began = memory_mb()
    if how == "whole":
        import soundfile as sf

        from speechlabel.prelabel.vad import segment_speech

        samples, rate = sf.read(normalized, dtype="float32")
        spans = segment_speech(samples, rate, SegmentOptions())
    else:
        from speechlabel.prelabel.pipeline import segment_normalized

        spans = segment_normalized(normalized, SegmentOptions())
    spans_out.write_text(json.dumps([(s.start, s.end) for s in spans]))
    return {"began": began, "ended": memory_mb(), "segments": len(spans)}


def case_worker(clips: Path, data_dir: Path, every: int) -> dict:
    """One process pre-labels every clip (imported first) with tiny.en; RSS after every ``every``."""
    from speechlabel.ingest.files import import_paths
    from speechlabel.prelabel.pipeline import prelabel_project

    settings, store, project = open_project(data_dir)
    imported = import_paths(store, settings, project, [clips])
    began = memory_mb()
    readings: dict[int, float] = {}

    def note(progress) -> None:
        done = progress.recordings_done
        if done and done % every == 0 and done not in readings:
            readings[done] = memory_mb()["rss"]
            # Python's own objects apart from what native libraries and the allocator hold.
            blocks = sys.getallocatedblocks()
            print(f"    {done:5d} recordings: RSS {readings[done]:4.0f} MB, {blocks} Python blocks", file=sys.stderr)

    started = time.perf_counter()
    report = prelabel_project(store, settings, project, on_progress=note)
    return {
        "began": began,
        "ended": memory_mb(),
        "readings": readings,
        "recordings": len(imported.imported),
        "segments": report.segments_drafted,
        "seconds": time.perf_counter() - started,
    }


def run_case(argv: list[str]) -> None:
    name, *args = argv
    if name == "import-path":
        result = case_import_path(Path(args[0]), Path(args[1]))
    elif name == "import-upload":
        result = case_import_upload(Path(args[0]), Path(args[1]), args[2])
    elif name == "vad":
        result = case_vad(Path(args[0]), args[1], Path(args[2]))
    else:
        result = case_worker(Path(args[0]), Path(args[1]), int(args[2]))
    print(json.dumps(result))


# --- the driver --------------------------------------------------------------------------


def measure(tree: Path, *case: str) -> dict:
    """Run one case in a fresh process on ``tree``'s code; its result with the wall time."""
    started = time.perf_counter()
    run = subprocess.run(  # its errors and the worker's readings go straight to our stderr
        [sys.executable, __file__, "--case", *case],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    if run.returncode != 0:
        raise RuntimeError(f"case {case[0]} on {tree} failed")
    result = json.loads(run.stdout.splitlines()[-1])
    result["seconds_wall"] = time.perf_counter() - started
    return result


# --- the app's upload through a real server ------------------------------------------------

BENCH_PASSWORD = "bench upload password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_memory_mb(pid: int) -> dict[str, float]:
    """Another process's resident memory now (VmRSS) and at its peak so far (VmHWM), in MB."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = int(value.split()[0]) / 1024
    return {"rss": figures["VmRSS"], "peak": figures["VmHWM"]}


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped before it answered")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not answer")


def lead_session(data: Path) -> tuple[str, int]:
    """A project in the server's database and the admin's session token (the server created the
    admin at start, with BENCH_PASSWORD)."""
    from speechlabel.accounts import users as accounts
    from speechlabel.accounts.access import SYSTEM
    from speechlabel.projects.manage import create_project
    from speechlabel.workspace.config import Settings
    from speechlabel.workspace.workspace import Workspace

    workspace = Workspace.open(Settings(data_dir=data))
    try:
        project = create_project(workspace.store, "memory", language="en", actor=SYSTEM)
        return accounts.login(workspace.store, "admin", BENCH_PASSWORD)[0], project.id
    finally:
        workspace.close()


def post_file(port: int, project_id: int, token: str, wav: Path) -> tuple[int, dict]:
    """The file as one streamed request body, as the browser sends a File (http.client reads it
    from disk a MiB at a time)."""
    from speechlabel.accounts.users import SESSION_COOKIE

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600, blocksize=MB)
    headers = {
        "Content-Length": str(wav.stat().st_size),
        "Content-Type": "application/octet-stream",
        "Cookie": f"{SESSION_COOKIE}={token}",
        "X-Speechlabel-Tab": "bench",
        "X-Speechlabel-Lang": "en",
    }
    try:
        with wav.open("rb") as body:
            connection.request("POST", f"/api/upload/{project_id}?name={quote(wav.name)}", body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, json.loads(answer.read() or b"{}")
    finally:
        connection.close()


def measure_app_upload(wav: Path, data: Path) -> dict:
    """``streamlit run workbench.py`` on ``data``; ``wav`` POSTed to its upload route; the
    server's RSS before the request and its peak after the answer."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SPEECHLABEL_DATA_DIR": str(data),
        "SPEECHLABEL_ADMIN_PASSWORD": BENCH_PASSWORD,
        "SPEECHLABEL_LOCAL_WORKER": "0",
    }
    command = [sys.executable, "-m", "streamlit", "run", "workbench.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    data.mkdir(parents=True)
    with (data.parent / "server.log").open("wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, server)
        token, project_id = lead_session(data)
        began = process_memory_mb(server.pid)
        started = time.perf_counter()
        status, answer = post_file(port, project_id, token, wav)
        ended = process_memory_mb(server.pid)
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=60)
    if status != 200 or not answer.get("imported"):
        raise RuntimeError(f"the upload route answered {status}: {answer}")
    leftovers = list((data / "audio" / "uploads").glob("*"))
    return {"began": began, "ended": ended, "seconds_wall": seconds, "imported": answer["imported"], "left": leftovers}


def measure_uploads(wav: Path, tmp: Path) -> dict[str, dict]:
    """The page's upload as it was (an UploadedFile, in a process of its own) and as it is (the
    route in a real server), on this tree."""
    results = {}
    data = tmp / "data-uploaded-file"
    results["st.file_uploader's UploadedFile"] = measure(ROOT, "import-upload", str(wav), str(data), "file")
    shutil.rmtree(data)
    data = tmp / "server" / "data"
    results["upload route, streamlit run"] = measure_app_upload(wav, data)
    shutil.rmtree(data.parent)
    return results


def print_uploads(results: dict[str, dict], hours: float, size: int) -> None:
    print(f"\n== the app's upload of the {hours:g} h WAV ({size / 1e9:.2f} GB), this tree")
    for what, result in results.items():
        began, peak = result["began"]["rss"], result["ended"]["peak"]
        print(
            f"{what:34s} | peak {peak:6.0f} MB (+{peak - began:5.0f} over {began:5.0f}) {result['seconds_wall']:5.0f} s"
        )
    route = results["upload route, streamlit run"]
    print(
        f"imported by the route: {route['imported'][0]['seconds'] / 3600:.2f} h; left in the uploads folder: {len(route['left'])}"
    )


def make_clips(folder: Path, speech_dir: Path, count: int) -> None:
    """``count`` clips of 1-4 s cut at random from the real English speech, as 16 kHz WAVs."""
    import numpy as np
    import soundfile as sf

    from speechlabel.audio.samples import load_mono_16k

    pool = np.concatenate([load_mono_16k(wav) for wav in sorted((speech_dir / "en").glob("*.wav"))])
    rng = np.random.default_rng(19)
    folder.mkdir(parents=True)
    for number in range(count):
        length = int(rng.uniform(1.0, 4.0) * 16000)
        start = int(rng.integers(0, pool.size - length))
        sf.write(folder / f"clip-{number:04d}.wav", pool[start : start + length], 16000, subtype="PCM_16")


def old_tree(commit: str, parent: Path) -> Path:
    path = parent / f"old-{commit}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), commit], check=True)
    return path


def row(what: str, old: dict | None, new: dict) -> str:
    def figures(result: dict | None) -> str:
        if result is None:
            return f"{'':>34}"
        began, peak = result["began"]["rss"], result["ended"]["peak"]
        return f"peak {peak:6.0f} MB (+{peak - began:5.0f} over {began:5.0f}) {result['seconds_wall']:5.0f} s"

    return f"{what:34s} | old {figures(old)} | new {figures(new)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speech-dir", type=Path, default=DEFAULT_SPEECH)
    parser.add_argument("--hours", type=float, default=4.0)
    parser.add_argument("--recordings", type=int, default=150)
    parser.add_argument("--old-commit", default=OLD_COMMIT)
    parser.add_argument("--old-worker", action="store_true", help="run the thousand recordings on the old code too")
    parser.add_argument("--quick", action="store_true", help="half an hour and 200 recordings")
    parser.add_argument("--upload-only", action="store_true", help="only the app's upload, old and new")
    parser.add_argument("--case", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_case(args.case)
        return
    sys.path.insert(0, str(ROOT))
    from tests.audio_samples import write_long_speech

    if args.quick:
        args.hours, args.recordings = 0.5, 200
    if args.upload_only:
        with tempfile.TemporaryDirectory(prefix="upload-memory-") as folder:
            wav = Path(folder) / "long.wav"
            write_long_speech(wav, args.speech_dir, args.hours * 3600)
            print_uploads(measure_uploads(wav, Path(folder)), args.hours, wav.stat().st_size)
        return
    with tempfile.TemporaryDirectory(prefix="prelabel-memory-") as folder:
        tmp = Path(folder)
        old = old_tree(args.old_commit, tmp)
        try:
            wav = tmp / "long.wav"
            started = time.perf_counter()
            write_long_speech(wav, args.speech_dir, args.hours * 3600)
            print(
                f"{args.hours:g} h of real speech, 44.1 kHz 16-bit stereo: {wav.stat().st_size / 1e9:.2f} GB "
                f"(written in {time.perf_counter() - started:.0f} s); old = {args.old_commit}, new = this tree"
            )
            results: dict[str, dict[str, dict]] = {}
            for label, tree in (("old", old), ("new", ROOT)):
                data = tmp / f"data-{label}"
                results.setdefault("import from a path", {})[label] = measure(tree, "import-path", str(wav), str(data))
                if label == "new":  # the VAD's input: the 16 kHz copy this import made
                    shutil.move(next((data / "audio" / "normalized").glob("*.wav")), tmp / "long-16k.wav")
                shutil.rmtree(data)
            for label, tree, given_as in (("old", old, "bytes"), ("new", ROOT, "file")):
                data = tmp / f"data-{label}"
                case = ("import-upload", str(wav), str(data), given_as)
                results.setdefault("import an upload (bytes / open file)", {})[label] = measure(tree, *case)
                shutil.rmtree(data)
            uploads = measure_uploads(wav, tmp)
            size = wav.stat().st_size
            wav.unlink()
            for label, tree, how in (("old", old, "whole"), ("new", ROOT, "blocks")):
                case = ("vad", str(tmp / "long-16k.wav"), how, str(tmp / f"spans-{label}.json"))
                results.setdefault("segment its 16 kHz copy (VAD)", {})[label] = measure(tree, *case)
            same = (tmp / "spans-old.json").read_text() == (tmp / "spans-new.json").read_text()
            print(f"\n== peak RSS of one process doing one thing, {args.hours:g} h file")
            for what, pair in results.items():
                print(row(what, pair.get("old"), pair["new"]))
            vad = results["segment its 16 kHz copy (VAD)"]
            print(f"segments: old {vad['old']['segments']}, new {vad['new']['segments']}, identical: {same}")
            print_uploads(uploads, args.hours, size)
            clips = tmp / "clips"
            make_clips(clips, args.speech_dir, args.recordings)
            every = max(1, min(100, args.recordings // 10))
            for label, tree in (("old", old), ("new", ROOT)) if args.old_worker else (("new", ROOT),):
                print(f"\n== {label}: one worker pre-labels {args.recordings} clips of 1-4 s (tiny.en)", flush=True)
                worker = measure(tree, "worker", str(clips), str(tmp / f"worker-{label}"), str(every))
                readings = {int(done): rss for done, rss in worker["readings"].items()}
                first, last = readings[min(readings)], readings[max(readings)]
                print(
                    f"RSS at {min(readings)}: {first:.0f} MB, at {max(readings)}: {last:.0f} MB "
                    f"({(last - first) / first:+.1%}); between them {min(readings.values()):.0f}-"
                    f"{max(readings.values()):.0f} MB; peak {worker['ended']['peak']:.0f} MB; "
                    f"{worker['segments']} segments in {worker['seconds']:.0f} s"
                )
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)


if __name__ == "__main__":
    main()
