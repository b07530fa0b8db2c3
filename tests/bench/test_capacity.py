"""The capacity benches' arithmetic (issue 23): bench/linkcheck_capacity.py's model of a sweep's
batches under the politeness rules, and bench/capacity_db.py's growth per table. No server."""

from __future__ import annotations

import pytest

from bench import capacity_db, linkcheck_capacity
from bench.linkcheck_capacity import Rules

RULES = Rules(per_host=2, host_gap=0.1, batch_size=50, sweep_limit=2000, sweep_seconds=3600)


def test_a_fast_hosts_batch_is_paced_by_the_gap_between_starts():
    # 10 URLs of 1 request each: 9 gaps of 0.1 s, then the last answer (0.05 s).
    assert linkcheck_capacity.batch_seconds(10, 0.05, RULES, 1.0) == pytest.approx(0.95)


def test_a_slow_hosts_batch_is_paced_by_its_two_slots():
    # 10 URLs of 2 requests, 1 s each, 2 at a time: 10 s, then the last answer.
    assert linkcheck_capacity.batch_seconds(10, 1.0, RULES, 2.0) == pytest.approx(11.0)
    # The overhead of recording each check adds to it.
    assert linkcheck_capacity.batch_seconds(10, 1.0, RULES, 2.0, 0.1) == pytest.approx(12.0)
    assert linkcheck_capacity.batch_seconds(0, 1.0, RULES, 2.0) == 0.0
    with pytest.raises(ValueError):
        linkcheck_capacity.batch_seconds(1, 1.0, RULES, 0.5)


def test_a_worker_hour_is_a_sweeps_batches_urls_over_their_time():
    one_url = linkcheck_capacity.batch_seconds(1, 0.3, RULES, 1.0)
    full = linkcheck_capacity.batch_seconds(50, 0.3, RULES, 1.0)
    hosts = {"a.example": 1, "b.example": 120}  # b's batch is cut at 50
    expected = 51 / (one_url + full) * 3600
    assert linkcheck_capacity.checks_per_worker_hour(hosts, 0.3, RULES, 1.0) == pytest.approx(
        expected
    )
    assert linkcheck_capacity.checks_per_worker_hour({}, 0.3, RULES, 1.0) == 0.0


def test_the_sweep_hands_out_the_limit_spread_over_hosts_and_a_batch_at_most_of_each():
    assert linkcheck_capacity.sweep_cap_per_hour({"a": 8, "b": 3}, RULES) == 11
    # 4,000 due: the 2,000 most overdue are half of each host's; then 50 a host at most.
    assert linkcheck_capacity.sweep_cap_per_hour({"a": 3000, "b": 1000}, RULES) == 100
    many = {f"h{n}": 40 for n in range(100)}  # 4,000 due on 100 hosts: 20 of each
    assert linkcheck_capacity.sweep_cap_per_hour(many, RULES) == 2000
    slower = Rules(2, 0.1, 50, 2000, sweep_seconds=7200)
    assert linkcheck_capacity.sweep_cap_per_hour(many, slower) == 1000


def test_hosts_are_counted_once_per_url():
    urls = ["https://a.example/x", "https://a.example/x", "https://a.example/y", "http://b.example"]
    assert linkcheck_capacity.host_spread(urls) == {"a.example": 2, "b.example": 1}


def test_growth_is_per_table_largest_first_and_per_unit():
    before = {"users": 100, "votes": 50, "same": 10}
    after = {"users": 1100, "votes": 2050, "same": 10, "new": 300}
    rows = capacity_db.growth(before, after, 100)
    assert [(r.table, r.grown, r.per_unit) for r in rows] == [
        ("votes", 2000, 20.0),
        ("users", 1000, 10.0),
        ("new", 300, 3.0),
    ]
    table = capacity_db.growth_rows("t", rows, "learner")
    assert table[-1] == "| **all** | 3 | **33** |"
    with pytest.raises(ValueError):
        capacity_db.growth(before, after, 0)


def test_a_cache_keys_family_drops_the_prefix_the_version_and_the_id():
    assert capacity_db.key_family("cap-1:1:moderation:is-moderator:12", "cap-1") == (
        "moderation:is-moderator:*"
    )
    assert capacity_db.key_family("cap-1:1:page:3:abc", "cap-1") == "page:3:*"
    assert capacity_db.key_family("cap-1:1:single", "cap-1") == "single"
