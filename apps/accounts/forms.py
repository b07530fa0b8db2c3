from __future__ import annotations

from typing import Any, ClassVar

from allauth.account import forms as allauth_forms
from django import forms

from apps.accounts.models import User, time_zone_names
from roadmap_site.limits import API_TOKEN_NAME, DISPLAY_NAME


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Display name",
        required=False,
        **DISPLAY_NAME.form_kwargs(),
        help_text="Shown beside resources you submit. Leave it empty to show your username.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="Your weeks start on Monday in this time zone; plans and streaks follow it.",
        error_messages={
            "invalid_choice": "Choose a time zone from the list, such as Europe/Berlin.",
            "required": "Choose your time zone.",
        },
    )
    show_contributions = forms.BooleanField(
        label="Credit me for the resources I suggest",
        required=False,
        help_text=(
            "Your name beside your approved resources, linked to a public page listing them "
            'and the votes they received. Off: they read "Suggested by a contributor" and '
            "there is no page."
        ),
    )


class EmailPreferencesForm(forms.Form):
    email_submission_decisions = forms.BooleanField(
        label="Email me when a moderator approves or rejects a resource I submitted",
        required=False,
    )
    email_weekly_digest = forms.BooleanField(
        label="Email me on Mondays with this week's topics",
        required=False,
    )
    email_drift_nudge = forms.BooleanField(
        label="Email me once when I have not checked in for two weeks",
        required=False,
    )
    email_moderation_digest = forms.BooleanField(
        label="Email me once a day when the moderation queue has work in it",
        required=False,
    )

    def __init__(self, *args: Any, moderator: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not moderator:  # only moderators get the digest, so only they see the choice
            del self.fields["email_moderation_digest"]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        help_text="What will use it, for example “laptop script” or “CI”.",
        max_length=API_TOKEN_NAME.max,
        error_messages={
            "required": "Enter a name for the token.",
            "max_length": API_TOKEN_NAME.message(),
        },
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Type your password again to confirm that you want to delete your account.",
        error_messages={"required": "Enter your password to delete your account."},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user


# ---------------------------------------------------------------------------------------------
# allauth's forms in the site's words (settings.ACCOUNT_FORMS): sentence-case labels, and a
# missing field named in the error summary ("Enter your email") instead of "This field is
# required.", which says nothing once it is read out of context at the top of the page.


class _AuthWording:
    """Labels and "required" messages by field name; fields a form lacks are skipped."""

    labels: ClassVar[dict[str, str]] = {}
    required: ClassVar[dict[str, str]] = {}
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            if name in self.fields:
                self.fields[name].label = label
        for name, message in self.required.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message


_NEW_PASSWORD_LABELS = {"password1": "New password", "password2": "New password (again)"}
_NEW_PASSWORD_REQUIRED = {
    "password1": "Enter a new password",
    "password2": "Enter the new password again",
}


class LoginForm(_AuthWording, allauth_forms.LoginForm):
    labels: ClassVar[dict[str, str]] = {"login": "Username or email", "remember": "Remember me"}
    required: ClassVar[dict[str, str]] = {
        "login": "Enter your username or email",
        "password": "Enter your password",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # allauth puts a reset link in the password's hint; the page has its own, once.
        self.fields["password"].help_text = ""


class SignupForm(_AuthWording, allauth_forms.SignupForm):
    required: ClassVar[dict[str, str]] = {
        "email": "Enter your email",
        "username": "Enter a username",
        "password1": "Enter a password",
        "password2": "Enter the password again",
    }


class ResetPasswordForm(_AuthWording, allauth_forms.ResetPasswordForm):
    required: ClassVar[dict[str, str]] = {"email": "Enter your email"}


class AddEmailForm(_AuthWording, allauth_forms.AddEmailForm):
    required: ClassVar[dict[str, str]] = {"email": "Enter the email address to add"}


class ChangePasswordForm(_AuthWording, allauth_forms.ChangePasswordForm):
    labels: ClassVar[dict[str, str]] = {"oldpassword": "Current password", **_NEW_PASSWORD_LABELS}
    required: ClassVar[dict[str, str]] = {
        "oldpassword": "Enter your current password",
        **_NEW_PASSWORD_REQUIRED,
    }


class SetPasswordForm(_AuthWording, allauth_forms.SetPasswordForm):
    required: ClassVar[dict[str, str]] = {
        "password1": "Enter a password",
        "password2": "Enter the password again",
    }


class ResetPasswordKeyForm(_AuthWording, allauth_forms.ResetPasswordKeyForm):
    labels: ClassVar[dict[str, str]] = _NEW_PASSWORD_LABELS
    required: ClassVar[dict[str, str]] = _NEW_PASSWORD_REQUIRED
