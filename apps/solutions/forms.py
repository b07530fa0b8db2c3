from __future__ import annotations

from typing import Any, cast

from django import forms

from apps.roadmap.models import Project, Topic
from apps.solutions.models import Evidence
from apps.solutions.services import SolutionInput
from roadmap_site.limits import (
    REQUIREMENT_LINK,
    REQUIREMENT_NOTE,
    SOLUTION_URL,
    SOLUTION_VERSION,
    SOLUTION_WRITE_UP,
)


class SolutionForm(forms.Form):
    """Submit or edit a solution. The service judges the URLs and topics (one rule each);
    the form only reads the input."""

    repository_url = forms.CharField(
        label="Repository",
        help_text="Your public repository's page, like https://github.com/you/fraud-api or "
        "https://gitlab.com/you/fraud-api.",
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        strip=False,
        **{
            **SOLUTION_URL.form_kwargs(),
            "error_messages": {
                **SOLUTION_URL.form_kwargs()["error_messages"],
                "required": "Enter the repository's address.",
            },
        },
    )
    demo_url = forms.CharField(
        label="Live demo (optional)",
        required=False,
        help_text="Where the project runs, if it does. It is checked regularly; a demo that "
        "stays down gets a fix-by date.",
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        **SOLUTION_URL.form_kwargs(),
    )
    write_up = forms.CharField(
        label="Write-up (optional)",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"What you built, how, and what you learned. Markdown works. At most "
        f"{SOLUTION_WRITE_UP.max:,} characters.",
        **SOLUTION_WRITE_UP.form_kwargs(),
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics it exercises",
        required=False,
        queryset=Topic.objects.none(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, **SOLUTION_VERSION.form_kwargs()
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = cast(forms.ModelMultipleChoiceField, self.fields["topics"])
        topics.queryset = (
            Topic.objects.active().filter(roadmap_id=project.roadmap_id).order_by("order")
        )

    def to_input(self) -> SolutionInput:
        data = self.cleaned_data
        return SolutionInput(
            repository_url=data["repository_url"],
            demo_url=data["demo_url"] or None,
            write_up_md=data["write_up"],
            topics=[topic.slug for topic in data["topics"]],
        )


class RequirementLinkForm(forms.Form):
    target = forms.CharField(
        label="Where it is",
        required=False,
        help_text="A URL, or a path in the repository like src/service.py.",
        **REQUIREMENT_LINK.form_kwargs(),
    )
    evidence = forms.ChoiceField(
        label="Or evidence found in the repository",
        required=False,
        choices=[("", "None"), *Evidence.Kind.choices],
    )
    note = forms.CharField(
        label="Note (optional)", required=False, **REQUIREMENT_NOTE.form_kwargs()
    )
