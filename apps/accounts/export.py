"""The registry of personal-data export sections.

Each app that stores data about a user registers one section from its AppConfig.ready():

    from apps.accounts.export import register_export_section

    def progress_export(user) -> list[dict]:
        return [...]  # JSON-ready values, only this user's rows

    register_export_section("progress", progress_export)

`GET /api/v1/me/export/` and the settings page's export button return
`{"format": ..., "exported_at": ..., "<name>": <section>, ...}` with every registered section,
in registration order. A section function must read only the given user's data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

ExportSection = Callable[[Any], Any]

RESERVED_NAMES = frozenset({"format", "exported_at"})

_sections: dict[str, ExportSection] = {}


def register_export_section(name: str, fn: ExportSection) -> None:
    if name in RESERVED_NAMES:
        raise ImproperlyConfigured(f"{name!r} is reserved in the export")
    registered = _sections.get(name)
    if registered is not None and registered is not fn:
        raise ImproperlyConfigured(f"The export section {name!r} is already registered")
    _sections[name] = fn


def unregister_export_section(name: str) -> None:
    """For tests that register a section of their own."""
    _sections.pop(name, None)


def export_sections() -> dict[str, ExportSection]:
    return dict(_sections)
