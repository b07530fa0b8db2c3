"""The dashboard's bars and weeks are cut around where the learner is (issue 18): at ten times
the seed's content it shows at most limits.DASHBOARD_* of each, and says so with a link; on
the seed (4 phases, 7 sections, a few weeks) it shows everything and no note."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.progress import services
from apps.progress.selectors import _window, dashboard
from apps.roadmap.models import Topic
from roadmap_site import limits

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("count", "focus", "size", "expected"),
    [
        (4, 2, 8, range(0, 4)),  # fewer than the window: all of them
        (400, 0, 8, range(0, 8)),  # at the start
        (400, 100, 8, range(98, 106)),  # a quarter before, the rest after
        (400, 399, 8, range(392, 400)),  # at the end: still a full window
        (400, -5, 8, range(0, 8)),  # before the first (a plan not started yet)
        (0, 0, 8, range(0, 0)),
    ],
)
def test_the_window_holds_the_focus_and_at_most_its_size(count, focus, size, expected) -> None:
    shown = _window(count, focus, size)
    assert shown == expected
    if 0 <= focus < count:
        assert focus in shown


def _bars(html: str, kind: str) -> list[int]:
    return [int(n) for n in re.findall(rf'<progress id="progress-{kind}-(\d+)"', html)]


def _week_rows(html: str) -> list[int]:
    table = html.split('<table class="week-table">', 1)[1].split("</table>", 1)[0]
    return [int(n) for n in re.findall(r'<th scope="row">(\d+)</th>', table)]


@time_machine.travel(NOW, tick=False)
def test_at_ten_times_the_content_the_dashboard_is_cut_around_this_week(synthetic, learner):
    enrollment = services.enrollment_put(
        user=learner, roadmap=synthetic, start_date=date(2025, 11, 27), hours_per_week=5
    )
    d = dashboard(enrollment=enrollment)
    assert d.phases_total > limits.DASHBOARD_PHASES
    assert d.sections_total > limits.DASHBOARD_SECTIONS
    assert d.weeks_total > limits.DASHBOARD_WEEKS
    current = d.plan.current_week
    assert current > limits.DASHBOARD_WEEKS // 4  # a year in: the window does not start at 1
    web = Client()
    web.force_login(learner)
    html = web.get(f"/roadmaps/{synthetic.slug}/dashboard/").content.decode()
    phases, sections, weeks = _bars(html, "phase"), _bars(html, "section"), _week_rows(html)
    assert len(phases) == limits.DASHBOARD_PHASES
    assert len(sections) == limits.DASHBOARD_SECTIONS
    assert len(weeks) == limits.DASHBOARD_WEEKS
    # Consecutive runs around this week: its phase and its week are among those shown.
    this_week = next(w for w in d.plan.weeks if w.number == current)
    assert this_week.phase in phases and phases == list(range(phases[0], phases[0] + len(phases)))
    assert current in weeks and weeks == list(range(weeks[0], weeks[0] + len(weeks)))
    assert len(d.chart.planned) <= limits.DASHBOARD_WEEKS
    assert f"{len(phases)} of {d.phases_total} phases" in html
    assert f"{len(sections)} of {d.sections_total} sections" in html
    assert f"Weeks {weeks[0]} to {weeks[-1]} of {d.weeks_total}" in html
    assert f'href="/roadmaps/{synthetic.slug}/"' in html


@time_machine.travel(NOW, tick=False)
def test_on_the_seed_the_dashboard_shows_everything(readme_roadmap, learner) -> None:
    Topic.objects.filter(roadmap=readme_roadmap).update(est_hours=3)
    enrollment = services.enrollment_put(user=learner, roadmap=readme_roadmap, hours_per_week=3)
    web = Client()
    web.force_login(learner)
    html = web.get(f"/roadmaps/{readme_roadmap.slug}/dashboard/").content.decode()
    assert _bars(html, "phase") == [1, 2, 3, 4]
    assert _bars(html, "section") == [1, 2, 3, 4, 5, 6, 7]
    # The slowest pace: every week of the plan, from the first
    weeks = _week_rows(html)
    assert weeks == list(range(1, dashboard(enrollment=enrollment).weeks_total + 1))
    assert len(weeks) > 16
    for note in ('id="phases-cut"', 'id="sections-cut"', 'id="weeks-cut"'):
        assert note not in html
