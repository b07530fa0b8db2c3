"""The settings pages: profile, email preferences, API tokens, export, account deletion.

A service's refusal lands on the form that asked (`call_for_form`), and the page answers with
its status (`form_status`); one without a form (revoking a token that is not yours) is
answered by roadmap_site.error_views.ApplicationErrorMiddleware."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts import selectors, services
from apps.accounts.forms import (
    AccountDeleteForm,
    EmailPreferencesForm,
    ProfileForm,
    TokenCreateForm,
)
from apps.accounts.roles import is_moderator
from roadmap_site.form_errors import call_for_form, form_status


def _render_form(
    request: HttpRequest, template: str, form: BaseForm, context: dict[str, Any]
) -> HttpResponse:
    return render(request, template, {**context, "form": form}, status=form_status(form))


def _saved(result: object | None) -> bool:
    """call_for_form's answer: None when the service refused (the refusal is on the form)."""
    return result is not None


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = selectors.signed_in_user(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid() and _saved(
            call_for_form(
                form,
                services.user_profile_update,
                user=user,
                display_name=form.cleaned_data["display_name"],
                time_zone=form.cleaned_data["time_zone"],
                show_contributions=form.cleaned_data["show_contributions"],
            )
        ):
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={
                "display_name": user.display_name,
                "time_zone": user.time_zone,
                "show_contributions": user.show_contributions,
            }
        )
    return _render_form(request, "accounts/profile.html", form, {"section": "profile"})


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    user = selectors.signed_in_user(request)
    moderator = is_moderator(user)
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST, moderator=moderator)
        if form.is_valid() and _saved(
            call_for_form(
                form, services.user_email_preferences_update, user=user, **form.cleaned_data
            )
        ):
            messages.success(request, "Your email preferences are saved.")
            return redirect("accounts:email_preferences")
    else:
        form = EmailPreferencesForm(
            initial={
                "email_submission_decisions": user.email_submission_decisions,
                "email_weekly_digest": user.email_weekly_digest,
                "email_drift_nudge": user.email_drift_nudge,
                "email_moderation_digest": user.email_moderation_digest,
            },
            moderator=moderator,
        )
    return _render_form(request, "accounts/email_preferences.html", form, {"section": "email"})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = selectors.signed_in_user(request)
    new_key = None
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = call_for_form(
            form, services.api_token_issue, user=user, name=form.cleaned_data["name"]
        )
        if created is not None:
            new_key = created[1]
            # The key is shown in this answer only; a fresh form invites the next token.
            form = TokenCreateForm()
    context = {
        "new_key": new_key,
        "tokens": selectors.api_token_list(user=user),
        "email_verified": selectors.user_has_verified_email(user=user),
        "ttl_days": settings.API_TOKEN_TTL_DAYS,
        "section": "tokens",
    }
    return _render_form(request, "accounts/tokens.html", form, context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.api_token_revoke(user=selectors.signed_in_user(request), token_id=token_id)
    messages.success(request, "The token is revoked. Scripts that used it can no longer sign in.")
    return redirect("accounts:tokens")


@login_required
@require_GET
def data(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/data.html", {"section": "data"})


@never_cache
@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    user = selectors.signed_in_user(request)
    body = json.dumps(selectors.user_export(user=user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-roadmap-data.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    user = selectors.signed_in_user(request)
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        call_for_form(form, services.user_delete, user=user, password=form.cleaned_data["password"])
        if not form.errors:
            logout(request)
            messages.success(request, "Your account and your personal data are deleted.")
            return redirect("roadmap:home")
    context = {"section": "data", "has_password": user.has_usable_password()}
    return _render_form(request, "accounts/delete.html", form, context)
