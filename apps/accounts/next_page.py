"""Where a newcomer was going (`next`) survives signing up, confirming the email address and
signing in: mandatory confirmation sends them to the sign-in page without it, so the signup
keeps it in the session and the first sign-in after it goes there."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "accounts.next_after_signup"


def safe_next(request: HttpRequest, target: str | None) -> str | None:
    """`target` if it is a path of this site (never another host), else None."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


class NextAfterSignupMixin(DefaultAccountAdapter):
    """For the site's AccountAdapter: keeps a signup's `next` until the first sign-in."""

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        saved = super().save_user(request, user, form, commit=commit)
        target = safe_next(request, request.POST.get("next") or request.GET.get("next"))
        if target:
            request.session[SESSION_KEY] = target
        return saved

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # An explicit `next` on the sign-in form wins before this is asked (allauth's rule).
        target = safe_next(request, request.session.pop(SESSION_KEY, None))
        return target or super().get_login_redirect_url(request)
