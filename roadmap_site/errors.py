"""The application's refusals, declared once.

Services raise these; nothing else decides how a refusal is answered. The API's one exception
handler (`roadmap_site.api_errors.exception_handler`) turns them into the JSON bodies of
docs/api-errors in API.md, and the one form adapter (`roadmap_site.form_errors`) puts them on
the form that asked. Every refusal means the same thing: nothing was written.

    Invalid        400  {field: [messages]}
    NotAllowed     403  {"detail", "code"}
    NotFound       404  {"detail", "code"}
    Conflict       409  {"detail", "code", ...the conflicting state}
    Stale          412  {"detail", "code", ...the current state}
    LimitReached   429  {"detail", "code", "retry_after"} and a Retry-After header
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

# The key under which a message about the whole input (no one field) travels in the API's 400
# body: DRF's own key, so that serializer and service refusals read alike. Forms put it above
# the form (`form_errors`).
WHOLE_INPUT = "non_field_errors"


class ApplicationError(Exception):
    """A refusal with a message for the person who asked; nothing was written."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "error"
    default_message: ClassVar[str] = "The request was refused."

    def __init__(
        self, message: str | None = None, *, code: str | None = None, **extra: Any
    ) -> None:
        self.message = message or self.default_message
        self.code = code or self.default_code
        # Facts the caller can act on (the existing resource, the current version...): they
        # travel in the API body beside `detail` and `code`, and to templates as they are.
        self.extra: dict[str, Any] = extra
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, **self.extra}

    @property
    def message_dict(self) -> dict[str, list[str]]:
        """The refusal as per-field messages, for forms: a refusal of the whole input."""
        return {WHOLE_INPUT: [self.message]}


class Invalid(ApplicationError):
    """Input that breaks a rule. Messages by field; `WHOLE_INPUT` for the input as a whole."""

    status = 400
    default_code = "invalid"
    default_message = "The input is not valid."

    def __init__(
        self,
        messages: Mapping[str, Sequence[str] | str] | str | None = None,
        *,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        if isinstance(messages, str) or messages is None:
            text = messages or self.default_message
            fields: dict[str, list[str]] = {field or WHOLE_INPUT: [text]}
        else:
            fields = {
                name: [value] if isinstance(value, str) else list(value)
                for name, value in messages.items()
            }
        self.fields = fields
        first = next(iter(fields.values()))[0]
        super().__init__(first, code=code)

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> Invalid:
        if hasattr(error, "error_dict"):
            return cls(
                {
                    WHOLE_INPUT if name == NON_FIELD_ERRORS else name: list(messages)
                    for name, messages in error.message_dict.items()
                }
            )
        return cls({WHOLE_INPUT: list(error.messages)})

    def body(self) -> dict[str, Any]:
        return {name: list(messages) for name, messages in self.fields.items()}

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return {name: list(messages) for name, messages in self.fields.items()}


class NotAllowed(ApplicationError):
    """The caller is known but may not do this."""

    status = 403
    default_code = "not_allowed"
    default_message = "You are not allowed to do this."


class NotFound(ApplicationError):
    """No such thing, or none the caller may see."""

    status = 404
    default_code = "not_found"
    default_message = "Not found."


class Conflict(ApplicationError):
    """The request clashes with the current state; `extra` says what that state is."""

    status = 409
    default_code = "conflict"
    default_message = "This clashes with the current state."


class Stale(ApplicationError):
    """The caller's copy is out of date (`If-Match` or a form's version); `extra` has the
    current state so that the caller can merge and send again."""

    status = 412
    default_code = "stale"
    default_message = "This was changed since you loaded it."


class LimitReached(ApplicationError):
    """Too many of something; try again after `retry_after` seconds."""

    status = 429
    default_code = "limit_reached"
    default_message = "You have reached a limit; try again later."

    def __init__(
        self, message: str | None = None, *, retry_after: int, code: str | None = None, **extra: Any
    ) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message, code=code, retry_after=self.retry_after, **extra)


def as_application_error(error: ApplicationError | ValidationError) -> ApplicationError:
    """Django's ValidationError (from a model's full_clean, say) read as `Invalid`."""
    if isinstance(error, ValidationError):
        return Invalid.from_validation_error(error)
    return error
