"""Moderation forms: one question per field, a visible label and hint; services validate too."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict

from apps.moderation.models import ModerationAction
from apps.moderation.services.showcase import FLAG_ACTIONS
from apps.roadmap.models import Phase, Resource, Topic
from roadmap_site import limits

PUBLIC_HINT = "Optional. Shown in the public moderation log."


def _limited(length: limits.Length, **error_messages: str) -> dict[str, Any]:
    """A text field's limit as form arguments, its messages beside the form's own."""
    kwargs = length.form_kwargs()
    kwargs["error_messages"] = {**kwargs["error_messages"], **error_messages}
    return kwargs


def _reason(
    *, label: str = "Reason", required: bool = False, hint: str = PUBLIC_HINT
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": 3}),
        **_limited(
            limits.REASON, required="Give a reason: the submitter and the public log see it."
        ),
    )


class ApproveForm(forms.Form):
    note = _reason(
        label="Note to the submitter",
        hint="Optional. Emailed to the submitter and shown in the public moderation log.",
    )


class RejectForm(forms.Form):
    reason = _reason(
        required=True,
        hint="Required. Emailed to the submitter and shown in the public moderation log.",
    )


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        label="Decision",
        choices=[
            (ModerationAction.Action.APPROVE, "Approve"),
            (ModerationAction.Action.REJECT, "Reject"),
        ],
        error_messages={"required": "Choose approve or reject."},
    )
    reason = _reason(hint="Required to reject, optional to approve. Public and emailed.")
    ids = forms.TypedMultipleChoiceField(
        label="Submissions",
        coerce=int,
        error_messages={"required": "Select at least one submission."},
    )

    def __init__(self, *args: Any, ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids_field = self.fields["ids"]
        assert isinstance(ids_field, forms.TypedMultipleChoiceField)
        ids_field.choices = [(pk, str(pk)) for pk in ids]


class ResourceEditForm(forms.Form):
    title = forms.CharField(label="Title", **limits.RESOURCE_TITLE.form_kwargs())
    kind = forms.ChoiceField(label="Kind", choices=Resource.Kind.choices)
    topic = forms.ModelChoiceField(
        label="Topic", queryset=Topic.objects.none(), required=False, empty_label="No topic"
    )
    description = forms.CharField(
        label="Description",
        required=False,
        help_text="Markdown.",
        **limits.RESOURCE_DESCRIPTION.form_kwargs(),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reason = _reason()

    def __init__(self, *args: Any, resource: Resource, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, forms.ModelChoiceField)
        topic_field.queryset = Topic.objects.active().filter(roadmap=resource.roadmap)


class RetireForm(forms.Form):
    reason = _reason()


class PickForm(forms.Form):
    editors_pick = forms.BooleanField(label="An editor's pick", required=False)
    reason = _reason()


class MergeSearchForm(forms.Form):
    """The merge picker's search (a GET form): words of the target's title, or part of its URL."""

    q = forms.CharField(
        label="Find the resource it repeats",
        required=False,
        help_text="Words of its title, or part of its URL.",
        **limits.SEARCH_QUERY.form_kwargs(),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "merge-search-%s")  # the page has other forms' fields
        super().__init__(*args, **kwargs)

    def query(self) -> str:
        return self.cleaned_data.get("q", "").strip() if self.is_valid() else ""


class MergeForm(forms.Form):
    """The merge itself: the target picked among the search's candidates (radio buttons), the
    search kept so that a refused form lists them again."""

    into = forms.IntegerField(
        label="Merge into",
        min_value=limits.RECORD_ID.min,
        max_value=limits.RECORD_ID.max,
        error_messages={
            **limits.RECORD_ID.form_kwargs()["error_messages"],
            "required": "Choose the resource to merge into: search, then pick one.",
            "invalid": "Choose the resource to merge into from the list.",
        },
    )
    q = forms.CharField(
        required=False, widget=forms.HiddenInput, **limits.SEARCH_QUERY.form_kwargs()
    )
    reason = _reason()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "merge-%s")  # the page has other forms' reason fields
        super().__init__(*args, **kwargs)


class FlagDecisionForm(forms.Form):
    """What to do about a flag: the act answers every open flag on the same thing."""

    action = forms.ChoiceField(label="Decision", widget=forms.RadioSelect)
    reason = _reason(
        hint="Shown in the public moderation log. Required to hide a solution or remove a review."
    )

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        """`actions`: what may be done about this flag (services.showcase.flag_actions)."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["action"])
        field.choices = [(action, FLAG_ACTIONS[action]) for action in actions]


class RestoreForm(forms.Form):
    reason = _reason()


class ResolveForm(forms.Form):
    note = _reason(label="Note", hint="Optional. Shown in the public moderation log.")


class TopicEditForm(forms.Form):
    title = forms.CharField(label="Title", **limits.TOPIC_TITLE.form_kwargs())
    body = forms.CharField(
        label="Text",
        required=False,
        help_text="Markdown. Its first sentence becomes the topic's summary.",
        widget=forms.Textarea(attrs={"rows": 10}),
        strip=False,
        **limits.TOPIC_BODY.form_kwargs(),
    )
    key_points = forms.CharField(
        label="Key things",
        required=False,
        help_text="One per line.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    est_hours = forms.IntegerField(
        label="Hours",
        required=False,
        help_text="About how long the topic takes; leave empty if unknown.",
        **limits.TOPIC_HOURS.form_kwargs(),
    )
    phase = forms.ModelChoiceField(
        label="Phase", queryset=Phase.objects.none(), required=False, empty_label="No phase"
    )
    order = forms.IntegerField(
        label="Order",
        help_text="Its position in the roadmap, across sections.",
        **limits.TOPIC_ORDER.form_kwargs(),
    )
    reason = _reason()

    def __init__(self, *args: Any, topic: Topic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phase_field = self.fields["phase"]
        assert isinstance(phase_field, forms.ModelChoiceField)
        phase_field.queryset = Phase.objects.filter(roadmap_id=topic.roadmap_id)

    def clean_key_points(self) -> list[str]:
        lines = self.cleaned_data["key_points"].splitlines()
        return [line.strip() for line in lines if line.strip()]


class RevertForm(forms.Form):
    reason = _reason()


class ApplyRedirectForm(forms.Form):
    """The queue's "Apply the new URL" button: nothing to fill in; it carries any refusal."""


class ModlogFilterForm(forms.Form):
    """The public log's filter (GET): one action and one moderator, each optional. A value that
    is not on the lists is refused with a message, so a hand-edited URL never reaches the
    query."""

    action = forms.ChoiceField(
        label="Action",
        required=False,
        error_messages={"invalid_choice": "Choose an action from the list."},
    )
    moderator = forms.ChoiceField(
        label="Moderator",
        required=False,
        error_messages={"invalid_choice": "Choose a moderator from the list."},
    )

    def __init__(self, *args: Any, moderators: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = [(value, value) for value in ModerationAction.Action.values]
        cast(forms.ChoiceField, self.fields["action"]).choices = [("", "Any action"), *actions]
        cast(forms.ChoiceField, self.fields["moderator"]).choices = [("", "Any moderator")] + [
            (name, name) for name in moderators
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if isinstance(self.data, QueryDict):  # a repeated parameter is not one choice
            for name in ("action", "moderator"):
                if len(self.data.getlist(name)) > 1:
                    self.add_error(name, f"Choose one {name}.")
        return cleaned
