"""The settings pages: profile, email preferences, API tokens, export, account deletion."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
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


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.user_profile_update(user=user, **form.cleaned_data)
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"display_name": user.display_name, "time_zone": user.time_zone})
    return render(request, "accounts/profile.html", {"form": form, "section": "profile"})


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST, moderator=is_moderator(user))
        if form.is_valid():
            services.user_email_preferences_update(user=user, **form.cleaned_data)
            messages.success(request, "Your email preferences are saved.")
            return redirect("accounts:email_preferences")
    else:
        form = EmailPreferencesForm(
            initial={
                "email_submission_decisions": user.email_submission_decisions,
                "email_weekly_digest": user.email_weekly_digest,
                "email_moderation_digest": user.email_moderation_digest,
            },
            moderator=is_moderator(user),
        )
    return render(request, "accounts/email_preferences.html", {"form": form, "section": "email"})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    new_key = None
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not selectors.user_has_verified_email(user=user):
            form.add_error(None, "Verify your email address before creating API tokens.")
        else:
            try:
                _, new_key = services.api_token_create(user=user, name=form.cleaned_data["name"])
            except services.AccountError as error:
                form.add_error("name", str(error))
            else:
                # The key is shown in this answer only; a fresh form invites the next token.
                form = TokenCreateForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": selectors.api_token_list(user=user),
            "email_verified": selectors.user_has_verified_email(user=user),
            "ttl_days": settings.API_TOKEN_TTL_DAYS,
            "section": "tokens",
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if not services.api_token_revoke(user=request.user, token_id=token_id):
        raise Http404("No such token")
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
    body = json.dumps(selectors.user_export(user=request.user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-roadmap-data.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_delete(user=request.user, password=form.cleaned_data["password"])
        except services.WrongPassword as error:
            form.add_error("password", str(error))
        else:
            logout(request)
            messages.success(request, "Your account and your personal data are deleted.")
            return redirect("roadmap:home")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "section": "data", "has_password": request.user.has_usable_password()},
    )
