"""What the integration tests that start the site's own processes (gunicorn, Celery) share: the
test database's URL for them, and waiting for a condition."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote

from django.db import connection


def child_database_url() -> str:
    """The test database as a DATABASE_URL, for a process the test starts."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{db['NAME']}"


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    """`condition()`'s first true value, asked every 0.2 s; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
