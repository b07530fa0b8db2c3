"""The capacity plan's arithmetic (docs/scaling.md): from measured figures and stated usage
assumptions to what a number of learners and resources needs.

    .venv/bin/python bench/capacity_plan.py [--web-rps 20] [--checks-per-hour 900] ...

Every figure is an option (`--help` lists them with their defaults and where they were
measured); every assumption about how people use the site is one too. Prints one column per
scenario: peak requests, web processes and pods, link checks an hour and worker processes, the
sweep's cap, database size and connections, Redis memory, and the first limit each one meets.
No server is contacted.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, fields

GIB = 2**30


@dataclass(frozen=True)
class Figures:
    """Measured (docs/capacity-figures.md, docs/scaling.md "Resource requests")."""

    web_rps_per_process: float = 32.0  # req/s one gunicorn worker holds at the mix, p95 < 100 ms
    checks_per_process_hour: float = 2481.0  # link checks one Celery process makes an hour
    db_bytes_per_learner: int = 11_047  # every table a learner's activity grows
    db_bytes_per_resource: int = 11_796  # a resource with its history and a year of checks
    db_bytes_base: int = 3_700_000  # the seed's content and the migrations' rows
    redis_bytes_per_active_learner: int = 120  # the cache keys a signed-in learner adds
    redis_bytes_base: int = 2_300_000  # one version of the seed's cached public pages
    page_bytes: int = 10_000  # a cached page's key in Redis, on average over the views
    db_cpu_ms_per_request: float = 1.5  # PostgreSQL backends' CPU per request at the mix
    web_process_mib: int = 110  # RSS of a gunicorn worker after a few hundred requests
    worker_process_mib: int = 107  # RSS of a Celery prefork child


@dataclass(frozen=True)
class Usage:
    """Assumptions about use, stated once; docs/scaling.md says why each."""

    daily_active: float = 0.2  # of learners, on a given day
    requests_per_active_learner: int = 30  # signed-in requests a day (pages, statuses, check-ins)
    signed_in_share: float = 0.2  # of all requests (the load test's mix: 80 % anonymous)
    peak_to_mean: float = 3.0  # the busiest hour against the day's mean
    target_utilisation: float = 0.7  # of a web process at the peak (the HPA's CPU target)
    web_processes_per_pod: int = 3  # WEB_CONCURRENCY in the production overlay
    checks_interval_hours: int = 168  # LINKCHECK_INTERVAL_HOURS: each link once a week
    failing_share: float = 0.05  # of links failing, checked daily (LINKCHECK_FAILING_...)
    sweep_limit: int = 2000  # LINKCHECK_SWEEP_LIMIT: resources one sweep claims
    sweeps_per_hour: float = 1.0  # 3600 / LINKCHECK_SWEEP_SECONDS
    other_worker_processes: int = 4  # the `celery` queue (2 pods x 2 in the overlay)
    connections_per_process: int = 1  # sync workers and prefork children use one at a time
    max_connections: int = 100  # PostgreSQL's default
    checks_per_year: int = 52  # link-check rows kept per resource a year
    db_cores: int = 8  # the primary's cores
    cdn_hit_ratio: float = 0.9  # of anonymous page views, once a CDN keeps the public pages
    public_pages: int = 55  # cached public pages of the roadmap (home, roadmap, phases, topics...)
    version_bumps_share: float = 0.05 / 3  # of requests: votes (a third of the 5 % of writes)
    # Of anonymous views, those of pages that show votes or link health and so key on the
    # community version too (roadmap, topic, public log: 55 of the load mix's 100; the others key
    # on the content version alone, which a vote leaves alone: page_cache.CACHED_PAGES).
    community_pages_share: float = 0.55
    page_cache_seconds: int = 3600  # PAGE_CACHE_SECONDS: how long a version's page stays
    redis_gib_limit: float = 8.0  # the memory of one Redis instance


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    learners: int
    resources: int


SCENARIOS = (
    Scenario("10k learners", "10k", 10_000, 1_000),
    Scenario("100k learners", "100k", 100_000, 10_000),
    Scenario("1M learners", "1M", 1_000_000, 100_000),
    Scenario("1M learners, 1M resources", "1M + 1M res.", 1_000_000, 1_000_000),
)


@dataclass(frozen=True)
class Plan:
    scenario: Scenario
    peak_rps: float
    origin_rps_with_cdn: float
    page_cache_hit_ratio: float
    db_cores_at_peak: float
    web_processes: int
    web_pods: int
    web_pods_with_cdn: int
    checks_per_hour: float
    sweep_cap_per_hour: float
    linkcheck_processes: int
    db_gib: float
    db_connections: int
    redis_gib: float
    limits: tuple[str, ...]


def plan(scenario: Scenario, figures: Figures, usage: Usage) -> Plan:
    signed_in_per_day = scenario.learners * usage.daily_active * usage.requests_per_active_learner
    peak_rps = signed_in_per_day / usage.signed_in_share / 86_400 * usage.peak_to_mean
    anonymous_rps = peak_rps * (1 - usage.signed_in_share)
    origin_rps_with_cdn = peak_rps - anonymous_rps * usage.cdn_hit_ratio
    db_cores_at_peak = peak_rps * figures.db_cpu_ms_per_request / 1000
    hit_ratio = page_cache_hit_ratio(peak_rps, usage)
    per_process = figures.web_rps_per_process * usage.target_utilisation
    web_processes = max(2, math.ceil(peak_rps / per_process))
    web_pods = max(2, math.ceil(web_processes / usage.web_processes_per_pod))
    web_processes = web_pods * usage.web_processes_per_pod
    web_pods_with_cdn = max(
        2, math.ceil(origin_rps_with_cdn / per_process / usage.web_processes_per_pod)
    )
    checks = scenario.resources * (
        (1 - usage.failing_share) / usage.checks_interval_hours + usage.failing_share / 24
    )
    sweep_cap = usage.sweep_limit * usage.sweeps_per_hour
    linkcheck_processes = max(
        1, math.ceil(min(checks, sweep_cap) / figures.checks_per_process_hour)
    )
    db_bytes = (
        figures.db_bytes_base
        + scenario.learners * figures.db_bytes_per_learner
        + scenario.resources * figures.db_bytes_per_resource
    )
    processes = web_processes + linkcheck_processes + usage.other_worker_processes + 1  # beat
    connections = processes * usage.connections_per_process
    active = scenario.learners * usage.daily_active
    # Each miss stores a page under its version's key for PAGE_CACHE_SECONDS, superseded or not.
    misses = peak_rps * (1 - usage.signed_in_share) * (1 - hit_ratio)
    page_bytes = misses * usage.page_cache_seconds * figures.page_bytes
    redis_bytes = (
        figures.redis_bytes_base + active * figures.redis_bytes_per_active_learner + page_bytes
    )
    limits = []
    if redis_bytes / GIB > usage.redis_gib_limit:
        limits.append(f"Redis memory ({redis_bytes / GIB:,.0f} GiB, old page versions kept)")
    if hit_ratio < 0.5:
        limits.append(f"page cache hits {hit_ratio:.0%} (votes re-render the pages showing them)")
    if db_cores_at_peak > usage.db_cores * usage.target_utilisation:
        limits.append(f"database CPU ({db_cores_at_peak:.1f} of {usage.db_cores} cores)")
    if checks > sweep_cap:
        limits.append(f"link sweep cap ({sweep_cap:,.0f}/h < {checks:,.0f}/h due)")
    if connections > usage.max_connections * 0.8:
        limits.append(f"database connections ({connections} of {usage.max_connections})")
    return Plan(
        scenario,
        peak_rps,
        origin_rps_with_cdn,
        hit_ratio,
        db_cores_at_peak,
        web_processes,
        web_pods,
        web_pods_with_cdn,
        checks,
        sweep_cap,
        linkcheck_processes,
        db_bytes / GIB,
        connections,
        redis_bytes / GIB,
        tuple(limits),
    )


def page_cache_hit_ratio(peak_rps: float, usage: Usage) -> float:
    """The share of anonymous views the page cache answers. Every vote bumps the community
    version (community_touch), which keys the pages that show votes or link health; a page's
    first view in a version renders it: with views of a page at rate r and versions at rate b,
    both Poisson, a version lasts 1/b on average and its first view misses, so those pages'
    hits are r / (r + b). The other pages key on the content version alone, which moves with
    edits, rare beside views: counted as all hits. Both rates grow with the traffic, so the
    ratio does not: it is set by the mix."""
    views_per_page = peak_rps * (1 - usage.signed_in_share) / usage.public_pages
    bumps = peak_rps * usage.version_bumps_share
    if bumps == 0:
        return 1.0
    voted = views_per_page / (views_per_page + bumps)
    return usage.community_pages_share * voted + (1 - usage.community_pages_share)


def table(plans: list[Plan]) -> str:
    rows = [
        ("learners", lambda p: f"{p.scenario.learners:,}"),
        ("resources", lambda p: f"{p.scenario.resources:,}"),
        ("peak req/s", lambda p: f"{p.peak_rps:,.0f}"),
        ("  at origin with a CDN", lambda p: f"{p.origin_rps_with_cdn:,.0f}"),
        ("page cache hits", lambda p: f"{p.page_cache_hit_ratio:.0%}"),
        ("web processes (pods)", lambda p: f"{p.web_processes} ({p.web_pods})"),
        ("  web pods with a CDN", lambda p: f"{p.web_pods_with_cdn}"),
        ("link checks due /h", lambda p: f"{p.checks_per_hour:,.0f}"),
        ("link-check processes", lambda p: f"{p.linkcheck_processes}"),
        ("database size GiB", lambda p: f"{p.db_gib:,.1f}"),
        ("database connections", lambda p: f"{p.db_connections}"),
        ("database CPU at peak", lambda p: f"{p.db_cores_at_peak:.1f} cores"),
        ("Redis GiB", lambda p: f"{p.redis_gib:,.2f}"),
    ]
    width = 16
    lines = [" " * 22 + "".join(f"{p.scenario.label:>{width}}" for p in plans)]
    for label, cell in rows:
        lines.append(f"{label:<22}" + "".join(f"{cell(p):>{width}}" for p in plans))
    lines.append("")
    for p in plans:
        lines.append(f"{p.scenario.name}: limits met: {'; '.join(p.limits) or 'none'}")
    return "\n".join(lines)


def _options(parser: argparse.ArgumentParser, cls: type, prefix: str) -> None:
    for field in fields(cls):
        default = field.default
        parser.add_argument(
            f"--{field.name.replace('_', '-')}",
            dest=f"{prefix}{field.name}",
            type=type(default),
            default=default,
            metavar=type(default).__name__.upper(),
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    _options(parser, Figures, "f_")
    _options(parser, Usage, "u_")
    options = vars(parser.parse_args(argv))
    figures = Figures(**{k[2:]: v for k, v in options.items() if k.startswith("f_")})
    usage = Usage(**{k[2:]: v for k, v in options.items() if k.startswith("u_")})
    print(table([plan(scenario, figures, usage) for scenario in SCENARIOS]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
