"""The one form adapter: a service's refusal shown on the form that asked for it.

A page view calls its service through `call_for_form`; a refusal lands on the form (each
message at its field, the rest above the form), the form keeps what the person typed, and the
page answers with the refusal's status (`form_status`). What a refusal carries (the existing
resource of a duplicate, the current text of a conflicting note) stays on `form.refusal` for
the template. Refusals outside any form are answered by `error_views.ApplicationErrorMiddleware`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.forms import BaseForm

from roadmap_site.errors import ApplicationError, as_application_error

P = ParamSpec("P")
T = TypeVar("T")

REFUSAL = "refusal"


def add_service_errors(form: BaseForm, error: ApplicationError | ValidationError) -> None:
    """Each message at its field; a field the form does not have goes to the whole form."""
    refusal = as_application_error(error)
    setattr(form, REFUSAL, refusal)
    for field, messages in refusal.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def call_for_form(
    form: BaseForm, call: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """The service's answer, or None with the refusal on the form."""
    try:
        return call(*args, **kwargs)
    except (ApplicationError, ValidationError) as error:
        add_service_errors(form, error)
        return None


def refusal_of(form: BaseForm) -> ApplicationError | None:
    refusal = getattr(form, REFUSAL, None)
    return refusal if isinstance(refusal, ApplicationError) else None


def form_status(form: BaseForm) -> int:
    """200 for a fresh or valid form; the refusal's status, or 400 for invalid input."""
    if not form.is_bound or not form.errors:
        return 200
    refusal = refusal_of(form)
    return refusal.status if refusal is not None else 400
