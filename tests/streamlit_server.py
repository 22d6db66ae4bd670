"""``streamlit run workbench.py`` as a subprocess, for the browser tests and the benches that drive
a real server: the one command line, its environment, the wait for its health check and its stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

SERVER_START_SECONDS = 60


class ServerDidNotStart(RuntimeError):
    """The server exited, or did not answer its health check in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch(
    tree: Path, port: int, log_path: Path, env: Mapping[str, str], address: str = "127.0.0.1", append: bool = False
) -> subprocess.Popen:
    """The app of ``tree`` on ``address:port``, its output in ``log_path`` (appended to with
    ``append``: a restarted server's). ``env`` goes on top of this process's environment, less its
    database URL and admin password: a server gets those only when ``env`` names them."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    full_env.pop("SPEECHLABEL_DATABASE_URL", None)
    full_env.pop("SPEECHLABEL_ADMIN_PASSWORD", None)
    full_env.update(env)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "workbench.py",
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("ab" if append else "wb") as log:  # a file, not a pipe: a full pipe would block the server
        # A session of its own: stop() ends the server and the pre-labeling worker it started.
        return subprocess.Popen(
            command, cwd=tree, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_until_healthy(
    process: subprocess.Popen, url: str, log_path: Path, seconds: float = SERVER_START_SECONDS
) -> None:
    """Until ``url`` answers /_stcore/health; ServerDidNotStart if the process exits or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise ServerDidNotStart(
                f"streamlit exited with code {process.returncode} before answering:\n{log_tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServerDidNotStart(
                f"streamlit did not answer /_stcore/health within {seconds:g} s:\n{log_tail(log_path)}"
            )
        time.sleep(0.25)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server and what it started (its pre-labeling worker gives its work back)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def log_tail(log_path: Path, chars: int = 3000) -> str:
    return log_path.read_text(errors="replace")[-chars:] if log_path.exists() else ""
