from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/Berlin.")


class User(AbstractUser):
    """The site's user. The time zone decides where a user's weeks begin and end."""

    display_name = models.CharField(max_length=80, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)
