"""The progress pages' forms. Their bounds and messages come from roadmap_site.limits, the
same the services enforce."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from apps.progress.models import Enrollment, TopicProgress
from apps.roadmap.models import Project, Roadmap
from apps.roadmap.schedule import REFERENCE_HOURS_PER_WEEK
from roadmap_site.limits import (
    CHECK_IN_HOURS,
    HOURS_PER_WEEK,
    PROGRESS_NOTE,
    PROGRESS_VERSION,
    TIME_TAKEN,
    TIME_TAKEN_CHOICES,
    TOPIC_REVISION,
)


def not_started() -> str:
    """The status of a topic nobody has touched (views name it without the models module)."""
    return TopicProgress.Status.NOT_STARTED.value


def enrollment_initial(enrollment: Enrollment | None, *, today: date) -> dict[str, Any]:
    """The enrolment form as it opens: the enrolment's settings, or today at the reference pace."""
    if enrollment is None:
        return {
            "start_date": today,
            "hours_per_week": REFERENCE_HOURS_PER_WEEK,
            "background": Enrollment.Background.NEW_TO_ML,
        }
    return {
        "start_date": enrollment.start_date,
        "hours_per_week": enrollment.hours_per_week,
        "background": enrollment.background,
        "goal_project": enrollment.goal_project,
    }


class EnrollmentForm(forms.Form):
    start_date = forms.DateField(
        label="Start date",
        help_text="Week 1 is the week of this date. Leave it as it is to start this week.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    hours_per_week = forms.IntegerField(
        label="Hours per week",
        help_text=f"From {HOURS_PER_WEEK.min} to {HOURS_PER_WEEK.max}. The roadmap's 16 weeks "
        f"assume {REFERENCE_HOURS_PER_WEEK}.",
        min_value=HOURS_PER_WEEK.min,
        max_value=HOURS_PER_WEEK.max,
        error_messages={
            **HOURS_PER_WEEK.form_kwargs()["error_messages"],
            "required": "Enter how many hours a week you can study.",
            "invalid": f"Enter hours per week as a whole number, like {REFERENCE_HOURS_PER_WEEK}.",
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

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal_project = self.fields["goal_project"]
        assert isinstance(goal_project, forms.ModelChoiceField)
        goal_project.queryset = Project.objects.active().filter(roadmap=roadmap)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=TopicProgress.Status.choices)


class TimeTakenForm(forms.Form):
    """ "About how long did it take?": a quick answer (a button, `quick`), a number typed
    (`hours_taken`), or "clear" to withdraw the answer. A quick answer wins over the box."""

    quick = forms.TypedChoiceField(
        required=False, coerce=int, choices=[(h, f"{h} h") for h in TIME_TAKEN_CHOICES]
    )
    hours_taken = forms.IntegerField(label="Hours", required=False, **TIME_TAKEN.form_kwargs())
    clear = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("clear"):
            data["answer"] = None
        elif data.get("quick"):
            data["answer"] = data["quick"]
        elif data.get("hours_taken") is not None:
            data["answer"] = data["hours_taken"]
        else:
            self.add_error("hours_taken", "Choose an answer or type the hours.")
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label="My note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Private to you. Markdown works.",
        strip=False,
        **PROGRESS_NOTE.form_kwargs(),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, **PROGRESS_VERSION.form_kwargs())


class CheckInForm(forms.Form):
    hours = forms.IntegerField(
        label="Hours studied this week",
        min_value=CHECK_IN_HOURS.min,
        max_value=CHECK_IN_HOURS.max,
        error_messages={
            **CHECK_IN_HOURS.form_kwargs()["error_messages"],
            "required": "Enter the hours you studied this week, 0 if none.",
        },
    )
    note = forms.CharField(
        label="How did it go? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        **PROGRESS_NOTE.form_kwargs(),
    )


class DismissChangesForm(forms.Form):
    """ "Updated since you finished" → Dismiss: the topic's revision the notice showed."""

    revision = forms.IntegerField(label="Revision", **TOPIC_REVISION.form_kwargs())
