"""Growing waits after wrong answers, counted per key in the rate limiter's storage.

A limit that refuses everyone once a count is reached lets anyone shut the door on
everyone else. Here a wrong answer (a voter code that does not exist, a wrong password)
counts only against the key that sent it: an address, or an account and an address.
After a generous allowance each further wrong answer starts a wait, twice as long as the
last; while it runs, wrong answers from that key are told how long is left. The callers
decide what a wait holds back: a right voter code is always let in, whatever the count.

The counts live where Flask-Limiter keeps its own (memory, or Redis when REDIS_URL is
set), so every worker sees the same. When that storage cannot be reached, they are kept
in this worker's memory for a minute at a time, and the log says so.
"""

import ipaddress
import math
import time
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import ngettext
from limits.storage import MemoryStorage, Storage

from coprod.extensions import limiter

RECHECK_AFTER = 60  # seconds spent on the in-memory counts before trying the storage again


@dataclass(frozen=True)
class Slowdown:
    """Growing waits for one kind of wrong answer, per key."""

    name: str
    allowance: int  # wrong answers within `window` seconds before any wait
    window: int
    first_wait: int  # seconds
    longest_wait: int

    def waiting(self, key: str) -> int:
        """Seconds left of the wait this key is in; 0 when there is none."""
        return _use(lambda storage: _left(storage, self._key("wait", key)))

    def wrong(self, key: str) -> int:
        """Count a wrong answer from `key`; the seconds it must now wait (0: none)."""
        return _use(lambda storage: self._wrong(storage, key))

    def _wrong(self, storage: Storage, key: str) -> int:
        wait_key = self._key("wait", key)
        if left := _left(storage, wait_key):
            return left  # already waiting: the count grows once per wait, not per click
        count_key = self._key("count", key)
        count = storage.incr(count_key, self.window)
        over = count - self.allowance
        if over <= 0:
            return 0
        seconds = min(self.first_wait * 2 ** min(over - 1, 32), self.longest_wait)
        storage.incr(wait_key, seconds)
        # Keep the count for a window after this wait ends, so the next wait is longer
        # still; an hour of quiet after a wait and the key starts afresh.
        storage.clear(count_key)
        storage.incr(count_key, seconds + self.window, count)
        return _left(storage, wait_key) or seconds

    def _key(self, kind: str, key: str) -> str:
        return f"coprod/{self.name}/{kind}/{key}"


# Wrong voter codes, per address. A code has about 60 bits: guessing is hopeless, so this
# only slows floods. A community centre on one Wi-Fi making 30 typos is never slowed.
wrong_codes = Slowdown("wrong-code", allowance=60, window=3600, first_wait=60, longest_wait=3600)
# Wrong passwords (and second-factor codes) for one account from one address.
wrong_passwords = Slowdown(
    "wrong-password", allowance=10, window=3600, first_wait=60, longest_wait=3600
)


def first_use(key: str, seconds: int) -> bool:
    """True the first time `key` is seen within `seconds`: a one-time code works once."""
    return _use(lambda storage: storage.incr(f"coprod/used/{key}", seconds) == 1)


def address() -> str:
    """Who sent the request, as far as limits go: the address, or its /64 for IPv6 (one
    home or phone is given a whole /64, so counting single addresses would not slow it)."""
    remote = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def minutes(seconds: int) -> int:
    """A wait in whole minutes, rounded up, as it is said to a person."""
    return max(1, math.ceil(seconds / 60))


def too_many_codes(wait: int) -> str:
    """What a voter is told when their address must wait before another wrong code."""
    return ngettext(
        "Too many wrong codes from this connection. Please wait %(num)d minute and try again.",
        "Too many wrong codes from this connection. Please wait %(num)d minutes and try again.",
        minutes(wait),
    )


def too_many_passwords(wait: int) -> str:
    """What someone signing in is told when this account must wait at this address."""
    return ngettext(
        "Too many wrong tries for this account from this connection. Please wait %(num)d "
        "minute and try again.",
        "Too many wrong tries for this account from this connection. Please wait %(num)d "
        "minutes and try again.",
        minutes(wait),
    )


def _left(storage: Storage, key: str) -> int:
    if not storage.get(key):
        return 0
    return max(1, math.ceil(storage.get_expiry(key) - time.time()))


@dataclass
class _Fallback:
    memory: MemoryStorage
    until: float = 0.0


def _use(work):
    """Run `work` on the limiter's storage, or on this worker's memory while it is down."""
    fallback: _Fallback = current_app.extensions.setdefault(
        "coprod.slowdown", _Fallback(MemoryStorage())
    )
    # With limits switched off (RATELIMIT_ENABLED=False) the limiter has no storage at all.
    if limiter.enabled and fallback.until <= time.monotonic():
        storage = limiter.storage
        try:
            return work(storage)
        except storage.base_exceptions as error:
            current_app.logger.warning(
                "Limit storage unreachable (%s); counting wrong codes and passwords in this "
                "worker's memory for %d seconds",
                type(error).__name__,
                RECHECK_AFTER,
            )
            fallback.until = time.monotonic() + RECHECK_AFTER
    return work(fallback.memory)
