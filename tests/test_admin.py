"""The admin shows every model of ours, and changes none that a service owns.

Content, progress, community, link health and the moderation log are written by services
(normalisation, duplicate checks, the public moderation log, content_version): in the admin
they are read-only, even for a superuser, and each page says where to make the change. Only
user management (accounts) stays editable. The cases come from the admin registry itself, so a
model registered later is checked without anyone adding it here.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.forms import MultiWidget
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.utils.html import escape
from simple_history.admin import SimpleHistoryAdmin

from tests import factories
from tests.factories import UserFactory

# User management: superusers keep it (tokens and sessions can be revoked, not edited).
USER_MANAGEMENT = {"accounts.user", "accounts.apitoken", "accounts.usersession"}


def test_every_model_of_the_project_is_in_the_admin() -> None:
    ours = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("apps.") and not model.__name__.startswith("Historical")
    ]
    assert len(ours) >= 10
    missing = [model.__name__ for model in ours if not admin.site.is_registered(model)]
    assert missing == []


def service_owned() -> list[type[models.Model]]:
    found = [
        model
        for model in admin.site._registry
        if model.__module__.startswith("apps.") and model._meta.label_lower not in USER_MANAGEMENT
    ]
    assert len(found) >= 15
    return sorted(found, key=lambda model: model._meta.label)


def row_of(model: type[models.Model]) -> models.Model:
    factory = getattr(factories, f"{model.__name__}Factory")
    return factory()


def _posted(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(getattr(item, "pk", item)) for item in value]
    return str(getattr(value, "pk", value))


def a_valid_change(model_admin: admin.ModelAdmin, row: models.Model, superuser) -> dict:
    """What the admin's own change form would post for this row, with one text field changed
    (for a resource, its URL): a change the admin would accept were it allowed to."""
    request = RequestFactory().get("/")
    request.user = superuser
    # change=False: the form with its fields, as if the change were allowed (a change form
    # for someone without the change permission has none).
    form = model_admin.get_form(request, row, change=False)(instance=row)
    data: dict[str, Any] = {}
    changed = None
    for bound in form:
        field, value = bound.field, bound.value()
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                if isinstance(part, date | time | datetime):
                    part = part.isoformat()
                data[f"{bound.html_name}_{index}"] = _posted(part)
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        else:
            data[bound.html_name] = _posted(value)
        model_field = next((f for f in row._meta.fields if f.name == bound.name), None)
        if (
            changed is None
            and isinstance(model_field, models.CharField)
            and not model_field.choices
        ):
            changed = bound.html_name
    if "url" in data:
        changed = "url"
    if changed is not None:
        data[changed] = "https://changed.example/" if changed == "url" else "changed in the admin"
    for inline in model_admin.get_inline_instances(request, row):
        prefix = inline.get_formset(request, row).get_default_prefix()
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


@pytest.fixture
def superuser_client(db) -> tuple[Client, Any]:
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    return client, root


@pytest.mark.django_db
@pytest.mark.parametrize("model", service_owned(), ids=lambda model: model._meta.label)
def test_a_superuser_cannot_add_change_or_delete_what_a_service_owns(model, superuser_client):
    client, root = superuser_client
    row = row_of(model)
    before = model_to_dict(model.objects.get(pk=row.pk))
    model_admin = admin.site._registry[model]
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}"

    change = client.post(f"{base}/{row.pk}/change/", a_valid_change(model_admin, row, root))
    assert change.status_code == 403
    assert client.post(f"{base}/add/", {}).status_code == 403
    assert client.post(f"{base}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk_delete = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    client.post(f"{base}/", bulk_delete)
    if isinstance(model_admin, SimpleHistoryAdmin):
        version = row.history.latest()  # type: ignore[attr-defined]
        revert = f"{base}/{row.pk}/history/{version.history_id}/"
        assert client.post(revert, {}).status_code == 403

    assert model_to_dict(model.objects.get(pk=row.pk)) == before

    # It can still be read, and the page says where the change is made instead.
    for page in (f"{base}/", f"{base}/{row.pk}/change/"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert escape(model_admin.edit_elsewhere) in response.content.decode(), page


@pytest.mark.django_db
def test_a_valid_change_of_a_resources_url_is_what_the_admin_refuses(superuser_client):
    """The finding itself: the URL of a resource, posted through its admin change page."""
    client, root = superuser_client
    row = factories.ResourceFactory(url="https://docs.example/kept")
    model_admin = admin.site._registry[type(row)]
    data = a_valid_change(model_admin, row, root)
    assert data["url"] == "https://changed.example/"
    response = client.post(f"/admin/roadmap/resource/{row.pk}/change/", data)
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.url == "https://docs.example/kept"
