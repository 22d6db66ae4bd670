"""Wrong passwords from one client cannot lock the admin out: in a real browser, a client reaching
the server by the machine's network address fails five times for 'admin' and is paused, while
the admin at another address (localhost) still signs in. The server listens on every interface
for this module, so that one browser can be two clients."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from tests.e2e.steps import ADMIN_PASSWORD, sign_in


@pytest.fixture(scope="module")
def server_address() -> str:
    return "0.0.0.0"


def network_address() -> str:
    """This machine's address on its default route (a UDP socket sends nothing to learn it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.254", 9))
            address = probe.getsockname()[0]
        except OSError:
            address = ""
    if not address or address.startswith("127."):
        pytest.skip("this machine has no network address besides loopback: the browser cannot be a second client")
    return address


def test_a_stranger_pauses_only_their_own_address(page, app_server, screenshot):
    port = urlsplit(app_server.url).port
    stranger_url = f"http://{network_address()}:{port}"
    for _ in range(5):
        sign_in(page, stranger_url, "admin", "not the admin's password", expect_error="wrong username or password")
    sign_in(
        page,
        stranger_url,
        "admin",
        ADMIN_PASSWORD,
        expect_error="too many failed sign-ins for 'admin' from your address",
    )
    screenshot(page, "-stranger-paused")
    sign_in(page, app_server.url, "admin", ADMIN_PASSWORD)  # the admin, at localhost, gets in
    screenshot(page, "-admin-signed-in")
