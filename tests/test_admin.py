from django.apps import apps
from django.contrib import admin


def test_every_model_of_the_project_is_in_the_admin() -> None:
    ours = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("apps.") and not model.__name__.startswith("Historical")
    ]
    assert len(ours) >= 10
    missing = [model.__name__ for model in ours if not admin.site.is_registered(model)]
    assert missing == []
