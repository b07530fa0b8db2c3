"""Moderation forms: one question per field, a visible label and hint; services validate too."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.community.services import DESCRIPTION_MAX, TITLE_MAX
from apps.moderation import services
from apps.moderation.models import ModerationAction
from apps.roadmap.models import Phase, Resource, Topic

PUBLIC_HINT = "Optional. Shown in the public moderation log."


def _reason(*, label: str = "Reason", required: bool = False, hint: str = PUBLIC_HINT):
    return forms.CharField(
        label=label,
        required=required,
        max_length=services.REASON_MAX,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason: the submitter and the public log see it."},
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
        self.fields["ids"].choices = [(pk, str(pk)) for pk in ids]


class ResourceEditForm(forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    kind = forms.ChoiceField(label="Kind", choices=Resource.Kind.choices)
    topic = forms.ModelChoiceField(
        label="Topic", queryset=Topic.objects.none(), required=False, empty_label="No topic"
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=DESCRIPTION_MAX,
        help_text="Markdown.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reason = _reason()

    def __init__(self, *args: Any, resource: Resource, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.active().filter(roadmap=resource.roadmap)


class RetireForm(forms.Form):
    reason = _reason()


class PickForm(forms.Form):
    editors_pick = forms.BooleanField(label="An editor's pick", required=False)
    reason = _reason()


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label="Merge into resource number",
        min_value=1,
        help_text="The id of the resource this one repeats; it keeps the votes and ticks.",
        error_messages={"required": "Enter the id of the resource to merge into."},
    )
    reason = _reason()


class ResolveForm(forms.Form):
    note = _reason(label="Note", hint="Optional. Shown in the public moderation log.")


class TopicEditForm(forms.Form):
    title = forms.CharField(label="Title", max_length=services.TOPIC_TITLE_MAX)
    body = forms.CharField(
        label="Text",
        required=False,
        max_length=services.TOPIC_BODY_MAX,
        help_text="Markdown. Its first sentence becomes the topic's summary.",
        widget=forms.Textarea(attrs={"rows": 10}),
        strip=False,
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
        min_value=services.HOURS_MIN,
        max_value=services.HOURS_MAX,
        help_text="About how long the topic takes; leave empty if unknown.",
    )
    phase = forms.ModelChoiceField(
        label="Phase", queryset=Phase.objects.none(), required=False, empty_label="No phase"
    )
    order = forms.IntegerField(
        label="Order", min_value=0, help_text="Its position in the roadmap, across sections."
    )
    reason = _reason()

    def __init__(self, *args: Any, topic: Topic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = Phase.objects.filter(roadmap_id=topic.roadmap_id)

    def clean_key_points(self) -> list[str]:
        lines = self.cleaned_data["key_points"].splitlines()
        return [line.strip() for line in lines if line.strip()]


class RevertForm(forms.Form):
    reason = _reason()
