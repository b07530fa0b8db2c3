"""Many requests at once, from threads, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def hammer(n: int, request: Callable[[], int]) -> list[int]:
    """Run `request` in n threads released together; the status codes they returned."""
    barrier = threading.Barrier(n)
    codes: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            codes.append(request())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes
