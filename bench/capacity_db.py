"""Database size per learner and per resource, and Redis memory per signed-in learner (issue 23).

Creates a database of its own next to DATABASE_URL's (`<name>_capacity`, migrated, dropped at
the end), imports the seed roadmap with its enrichment, and measures every table's
`pg_total_relation_size` (rows, indexes and TOAST) after `VACUUM ANALYZE`:

1. before anything else (the content and the migrations' rows);
2. after --learners learners, each with the activity of LEARNER_PROFILE: an account (a real
   password hash, an e-mail address row), a signed-in session, an enrolment, progress rows on
   30 topics (one with a note), 10 weekly check-ins, 5 votes and 10 ticked resources;
3. after --resources approved resources (with their history row and link claim), each with
   --checks link checks behind it (a year of weekly checks by default).

It prints the growth per table, per learner and per resource, and the bytes per link-check
row. Then, with the site's cache on the Redis database of REDIS_URL (under a key prefix of its
own, deleted afterwards), it signs in --redis-learners learners, opens the pages a learner
opens (home, roadmap, dashboard, a topic) as each, and prints the Redis memory of the keys
written (`MEMORY USAGE`), shared pages apart from what each learner adds.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/capacity_db.py \
        [--learners 2000] [--resources 2000] [--checks 52] [--redis-learners 200]

Contacts only PostgreSQL and Redis on their URLs; no server is started, no link is checked.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")

# What one learner has done after a few months on the site (the profile).
LEARNER_PROFILE = {"topics": 30, "notes": 1, "check_ins": 10, "votes": 5, "ticks": 10}
SIZES = """
SELECT c.relname, pg_total_relation_size(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r'
"""


@dataclass(frozen=True)
class Growth:
    table: str
    grown: int  # bytes
    per_unit: float  # bytes per learner (or resource)


def growth(before: Mapping[str, int], after: Mapping[str, int], units: int) -> list[Growth]:
    """The tables that grew from `before` to `after`, largest first, and the bytes per unit."""
    if units < 1:
        raise ValueError("units must be at least 1")
    rows = [
        Growth(table, after[table] - before.get(table, 0), (after[table] - before.get(table, 0))
               / units)
        for table in after
        if after[table] > before.get(table, 0)
    ]  # fmt: skip
    return sorted(rows, key=lambda row: (-row.grown, row.table))


def growth_rows(title: str, rows: list[Growth], unit: str) -> list[str]:
    """A Markdown table of `rows` with their total."""
    total = sum(row.grown for row in rows)
    lines = [f"\n{title}\n", f"| table | grew (kB) | bytes per {unit} |", "|---|---|---|"]
    lines += [f"| {r.table} | {r.grown / 1024:,.0f} | {r.per_unit:,.0f} |" for r in rows]
    per = sum(row.per_unit for row in rows)
    lines.append(f"| **all** | {total / 1024:,.0f} | **{per:,.0f}** |")
    return lines


def sizes() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(SIZES)
        return dict(cursor.fetchall())


def learners_create(count: int, rng: random.Random) -> None:
    """`count` learners with LEARNER_PROFILE's activity, in bulk (the rows the services write;
    enrolments through the service itself)."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from apps.accounts.models import User, UserSession
    from apps.accounts.sessions import SessionStore
    from apps.community.models import Vote
    from apps.progress.models import ResourceTick, TopicProgress, WeeklyCheckIn
    from apps.progress.services import enrollment_put
    from apps.roadmap.models import Resource, Roadmap

    roadmap = Roadmap.objects.get(slug="ml-engineer")
    topics = list(roadmap.topics.filter(retired_at__isnull=True).order_by("order"))
    resources = list(Resource.objects.filter(roadmap=roadmap, status=Resource.Status.APPROVED))
    # One real hash, with the site's hasher, shared by all: the column holds the same length.
    password = make_password(get_random_string(16))
    users = User.objects.bulk_create(
        User(username=f"learner-{n}", email=f"learner-{n}@capacity.example", password=password)
        for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    now = timezone.now()
    store = SessionStore()
    UserSession.objects.bulk_create(
        UserSession(
            session_key=get_random_string(32),
            user_id=user.pk,
            expire_date=now + timedelta(seconds=settings.SESSION_COOKIE_AGE),
            session_data=store.encode({
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }),
        )
        for user in users
    )  # fmt: skip
    start = timezone.localdate() - timedelta(weeks=LEARNER_PROFILE["check_ins"])
    for user in users:
        enrollment_put(user=user, roadmap=roadmap, start_date=start)
    statuses = [TopicProgress.Status.DONE] * 6 + [TopicProgress.Status.IN_PROGRESS] * 2
    statuses += [TopicProgress.Status.SKIPPED]
    progress, check_ins, votes, ticks = [], [], [], []
    for user in users:
        for i, topic in enumerate(rng.sample(topics, min(LEARNER_PROFILE["topics"], len(topics)))):
            status = rng.choice(statuses)
            done = status == TopicProgress.Status.DONE
            note = ("What I took from it, and what to read again: " * 3
                    if i < LEARNER_PROFILE["notes"] else "")  # fmt: skip
            progress.append(TopicProgress(
                user=user, topic=topic, status=status, note_md=note,
                done_at=now if done else None, hours_taken=rng.randint(1, 8) if done else None,
            ))  # fmt: skip
        check_ins += [
            WeeklyCheckIn(user=user, roadmap=roadmap, week=week, hours=rng.randint(2, 10),
                          note_md="Slow week, finished the exercises." if week % 2 else "")
            for week in range(1, LEARNER_PROFILE["check_ins"] + 1)
        ]  # fmt: skip
        votes += [
            Vote(user=user, resource=resource, value=Vote.UP)
            for resource in rng.sample(resources, LEARNER_PROFILE["votes"])
        ]
        ticks += [
            ResourceTick(user=user, resource=resource)
            for resource in rng.sample(resources, LEARNER_PROFILE["ticks"])
        ]
    TopicProgress.objects.bulk_create(progress, batch_size=5000)
    WeeklyCheckIn.objects.bulk_create(check_ins, batch_size=5000)
    Vote.objects.bulk_create(votes, batch_size=5000)
    ResourceTick.objects.bulk_create(ticks, batch_size=5000)


def resources_create(count: int, checks: int, rng: random.Random) -> None:
    """`count` approved resources over the seed's topics, each with its history row, its link
    claim and `checks` link checks a week apart (a few failing)."""
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from apps.linkcheck.models import LinkCheck, LinkClaim
    from apps.roadmap.models import Resource, Roadmap
    from apps.roadmap.url_normalization import normalize_url

    roadmap = Roadmap.objects.get(slug="ml-engineer")
    topics = list(roadmap.topics.filter(retired_at__isnull=True))
    now = timezone.now()
    made = []
    for n in range(count):
        url = f"https://docs.host-{n % 70}.example/guides/{uuid.uuid4().hex[:12]}/getting-started"
        made.append(Resource(
            roadmap=roadmap, topic=rng.choice(topics), url=url, normalized_url=normalize_url(url),
            title=f"A guide to part {n} of the subject, with worked examples",
            description_md="What it covers, who it is for and how long it takes. " * 2,
            status=Resource.Status.APPROVED, health=Resource.Health.OK, last_checked_at=now,
            reviewed_at=now, review_reason="A good guide.",
        ))  # fmt: skip
    resources = bulk_create_with_history(made, Resource, batch_size=2000)
    if not resources or resources[0].pk is None:
        resources = list(Resource.objects.filter(title__startswith="A guide to part"))
    LinkClaim.objects.bulk_create(
        LinkClaim(resource=resource, host=resource.url.split("/")[2]) for resource in resources
    )
    history = [
        LinkCheck(resource=resource, url=resource.url, checked_at=now - timedelta(weeks=k),
                  verdict=LinkCheck.Verdict.OK if k % 13 else LinkCheck.Verdict.ERROR,
                  status_code=200 if k % 13 else 503,
                  error="" if k % 13 else "The server answered 503 Service Unavailable.",
                  elapsed_ms=rng.randint(80, 900))
        for resource in resources
        for k in range(checks)
    ]  # fmt: skip
    LinkCheck.objects.bulk_create(history, batch_size=10_000)


def _ok(response, path: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")


def redis_per_learner(learners: int) -> list[str]:
    """Sign in `learners` learners, open a learner's pages as each, and measure the Redis keys
    written under a prefix of this run's own: the shared pages, and what each learner adds."""
    from django.conf import settings
    from django.core.cache import caches
    from django.test import Client, override_settings

    from apps.accounts.models import User

    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        return ["(no Redis cache: REDIS_URL is not set)"]
    prefix = f"capacity-{uuid.uuid4().hex[:8]}"
    cache_settings = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    pages = ["/", "/roadmaps/ml-engineer/", "/roadmaps/ml-engineer/dashboard/"]
    topic = "/roadmaps/ml-engineer/topics/{}/"
    from apps.roadmap.models import Topic

    slugs = list(Topic.objects.filter(roadmap__slug="ml-engineer").values_list("slug", flat=True))
    with override_settings(CACHES=cache_settings):
        # Not cache.clear(): on Redis that flushes the whole database, not the prefix's keys.
        client = caches["default"]._cache.get_client(None, write=True)  # type: ignore[attr-defined]

        def measure() -> tuple[int, int]:
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            return len(keys), sum(client.memory_usage(key) or 0 for key in keys)

        def families() -> list[str]:
            """The keys alive now by family (the key less its last part), with their TTL."""
            found: dict[str, list[int]] = {}
            ttl: dict[str, int] = {}
            for key in client.scan_iter(match=f"{prefix}:*", count=1000):
                name = key_family(key.decode(), prefix)
                found.setdefault(name, []).append(client.memory_usage(key) or 0)
                ttl[name] = client.ttl(key)
            return [
                f"  {name}: {len(sizes)} keys, {sum(sizes) / len(sizes):,.0f} bytes each on "
                f"average, TTL {ttl[name]} s (one of them)"
                for name, sizes in sorted(found.items())
            ]

        anonymous = Client()
        for path in [*pages[:2], *(topic.format(slug) for slug in slugs)]:
            _ok(anonymous.get(path, HTTP_X_FORWARDED_PROTO="https"), path)
        shared_keys, shared_bytes = measure()
        for user in User.objects.filter(username__startswith="learner-")[:learners]:
            visitor = Client()
            visitor.force_login(user)
            for path in [*pages, topic.format(slugs[user.pk % len(slugs)])]:
                _ok(visitor.get(path, HTTP_X_FORWARDED_PROTO="https"), path)
        keys, used = measure()
        alive = families()
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
    return [
        f"Redis, the anonymous pages cached (home, roadmap, {len(slugs)} topics): "
        f"{shared_keys} keys, {shared_bytes / 1024:,.0f} kB",
        f"Redis, after {learners} learners each opened home, roadmap, dashboard and a topic: "
        f"{keys} keys, {used / 1024:,.0f} kB; per learner {(keys - shared_keys) / learners:.1f} "
        f"keys, {(used - shared_bytes) / learners:,.0f} bytes (keys that expired during the "
        "pass are not counted)",
        "Redis keys alive at the end, by family:",
        *alive,
    ]


def key_family(key: str, prefix: str) -> str:
    """A cache key less its prefix, version and last part (an id or a hash):
    "p:1:moderation:is-moderator:12" -> "moderation:is-moderator:*"."""
    rest = key.removeprefix(f"{prefix}:").split(":", 1)[-1]
    head, _, _ = rest.rpartition(":")
    return f"{head}:*" if head else rest


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--resources", type=int, default=2000)
    parser.add_argument("--checks", type=int, default=52, help="link checks per resource")
    parser.add_argument("--redis-learners", type=int, default=200)
    parser.add_argument("--seed", type=int, default=23)
    options = parser.parse_args()
    if min(options.learners, options.resources, options.redis_learners) < 1:
        parser.error("--learners, --resources and --redis-learners must be at least 1")
    if not 0 <= options.checks <= 1000:
        parser.error("--checks must be from 0 to 1000")
    if options.redis_learners > options.learners:
        parser.error("--redis-learners must be at most --learners")

    import django

    django.setup()
    logging.disable(logging.INFO)  # the request log, one line per page
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL database")
    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_capacity"}
    setup_test_environment()  # the test client's host is allowed
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    rng = random.Random(options.seed)
    started = time.monotonic()

    def note(message: str) -> None:
        print(f"[{time.monotonic() - started:4.0f} s] {message}", file=sys.stderr, flush=True)

    try:
        call_command("import_roadmap", str(ROOT / "fixtures/ml-engineer-roadmap.md"),
                     slug="ml-engineer", verbosity=0)  # fmt: skip
        call_command("load_enrichment", str(ROOT / "fixtures/ml-engineer-enrichment.json"),
                     verbosity=0)  # fmt: skip
        empty = sizes()
        note(f"seeded; creating {options.learners} learners")
        learners_create(options.learners, rng)
        with_learners = sizes()
        note(f"creating {options.resources} resources with {options.checks} checks each")
        resources_create(options.resources, options.checks, rng)
        with_resources = sizes()
        note("measuring Redis")
        lines = [
            f"PostgreSQL {_server_version()}, after VACUUM ANALYZE; sizes are "
            "pg_total_relation_size (rows, indexes, TOAST)",
            f"the database with the seed alone: {sum(empty.values()) / 2**20:.1f} MB",
        ]
        lines += growth_rows(
            f"{options.learners} learners, each: {LEARNER_PROFILE}",
            growth(empty, with_learners, options.learners),
            "learner",
        )
        grown = growth(with_learners, with_resources, options.resources)
        lines += growth_rows(
            f"{options.resources} resources, each with its history row, link claim and "
            f"{options.checks} link checks",
            grown,
            "resource",
        )
        checks = next((row for row in grown if row.table == "linkcheck_linkcheck"), None)
        if checks and options.checks:
            lines.append(f"\nbytes per link-check row: {checks.per_unit / options.checks:,.0f}")
        lines += ["", *redis_per_learner(options.redis_learners)]
        print("\n".join(lines))
    finally:
        teardown_databases(databases, verbosity=0)
        teardown_test_environment()


def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0]).split()[0]


if __name__ == "__main__":
    main()
