"""Every limit of the site, declared once.

The model (`max_length`, a `CheckConstraint` from `Range.q`), the service (`check`), the form
and the serializer (`form_kwargs`, `serializer_kwargs`) and so the OpenAPI schema (`minLength`,
`maxLength`, `minimum`, `maximum`) all read the same object; the messages say the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class Length:
    """How long a text may be, in characters. `what` names it in messages ("The title")."""

    what: str
    max: int
    min: int = 0

    def message(self) -> str:
        if self.min > 1:
            return f"{self.what} must be {self.min} to {self.max:,} characters long."
        if self.min == 1:
            return f"{self.what} must be 1 to {self.max:,} characters long."
        return f"{self.what} can be at most {self.max:,} characters long."

    def check(self, value: str) -> str | None:
        """None when `value` fits; otherwise the message to show."""
        return None if self.min <= len(value) <= self.max else self.message()

    def serializer_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"max_length": self.max}
        if self.min:
            kwargs["min_length"] = self.min
        return kwargs

    def form_kwargs(self) -> dict[str, Any]:
        return {
            **self.serializer_kwargs(),
            "error_messages": {"min_length": self.message(), "max_length": self.message()},
        }


@dataclass(frozen=True)
class Range:
    """A whole number's bounds, both included. `what` names it in messages ("Hours per week")."""

    what: str
    min: int
    max: int

    def message(self) -> str:
        return f"{self.what} must be from {self.min:,} to {self.max:,}."

    def contains(self, value: int) -> bool:
        return self.min <= value <= self.max

    def check(self, value: int) -> str | None:
        return None if self.contains(value) else self.message()

    def q(self, field: str) -> Q:
        """The model's CheckConstraint condition."""
        return Q(**{f"{field}__gte": self.min, f"{field}__lte": self.max})

    def serializer_kwargs(self) -> dict[str, Any]:
        return {"min_value": self.min, "max_value": self.max}

    def form_kwargs(self) -> dict[str, Any]:
        return {
            **self.serializer_kwargs(),
            "error_messages": {"min_value": self.message(), "max_value": self.message()},
        }


@dataclass(frozen=True)
class DaysAround:
    """A date's bounds, in days before and after a reference day (today), both included.

    Relative to today, so no OpenAPI `minimum`/`maximum` can state it: the field's help text
    does, and the service checks it."""

    what: str
    before: int
    after: int

    def message(self) -> str:
        return (
            f"{self.what} must be from {self.before:,} days before "
            f"to {self.after:,} days after today."
        )

    def bounds(self, today: date) -> tuple[date, date]:
        return today - timedelta(days=self.before), today + timedelta(days=self.after)

    def contains(self, value: date, *, today: date) -> bool:
        low, high = self.bounds(today)
        return low <= value <= high

    def check(self, value: date, *, today: date) -> str | None:
        return None if self.contains(value, today=today) else self.message()


# -- Content (the roadmap's own text; moderators edit it)

TOPIC_TITLE = Length("The title", min=1, max=200)
TOPIC_BODY = Length("The text", max=50_000)
TOPIC_SUMMARY = Length("The summary", max=600)  # the body's first sentence, cut to fit
KEY_POINTS = Range("The number of key things", 0, 50)
KEY_POINT = Length("Each key thing", min=1, max=500)
# A topic's estimate; also the cap the enrichment and the plan read.
TOPIC_HOURS = Range("Hours", 1, 400)
# A topic's position in the whole roadmap (the column is a PositiveSmallIntegerField).
TOPIC_ORDER = Range("The order", 0, 32_767)

# -- Resources (community submissions, moderators' edits)

RESOURCE_URL = Length("The URL", max=2000)
RESOURCE_TITLE = Length("The title", min=3, max=200)
RESOURCE_DESCRIPTION = Length("The description", max=5000)
REPORT_NOTE = Length("The note", max=2000)
REPORTS_PER_HOUR = 10  # per person, in the last hour (429 with Retry-After)
# After a moderator resolves someone's report, they cannot report that resource again for this
# long (409 "report_cooldown"); others can.
REPORT_COOLDOWN = timedelta(days=1)
PENDING_SUBMISSIONS = 10  # waiting for a moderator, per person
SUBMISSIONS_PER_DAY = 20  # per person, in the last 24 hours

# -- The showcase (likes, reviews and flags on project solutions)

# A like counts from an account at least this old, or from one with a solution or an
# approved resource of its own (apps.showcase.rules.may_like).
LIKE_ACCOUNT_AGE = timedelta(days=7)
REVIEW_BODY = Length("The review", min=1, max=10_000)
REVIEW_REPLY = Length("The reply", min=1, max=10_000)
FLAG_NOTE = Length("The note", max=2000)
FLAGS_PER_HOUR = 10  # per person, in the last hour (429 with Retry-After), like reports
SHOWCASE_ROWS = 50  # solutions per page of a project's showcase
REVIEW_QUEUE_ROWS = 50  # solutions the review queue page lists

# -- Moderation

REASON = Length("The reason", max=2000)
BULK_DECISIONS = Range("The number of submissions", 1, 100)
QUEUE_ROWS = 100  # rows per list of the moderation queue
MODLOG_MODERATORS = 200  # names offered by the public log's moderator filter, most recent first
MERGE_CANDIDATES = 20  # resources the merge picker lists for one search

# -- Progress

HOURS_PER_WEEK = Range("Hours per week", 3, 40)
CHECK_IN_HOURS = Range("Hours", 0, 168)  # the hours in a week
PROGRESS_NOTE = Length("A note", max=20_000)
PROGRESS_VERSION = Range("The version", 0, 2_147_483_647)  # If-Match and the note form's version
# A topic's revision a learner saw ("updated since you finished", apps.roadmap revisions).
TOPIC_REVISION = Range("The revision", 0, 2_147_483_647)
TOPIC_CHANGES_SHOWN = 10  # changes listed under "updated since you finished", newest first
CHECK_IN_WEEK = Range("The week", 1, 2_600)  # week numbers of a plan: fifty years of weeks
ENROLMENT_START_DAYS = 365  # an enrolment starts within this many days of today, either way
ENROLMENT_START = DaysAround("The start date", ENROLMENT_START_DAYS, ENROLMENT_START_DAYS)
# An enrolment's own start date is accepted again later (re-enrolling with new hours) for as
# long as its plan's week numbers fit CHECK_IN_WEEK; a stored date outside this (written
# before the bounds) is read as today and refused if sent again.
ENROLMENT_START_KEPT = DaysAround(
    "The start date", (CHECK_IN_WEEK.max - 1) * 7, ENROLMENT_START_DAYS
)
# A paused plan (apps.progress.pause) stands still for at most this long; then it runs again.
PLAN_PAUSE_MAX = timedelta(weeks=12)
# The drift nudge (apps.mail): after this long without a check-in, and at most once per this.
DRIFT_AFTER = timedelta(weeks=2)

# -- Effort (how long a topic really took; apps/progress/effort.py, docs/plan.md)

TIME_TAKEN = Range("The hours it took", 1, 400)  # a learner's own answer, as TOPIC_HOURS
TIME_TAKEN_CHOICES = (1, 3, 6, 10)  # the quick answers offered when a topic is marked done
EFFORT_MIN_LEARNERS = 5  # k: learners' times shown only from this many reports of a topic
# A topic's learners' median is "far" from its editorial hours outside these ratios
# (median / editorial), both excluded; the moderator's list of topics to look at.
EFFORT_FAR_LOW = 0.67
EFFORT_FAR_HIGH = 1.5
PACE_MIN_DONE = 3  # the learner's speed is shown from this many done topics with a time
PACE_WEEKS = 4  # the projection reads the check-ins of the last this many weeks

# -- Accounts

DISPLAY_NAME = Length("The display name", max=80)
API_TOKEN_NAME = Length("The token's name", min=1, max=100)

# -- Link health (a check's URL and where it redirected to are RESOURCE_URL: a redirect may
# become the resource's URL)

LINK_CHECK_ERROR = Length("The error", max=500)  # what the checker said went wrong

# -- Lists

RECORD_ID = Range(
    "The id", 1, 2**63 - 1
)  # a row's id as typed (merge into, bulk ids): BigAutoField

PAGE_SIZE = 50  # the API's pages, unless ?page_size= asks for another size
API_PAGE_SIZE = Range("The page size", 1, 100)  # ?page_size= on every API list
PAGE_ROWS = 25  # rows per page of a site's list page (my submissions)
SEARCH_QUERY = Length("The search", max=200)  # GET /resources/?q=, the site search (?q=)
SEARCH_PAGE_SIZE = 20  # results per page of the site search (the page and the API)
SEARCH_PAGE = Range("The page", 1, 500)  # ?page= of the site search
SEARCH_SNIPPET = 200  # characters of a result's snippet, around the first match
SEARCH_SNIPPET_SOURCE = 20_000  # characters of a body kept in the index (a topic's is 50,000)
SEARCH_FUZZY_ROWS = 50  # results of a typo-tolerant search (when the words match nothing)

# -- The roadmap page: each list it shows is cut at a size above the real roadmap's largest
# (7 sections, 4 phases, 7 topics in a section, 6 general resources), with a link to
# where the rest are listed, so the page stays small whatever the content's size.
ROADMAP_PAGE_SECTIONS = 20  # sections in the grid and lanes in the map (7 real); then a link
ROADMAP_PAGE_PHASES = 8  # phase cards, and the timeline only up to this many (4 real)
# Week columns of the map: the real roadmap's 157 hours at the slowest pace (HOURS_PER_WEEK.min,
# 3 hours) take 53 weeks of a learner's own plan; then a note
ROADMAP_PAGE_MAP_WEEKS = 80
ROADMAP_PAGE_TOPICS_PER_SECTION = 12  # then "All N topics in <section>" (the section page)
ROADMAP_PAGE_MAP_NODES_PER_CELL = 8  # a map cell (section x week); then "+N more"
# A week of the phone's map list: above the real roadmap's 38 topics, which a fast plan (40
# hours a week) can put many of in one week; then "+N more"
ROADMAP_PAGE_MAP_NODES_PER_WEEK = 40
# The map lays out every active topic, up to this many (38 real, 380 at ten times); above, the
# page shows a summary with links instead (the section and phase pages list them all)
ROADMAP_PAGE_MAP_TOPICS = 500
ROADMAP_PAGE_GENERAL_RESOURCES = 20  # books, courses and communities; then the API's list
# -- The dashboard: its bars and weeks are cut around where the learner is, at sizes above the
# real roadmap's (4 phases, 7 sections, 53 weeks at the slowest pace), with a link to the
# roadmap page, so the page stays small whatever the content's size.
DASHBOARD_PHASES = ROADMAP_PAGE_PHASES  # "By phase" bars, around this week's phase
DASHBOARD_SECTIONS = ROADMAP_PAGE_SECTIONS  # "By section" bars, around this week's section
DASHBOARD_WEEKS = ROADMAP_PAGE_MAP_WEEKS  # the week chart and its table, around this week
SECTION_NUMBER = Range("The section number", 1, 32_767)  # /sections/<number>/: a small int

# -- Solutions (a learner's build of a roadmap project)

SOLUTION_URL = Length("The URL", min=1, max=2000)  # the repository's and the demo's
SOLUTION_WRITE_UP = Length("The write-up", max=20_000)
SOLUTION_TOPICS = Range("The number of topics", 0, 50)
SOLUTION_VERSION = Range("The version", 0, 2_147_483_647)  # the edit form's check and If-Match
REQUIREMENT_LINK = Length("The link", max=2000)  # a URL or a path in the repository
REQUIREMENT_NOTE = Length("The note", max=1000)
EVIDENCE_DETAIL = Length("The detail", max=500)
# A demo that failed this many link checks in a row gets a fix-by date this far out; a
# solution whose demo is still failing after it is hidden (never deleted).
DEMO_FAILURES_TO_WARN = 2
DEMO_FIX_DAYS = 7

# -- Operations

# `manage.py wait_for_migrations --timeout`: how long a pod's init container waits for the
# migrations Job (docs/scaling.md, "Migrations before the web rolls").
MIGRATION_WAIT_SECONDS = Range("The wait in seconds", 1, 3600)
