from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from apps.progress import selectors
from apps.progress.calendar import plan_calendar
from apps.progress.models import Enrollment


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The plan as .ics. The unguessable token is the only key: calendar apps send no cookie."""
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("user", "roadmap"), calendar_token=token
    )
    body = plan_calendar(enrollment=enrollment, plan=selectors.plan_for(enrollment=enrollment))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
