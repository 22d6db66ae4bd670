"""Export in headless Chromium: the lead (the admin) opens the Export page of a pre-labeled
project, runs a Hugging Face audiofolder export, sees the progress bar finish and the result,
downloads the zip through the download button, and the zip holds the export folder with
metadata.jsonl and its clips."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from speechlabel.export.archive import folder_files
from tests.e2e.steps import choose, open_app, prelabeled_project, wait_for_app_idle

PROJECT = "export-en"

pytestmark = pytest.mark.e2e


def test_a_lead_exports_hugging_face_and_downloads_the_zip(page, app_server, speech_dir, screenshot, tmp_path):
    prelabeled_project(page, app_server.url, PROJECT, speech_dir / "en" / "jfk.wav")
    open_app(page, app_server.url, "export")
    expect(page.get_by_role("heading", name="Export", exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Project", exact=True)).to_have_value(PROJECT)

    choose(page, "Format", "Hugging Face audiofolder")
    wait_for_app_idle(page)
    name_box = page.get_by_role("textbox", name=re.compile(r"^Export name"))
    expect(name_box).to_have_value(re.compile(rf"^{PROJECT}-hf-\d{{8}}T\d{{6}}Z$"))  # the default follows the format
    name = name_box.input_value()
    # Approved segments only unless asked: this project has drafts only, so take every status.
    expect(page.get_by_text("Included: approved segments only.")).to_be_visible()
    page.get_by_text("Every status (also unreviewed, rejected and reworked segments)").click()
    wait_for_app_idle(page)
    expect(page.get_by_text("Included: every segment, whatever its status, reviewed or not.")).to_be_visible()

    page.get_by_role("button", name="Run export").click()
    expect(page.get_by_test_id("stProgress")).to_contain_text(re.compile(r"Done: \d+ segments"), timeout=120_000)
    wait_for_app_idle(page)
    result = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Exported")
    expect(result).to_contain_text(f"exports/{PROJECT}/{name}")
    expect(page.get_by_role("heading", name=f"{PROJECT}: speech dataset")).to_be_visible()  # the dataset card
    screenshot(page, "-result")

    download_button = page.locator(".st-key-export_download").get_by_role("button", name=f"Download {name}.zip")
    download_button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as started:
        download_button.click()
    download = started.value
    screenshot(page, "-download")  # the download button, below it the dataset card
    assert download.suggested_filename == f"{name}.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    folder = app_server.data_dir / "exports" / PROJECT / name
    with zipfile.ZipFile(saved) as archive:
        members = archive.namelist()
        assert sorted(members) == sorted(path.relative_to(folder).as_posix() for path in folder_files(folder))
        rows = [json.loads(line) for line in archive.read("metadata.jsonl").decode("utf-8").splitlines()]
        assert rows and all(row["file_name"] in members for row in rows)
        assert all(archive.read(row["file_name"])[:4] == b"RIFF" for row in rows)
