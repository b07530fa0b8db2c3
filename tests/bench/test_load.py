"""bench/load.py's own parts, on fixed input and without a server: the request mix it writes
for bench/load.lua, the parsing of the Lua script's report and the verdict on a step."""

from __future__ import annotations

import json
import math
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from bench import load
from bench.load import Report, Step

SITE = {
    "slug": "ml-engineer",
    "phases": ["phase-a", "phase-b", "phase-c"],
    "sections": [[1, 1], [2, 3], [5, 1]],  # number, pages
    "topics": [f"topic-{n}" for n in range(40)],
    "resources": [11, 12, 13],
    "statuses": ["not_started", "in_progress", "done", "skipped"],
    "kinds": ["article", "docs"],
    "learners": [
        {"cookie": f"sessionid=learner{n}; csrftoken=csrf-learner-{n}", "csrf": f"csrf-learner-{n}"}
        for n in range(5)
    ],
    "writers": [
        {"cookie": f"sessionid=writer{n}; csrftoken=csrf-writer-{n}", "csrf": f"csrf-writer-{n}"}
        for n in range(30)
    ],
}


def test_anonymous_views_follow_the_weights_and_spread_over_every_phase_and_topic():
    requests = load.anonymous_requests(SITE, 20_000, random.Random(1))
    kinds = Counter(request.kind for request in requests)
    total_weight = sum(load.ANONYMOUS_PAGES.values())
    for page, weight in load.ANONYMOUS_PAGES.items():
        share = kinds[f"anonymous:{page}"] / len(requests)
        assert share == pytest.approx(weight / total_weight, abs=0.015)
    paths = {request.path for request in requests}
    assert {f"/roadmaps/ml-engineer/topics/{t}/" for t in SITE["topics"]} <= paths
    assert {f"/roadmaps/ml-engineer/phases/{p}/" for p in SITE["phases"]} <= paths
    assert {"/", "/modlog/", "/roadmaps/ml-engineer/faq/"} <= paths
    assert all(r.method == "GET" and "Cookie" not in r.headers for r in requests)
    assert all(r.headers["X-Forwarded-Proto"] == "https" for r in requests)
    # Many clients, so no per-address limit counts them as one.
    assert len({r.headers["X-Forwarded-For"] for r in requests}) > 1000


def test_a_learner_sends_their_own_session_csrf_token_and_address():
    requests = load.learner_requests(SITE, 3_000, random.Random(2))
    kinds = Counter(request.kind for request in requests)
    assert set(kinds) == {f"learner:{action}" for action in load.LEARNER_ACTIONS}
    assert kinds["learner:dashboard"] > kinds["learner:status"] > kinds["learner:check-in"]
    for request in requests:
        number = int(request.headers["X-Forwarded-For"].rsplit(".", 1)[1])
        assert request.headers["X-Forwarded-For"] == load.client_address(2, number)
        assert request.headers["Cookie"] == SITE["learners"][number]["cookie"]
        if request.method == "POST":
            form = parse_qs(request.body)
            assert form["csrfmiddlewaretoken"] == [SITE["learners"][number]["csrf"]]
            assert request.headers["Origin"] == "https://127.0.0.1"
            assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    statuses = {parse_qs(r.body)["status"][0] for r in requests if r.kind == "learner:status"}
    assert statuses == set(SITE["statuses"])


def test_each_write_is_by_a_different_writer_and_each_submission_has_its_own_url():
    writes = load.write_requests(SITE, range(3, 24), random.Random(3))
    assert [w.kind for w in writes[:3]] == ["write:vote", "write:submission", "write:note"]
    assert Counter(w.kind for w in writes) == {
        "write:vote": 7,
        "write:submission": 7,
        "write:note": 7,
    }
    cookies = [w.headers["Cookie"] for w in writes]
    assert len(set(cookies)) == len(writes)
    assert cookies[0] == SITE["writers"][3]["cookie"]
    urls = [parse_qs(w.body)["url"][0] for w in writes if w.kind == "write:submission"]
    assert len(set(urls)) == len(urls)
    assert all(re.fullmatch(r"https://load-\d+\.example/guide", url) for url in urls)
    notes = [parse_qs(w.body) for w in writes if w.kind == "write:note"]
    assert all(note["version"] == ["0"] for note in notes)  # a first note of each writer
    votes = [w.path for w in writes if w.kind == "write:vote"]
    assert all(re.fullmatch(r"/resources/1[123]/vote/", path) for path in votes)


def test_a_mixed_pool_follows_the_mix_and_uses_each_writer_once():
    writers = iter(range(30))
    rng = random.Random(4)
    first = load.mixed_pool(SITE, 200, writers, rng)
    second = load.mixed_pool(SITE, 200, writers, rng)
    groups = Counter(request.group for request in first + second)
    assert groups["anonymous"] / 400 == pytest.approx(0.80, abs=0.06)
    assert groups["learner"] / 400 == pytest.approx(0.15, abs=0.05)
    authors = [r.headers["Cookie"] for r in first + second if r.group == "write"]
    assert len(authors) == groups["write"] == len(set(authors)) > 0
    with pytest.raises(load.OutOfWriters):
        load.mixed_pool(SITE, 2_000, writers, rng)  # about 100 writes; 30 writers in all


def test_a_pool_line_is_kind_method_path_body_and_headers_separated_by_tabs():
    vote = load.Request("write:vote", "POST", "/resources/1/vote/", {"Host": "h"}, "value=1")
    assert vote.line() == "write:vote\tPOST\t/resources/1/vote/\tvalue=1\tHost: h"
    assert vote.group == "write"
    assert load.Request("anonymous:home", "GET", "/", {}).line() == "anonymous:home\tGET\t/\t"
    with pytest.raises(ValueError, match="tab or a newline"):
        load.Request("anonymous:home", "GET", "/", {"X-Bad": "a\tb"}).line()


def test_a_pool_is_long_enough_for_twice_the_expected_requests():
    assert load.pool_length(100, 8, 4) == 420
    assert load.pool_length(1, 1, 32) == 21


WRK_OUTPUT = """Running 8s test @ http://127.0.0.1:40000
  2 threads and 2 connections
  Non-2xx or 3xx responses: 1
Requests/sec:     20.00
LOAD requests 6
LOAD duration_us 2000000
LOAD errors 0 1 0 1 0
LOAD r anonymous:topic 200 12000
LOAD r anonymous:home 200 4000
LOAD r anonymous:topic 200 30000
LOAD r learner:status 302 50000
LOAD r write:vote 302 90000
LOAD r write:note 409 70000
LOAD wrapped 0
LOAD started write:vote 1
LOAD started write:note 2
"""


def test_the_report_of_the_lua_script_is_read_from_wrks_output():
    report = load.parse_report(WRK_OUTPUT)
    assert report.requests == 6
    assert report.rate() == 3.0
    assert report.rate("anonymous") == 1.5
    assert report.errors == {"connect": 0, "read": 1, "write": 0, "status": 1, "timeout": 0}
    assert report.failures() == 2  # the 409 and the read error
    assert report.failures("write") == 1
    assert report.failures("anonymous") == 0
    assert report.started == {"write:vote": 1, "write:note": 2}
    assert report.statuses() == {200: 3, 302: 2, 409: 1}
    assert report.percentile_ms(50) == 30.0
    assert report.percentile_ms(100) == 90.0
    assert report.percentile_ms(50, "anonymous") == 12.0
    assert report.percentile_ms(95, "anonymous") == 30.0
    assert load.statuses_text(report.statuses() + report.statuses()) == "200x6 302x4 409x2"


def test_output_without_the_scripts_lines_is_refused():
    with pytest.raises(ValueError, match="no LOAD lines"):
        load.parse_report("Running 8s test @ http://127.0.0.1:1\n")


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert load.percentile(values, 50) == 50
    assert load.percentile(values, 95) == 95
    assert load.percentile(values, 99.5) == 100
    assert load.percentile([7], 1) == 7
    assert math.isnan(load.percentile([], 50))


def run_of(p95_ms: float, *, status: int = 200, socket_errors: int = 0) -> Report:
    """20 answers: 18 at 1 to 18 ms, a vote (with `status`) at `p95_ms` and a dashboard just
    after it, so that the p95 is `p95_ms`."""
    lines = ["LOAD requests 20", "LOAD duration_us 1000000",
             f"LOAD errors 0 {socket_errors} 0 0 0"]  # fmt: skip
    lines += [f"LOAD r anonymous:home 200 {1000 * (n + 1)}" for n in range(18)]
    lines += [f"LOAD r write:vote {status} {int(p95_ms * 1000)}"]
    lines += [f"LOAD r learner:dashboard 200 {int(p95_ms * 1000) + 1}"]
    return load.parse_report("\n".join(lines))


def test_a_step_holds_only_with_no_error_and_p95_under_100_ms():
    assert run_of(90).percentile_ms(95) == 90.0
    assert Step(4, [run_of(90)] * 3).held
    assert not Step(4, [run_of(90), run_of(90, status=500), run_of(90)]).held
    assert not Step(4, [run_of(90), run_of(90, status=429), run_of(90)]).held
    assert not Step(4, [run_of(90), run_of(90, socket_errors=1), run_of(90)]).held
    assert not Step(4, [run_of(120)] * 3).held
    # Medians over the runs: one slow run of three does not decide.
    assert Step(4, [run_of(90), run_of(300), run_of(80)]).held
    row = load.step_row(Step(4, [run_of(90)] * 3))
    assert row.split()[:6] == ["4", "20.0", "10.0", "90.0", "90.0", "0"]
    assert "held" in row and "NOT" not in row
    rows = load.class_rows(Step(4, [run_of(90)] * 3))
    assert [line.split()[0] for line in rows[:4]] == ["class", "anonymous", "learner", "write"]
    assert rows[1].split()[1:3] == ["90%", "18.0"]


def test_each_page_or_action_gets_its_own_row():
    rows = load.kind_rows(Step(4, [run_of(90), run_of(50)]))
    assert rows[1].split() == ["anonymous:home", "36", "9.0", "18.0"]
    assert rows[2].split() == ["learner:dashboard", "2", "50.0", "90.0"]
    assert rows[3].split() == ["write:vote", "2", "50.0", "90.0"]


def test_pages_or_actions_can_be_left_out_of_the_mix_but_not_a_whole_class():
    pool = load.mixed_pool(
        SITE, 400, iter(range(30)), random.Random(5),
        exclude=["anonymous:roadmap", "learner:dashboard"],
    )  # fmt: skip
    kinds = {request.kind for request in pool}
    assert "anonymous:roadmap" not in kinds and "learner:dashboard" not in kinds
    assert {"anonymous:topic", "anonymous:home", "learner:status"} <= kinds
    with pytest.raises(ValueError, match="no learner request"):
        every = [f"learner:{action}" for action in load.LEARNER_ACTIONS]
        load.learner_requests(SITE, 5, random.Random(6), exclude=every)


def test_a_run_without_a_single_answer_never_holds_and_shows_what_went_unanswered():
    silent = load.parse_report(
        "LOAD requests 0\nLOAD duration_us 8000000\nLOAD errors 0 0 0 0 0\n"
        "LOAD started anonymous:roadmap 1\nLOAD started write:vote 1\n"
    )
    assert silent.unanswered == 2
    assert silent.failures() == 0  # wrk saw no error...
    step = Step(1, [silent] * 3)
    assert not step.held  # ...but nothing was answered
    assert "unanswered 6" in load.step_row(step)


def test_a_section_page_is_mostly_its_first_page_and_any_page_of_the_section():
    rng = random.Random(7)
    paths = [load.section_path(SITE, rng) for _ in range(4_000)]
    first = [p for p in paths if "?" not in p]
    assert len(first) / len(paths) == pytest.approx(
        1 - (1 - load.SECTION_FIRST_PAGE_SHARE) / 3, abs=0.03
    )  # a third of the sections has pages after the first
    assert set(first) == {f"/roadmaps/ml-engineer/sections/{n}/" for n in (1, 2, 5)}
    assert {p for p in paths if "?" in p} == {
        "/roadmaps/ml-engineer/sections/2/?page=2",
        "/roadmaps/ml-engineer/sections/2/?page=3",
    }
    anonymous = load.anonymous_requests(SITE, 2_000, random.Random(8))
    assert {"anonymous:section", "anonymous:outcomes"} <= {r.kind for r in anonymous}


PROC_STAT = "4242 (gunicorn: wo (rk) r) S 4200 4242 4242 0 -1 4194560 900 0 0 0 150 25 0 0 20 0 1"


def test_a_processes_parent_and_cpu_ticks_are_read_past_a_name_with_spaces_and_parens():
    assert load.stat_fields(PROC_STAT) == (4200, 175)


def test_each_process_is_told_by_who_started_it_or_which_database_it_serves():
    parents = {10: 1, 11: 10, 12: 11, 20: 1, 30: 1}
    roots = {10: "gunicorn", 20: "wrk"}
    assert load.cpu_role(10, "gunicorn: master", parents, roots, "bench_load_7") == "gunicorn"
    assert load.cpu_role(12, "python worker", parents, roots, "bench_load_7") == "gunicorn"
    assert load.cpu_role(20, "wrk -t2", parents, roots, "bench_load_7") == "wrk"
    assert load.cpu_role(30, "python other", parents, roots, "bench_load_7") is None
    ours = "postgres: 15/main: postgres bench_load_7 127.0.0.1(4000) idle"
    theirs = "postgres: 15/main: postgres bench_load_77 127.0.0.1(4001) idle"
    assert load.cpu_role(40, ours, parents, roots, "bench_load_7") == "postgres"
    assert load.cpu_role(41, theirs, parents, roots, "bench_load_7") is None
    assert load.cpu_role(42, "postgres: 15/main: checkpointer", {}, roots, "bench_load_7") is None
    assert load.cpu_role(2, "redis-server 127.0.0.1:6379", {}, {}, "x") == "redis (whole server)"
    assert load.cpu_role(5, "loop", {5: 6, 6: 5}, roots, "x") is None  # a cycle ends


def test_the_machines_busy_time_leaves_out_idle_and_iowait():
    assert load.busy_ticks("cpu  100 5 50 800 40 3 2 0 7 0\ncpu0 1 2 3\n") == (160, 1000)


def test_cpu_rows_are_the_median_cores_busy_and_capacity_is_per_worker_process():
    samples = [(2.0, {"gunicorn": 2.0, "machine": 3.0}), (1.0, {"gunicorn": 0.5}),
               (4.0, {"gunicorn": 4.4, "postgres": 0.4, "machine": 8.0})]  # fmt: skip
    rows = load.cpu_rows(samples, 2)
    assert rows[1].split() == ["gunicorn", "1.00"]  # 1.0, 0.5, 1.1
    assert rows[2].split() == ["postgres", "0.00"]  # 0, 0, 0.1
    assert rows[3].split() == ["machine", "1.50"]  # 1.5, 0, 2.0
    run = run_of(50)
    run.cpu = {"gunicorn": 0.4, "postgres": 0.1}
    capacity = load.capacity_rows(Step(2, [run] * 3), workers=2)
    assert capacity[0] == "req/s per web worker process: 10.0 (20.0 / 2)"
    assert capacity[1] == "CPU ms per request, gunicorn: 20.0"
    assert capacity[2] == "CPU ms per request, postgres: 5.0"
    assert capacity[3] == "CPU ms per request, celery worker: 0.0"


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads /proc (Linux)")
def test_the_sampler_counts_the_cpu_of_a_started_process_and_its_children():
    burn = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])"
    shell = subprocess.Popen([sys.executable, "-c", parent])
    with load.CpuSampler({shell.pid: "burner"}, "no_such_database", interval=0.05) as sampler:
        shell.wait(timeout=30)
    used = sampler.seconds()
    assert 0.3 <= used["burner"] <= 2.0  # the child's 0.6 s, less what the last sample missed
    assert used["machine"] >= used["burner"] - 0.1
    assert "postgres" not in used


def test_requests_left_unanswered_are_shown_by_page():
    report = load.parse_report(WRK_OUTPUT)  # two notes started, one answered
    rows = load.kind_rows(Step(1, [report]))
    assert rows[0].split()[-1] == "unanswered"
    note = next(row for row in rows if row.startswith("write:note"))
    assert note.split() == ["write:note", "1", "70.0", "70.0", "1"]
    vote = next(row for row in rows if row.startswith("write:vote"))
    assert vote.split() == ["write:vote", "1", "90.0", "90.0"]
    silent = load.parse_report(
        "LOAD requests 0\nLOAD duration_us 8000000\nLOAD errors 0 0 0 0 0\n"
        "LOAD started anonymous:roadmap 1\n"
    )
    assert load.kind_rows(Step(1, [silent]))[1].split() == ["anonymous:roadmap", "0", "-", "-", "1"]


def _log(event: str, request_id: str) -> str:
    return json.dumps({"event": event, "request_id": request_id, "level": "info"})


def test_requests_in_flight_are_those_started_and_not_finished_or_failed_in_the_log():
    log = "\n".join([
        _log("request_started", "a"), _log("request_started", "b"),
        '127.0.0.1 - - [05/Dec/2026] "GET / HTTP/1.1" 200 3212 "-" "-"',
        _log("request_finished", "a"), _log("request_started", "c"),
        _log("request_failed", "c"), "{not json", _log("request_started", "d"),
    ])  # fmt: skip
    assert load.in_flight(log) == {"b", "d"}
    assert load.in_flight("") == set()


def test_draining_waits_for_the_log_and_gives_up_on_a_request_that_never_ends(tmp_path):
    log = tmp_path / "site.log"
    log.write_text(_log("request_started", "a") + "\n" + _log("request_finished", "a") + "\n")
    given_up: set[str] = set()
    assert load.drain(log, given_up, timeout=5, interval=0.01) < 1
    log.write_text(log.read_text() + _log("request_started", "stuck") + "\n")
    waited = load.drain(log, given_up, timeout=0.2, interval=0.01)
    assert 0.2 <= waited < 2 and given_up == {"stuck"}
    assert load.drain(log, given_up, timeout=5, interval=0.01) < 1  # not waited for again


def test_writes_are_counted_as_sent_and_as_answered_without_an_error():
    sent: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    load.count_writes(load.parse_report(WRK_OUTPUT), sent, answered)
    assert sent == Counter({"vote": 1, "note": 2, "submission": 0})
    assert answered == Counter({"vote": 1})  # the note answered 409
