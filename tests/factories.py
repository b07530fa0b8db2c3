"""factory_boy factories for every model of the project, in one place.

Each factory builds a valid row with the fewest writes: related rows it needs are created by
their own factory (a Resource without a roadmap gets one), unless the test passes them. The
helpers at the bottom (`resource`, `pending`, `approved`) are the shapes the moderation,
community and link-health tests ask for most.

The personas (owner, outsider, moderator...) are fixtures in tests/support/fixtures.py, made
by these factories.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.accounts.models import ApiToken, PersonalVersion, User, UserSession
from apps.community.models import Report, Vote
from apps.linkcheck.models import LinkCheck, LinkClaim
from apps.linkcheck.verdicts import Verdict
from apps.mail.models import DriftNudge, WeeklyEmail
from apps.moderation.models import ModerationAction
from apps.outbox.models import OutboxMessage
from apps.progress.models import Enrollment, ResourceTick, TopicProgress, WeeklyCheckIn
from apps.roadmap.models import (
    FAQ,
    Outcome,
    PageVersion,
    Phase,
    PhaseGoal,
    Project,
    Resource,
    Roadmap,
    Section,
    Topic,
    TopicChange,
)
from apps.roadmap.url_normalization import normalize_url
from apps.search.models import SearchDocument
from apps.showcase.models import Flag, Like, Review, ReviewRequest, Tally
from apps.solutions.models import Evidence, RequirementLink, Solution

PASSWORD = "correct horse battery staple 42"

# -- accounts


class UserFactory(DjangoModelFactory):
    """A user with a password and, unless `verified=False`, a verified primary email.

    `moderator=True` gives the moderator role the way `manage.py moderator add` does.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@mail.example")
    display_name = factory.LazyAttribute(lambda user: f"{user.username.title()} Example")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password", PASSWORD)
        return model_class.objects.create_user(*args, password=password, **kwargs)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if not create or not user.email:
            return
        EmailAddress.objects.create(
            user=user, email=user.email, primary=True, verified=extracted is not False
        )

    @factory.post_generation
    def moderator(user, create, extracted, **kwargs):
        if not create or not extracted:
            return
        from apps.moderation.services.roles import moderator_add  # the role as the site grants it

        moderator_add(user=user)


class ApiTokenFactory(DjangoModelFactory):
    """A named API token. The key is never stored: `ApiTokenFactory.with_key()` returns it."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"script {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from knox.models import AuthToken

        auth_token, key = AuthToken.objects.create(user=kwargs["user"], expiry=timedelta(days=30))
        token = model_class.objects.create(
            auth_token=auth_token, created_at=auth_token.created, **kwargs
        )
        token.key = key
        return token

    @classmethod
    def with_key(cls, **kwargs: Any) -> tuple[ApiToken, str]:
        token = cls(**kwargs)
        return token, token.key


class PersonalVersionFactory(DjangoModelFactory):
    """A learner's personal version (the progress tables' triggers write the real ones)."""

    class Meta:
        model = PersonalVersion

    user_id = factory.LazyFunction(lambda: UserFactory().pk)


class UserSessionFactory(DjangoModelFactory):
    """A database session signed in as `user`, made by the site's own session engine."""

    class Meta:
        model = UserSession

    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

        from apps.accounts.sessions import SessionStore

        user = kwargs["user"]
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return model_class.objects.get(session_key=store.session_key)


# -- roadmap content


class PageVersionFactory(DjangoModelFactory):
    """The one row (migration roadmap 0005 makes it): the public pages' cache key."""

    class Meta:
        model = PageVersion
        django_get_or_create = ("id",)

    id = 1


class RoadmapFactory(DjangoModelFactory):
    class Meta:
        model = Roadmap
        django_get_or_create = ("slug",)

    slug = "ml-engineer"
    title = "ML Engineer Roadmap"


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    roadmap = factory.SubFactory(RoadmapFactory)
    number = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"section-{n + 1}")
    title = factory.Sequence(lambda n: f"Section {n + 1}")


class PhaseFactory(DjangoModelFactory):
    class Meta:
        model = Phase

    roadmap = factory.SubFactory(RoadmapFactory)
    number = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"phase-{n + 1}")
    title = factory.Sequence(lambda n: f"Phase {n + 1}")
    week_start = 1
    week_end = 4


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    roadmap = factory.SubFactory(RoadmapFactory)
    section = factory.SubFactory(SectionFactory, roadmap=factory.SelfAttribute("..roadmap"))
    phase = None
    slug = factory.Sequence(lambda n: f"topic-{n + 1}")
    title = factory.Sequence(lambda n: f"Topic {n + 1}")
    order = factory.Sequence(lambda n: n + 1)


class TopicChangeFactory(DjangoModelFactory):
    class Meta:
        model = TopicChange

    topic = factory.SubFactory(TopicFactory)
    revision = factory.Sequence(lambda n: n + 1)
    kind = TopicChange.Kind.TEXT
    detail = "Changed the text."


class PhaseGoalFactory(DjangoModelFactory):
    class Meta:
        model = PhaseGoal

    phase = factory.SubFactory(PhaseFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Goal {n + 1}")


class OutcomeFactory(DjangoModelFactory):
    class Meta:
        model = Outcome

    roadmap = factory.SubFactory(RoadmapFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Outcome {n + 1}")


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    roadmap = factory.SubFactory(RoadmapFactory)
    slug = factory.Sequence(lambda n: f"project-{n + 1}")
    title = factory.Sequence(lambda n: f"Project {n + 1}")
    order = factory.Sequence(lambda n: n + 1)


class FAQFactory(DjangoModelFactory):
    class Meta:
        model = FAQ

    roadmap = factory.SubFactory(RoadmapFactory)
    order = factory.Sequence(lambda n: n + 1)
    question = factory.Sequence(lambda n: f"Question {n + 1}?")
    answer_md = "An answer."


_pages = itertools.count(1)


class ResourceFactory(DjangoModelFactory):
    """An approved resource with a link of its own, from the enrichment unless someone
    submitted it (then it is a community resource)."""

    class Meta:
        model = Resource

    class Params:
        n = factory.LazyFunction(lambda: next(_pages))

    roadmap = factory.SubFactory(RoadmapFactory)
    topic = None
    url = factory.LazyAttribute(lambda o: f"https://docs.example/page-{o.n}")
    normalized_url = factory.LazyAttribute(lambda o: normalize_url(o.url) if o.url else "")
    title = factory.LazyAttribute(lambda o: f"Resource {o.n}")
    kind = Resource.Kind.DOCS
    status = Resource.Status.APPROVED
    submitted_by = None
    origin = factory.LazyAttribute(
        lambda o: Resource.Origin.COMMUNITY if o.submitted_by else Resource.Origin.ENRICHMENT
    )


# -- progress


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    user = factory.SubFactory(UserFactory)
    roadmap = factory.SubFactory(RoadmapFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate())
    plan_anchor = factory.LazyAttribute(lambda o: o.start_date)


class TopicProgressFactory(DjangoModelFactory):
    class Meta:
        model = TopicProgress

    user = factory.SubFactory(UserFactory)
    topic = factory.SubFactory(TopicFactory)
    status = TopicProgress.Status.IN_PROGRESS


class ResourceTickFactory(DjangoModelFactory):
    class Meta:
        model = ResourceTick

    user = factory.SubFactory(UserFactory)
    resource = factory.SubFactory(ResourceFactory)


class WeeklyCheckInFactory(DjangoModelFactory):
    class Meta:
        model = WeeklyCheckIn

    user = factory.SubFactory(UserFactory)
    roadmap = factory.SubFactory(RoadmapFactory)
    week = factory.Sequence(lambda n: n + 1)
    hours = 5


# -- community


class VoteFactory(DjangoModelFactory):
    class Meta:
        model = Vote

    user = factory.SubFactory(UserFactory)
    resource = factory.SubFactory(ResourceFactory)
    value = Vote.UP


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = Report

    resource = factory.SubFactory(ResourceFactory)
    user = factory.SubFactory(UserFactory)
    reason = Report.Reason.BROKEN


# -- moderation


class ModerationActionFactory(DjangoModelFactory):
    class Meta:
        model = ModerationAction

    actor = factory.SubFactory(UserFactory, moderator=True)
    actor_name = factory.LazyAttribute(lambda o: str(o.actor) if o.actor else "moderator")
    action = ModerationAction.Action.APPROVE
    target_type = ModerationAction.Target.RESOURCE
    target_id = factory.Sequence(lambda n: n + 1)
    target_title = factory.Sequence(lambda n: f"Resource {n + 1}")


# -- link health


class LinkCheckFactory(DjangoModelFactory):
    class Meta:
        model = LinkCheck

    resource = factory.SubFactory(ResourceFactory)
    url = factory.LazyAttribute(lambda o: o.resource.url)
    verdict = Verdict.OK
    status_code = 200


class LinkClaimFactory(DjangoModelFactory):
    class Meta:
        model = LinkClaim

    resource = factory.SubFactory(ResourceFactory)
    host = factory.LazyAttribute(lambda o: o.resource.url.split("/")[2] if o.resource.url else "")


class OutboxMessageFactory(DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    task = "apps.moderation.tasks.submission_decision_email_send"
    args = factory.LazyFunction(lambda: [1, "approved"])


# -- the shapes tests ask for most


# -- solutions


class SolutionFactory(DjangoModelFactory):
    """An active, public solution with a GitHub repository of its own."""

    class Meta:
        model = Solution

    learner = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    forge = Solution.Forge.GITHUB
    repository_path = factory.Sequence(lambda n: f"learner{n + 1}/project")
    repository_url = factory.LazyAttribute(lambda o: f"https://github.com/{o.repository_path}")


class EvidenceFactory(DjangoModelFactory):
    class Meta:
        model = Evidence

    solution = factory.SubFactory(SolutionFactory)
    kind = Evidence.Kind.TESTS
    present = True
    path = "tests/test_app.py"


class RequirementLinkFactory(DjangoModelFactory):
    class Meta:
        model = RequirementLink

    solution = factory.SubFactory(SolutionFactory)
    requirement_key = factory.Sequence(lambda n: f"requirement-{n + 1}")
    requirement_text = "A requirement"
    target = "src/app.py"


# -- showcase


class TallyFactory(DjangoModelFactory):
    class Meta:
        model = Tally

    solution = factory.SubFactory(SolutionFactory)


class LikeFactory(DjangoModelFactory):
    class Meta:
        model = Like

    user = factory.SubFactory(UserFactory)
    solution = factory.SubFactory(SolutionFactory)


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    solution = factory.SubFactory(SolutionFactory)
    reviewer = factory.SubFactory(UserFactory)
    body_md = "A helpful review."


class ReviewRequestFactory(DjangoModelFactory):
    class Meta:
        model = ReviewRequest

    solution = factory.SubFactory(SolutionFactory)


class FlagFactory(DjangoModelFactory):
    class Meta:
        model = Flag

    solution = factory.SubFactory(SolutionFactory)
    user = factory.SubFactory(UserFactory)
    reason = Flag.Reason.BROKEN


def resource(
    roadmap: Roadmap,
    topic: Topic | None,
    *,
    status: str = Resource.Status.APPROVED,
    submitted_by: User | None = None,
    title: str = "",
    **extra: Any,
) -> Resource:
    """A resource on the topic, with a link of its own unless `url=` is given."""
    if title:
        extra["title"] = title
    return ResourceFactory(
        roadmap=roadmap, topic=topic, status=status, submitted_by=submitted_by, **extra
    )


def pending(roadmap: Roadmap, topic: Topic | None, submitter: User, **extra: Any) -> Resource:
    """A submission waiting for a moderator."""
    return resource(roadmap, topic, status=Resource.Status.PENDING, submitted_by=submitter, **extra)


def approved(
    roadmap: Roadmap,
    topic: Topic | None,
    url: str = "https://docs.example/page",
    submitted_by: User | None = None,
    **extra: Any,
) -> Resource:
    """An approved resource at one well-known link ("A good page" unless titled)."""
    extra.setdefault("title", "A good page")
    return resource(roadmap, topic, url=url, submitted_by=submitted_by, **extra)


# -- learner emails


class WeeklyEmailFactory(DjangoModelFactory):
    class Meta:
        model = WeeklyEmail

    user = factory.SubFactory(UserFactory)
    week_of = date(2026, 3, 30)


class DriftNudgeFactory(DjangoModelFactory):
    class Meta:
        model = DriftNudge

    enrollment = factory.SubFactory(EnrollmentFactory)


class SearchDocumentFactory(DjangoModelFactory):
    """A search index row as apps.search.services writes one: for a topic, without the vector
    (the services compute it on PostgreSQL; tests of the engine index through them)."""

    class Meta:
        model = SearchDocument

    kind = SearchDocument.Kind.TOPIC
    object_id = factory.Sequence(lambda n: n + 1)
    roadmap_id = 1
    title = factory.Sequence(lambda n: f"Topic {n + 1}")
    url = factory.Sequence(lambda n: f"/roadmaps/ml/topics/topic-{n + 1}/")
