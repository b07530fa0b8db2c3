"""The header's "Moderation" link, for every page: registered in settings' TEMPLATES, so that
no other app needs to import moderation to show it."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from apps.moderation import selectors


class ModerationHeader:
    """Read lazily: a page that never asks (or a viewer who is not a moderator) costs nothing
    more than the cached role."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def is_moderator(self) -> bool:
        return selectors.viewer_is_moderator(getattr(self._request, "user", None))

    @cached_property
    def counts(self) -> dict[str, int]:
        return selectors.queue_counts_cached() if self.is_moderator else {}

    @property
    def waiting(self) -> int:
        return sum(self.counts.values())


def moderation_header(request: HttpRequest) -> dict[str, Any]:
    return {"moderation_header": ModerationHeader(request)}
