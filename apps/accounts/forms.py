from __future__ import annotations

from typing import Any

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


class EmailPreferencesForm(forms.Form):
    email_submission_decisions = forms.BooleanField(
        label="Email me when a moderator approves or rejects a resource I submitted",
        required=False,
    )
    email_weekly_digest = forms.BooleanField(
        label="Email me on Mondays with this week's topics",
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
