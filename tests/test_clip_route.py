"""The clip route answers byte ranges: Chrome seeks in an <audio> element (the waveform's
click-to-seek, the player's seek bar) only when the server does."""

from __future__ import annotations

import pytest

from views.routes import ranged

BODY = bytes(range(100))


@pytest.mark.parametrize(
    "header, status, first, last",
    [
        ("bytes=0-", 206, 0, 99),
        ("bytes=10-19", 206, 10, 19),
        ("bytes=-5", 206, 95, 99),  # the last five bytes
        ("bytes=90-200", 206, 90, 99),  # an end past the body stops at the body's end
    ],
)
def test_one_range_is_answered_with_those_bytes(header, status, first, last):
    response = ranged(BODY, header)
    assert response.status_code == status
    assert response.body == BODY[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/100"
    assert response.headers["accept-ranges"] == "bytes" and response.media_type == "audio/wav"


@pytest.mark.parametrize("header", [None, "", "bytes=-", "bytes=0-1,5-6", "items=1-2", "bytes=a-b"])
def test_no_range_several_or_a_malformed_one_get_the_whole_clip(header):
    response = ranged(BODY, header)
    assert response.status_code == 200 and response.body == BODY
    assert response.headers["accept-ranges"] == "bytes"  # tells the browser it may ask for ranges


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=5-2", "bytes=-0"])
def test_a_range_outside_the_clip_is_refused_with_its_size(header):
    response = ranged(BODY, header)
    assert response.status_code == 416 and response.body == b""
    assert response.headers["content-range"] == "bytes */100"
