"""The bench's floor (bench/linkcheck.py): what the politeness rules allow, from the servers'
own counters, and the bench's ground truth for the page verdicts."""

from __future__ import annotations

import pytest

from bench.linkcheck import CLASSES, Run, _union, build, floor_of, host_floor
from bench.linkcheck_server import Request, SiteStats


def stats(count: int, *, busy: float = 0.0, longest: float = 0.0, pauses=()) -> SiteStats:
    made = SiteStats(busy=busy, longest=longest, pauses=list(pauses))
    made.requests = [Request("GET", f"/{n}", {}, float(n), 1) for n in range(count)]
    return made


def test_union_of_pauses() -> None:
    assert _union([]) == (0.0, 0)
    assert _union([(0, 2), (1, 3), (5, 6)]) == (4.0, 2)
    assert _union([(5, 6), (0, 10)]) == (10.0, 1)


def test_host_floor_takes_the_largest_bound() -> None:
    assert host_floor(stats(0)) == (0.0, "no requests")
    assert host_floor(stats(101)) == pytest.approx((10.0, "starts"))
    # Two pauses of 2 s each replace two of the gaps.
    assert host_floor(stats(61, pauses=[(1, 3), (5, 7)])) == pytest.approx((9.8, "starts"))
    assert host_floor(stats(4, busy=8.0)) == pytest.approx((4.0, "slots"))
    assert host_floor(stats(2, busy=6.0, longest=5.0)) == pytest.approx((5.0, "one request"))


def test_the_run_floor_is_the_slowest_host_or_the_global_bound() -> None:
    def run(hosts: dict[str, SiteStats]) -> Run:
        return Run("x", 0, 0, 0, None, 0, 0, hosts, 0.0, None)  # type: ignore[arg-type]

    assert floor_of(run({"a": stats(11), "b": stats(51)})) == pytest.approx((5.0, "host b: starts"))
    many = {f"h{n}": stats(1, busy=40.0, longest=1.0) for n in range(40)}
    seconds, why = floor_of(run(many))
    assert (seconds, why) == (pytest.approx(50.0), "all hosts over 32 in flight")


def test_every_truth_in_the_bench_has_a_coarse_class() -> None:
    _, cases, _ = build(hanging=False)
    truths = {case.truth for case in cases}
    assert {"soft_404", "signin_required", "paywalled", "archived", "newer_version"} <= truths
    assert all(truth in CLASSES or truth in {"broken", "blocked", "error"} for truth in truths)
