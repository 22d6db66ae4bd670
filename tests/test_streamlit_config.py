"""The committed .streamlit/config.toml, as Streamlit itself reads it (``streamlit config show``
in the repository): users never get tracebacks, developer chrome or a table's raw CSV export.
(The browser test tests/e2e/test_content_safety.py sees the menu and the toolbar.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def effective_options() -> dict[str, str]:
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    section, options = "", {}
    for line in shown.splitlines():
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif line and not line.startswith("#") and " = " in line:
            name, value = line.split(" = ", 1)
            options[f"{section}.{name}"] = value.strip().strip('"')
    return options


def test_the_config_hides_error_details_developer_chrome_and_table_export():
    options = effective_options()
    assert options["client.showErrorDetails"] == "none"  # no exception type, message or traceback
    assert options["client.toolbarMode"] == "viewer"  # no Deploy, Rerun, Clear cache, developer settings
    assert options["client.disableDataExport"] == "true"  # no raw CSV of a table (formula injection)
    assert options["client.showErrorLinks"] == "false"
    assert options["server.maxUploadSize"] == "3000"
    assert options["server.fileWatcherType"] == "none"  # no polling of every module's file per run
