from __future__ import annotations

from django import forms

from apps.progress.models import MAX_HOURS_PER_WEEK, MIN_HOURS_PER_WEEK, Enrollment, TopicProgress
from apps.progress.services import NOTE_MAX_LENGTH
from apps.roadmap.models import Project, Roadmap


class EnrollmentForm(forms.Form):
    start_date = forms.DateField(
        label="Start date",
        help_text="Week 1 is the week of this date. Leave it as it is to start this week.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    hours_per_week = forms.IntegerField(
        label="Hours per week",
        min_value=MIN_HOURS_PER_WEEK,
        max_value=MAX_HOURS_PER_WEEK,
        help_text=f"From {MIN_HOURS_PER_WEEK} to {MAX_HOURS_PER_WEEK}. The roadmap's 16 weeks "
        "assume 10.",
        error_messages={
            "min_value": f"Hours per week must be at least {MIN_HOURS_PER_WEEK}.",
            "max_value": f"Hours per week must be at most {MAX_HOURS_PER_WEEK}.",
            "required": "Enter how many hours a week you can study.",
            "invalid": "Enter hours per week as a whole number, like 10.",
        },
    )
    background = forms.ChoiceField(
        label="Your background",
        choices=Enrollment.Background.choices,
        widget=forms.RadioSelect,
        help_text="Topics your background already covers start as skipped; undo any of them "
        "with one click.",
    )
    goal_project = forms.ModelChoiceField(
        label="Goal project (optional)",
        queryset=Project.objects.none(),
        required=False,
        empty_label="No goal project",
    )

    def __init__(self, *args, roadmap: Roadmap, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal_project"].queryset = Project.objects.active().filter(roadmap=roadmap)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=TopicProgress.Status.choices)


class NoteForm(forms.Form):
    note = forms.CharField(
        label="My note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Private to you. Markdown works.",
        strip=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CheckInForm(forms.Form):
    hours = forms.IntegerField(
        label="Hours studied this week",
        min_value=0,
        max_value=168,
        error_messages={
            "required": "Enter the hours you studied this week, 0 if none.",
            "min_value": "Hours cannot be negative.",
            "max_value": "A week has 168 hours.",
        },
    )
    note = forms.CharField(
        label="How did it go? (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
