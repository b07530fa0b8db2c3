"""The capacity plan's arithmetic (bench/capacity_plan.py), on figures chosen for the test."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.capacity_plan import SCENARIOS, Figures, Scenario, Usage, main, plan

FIGURES = Figures(
    web_rps_per_process=10.0,
    checks_per_process_hour=1000.0,
    db_bytes_per_learner=1000,
    db_bytes_per_resource=2000,
    db_bytes_base=0,
    redis_bytes_per_active_learner=100,
    redis_bytes_base=0,
    db_cpu_ms_per_request=4.0,
    page_bytes=57_000,
)
USAGE = Usage(
    daily_active=0.5,
    requests_per_active_learner=24,
    signed_in_share=0.25,
    peak_to_mean=2.0,
    target_utilisation=0.5,
    web_processes_per_pod=2,
    checks_interval_hours=100,
    failing_share=0.0,
    sweep_limit=500,
    other_worker_processes=3,
    max_connections=100,
    db_cores=4,
    cdn_hit_ratio=0.5,
    public_pages=10,
    version_bumps_share=0.01,
    community_pages_share=1.0,  # every page shows votes: the formula alone
)


def test_requests_processes_and_connections_follow_from_the_figures() -> None:
    result = plan(Scenario("t", "t", 36_000, 10_000), FIGURES, USAGE)
    # 36,000 x 0.5 x 24 = 432,000 signed-in requests a day, a quarter of all: 1,728,000 a day,
    # 20/s on average, 40/s at the peak; anonymous 30/s of it, half kept by the CDN.
    assert result.peak_rps == pytest.approx(40.0)
    assert result.origin_rps_with_cdn == pytest.approx(25.0)
    # 10 req/s a process at 50 %: 8 processes, in pods of 2: 4 pods.
    assert (result.web_processes, result.web_pods) == (8, 4)
    # 25 req/s at the origin: 5 processes, 3 pods of 2.
    assert result.web_pods_with_cdn == 3
    assert result.checks_per_hour == pytest.approx(100.0)
    assert result.linkcheck_processes == 1
    assert result.db_connections == 8 + 1 + 3 + 1
    assert result.db_gib == pytest.approx((36_000_000 + 20_000_000) / 2**30)
    # 30 anonymous views/s, 0.4/3.4 of them misses, each page kept an hour at 57,000 bytes.
    pages = 30 * (0.4 / 3.4) * 3600 * 57_000
    assert result.redis_gib == pytest.approx((18_000 * 100 + pages) / 2**30)
    assert result.db_cores_at_peak == pytest.approx(0.16)
    # 30 anonymous views/s over 10 pages, 0.4 versions/s: 3 / 3.4 of the views are hits.
    assert result.page_cache_hit_ratio == pytest.approx(3 / 3.4)
    assert result.limits == ()


def test_the_page_cache_hit_ratio_is_set_by_the_mix_not_the_scale() -> None:
    small = plan(Scenario("s", "s", 1_000, 10), FIGURES, USAGE)
    large = plan(Scenario("l", "l", 1_000_000, 10), FIGURES, USAGE)
    assert small.page_cache_hit_ratio == pytest.approx(large.page_cache_hit_ratio)
    busy = plan(Scenario("b", "b", 1_000, 10), FIGURES, replace(USAGE, version_bumps_share=0.1))
    assert busy.page_cache_hit_ratio == pytest.approx(0.075 / (0.075 + 0.1))
    assert any(limit.startswith("page cache hits 43%") for limit in busy.limits)
    no_votes = plan(Scenario("n", "n", 1_000, 10), FIGURES, replace(USAGE, version_bumps_share=0))
    assert no_votes.page_cache_hit_ratio == 1.0


def test_votes_re_render_only_the_pages_that_show_them() -> None:
    half = plan(
        Scenario("h", "h", 36_000, 10_000), FIGURES, replace(USAGE, community_pages_share=0.5)
    )
    # Half the views are of pages keyed on votes (3 / 3.4 of them hits), half are all hits.
    assert half.page_cache_hit_ratio == pytest.approx(0.5 * 3 / 3.4 + 0.5)


def test_the_limits_met_are_named() -> None:
    figures = replace(FIGURES, db_cpu_ms_per_request=10.0)
    result = plan(Scenario("t", "t", 360_000, 100_000), figures, USAGE)
    # 1,000 checks due an hour against a sweep cap of 500; 400 req/s need 80 processes and
    # 4 cores of the database, above half of its 4.
    assert result.checks_per_hour == pytest.approx(1000.0)
    assert result.linkcheck_processes == 1  # the cap, not the demand, feeds the workers
    assert result.web_processes == 80
    assert any(limit.startswith("link sweep cap (500/h < 1,000/h due)") for limit in result.limits)
    assert any(limit.startswith("database connections (85 of 100)") for limit in result.limits)
    assert any(limit.startswith("database CPU (4.0 of 4 cores)") for limit in result.limits)


def test_the_command_prints_every_scenario(capsys) -> None:
    assert main(["--web-rps-per-process", "25", "--sweep-limit", "10000"]) == 0
    out = capsys.readouterr().out
    for scenario in SCENARIOS:
        assert f"{scenario.name}: limits met:" in out
    assert "link sweep cap" not in out
