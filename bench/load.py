"""Load test of the whole site: a mix of visitors, learners and writers, stepped (issue 18).

Starts the site as shipped, as docker-compose.yml runs it, on loopback: gunicorn from
gunicorn.conf.py (2 workers, DEBUG=0, the shipped LOG_LEVEL, the access log on), a Celery worker
and Celery beat, on a fresh PostgreSQL database next to DATABASE_URL's (dropped afterwards) and
the Redis database of REDIS_URL (flushed), with TRUSTED_PROXY_COUNT=1 as behind compose's proxy.
The content is the seed with its enrichment, or `seed_synthetic --scale N` with --scale.

Before the run it creates, in Python, signed-in learners (enrolled, each with a session and a
CSRF token) and writers, each of whom writes once. wrk (bench/load.lua) then plays N clients,
one connection and thread each, in a closed loop: each client sends its next request as soon
as the last is answered, and opens its connection only then, as the proxy in front of gunicorn
does. Each client's requests come from its own pool, drawn by the mix:

- 80 % anonymous page views: home, roadmap, section pages, phases, topics, projects,
  outcomes, FAQ and the public log, spread over every section, phase and topic;
- 15 % signed-in learners: the dashboard, status changes, weekly check-ins;
- 5 % writes: votes, submissions and notes, each by a different user.

Every request carries `X-Forwarded-Proto: https` and an `X-Forwarded-For` naming its client
(one address per learner and writer, a pool of addresses for visitors), so the site's
per-client limits see many clients and none is hit. The number of clients is stepped up; each
step is run --repeats times and the medians reported. A step holds when no request failed (a
status of 400 or more, a socket error or a timeout) and the p95 is under 100 ms; stepping stops
at the first step that does not hold. The rate held is the req/s served at the highest step
held; p50/p95/p99 and req/s are printed for the whole mix and per class. At the end the votes,
submissions and notes in the database are counted against the writes sent and answered.
Between runs it waits until the site's log shows no request in flight. During each run it
samples /proc for the CPU of the site's processes, wrk, the database's PostgreSQL backends and
Redis, and prints the CPU milliseconds per request and the req/s per web worker process.

    .venv/bin/python bench/load.py [--scale N] [--connections 1,2,4] [--seconds 8]
        [--repeats 3] [--learners 60] [--writers 4000] [--keep-going] [--exclude KINDS]
        [--port P] [--keep-logs]

Needs DATABASE_URL (a PostgreSQL database; the script creates and drops its own next to it),
REDIS_URL (flushed) and `wrk` (Debian's package). Only 127.0.0.1 is contacted: the site's
servers this script starts, PostgreSQL and Redis. The default run takes about 5 minutes on
a quiet machine (the seeding alone takes 1 to 2 of them on a busy one).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
LUA = HERE / "load.lua"

# The mix: the share of each class of request in the offered rate.
MIX = {"anonymous": 0.80, "learner": 0.15, "write": 0.05}
# Anonymous page views by page (weights); phases and topics are spread over all of them.
# A section's page is where the roadmap page sends a visitor for the rest of a section's topics
# (and for the sections after its first ROADMAP_PAGE_SECTIONS); mostly its first page.
ANONYMOUS_PAGES = {"home": 10, "roadmap": 10, "section": 8, "phase": 12, "topic": 30,
                   "projects": 7, "outcomes": 3, "faq": 5, "modlog": 15}  # fmt: skip
SECTION_FIRST_PAGE_SHARE = 0.75
LEARNER_ACTIONS = {"dashboard": 50, "status": 30, "check-in": 20}
WRITE_KINDS = ("vote", "submission", "note")
P95_GOAL_MS = 100.0
WARM_UP_SECONDS = 5
HOST = "127.0.0.1"
ORIGIN = f"https://{HOST}"
DEFAULT_CONNECTIONS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)

# Run inside the bench's settings: learners (enrolled) and writers, each with a session and a
# CSRF secret; the paths and ids the requests need. Writes JSON to the file named by argv[1].
SETUP = """
import json, sys, django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from datetime import timedelta
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils import timezone
from django.utils.crypto import get_random_string
from apps.accounts.models import User
from apps.progress.models import TopicProgress
from apps.progress.services import enrollment_put
from apps.roadmap.models import Resource, Roadmap, Section, Topic
from apps.roadmap.selectors import section_topics
from django.core.paginator import Paginator
from roadmap_site.limits import PAGE_ROWS

options = json.loads(sys.argv[2])
roadmap = Roadmap.objects.get(slug=options["slug"])
store = import_module(settings.SESSION_ENGINE).SessionStore
model = store.get_model_class()
backend = settings.AUTHENTICATION_BACKENDS[0]

def people(prefix, count):
    users = [User(username=f"{prefix}-{n}", email=f"{prefix}-{n}@load.example")
             for n in range(count)]
    for user in users:
        user.set_unusable_password()
    users = User.objects.bulk_create(users)
    # Signed in as django.contrib.auth.login would, the session rows written in one go.
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    sessions, signed_in = [], []
    for user in users:
        key = get_random_string(32, VALID_KEY_CHARS)
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend,
                HASH_SESSION_KEY: user.get_session_auth_hash()}
        sessions.append(model(session_key=key, session_data=store().encode(data),
                              expire_date=expires, user_id=user.pk))
        csrf = get_random_string(32)
        cookie = f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={csrf}"
        signed_in.append({"cookie": cookie, "csrf": csrf})
    model.objects.bulk_create(sessions)
    return users, signed_in

learners, learner_sessions = people("load-learner", options["learners"])
for user in learners:
    enrollment_put(user=user, roadmap=roadmap)
_, writer_sessions = people("load-writer", options["writers"])
site = {
    "slug": roadmap.slug,
    "phases": list(roadmap.phases.order_by("number").values_list("slug", flat=True)),
    # Each active section's number and how many pages its page has (the view's own paginator).
    "sections": [[s.number, Paginator(section_topics(section=s), PAGE_ROWS).num_pages]
                 for s in Section.objects.active().filter(roadmap=roadmap).order_by("number")],
    "topics": list(Topic.objects.active().filter(roadmap=roadmap).order_by("order")
                   .values_list("slug", flat=True)),
    "resources": list(Resource.objects.filter(roadmap=roadmap, status=Resource.Status.APPROVED)
                      .order_by("pk").values_list("pk", flat=True)),
    "statuses": list(TopicProgress.Status.values),
    "kinds": list(Resource.Kind.values),
    "learners": learner_sessions,
    "writers": writer_sessions,
}
# The planner's statistics for the people, sessions and enrolments just written (the server
# may run with autovacuum off, and the run starts before it would come round).
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
with open(sys.argv[1], "w") as out:
    json.dump(site, out)
"""

# Run inside the bench's settings after the run: the writers' rows, as JSON on stdout.
COUNT_ROWS = """
import json, django
django.setup()
from apps.community.models import Vote
from apps.progress.models import TopicProgress
from apps.roadmap.models import Resource
prefix = "load-writer-"
print(json.dumps({
    "vote": Vote.objects.filter(user__username__startswith=prefix).count(),
    "submission": Resource.objects.filter(submitted_by__username__startswith=prefix).count(),
    "note": TopicProgress.objects.filter(user__username__startswith=prefix)
    .exclude(note_md="").count(),
}))
"""


# -- the requests


@dataclass(frozen=True)
class Request:
    kind: str  # its class and what it is: "anonymous:topic", "learner:status", "write:vote"
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""

    @property
    def group(self) -> str:
        return self.kind.split(":", 1)[0]

    def line(self) -> str:
        """The request as a line of a pool file that bench/load.lua reads."""
        fields = [self.kind, self.method, self.path, self.body]
        fields += [f"{name}: {value}" for name, value in self.headers.items()]
        if any(("\t" in f or "\n" in f) for f in fields):
            raise ValueError(f"a tab or a newline in {fields}")
        return "\t".join(fields)


def client_address(group: int, number: int) -> str:
    """A client's address for X-Forwarded-For: 10.<group>.x.y, one per number."""
    if not 0 <= number < 65_536:
        raise ValueError("at most 65,536 clients a group")
    return f"10.{group}.{number // 256}.{number % 256}"


def _headers(address: str, cookie: str | None = None) -> dict[str, str]:
    headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": address}
    if cookie:
        headers["Cookie"] = cookie
    return headers


def _post(kind: str, path: str, person: dict, address: str, data: dict[str, str]) -> Request:
    headers = {
        **_headers(address, person["cookie"]),
        "Origin": ORIGIN,
        "Referer": ORIGIN + path,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": person["csrf"]})
    return Request(kind, "POST", path, headers, body)


def _weighted(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


def without(weights: dict[str, int], group: str, exclude: Iterable[str]) -> dict[str, int]:
    """`weights` less the kinds named in `exclude` ("anonymous:roadmap", ...)."""
    left = {name: w for name, w in weights.items() if f"{group}:{name}" not in set(exclude)}
    if not left:
        raise ValueError(f"--exclude leaves no {group} request")
    return left


def section_path(site: dict, rng: random.Random) -> str:
    """A section's page: any section, its first page SECTION_FIRST_PAGE_SHARE of the time,
    else any of its pages (?page=2 and on)."""
    number, pages = rng.choice(site["sections"])
    path = f"/roadmaps/{site['slug']}/sections/{number}/"
    if pages > 1 and rng.random() >= SECTION_FIRST_PAGE_SHARE:
        return f"{path}?page={rng.randint(2, pages)}"
    return path


def anonymous_requests(
    site: dict, count: int, rng: random.Random, clients: int = 2000, exclude: Iterable[str] = ()
) -> list[Request]:
    """Page views by visitors, spread over every phase and topic."""
    base = f"/roadmaps/{site['slug']}/"
    paths = {
        "home": lambda: "/",
        "roadmap": lambda: base,
        "section": lambda: section_path(site, rng),
        "phase": lambda: f"{base}phases/{rng.choice(site['phases'])}/",
        "topic": lambda: f"{base}topics/{rng.choice(site['topics'])}/",
        "projects": lambda: f"{base}projects/",
        "outcomes": lambda: f"{base}outcomes/",
        "faq": lambda: f"{base}faq/",
        "modlog": lambda: "/modlog/",
    }
    return [
        Request(
            f"anonymous:{page}",
            "GET",
            paths[page](),
            _headers(client_address(1, rng.randrange(clients))),
        )
        for page in _weighted(rng, without(ANONYMOUS_PAGES, "anonymous", exclude), count)
    ]


def learner_requests(
    site: dict, count: int, rng: random.Random, exclude: Iterable[str] = ()
) -> list[Request]:
    """Signed-in learners, each with their own session and address."""
    base = f"/roadmaps/{site['slug']}/"
    requests = []
    for action in _weighted(rng, without(LEARNER_ACTIONS, "learner", exclude), count):
        kind = f"learner:{action}"
        number = rng.randrange(len(site["learners"]))
        person, address = site["learners"][number], client_address(2, number)
        if action == "dashboard":
            requests.append(
                Request(kind, "GET", f"{base}dashboard/", _headers(address, person["cookie"]))
            )
        elif action == "status":
            path = f"{base}topics/{rng.choice(site['topics'])}/status/"
            data = {"status": rng.choice(site["statuses"])}
            requests.append(_post(kind, path, person, address, data))
        else:
            path = f"{base}check-in/"
            requests.append(_post(kind, path, person, address, {"hours": str(rng.randint(0, 20))}))
    return requests


def write_requests(site: dict, writers: Sequence[int], rng: random.Random) -> list[Request]:
    """One write by each writer: a vote, a submission or a note, in turn."""
    base = f"/roadmaps/{site['slug']}/"
    requests = []
    for offset, number in enumerate(writers):
        person, address = site["writers"][number], client_address(3, number % 65_536)
        what = WRITE_KINDS[offset % len(WRITE_KINDS)]
        kind = f"write:{what}"
        if what == "vote":
            path = f"/resources/{rng.choice(site['resources'])}/vote/"
            requests.append(_post(kind, path, person, address, {"value": "1"}))
        elif what == "submission":
            data = {
                "url": f"https://load-{number}.example/guide",
                "title": f"A load test guide, number {number}",
                "kind": site["kinds"][0],
                "topic": "",
                "description": "",
            }
            requests.append(_post(kind, f"{base}submit/", person, address, data))
        else:
            path = f"{base}topics/{rng.choice(site['topics'])}/note/"
            data = {"note": f"Load test note {number}.", "version": "0"}
            requests.append(_post(kind, path, person, address, data))
    return requests


class OutOfWriters(Exception):
    pass


def mixed_pool(
    site: dict,
    length: int,
    writers: Iterator[int],
    rng: random.Random,
    exclude: Iterable[str] = (),
) -> list[Request]:
    """`length` requests drawn by the mix, less the kinds in `exclude`; each write by the next
    writer (once each)."""
    groups = _weighted(rng, {name: round(share * 100) for name, share in MIX.items()}, length)
    count = Counter(groups)
    try:
        authors = [next(writers) for _ in range(count["write"])]
    except StopIteration:
        raise OutOfWriters("every writer has written; run with more --writers") from None
    sources = {
        "anonymous": iter(anonymous_requests(site, count["anonymous"], rng, exclude=exclude)),
        "learner": iter(learner_requests(site, count["learner"], rng, exclude=exclude)),
        "write": iter(write_requests(site, authors, rng)),
    }
    return [next(sources[group]) for group in groups]


def write_pool(path: Path, requests: Iterable[Request]) -> None:
    path.write_text("".join(request.line() + "\n" for request in requests))


def pool_length(rate: float, seconds: int, connections: int) -> int:
    """Requests a connection's pool holds for a run expected at `rate` in all: twice what it
    should send, so that it does not wrap."""
    return math.ceil(rate * seconds * 2 / connections) + 20


# -- wrk's report (the LOAD lines of bench/load.lua's done())


ERROR_NAMES = ("connect", "read", "write", "status", "timeout")
SOCKET_ERRORS = ("connect", "read", "write", "timeout")


def percentile(values: Sequence[float], percent: float) -> float:
    """The nearest-rank percentile of sorted `values` (nan for none)."""
    if not values:
        return math.nan
    return values[max(0, math.ceil(percent / 100 * len(values)) - 1)]


@dataclass
class Report:
    requests: int = 0
    duration_s: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    wrapped: int = 0
    started: dict[str, int] = field(default_factory=dict)  # by kind
    records: list[tuple[str, int, int]] = field(default_factory=list)  # kind, status, µs
    # CPU seconds by role while the run lasted (CpuSampler.seconds), and that wall time.
    cpu: dict[str, float] = field(default_factory=dict)
    cpu_wall_s: float = 0.0

    def answers(self, group: str | None = None) -> list[tuple[str, int, int]]:
        return [r for r in self.records if group is None or r[0].split(":", 1)[0] == group]

    def rate(self, group: str | None = None) -> float:
        return len(self.answers(group)) / self.duration_s if self.duration_s else 0.0

    def failures(self, group: str | None = None) -> int:
        """Answers of 400 or more; for the whole run also socket errors and timeouts (which
        wrk does not tell by request)."""
        failed = sum(1 for _, status, _ in self.answers(group) if status >= 400)
        if group is None:
            failed += sum(self.errors.get(name, 0) for name in SOCKET_ERRORS)
        return failed

    def percentile_ms(self, percent: float, group: str | None = None) -> float:
        values = sorted(micros for _, _, micros in self.answers(group))
        return percentile(values, percent) / 1000

    def statuses(self, group: str | None = None) -> Counter[int]:
        return Counter(status for _, status, _ in self.answers(group))

    @property
    def unanswered(self) -> int:
        """Requests sent but not answered by the end of the run (some are in flight then)."""
        return sum(self.started.values()) - len(self.records)


def parse_report(text: str) -> Report:
    """The LOAD lines of one wrk run; other lines (wrk's own summary) are ignored."""
    report = Report()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 3 or parts[0] != "LOAD":
            continue
        name, values = parts[1], parts[2:]
        if name == "requests":
            report.requests = int(values[0])
        elif name == "duration_us":
            report.duration_s = int(values[0]) / 1e6
        elif name == "errors":
            report.errors = dict(zip(ERROR_NAMES, map(int, values), strict=True))
        elif name == "wrapped":
            report.wrapped = int(values[0])
        elif name == "started":
            report.started[values[0]] = int(values[1])
        elif name == "r":
            report.records.append((values[0], int(values[1]), int(values[2])))
    if report.duration_s == 0:
        raise ValueError("no LOAD lines in wrk's output:\n" + text[-2000:])
    return report


# -- the steps


@dataclass
class Step:
    connections: int
    runs: list[Report]

    def median(self, value: Callable[[Report], float]) -> float:
        return statistics.median(value(run) for run in self.runs)

    def failures(self, group: str | None = None) -> int:
        return sum(run.failures(group) for run in self.runs)

    def statuses(self, group: str | None = None) -> Counter[int]:
        return sum((run.statuses(group) for run in self.runs), Counter())

    @property
    def wrapped(self) -> int:
        return sum(run.wrapped for run in self.runs)

    @property
    def held(self) -> bool:
        return (
            self.failures() == 0
            and self.wrapped == 0
            and all(run.records for run in self.runs)
            and self.median(lambda run: run.percentile_ms(95)) < P95_GOAL_MS
        )


def statuses_text(statuses: Counter[int]) -> str:
    return " ".join(f"{code}x{statuses[code]}" for code in sorted(statuses))


STEP_HEADER = (
    f"{'clients':>7}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}"
    "  verdict   statuses (all runs)"
)


def step_row(step: Step) -> str:
    def ms(percent: float) -> float:
        return step.median(lambda run: run.percentile_ms(percent))

    verdict = "held" if step.held else "NOT held"
    unanswered = sum(run.unanswered for run in step.runs)
    notes = f" unanswered {unanswered}" if unanswered else ""
    notes += f" wrapped {step.wrapped}" if step.wrapped else ""
    return (
        f"{step.connections:>7}{step.median(lambda run: run.rate()):>8.1f}{ms(50):>8.1f}"
        f"{ms(95):>8.1f}{ms(99):>8.1f}{step.failures():>7}  {verdict:<10}"
        f"{statuses_text(step.statuses())}{notes}"
    )


def class_rows(step: Step) -> list[str]:
    """Per request class, the medians over the step's runs."""
    rows = [f"{'class':<11}{'share':>6}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
            f"{'errors':>7}  statuses (all runs)"]  # fmt: skip
    for group in MIX:
        runs = step.runs
        share = statistics.median(len(r.answers(group)) / max(1, len(r.records)) for r in runs)
        rate = statistics.median(r.rate(group) for r in runs)
        latencies = "".join(
            f"{statistics.median(r.percentile_ms(p, group) for r in runs):>8.1f}"
            for p in (50, 95, 99)
        )
        rows.append(
            f"{group:<11}{share:>6.0%}{rate:>8.1f}{latencies}"
            f"{step.failures(group):>7}  {statuses_text(step.statuses(group))}"
        )
    socket = sum(run.errors.get(name, 0) for run in step.runs for name in SOCKET_ERRORS)
    rows.append(f"socket errors and timeouts (not told by class): {socket}")
    return rows


def kind_rows(step: Step) -> list[str]:
    """Per page or action, over all the step's runs together (fewer answers each), with the
    requests sent but not answered by the end of their run (a page slower than the run)."""
    latencies: dict[str, list[int]] = {}
    unanswered: Counter[str] = Counter()
    for run in step.runs:
        answered = Counter(kind for kind, _, _ in run.records)
        for kind, _, micros in run.records:
            latencies.setdefault(kind, []).append(micros)
        for kind, count in run.started.items():
            unanswered[kind] += max(0, count - answered[kind])
    rows = [f"{'page or action':<22}{'answers':>8}{'p50 ms':>8}{'p95 ms':>8}  unanswered"]
    for kind in sorted(set(latencies) | set(unanswered)):
        values = sorted(latencies.get(kind, []))
        p50, p95 = (f"{percentile(values, p) / 1000:>8.1f}" if values else f"{'-':>8}"
                    for p in (50, 95))  # fmt: skip
        rows.append(f"{kind:<22}{len(values):>8}{p50}{p95}  {unanswered[kind] or ''}".rstrip())
    return rows


# -- CPU: whose processes used it during a run (read from /proc, Linux only)


def stat_fields(text: str) -> tuple[int, int]:
    """A /proc/<pid>/stat line's parent pid and CPU time (user + system, in clock ticks).
    The command name, in parentheses, may hold spaces and parentheses: fields are counted
    from the last ")"."""
    rest = text[text.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state): ppid is field 4, utime 14 and stime 15.
    return int(rest[1]), int(rest[11]) + int(rest[12])


def cpu_role(pid: int, cmdline: str, parents: dict[int, int], roots: dict[int, str],
             db_name: str) -> str | None:  # fmt: skip
    """Whose a process is: a process this script started or one of its children (`roots`:
    pid -> role), a PostgreSQL backend serving the bench's database, the Redis server (shared
    by every database index on it), or None (someone else's)."""
    if cmdline.startswith("postgres:"):
        return "postgres" if f" {db_name} " in f" {cmdline} " else None
    if cmdline.startswith("redis-server"):
        return "redis (whole server)"
    seen = set()
    while pid not in roots and pid in parents and pid not in seen:
        seen.add(pid)
        pid = parents[pid]
    return roots.get(pid)


def busy_ticks(proc_stat: str) -> tuple[int, int]:
    """The machine's CPU ticks from /proc/stat's first line: (busy, total); idle and iowait
    are not busy."""
    values = [int(v) for v in proc_stat.splitlines()[0].split()[1:]]
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal (guest is in user)
    return total - values[3] - values[4], total


class CpuSampler:
    """Samples /proc every `interval` seconds while a run lasts and sums the CPU time of each
    role's processes (a process gone between two samples loses at most one interval's time)."""

    def __init__(self, roots: dict[int, str], db_name: str, interval: float = 0.25) -> None:
        self.roots, self.db_name, self.interval = roots, db_name, interval
        self.first: dict[int, int] = {}
        self.last: dict[int, tuple[str, int]] = {}
        self.machine: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self, *, initial: bool = False) -> None:
        parents, ticks, cmdlines = {}, {}, {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                parents[int(entry.name)], ticks[int(entry.name)] = stat_fields(
                    (entry / "stat").read_text()
                )
                cmdlines[int(entry.name)] = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
            except (OSError, ValueError, IndexError):
                continue
        for pid, used in ticks.items():
            role = cpu_role(pid, cmdlines[pid].strip(), parents, self.roots, self.db_name)
            if role is None:
                continue
            # A process first seen later started during the run: all its time counts.
            self.first.setdefault(pid, used if initial else 0)
            self.last[pid] = (role, used)
        self.machine.append(busy_ticks(Path("/proc/stat").read_text()))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> CpuSampler:
        self._sample(initial=True)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self._sample()

    def seconds(self) -> dict[str, float]:
        """CPU seconds by role over the sampling, and "machine" for the whole machine's busy
        time (every process on it, other people's too)."""
        hz = os.sysconf("SC_CLK_TCK")
        used: Counter[str] = Counter()
        for pid, (role, ticks) in self.last.items():
            used[role] += ticks - self.first.get(pid, 0)
        result = {role: value / hz for role, value in used.items()}
        if len(self.machine) > 1:
            result["machine"] = (self.machine[-1][0] - self.machine[0][0]) / hz
        return result


def cpu_rows(samples: Sequence[tuple[float, dict[str, float]]], cores: int) -> list[str]:
    """Per role, the median over runs of the cores it kept busy (CPU seconds / wall seconds)."""
    roles = sorted({role for _, used in samples for role in used} - {"machine"})
    rows = [f"{'CPU (cores busy)':<24}{'median':>8}"]
    for role in [*roles, "machine"]:
        busy = [used.get(role, 0.0) / wall for wall, used in samples if wall > 0]
        if busy:
            rows.append(f"{role:<24}{statistics.median(busy):>8.2f}")
    rows.append(f"(the machine has {cores} cores; 'machine' is every process on it)")
    return rows


# -- the site's processes


class Processes:
    """Every process this script starts; all are stopped on the way out, whatever happens."""

    def __init__(self) -> None:
        self.running: list[subprocess.Popen] = []

    def start(self, args: Sequence[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        process = subprocess.Popen(
            list(args), env=env, cwd=HERE.parent, stdout=log.open("ab"), stderr=subprocess.STDOUT
        )
        self.running.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.running):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.running.clear()


def in_flight(log: str) -> set[str]:
    """The ids of the requests the site's log shows started and not finished
    (django-structlog's request_started, and request_finished or request_failed)."""
    open_ids: set[str] = set()
    for line in log.splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        event, request_id = entry.get("event"), entry.get("request_id")
        if event == "request_started":
            open_ids.add(request_id)
        elif event in {"request_finished", "request_failed"}:
            open_ids.discard(request_id)
    return open_ids


def drain(log: Path, given_up: set[str], timeout: float = 180, interval: float = 0.5) -> float:
    """Wait until no request is in flight in the site's log, at most `timeout` s; returns the
    wait. Requests still open then (a worker killed mid-request never logs the end) are added
    to `given_up` and not waited for again."""
    started = time.monotonic()
    while open_ids := in_flight(log.read_text(errors="replace")) - given_up:
        if time.monotonic() - started >= timeout:
            given_up |= open_ids
            break
        time.sleep(interval)
    return time.monotonic() - started


def wait_for_worker(env: dict[str, str], celery: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ping = subprocess.run(
            [str(celery), "-A", "roadmap_site", "inspect", "ping", "--timeout", "2"],
            env=env, cwd=HERE.parent, capture_output=True, check=False,
        )  # fmt: skip
        if ping.returncode == 0:
            return
        time.sleep(1)
    sys.exit(f"the Celery worker did not answer within {timeout:.0f} s")


def drive(
    base: str,
    pools: Path,
    connections: int,
    seconds: int,
    processes: Processes,
    work: Path,
    roles: dict[int, str],
    db_name: str,
) -> Report:
    """One wrk run: `connections` clients (a thread each) on the pools `pools`.1, .2, ...;
    the CPU of the site's processes (`roles`: pid -> role), of wrk and of the database's
    PostgreSQL backends is sampled while it lasts."""
    out = work / "wrk.out"
    out.unlink(missing_ok=True)
    args = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
            "-s", str(LUA), base, "--", str(pools)]  # fmt: skip
    started = time.monotonic()
    process = processes.start(args, dict(os.environ), out)
    with CpuSampler({**roles, process.pid: "wrk"}, db_name) as sampler:
        process.wait(timeout=seconds + 60)
    wall = time.monotonic() - started
    processes.running.remove(process)
    if process.returncode != 0:
        sys.exit(f"wrk failed:\n{out.read_text()[-2000:]}")
    report = parse_report(out.read_text())
    report.cpu, report.cpu_wall_s = sampler.seconds(), wall
    return report


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=int, default=0, help="bench seed_synthetic --scale N")
    parser.add_argument("--connections", default=",".join(map(str, DEFAULT_CONNECTIONS)),
                        help="clients to step through, comma-separated")  # fmt: skip
    parser.add_argument("--seconds", type=int, default=8, help="length of one run")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each step")
    parser.add_argument("--learners", type=int, default=60)
    parser.add_argument("--writers", type=int, default=4000, help="users who write once each")
    parser.add_argument("--keep-going", action="store_true",
                        help="run every rate, not only up to the first not held")  # fmt: skip
    parser.add_argument("--seed", type=int, default=18, help="the request mix's random seed")
    parser.add_argument("--exclude", default="",
                        help="pages or actions left out: anonymous:roadmap,...")  # fmt: skip
    parser.add_argument("--port", type=int, default=0,
                        help="gunicorn's loopback port (default: any free one)")  # fmt: skip
    parser.add_argument("--pool", action=argparse.BooleanOptionalAction, default=True,
                        help="PostgreSQL connections from psycopg's pool (DATABASE_POOL) "
                             "as shipped; --no-pool: a persistent one a worker")  # fmt: skip
    parser.add_argument("--keep-logs", action="store_true",
                        help="keep the folder with the logs of the site and of wrk")  # fmt: skip
    options = parser.parse_args()
    try:
        options.steps = [int(n) for n in options.connections.split(",") if n.strip()]
    except ValueError:
        parser.error("--connections must be whole numbers, comma-separated")
    if not options.steps or not all(1 <= n <= 256 for n in options.steps):
        parser.error("--connections must be from 1 to 256")
    options.excluded = [kind.strip() for kind in options.exclude.split(",") if kind.strip()]
    known = {f"anonymous:{page}" for page in ANONYMOUS_PAGES}
    known |= {f"learner:{action}" for action in LEARNER_ACTIONS}
    if unknown := set(options.excluded) - known:
        parser.error(f"--exclude: unknown {sorted(unknown)}; known: {sorted(known)}")
    if not 0 <= options.port < 65_536:
        parser.error("--port must be from 1 to 65535 (0: any free port)")
    if min(options.seconds, options.repeats, options.learners, options.writers) < 1:
        parser.error("--seconds, --repeats, --learners and --writers must be at least 1")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} must be set (see the docstring)")
    return options


def site_environment(
    work: Path, root: Path, db_url: str, port: int, *, pool: bool = True
) -> dict[str, str]:
    """The settings of the web server, the worker and beat: as shipped, but for where (and
    the connection pool on or off)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CELERY_")},
        "PYTHONPATH": f"{work}{os.pathsep}{root}",
        "DJANGO_SETTINGS_MODULE": "benchsettings",
        "BENCH_STATIC_ROOT": str(work / "static"),
        "DATABASE_URL": db_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": ORIGIN,
        "EMAIL_URL": f"file:{work / 'mail'}",
        # Behind compose's proxy: the right-most X-Forwarded-For entry is the client.
        "TRUSTED_PROXY_COUNT": "1",
        # The hourly sweep would check the seed's real links; keep it out of any long run.
        "LINKCHECK_SWEEP_SECONDS": "86400",
        "GUNICORN_BIND": f"{HOST}:{port}",
        "WEB_CONCURRENCY": "2",
        "DATABASE_POOL": "1" if pool else "0",
    }
    for name in ("DATABASE_POOL_MIN", "DATABASE_POOL_MAX", "LOG_LEVEL", "REQUEST_LOG_LEVEL",
                 "CACHE_URL", "SECURE_SSL_REDIRECT", "GUNICORN_THREADS",
                 "PROMETHEUS_MULTIPROC_DIR"):  # fmt: skip
        env.pop(name, None)  # the shipped defaults
    return env


def start_site(processes: Processes, env: dict[str, str], work: Path, bin_dir: Path) -> str:
    """gunicorn (gunicorn.conf.py), the Celery worker and beat as compose runs them; the
    site's base URL once it is ready and the worker answers."""
    from pages import get

    processes.start([str(bin_dir / "gunicorn"), "-c", str(HERE.parent / "gunicorn.conf.py"),
                     "roadmap_site.wsgi:application"], env, work / "site.log")  # fmt: skip
    processes.start([str(bin_dir / "celery"), "-A", "roadmap_site", "worker", "--loglevel",
                     "INFO", "--concurrency", "2"], env, work / "worker.log")  # fmt: skip
    processes.start([str(bin_dir / "celery"), "-A", "roadmap_site", "beat", "--loglevel",
                     "INFO", "--schedule", str(work / "celerybeat-schedule")], env,
                    work / "beat.log")  # fmt: skip
    base = f"http://{env['GUNICORN_BIND']}"
    deadline = time.monotonic() + 60
    while True:
        if any(p.poll() is not None for p in processes.running):
            sys.exit(f"a server exited at start; see the logs in {work} (--keep-logs)")
        try:
            if get(base + "/readyz", {"X-Forwarded-Proto": "https", "Host": HOST})[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit("the site was not ready within 60 s")
        time.sleep(0.3)
    wait_for_worker(env, bin_dir / "celery")
    return base


def capacity_rows(step: Step, workers: int) -> list[str]:
    """The step's rate per web worker process and the CPU each request cost, by role."""
    rate = step.median(lambda run: run.rate())
    rows = [f"req/s per web worker process: {rate / workers:.1f} ({rate:.1f} / {workers})"]
    for role in ("gunicorn", "postgres", "celery worker"):
        per_request = [1000 * run.cpu.get(role, 0.0) / len(run.records)
                       for run in step.runs if run.records]  # fmt: skip
        if per_request:
            rows.append(f"CPU ms per request, {role}: {statistics.median(per_request):.1f}")
    return rows


def print_steps(steps: list[Step], workers: int) -> None:
    held = [step for step in steps if step.held]
    shown = max(held, key=lambda step: step.connections) if held else steps[0]
    if held:
        rate = shown.median(lambda run: run.rate())
        print(f"\nhighest rate held: {rate:.1f} req/s ({shown.connections} clients); by class:")
    else:
        print("\nno step held; by class at the first step:")
    print("\n".join(class_rows(shown)))
    print("\n".join(kind_rows(shown)))
    print("\n".join(cpu_rows([(run.cpu_wall_s, run.cpu) for run in shown.runs],
                             os.cpu_count() or 1)))  # fmt: skip
    print("\n".join(capacity_rows(shown, workers)))
    if steps[-1] is not shown:
        print(f"\nat the last step ({steps[-1].connections} clients), by class:")
        print("\n".join(class_rows(steps[-1])))
        print("\n".join(cpu_rows([(run.cpu_wall_s, run.cpu) for run in steps[-1].runs],
                                 os.cpu_count() or 1)))  # fmt: skip


def count_writes(report: Report, sent: Counter[str], answered: Counter[str]) -> None:
    """Adds the run's writes sent, and answered without an error, by kind."""
    for kind in WRITE_KINDS:
        sent[kind] += report.started.get(f"write:{kind}", 0)
    for kind, status, _ in report.answers("write"):
        if status < 400:
            answered[kind.split(":", 1)[1]] += 1


def print_writes(sent: Counter[str], answered: Counter[str], rows: dict[str, int]) -> None:
    print("\nwrites (all runs and the warm-up): sent, answered 2xx/3xx, rows in the database")
    for kind in WRITE_KINDS:
        verdict = "ok" if answered[kind] <= rows[kind] <= sent[kind] else "DIFFERENT"
        print(f"  {kind:<11}sent {sent[kind]:>6}   answered {answered[kind]:>6}   "
              f"rows {rows[kind]:>6}   {verdict}")  # fmt: skip


def main() -> None:
    options = parse_options()
    sys.path.insert(0, str(HERE))
    from api import PYTHON, ROOT, SETTINGS_MODULE, free_port, run, seed_site
    from pages import admin_dsn, database

    # A SIGTERM stops the run as Ctrl-C does: through the finally blocks below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped (SIGTERM)"))
    started_at = time.monotonic()

    def note(message: str) -> None:
        print(f"[{time.monotonic() - started_at:3.0f} s] {message}", flush=True)

    work = Path(tempfile.mkdtemp(prefix="roadmap-bench-load-"))
    db_name = f"bench_load_{os.getpid()}"
    admin_url, db_url = admin_dsn(os.environ["DATABASE_URL"], db_name)
    processes = Processes()
    database(admin_url, db_name, create=True)
    try:
        (work / "benchsettings.py").write_text(SETTINGS_MODULE)
        (work / "mail").mkdir()
        env = site_environment(work, ROOT, db_url, options.port or free_port(), pool=options.pool)
        note(f"PostgreSQL connections: {'pooled' if options.pool else 'not pooled'}")
        run([str(PYTHON), "-c", "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()",
             env["REDIS_URL"]], env)  # fmt: skip
        note(f"seeding (scale {options.scale or 1})")
        slug = seed_site(env, scale=options.scale)
        note(f"creating {options.learners} learners (enrolled) and {options.writers} writers")
        site_file = work / "site.json"
        setup = json.dumps({"slug": slug, "learners": options.learners, "writers": options.writers})
        run([str(PYTHON), "-c", SETUP, str(site_file), setup], env)
        site = json.loads(site_file.read_text())
        note("starting gunicorn, the Celery worker and beat")
        base = start_site(processes, env, work, PYTHON.parent)
        roles = dict(zip((p.pid for p in processes.running),
                         ("gunicorn", "celery worker", "celery beat"), strict=True))  # fmt: skip

        rng = random.Random(options.seed)
        writers = iter(range(options.writers))
        sent: Counter[str] = Counter()
        answered: Counter[str] = Counter()
        expected = 50.0  # req/s a client, a guess for the first pool's length
        given_up: set[str] = set()  # requests whose end the site's log never showed

        def one_run(connections: int, seconds: int) -> Report:
            nonlocal expected
            length = pool_length(expected * connections, seconds, connections)
            for thread in range(1, connections + 1):
                pool = mixed_pool(site, length, writers, rng, exclude=options.excluded)
                write_pool(work / f"pool.{thread}", pool)
            report = drive(base, work / "pool", connections, seconds, processes, work, roles,
                           db_name)  # fmt: skip
            expected = max(expected, report.rate() / connections)
            # Requests wrk gave up on at the run's end are still being served: let them
            # finish, so the next run starts with free workers.
            drained = drain(work / "site.log", given_up)
            if drained > 1:
                note(f"waited {drained:.0f} s for the requests left over from that run")
            count_writes(report, sent, answered)
            return report

        note(f"warming up ({WARM_UP_SECONDS} s with 2 clients, not reported)")
        one_run(2, WARM_UP_SECONDS)
        print(
            f"gunicorn.conf.py (2 workers, DEBUG=0, access log on, LOG_LEVEL as shipped), "
            f"Celery worker and beat, PostgreSQL, Redis; scale {options.scale or 1} "
            f"({len(site['topics'])} topics, {len(site['phases'])} phases); "
            f"{options.learners} learners; mix {', '.join(f'{v:.0%} {k}' for k, v in MIX.items())}"
            + (f"; left out: {', '.join(options.excluded)}" if options.excluded else "")
        )
        print(
            f"each step: {options.repeats} runs of {options.seconds} s, medians; clients in a "
            f"closed loop; held: no error and p95 < {P95_GOAL_MS:.0f} ms"
        )
        print(STEP_HEADER, flush=True)
        steps: list[Step] = []
        try:
            for connections in options.steps:
                runs = [one_run(connections, options.seconds) for _ in range(options.repeats)]
                steps.append(Step(connections, runs))
                print(step_row(steps[-1]), flush=True)
                if not steps[-1].held and not options.keep_going:
                    break
        except OutOfWriters as error:
            print(error)
        if steps:
            print_steps(steps, int(env["WEB_CONCURRENCY"]))
        processes.stop_all()  # every write has landed or failed by now
        rows = json.loads(run([str(PYTHON), "-c", COUNT_ROWS], env).strip().splitlines()[-1])
        print_writes(sent, answered, rows)
        logs = [work / name for name in ("site.log", "worker.log", "beat.log")]
        tracebacks = sum(log.read_text(errors="replace").count("Traceback") for log in logs)
        print(f"tracebacks in the logs of the site, the worker and beat: {tracebacks}")
        note("done")
    finally:
        processes.stop_all()
        database(admin_url, db_name, create=False)
        if options.keep_logs:
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
