from __future__ import annotations

from django import forms

from apps.community import services
from apps.community.models import Report
from apps.roadmap.models import Resource, Roadmap, Topic


class SubmissionForm(forms.Form):
    topic = forms.ModelChoiceField(
        label="Topic",
        queryset=Topic.objects.none(),
        required=False,
        empty_label="The roadmap as a whole",
        help_text="The topic this resource teaches.",
    )
    url = forms.CharField(
        label="Link",
        max_length=services.URL_MAX_LENGTH,
        help_text="The page's full address, starting with https:// or http://.",
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        error_messages={"required": "Enter the resource's link."},
    )
    title = forms.CharField(
        label="Title",
        min_length=services.TITLE_MIN,
        max_length=services.TITLE_MAX,
        help_text=f"{services.TITLE_MIN} to {services.TITLE_MAX} characters.",
        error_messages={
            "required": "Enter a title.",
            "min_length": f"The title must be at least {services.TITLE_MIN} characters long.",
            "max_length": f"The title must be at most {services.TITLE_MAX} characters long.",
        },
    )
    kind = forms.ChoiceField(label="Kind", choices=Resource.Kind.choices)
    description = forms.CharField(
        label="Why it helps (optional)",
        required=False,
        max_length=services.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown works. At most 5,000 characters.",
    )

    def __init__(self, *args, roadmap: Roadmap, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.active().filter(roadmap=roadmap)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if problems := services.url_errors(url):
            raise forms.ValidationError(problems)
        return url


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong?", choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Anything a moderator should know? (optional)",
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
