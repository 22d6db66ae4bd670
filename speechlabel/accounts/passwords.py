"""Password hashing with scrypt (memory-hard, in the standard library).

The cost follows OWASP's Password Storage Cheat Sheet for scrypt: N=2^17, r=8, p=1 (128 MiB and
about 0.1–0.5 s per hash). A stored hash describes itself:
``scrypt$131072$8$1$<salt base64>$<key base64>``, so hashes made with older parameters (N=2^14
before) still verify, and ``needs_rehash`` tells the sign-in to store a new hash of the password
it has just checked. Passwords are never stored, logged or put in an error message; callers
check the length (``accounts.validate_password``) before hashing, so a huge input never reaches
scrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from functools import cache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's parameters: CPU/memory cost ``n`` (128·n·r bytes), block size ``r``, parallelism ``p``."""

    n: int
    r: int = 8
    p: int = 1


SCHEME = "scrypt"
OWASP_COST = ScryptCost(n=2**17, r=8, p=1)  # 128 MiB per hash
# The cost of new hashes. The tests lower it (tests/conftest.py) where many sign-ins happen; one
# test checks that the production value is OWASP_COST and that older hashes are replaced.
COST = OWASP_COST
SALT_BYTES = 16
KEY_BYTES = 32
# Refuse stored parameters needing more memory than this (a tampered row must not make us
# allocate gigabytes).
MAX_MEMORY = 2**28


def hash_password(password: str, cost: ScryptCost | None = None) -> str:
    """A salted scrypt hash of ``password`` in the self-describing format above (``cost``: COST)."""
    cost = cost or COST
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, cost.n, cost.r, cost.p, KEY_BYTES)
    return "$".join((SCHEME, str(cost.n), str(cost.r), str(cost.p), _b64(salt), _b64(key)))


def verify_nothing(password: str) -> None:
    """Spend the time of checking ``password`` against a real hash at today's cost, so that a
    sign-in for an unknown user takes as long as one with a wrong password."""
    verify_password(password, _dummy_hash(COST))


@cache
def _dummy_hash(cost: ScryptCost) -> str:
    return hash_password(secrets.token_urlsafe(16), cost)


def needs_rehash(stored: str) -> bool:
    """True for a readable hash made with other parameters than COST (replace it at the next
    sign-in, when the password is known); False for a current or an unreadable one."""
    parsed = _parse(stored)
    return parsed is not None and ScryptCost(*parsed[:3]) != COST


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
