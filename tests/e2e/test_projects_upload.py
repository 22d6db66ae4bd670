"""The Projects page's multi-file upload in headless Chromium (issue 17, points 9 and 10): a
decompression bomb is refused with its reason, a truncated MP3 goes in with a warning, and the
file after them is imported; no traceback anywhere."""

from __future__ import annotations

import pytest
import soundfile as sf
from playwright.sync_api import expect

from speechlabel.audio.samples import load_mono_16k
from tests.audio_samples import encode_with_ffmpeg, silent_flac
from tests.e2e.steps import create_project, sign_in, upload_audio

pytestmark = pytest.mark.e2e


def test_one_bad_upload_does_not_stop_the_others(page, app_server, speech_dir, tmp_path, screenshot):
    bomb = tmp_path / "bomb.flac"
    bomb.write_bytes(silent_flac(384_000, 8, 30))  # 30 s of 8 channels at 384 kHz: 370 MB decoded
    mp3 = encode_with_ffmpeg(load_mono_16k(speech_dir / "en" / "jfk.wav"), 16000, "mp3", "libmp3lame")
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(mp3[: len(mp3) // 2])
    assert sf.info(str(bomb)).samplerate == 384_000

    sign_in(page, app_server.url)
    create_project(page, "uploads", language="en", model="tiny.en")
    imported = upload_audio(page, bomb, cut, speech_dir / "en" / "jfk.wav")
    screenshot(page)
    assert sorted(imported) == ["cut.mp3: imported — 5.4 s", "jfk.wav: imported — 11.0 s"]
    refused = page.get_by_test_id("stAlertContentError")
    expect(refused).to_have_text(
        "bomb.flac: failed — 'bomb.flac' has a sample rate of 384000 Hz; accepted: 8000 to 192000 Hz"
    )
    warned = page.get_by_test_id("stAlertContentWarning")
    expect(warned).to_have_count(1)
    assert warned.inner_text().startswith(
        "cut.mp3: imported with a warning — 'cut.mp3' is truncated: it declares 11.00 s but only the first 5."
    )
    lines = page.locator(".speechlabel-upload .line")
    expect(lines).to_have_text(
        ["bomb.flac: not imported (the reason is below)", "cut.mp3: finished", "jfk.wav: finished"]
    )
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_file_is_streamed_through_the_upload_route_and_imported(page, app_server, speech_dir, screenshot):
    """The page's upload component sends the file to the upload route (no st.file_uploader),
    shows a line per file and then the page's report; nothing is left in the uploads folder."""
    stereo = speech_dir / "en" / "jfk_44k_24bit_stereo.flac"
    sign_in(page, app_server.url)
    create_project(page, "streamed", language="en", model="tiny.en")
    expect(page.get_by_test_id("stFileUploader").filter(has_text="Upload audio")).to_have_count(0)
    with page.expect_request(lambda request: "/api/upload/" in request.url) as sent:
        imported = upload_audio(page, stereo)
    assert sent.value.method == "POST" and "name=jfk_44k_24bit_stereo.flac" in sent.value.url
    screenshot(page)
    assert imported == ["jfk_44k_24bit_stereo.flac: imported — 11.0 s"]
    expect(page.locator(".speechlabel-upload .line")).to_have_text(["jfk_44k_24bit_stereo.flac: finished"])
    uploads = app_server.data_dir / "audio" / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []
    assert len(list((app_server.data_dir / "audio" / "originals").glob("*/*.flac"))) == 1
    expect(page.get_by_test_id("stException")).to_have_count(0)
