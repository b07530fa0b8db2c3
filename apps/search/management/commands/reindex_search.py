"""Rebuild the whole search index from the content (after the first migration, or to repair)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.search.services import reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index (apps.search) from every roadmap's public content."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            written = reindex_all()
        self.stdout.write(self.style.SUCCESS(f"search index: {written} documents"))
