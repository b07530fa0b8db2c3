"""Template tags for accounts: public names, and form fields described by their hint and error."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from apps.accounts import selectors

register = template.Library()


@register.filter
def public_name(user) -> str:
    """`{{ resource.submitted_by|public_name }}`: "deleted user" when the account is gone."""
    return selectors.public_name(user)


@register.filter
def described_widget(field: BoundField) -> SafeString:
    """The field's input with aria-describedby naming its hint and error, and aria-invalid."""
    described_by = []
    attrs: dict[str, str | bool] = {}
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def first_field_id(form) -> str:
    """Where an error that belongs to no single field should take the reader: the first field."""
    for field in form.visible_fields():
        return field.id_for_label or field.auto_id
    return ""
