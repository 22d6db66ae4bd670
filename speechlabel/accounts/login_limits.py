"""How failed sign-ins slow down guessing without letting a stranger lock anyone out.

Before, five wrong passwords for a username paused it for everyone: anyone could keep the admin
out for good at the cost of five requests. Now every failure is kept with the client's address
(what the app saw, ``st.context.ip_address``; an IPv6 address counts as its /64 network; "" when
unknown, e.g. localhost), and:

- **a username at one address** is paused after ``per_user_and_address`` failures within
  ``window`` (the right password too, until the oldest leaves the window): the guesser waits, the
  account's owner elsewhere does not;
- **an address** is paused for every username after ``per_address`` failures within ``window``:
  guessing costs an attacker one address per ``per_address`` guesses, whichever names they try;
- **a username under attack from many addresses** is never paused: once it has
  ``slowdown_after`` failures within ``window`` from anywhere, every sign-in for it, right or
  wrong, is answered only after a delay (``slowdown_seconds``, doubling for each further
  ``slowdown_after`` failures, at most ``max_slowdown_seconds``). The owner still gets in, a few
  seconds later; each guess holds the guesser's connection as long.

A successful sign-in forgives the failures of that username from that address only (not those
from elsewhere, which may be someone guessing).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from speechlabel.core.errors import TooManyAttempts, WrongCredentials
from speechlabel.store import Store
from speechlabel.store.audit import AuditNote

log = logging.getLogger(__name__)

MAX_ADDRESS_LENGTH = 64


@dataclass(frozen=True)
class LoginLimits:
    """Limits on failed sign-ins (see the module's docstring)."""

    window: timedelta = timedelta(minutes=15)
    per_user_and_address: int = 5
    per_address: int = 20
    slowdown_after: int = 5
    slowdown_seconds: float = 1.0
    max_slowdown_seconds: float = 8.0

    def slowdown(self, failures_for_user: int) -> float:
        """Seconds every sign-in for a username waits after ``failures_for_user`` recent failures."""
        if failures_for_user < self.slowdown_after:
            return 0.0
        doublings = (failures_for_user - self.slowdown_after) // self.slowdown_after
        return min(self.max_slowdown_seconds, self.slowdown_seconds * 2.0 ** min(doublings, 30))


LOGIN_LIMITS = LoginLimits()


def client_address(address: object) -> str:
    """The client's address as counted: an IPv4 address, an IPv6 address's /64 network (one
    subscriber is usually given a whole /64, so counting single IPv6 addresses would give a
    guesser billions of them), "" when unknown; anything else (a proxy's odd value) shortened to
    MAX_ADDRESS_LENGTH characters."""
    if not isinstance(address, str) or not address.strip():
        return ""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:MAX_ADDRESS_LENGTH]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def admit(store: Store, name: str, address: str, now: datetime, limits: LoginLimits) -> None:
    """Refuse (TooManyAttempts) a sign-in for ``name`` from ``address`` while that pair or that
    address is paused; otherwise wait out the username's slowdown, if any, and return."""
    recent = store.recent_login_failures(name, address, now - limits.window)
    paused = _paused_until(recent.user_at_address, limits.per_user_and_address, limits.window)
    by_address = _paused_until(recent.at_address, limits.per_address, limits.window)
    if paused or by_address:
        reason = "too many failures" if paused else "too many failures from the address"
        store.record_audit(AuditNote(name, "login_refused", target=name, details=_details(reason, address)), now)
        until = max(moment for moment in (paused, by_address) if moment)
        raise TooManyAttempts(name if paused else None, (until - now).total_seconds())
    delay = limits.slowdown(recent.for_user)
    if delay:
        log.info("sign-ins for %s are slowed by %.1f s (%d recent failures)", name, delay, recent.for_user)
        time.sleep(delay)


def fail(store: Store, name: str, address: str, now: datetime, reason: str, limits: LoginLimits) -> NoReturn:
    """Count a failed sign-in, log it, and raise WrongCredentials (the same for every reason)."""
    note = AuditNote(name, "login_failed", target=name, details=_details(reason, address))
    store.record_login_failure(name, address, now, now - limits.window, note)
    log.info("failed sign-in for %s (%s)", name, reason)
    raise WrongCredentials()


def _paused_until(failures: list[datetime], limit: int, window: timedelta) -> datetime | None:
    """With ``limit`` recent failures (newest first), when one fewer will be recent enough."""
    return failures[limit - 1] + window if len(failures) >= limit else None


def _details(reason: str, address: str) -> dict[str, str]:
    return {"reason": reason, "address": address} if address else {"reason": reason}
