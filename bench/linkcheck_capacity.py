"""Link checks per worker-hour within the politeness rules, from the checker's model (issue 23).

No request is made: this is arithmetic on the rules as configured. A sweep (hourly,
LINKCHECK_SWEEP_SECONDS) claims at most LINKCHECK_SWEEP_LIMIT due resources and at most
LINKCHECK_BATCH_SIZE of one host, and queues one Celery task (a batch) per host; a host that a
batch is still working through is left to the next sweep. A batch checks one host's URLs with
CheckerConfig's rules: at most `per_host` requests in flight to it and `host_gap` seconds
between two starts. So one batch of n URLs, each costing r requests (a HEAD, and a GET for an
HTML page) that take L seconds to answer, needs about

    max((n·r - 1) · host_gap, n·r·L / per_host) + L     seconds,

one worker process (a Celery slot) runs one batch at a time, and a sweep can hand out at most
min(SWEEP_LIMIT, Σ over hosts of min(BATCH_SIZE, the host's due URLs)) checks an hour.

    .venv/bin/python bench/linkcheck_capacity.py [--latencies 0.1,0.3,1.0]
        [--requests-per-url 1.47] [--overhead 0.02]

It prints, per answer latency: a worker process's checks an hour on full batches, on the seed's
own host spread (the real seed's URLs, counted by host; none is contacted) and on that spread
at 100x, and the sweep's cap an hour for each spread.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
# Requests per URL our checker made in bench/linkcheck.py's run (903 for 615 URLs,
# docs/linkcheck.md): a 2xx HTML page costs a HEAD and a GET.
REQUESTS_PER_URL = 903 / 615


@dataclass(frozen=True)
class Rules:
    per_host: int
    host_gap: float
    batch_size: int
    sweep_limit: int
    sweep_seconds: int


def site_rules() -> Rules:
    """The rules as the site runs them: its settings and the checker's configuration."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")
    import django

    django.setup()
    from django.conf import settings

    from apps.linkcheck.config import link_checker_config

    config = link_checker_config()
    return Rules(
        per_host=config.per_host,
        host_gap=config.host_gap,
        batch_size=settings.LINKCHECK_BATCH_SIZE,
        sweep_limit=settings.LINKCHECK_SWEEP_LIMIT,
        sweep_seconds=settings.LINKCHECK_SWEEP_SECONDS,
    )


def batch_seconds(urls: int, latency: float, rules: Rules, requests_per_url: float,
                  overhead: float = 0.0) -> float:  # fmt: skip
    """Least time one batch of `urls` URLs of one host takes under the rules, plus `overhead`
    seconds a URL (recording the check)."""
    if urls < 1:
        return 0.0
    if latency < 0 or requests_per_url < 1:
        raise ValueError("latency must be >= 0 and requests_per_url >= 1")
    requests = urls * requests_per_url
    paced = max((requests - 1) * rules.host_gap, requests * latency / rules.per_host)
    return paced + latency + urls * overhead


def checks_per_worker_hour(hosts: Mapping[str, int], latency: float, rules: Rules,
                           requests_per_url: float, overhead: float = 0.0) -> float:  # fmt: skip
    """Checks one worker process does an hour while busy, on one sweep's batches for `hosts`
    (URLs due by host): the batches' URLs over the batches' time."""
    batches = [min(count, rules.batch_size) for count in hosts.values() if count > 0]
    if not batches:
        return 0.0
    seconds = sum(batch_seconds(n, latency, rules, requests_per_url, overhead) for n in batches)
    return sum(batches) / seconds * 3600


def sweep_cap_per_hour(hosts: Mapping[str, int], rules: Rules) -> int:
    """The most checks sweeps hand out an hour when every URL of `hosts` is due, whatever
    the workers: a sweep takes the `sweep_limit` most overdue (spread over the hosts as the
    URLs are), then at most `batch_size` of each host."""
    total = sum(hosts.values())
    share = min(1.0, rules.sweep_limit / total) if total else 0.0
    per_sweep = sum(min(rules.batch_size, math.floor(c * share)) for c in hosts.values())
    return math.floor(per_sweep * 3600 / rules.sweep_seconds)


def host_spread(urls: Iterable[str]) -> Counter[str]:
    return Counter(host for url in set(urls) if (host := urlsplit(url).hostname))


def seed_urls() -> list[str]:
    """The resource URLs in the seed roadmap and its enrichment (read from the files)."""
    text = (ROOT / "fixtures/ml-engineer-roadmap.md").read_text()
    text += (ROOT / "fixtures/ml-engineer-enrichment.json").read_text()
    return re.findall(r"https?://[^\s)\]\"'<>]+", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--latencies", default="0.1,0.3,1.0", help="seconds an answer takes")
    parser.add_argument("--requests-per-url", type=float, default=REQUESTS_PER_URL)
    parser.add_argument("--overhead", type=float, default=0.02,
                        help="seconds a check costs besides its requests")  # fmt: skip
    options = parser.parse_args()
    try:
        latencies = [float(v) for v in options.latencies.split(",")]
    except ValueError:
        parser.error("--latencies must be numbers, comma-separated")
    if not all(0 <= v <= 60 for v in latencies) or not 1 <= options.requests_per_url <= 10:
        parser.error("latencies from 0 to 60 s; --requests-per-url from 1 to 10")
    sys.path.insert(0, str(ROOT))
    rules = site_rules()
    seed = host_spread(seed_urls())
    hundred = Counter({host: 100 * count for host, count in seed.items()})
    full = {"one host": rules.batch_size}
    print(f"rules: {rules}; {options.requests_per_url:.2f} requests a URL, "
          f"{options.overhead * 1000:.0f} ms a check besides")  # fmt: skip
    print(f"seed: {sum(seed.values())} URLs on {len(seed)} hosts, at most "
          f"{max(seed.values())} on one; 100x: {sum(hundred.values())} URLs")  # fmt: skip
    print("| answer latency s | full batches | seed spread | 100x spread | "
          "sweep cap/h seed | sweep cap/h 100x |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    caps = f" | {sweep_cap_per_hour(seed, rules):,} | {sweep_cap_per_hour(hundred, rules):,} |"
    for latency in latencies:
        row = [
            checks_per_worker_hour(spread, latency, rules, options.requests_per_url,
                                   options.overhead)
            for spread in (full, seed, hundred)
        ]  # fmt: skip
        print(f"| {latency} | " + " | ".join(f"{v:,.0f}" for v in row) + caps)


if __name__ == "__main__":
    main()
