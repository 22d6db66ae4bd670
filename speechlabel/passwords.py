"""Password hashing with scrypt (memory-hard, in the standard library).

A stored hash describes itself: ``scrypt$16384$8$1$<salt base64>$<key base64>``, so the cost
can be raised later while old hashes still verify. Passwords are never stored, logged or put in
an error message; callers check the length (``accounts.validate_password``) before hashing, so
a huge input never reaches scrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets

log = logging.getLogger(__name__)

SCHEME = "scrypt"
N = 2**14  # CPU/memory cost: 128 * N * R bytes = 16 MiB per hash
R = 8
P = 1
SALT_BYTES = 16
KEY_BYTES = 32
# Refuse stored parameters needing more memory than this (a tampered row must not make us
# allocate gigabytes).
MAX_MEMORY = 2**28


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` in the self-describing format above."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, N, R, P, KEY_BYTES)
    return "$".join((SCHEME, str(N), str(R), str(P), _b64(salt), _b64(key)))


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; False for a mismatch or an unreadable hash."""
    parsed = _parse(stored)
    if parsed is None:
        log.warning("a stored password hash is not in the %s format; the sign-in is refused", SCHEME)
        return False
    n, r, p, salt, key = parsed
    candidate = _scrypt(password, salt, n, r, p, len(key))
    return hmac.compare_digest(candidate, key)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    maxmem = 2 * 128 * n * r + 2**20  # OpenSSL wants headroom above the 128·N·r it uses
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=maxmem)


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = (stored or "").split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    power_of_two = n > 1 and n & (n - 1) == 0
    affordable = 1 <= r <= 32 and 1 <= p <= 16 and 128 * n * r <= MAX_MEMORY
    if not (power_of_two and affordable and salt and 16 <= len(key) <= 64):
        return None
    return n, r, p, salt, key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
