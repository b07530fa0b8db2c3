"""A circuit breaker: after a dependency fails, skip it for a while instead of paying its
timeout on every call, then let one call probe whether it is back.

One per dependency per process (the cache's Redis, the broker: `circuit_for`). How long a
failed dependency is skipped is one setting, OUTAGE_SKIP_SECONDS.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings


class Circuit:
    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._open_until = 0.0  # 0: closed, calls go through
        self._probe_started = 0.0  # while open and expired: one caller probes

    def _skip_seconds(self) -> float:
        return float(settings.OUTAGE_SKIP_SECONDS)

    def allows(self) -> bool:
        """Whether a call may go to the dependency now. While it is skipped, False; once the
        pause is over, True for exactly one caller (the probe) until that call reports."""
        if not self._open_until:
            return True
        now = time.monotonic()
        with self._lock:
            if not self._open_until:
                return True
            if now < self._open_until:
                return False
            if self._probe_started and now - self._probe_started < self._skip_seconds():
                return False  # someone else is probing
            self._probe_started = now
            return True

    def succeeded(self) -> None:
        if self._open_until:
            with self._lock:
                self._open_until = 0.0
                self._probe_started = 0.0

    def failed(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self._skip_seconds()
            self._probe_started = 0.0

    def is_open(self) -> bool:
        return bool(self._open_until)

    def reset(self) -> None:
        """Forget past failures (tests, and a process that knows the dependency is back)."""
        self.succeeded()


_circuits: dict[str, Circuit] = {}
_circuits_lock = threading.Lock()


def circuit_for(dependency: str) -> Circuit:
    """The circuit of one dependency, named by what it is and where ("cache redis://..."):
    the cache and the broker may be down apart, and a test's dead Redis trips only its own."""
    found = _circuits.get(dependency)
    if found is None:
        with _circuits_lock:
            found = _circuits.setdefault(dependency, Circuit(dependency))
    return found


def circuits_reset() -> None:
    """Close every circuit (tests)."""
    for circuit in list(_circuits.values()):
        circuit.reset()
