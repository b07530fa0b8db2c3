"""Every model of the project has a factory in tests/factories.py, and each makes a valid row."""

from __future__ import annotations

import inspect

import pytest
from django.apps import apps
from factory.django import DjangoModelFactory

from tests import factories

PROJECT_APPS = [
    "accounts",
    "roadmap",
    "progress",
    "community",
    "moderation",
    "linkcheck",
    "solutions",
    "search",
]


def project_models() -> list[type]:
    return [
        model
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")  # simple_history writes those itself
    ]


def factory_classes() -> dict[type, type[DjangoModelFactory]]:
    found = {}
    for _, value in inspect.getmembers(factories, inspect.isclass):
        if issubclass(value, DjangoModelFactory) and value is not DjangoModelFactory:
            found[value._meta.model] = value
    return found


def test_every_model_has_a_factory() -> None:
    missing = [model.__name__ for model in project_models() if model not in factory_classes()]
    assert len(project_models()) >= 20
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory_class", list(factory_classes().values()), ids=lambda f: f.__name__
)
def test_each_factory_makes_a_valid_row(factory_class) -> None:
    first, second = factory_class(), factory_class()  # two: sequences keep them apart
    for row in (first, second):
        row.full_clean()
        assert type(row)._base_manager.filter(pk=row.pk).exists()
    if factory_class._meta.django_get_or_create:  # RoadmapFactory: one roadmap unless named
        assert first.pk == second.pk
    else:
        assert first.pk != second.pk
