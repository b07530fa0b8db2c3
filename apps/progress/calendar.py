"""The weekly plan as an iCalendar feed: one all-day event per planned week.

RFC 5545: every event has a UID without spaces (`plan-<enrolment>-week-<n>@<the site's host>`)
and a DTSTAMP (when the enrolment last changed, in UTC); links use SITE_URL."""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar, Event

from apps.progress.models import Enrollment
from apps.progress.plan import Plan
from apps.roadmap.models import Topic


def plan_calendar(*, enrollment: Enrollment, plan: Plan) -> bytes:
    titles = dict(Topic.objects.filter(roadmap=enrollment.roadmap).values_list("slug", "title"))
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{enrollment.roadmap.title}: my plan")
    roadmap_url = f"{settings.SITE_URL}/roadmaps/{enrollment.roadmap.slug}/"
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = enrollment.updated_at.astimezone(UTC)
    for week in plan.weeks:
        names = [titles.get(slug, slug) for slug in week.topics + week.continues]
        event = Event()
        event.add("uid", f"plan-{enrollment.pk}-week-{week.number}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", f"Week {week.number}: " + ", ".join(names))
        event.add("dtstart", week.starts_on)
        event.add("dtend", week.ends_on + timedelta(days=1))
        event.add("description", f"{week.hours} hours planned. {roadmap_url}")
        calendar.add_component(event)
    return calendar.to_ical()
