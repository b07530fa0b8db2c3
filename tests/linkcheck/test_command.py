"""`manage.py check_urls`: JSON lines, a table, the settings, and no database."""

from __future__ import annotations

import io
import json

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command

from apps.linkcheck.checker import LinkResult, Verdict
from apps.linkcheck.cli import by_verdict
from bench.linkcheck_server import Reply, Site
from roadmap_site.cli import ProgressBar


@pytest.fixture
def site(serve) -> Site:
    site = Site("127.0.0.2", {"/ok": Reply(), "/gone": Reply(404)})
    serve(site)
    return site


@pytest.fixture
def url_file(tmp_path, site):
    path = tmp_path / "urls.txt"
    path.write_text(
        f"# links to check\n{site.url('/ok')}\n\n  {site.url('/gone')}  \n", encoding="utf-8"
    )
    return path


def run(*args: str, failed: int = 0) -> str:
    """The command's output; `failed` links make it exit with status 1, and say how many."""
    out = io.StringIO()
    try:
        call_command("check_urls", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        if not failed:
            raise
        assert (error.returncode, str(error).split()[0]) == (1, str(failed)), error
    else:
        assert failed == 0, "the command should have exited with status 1"
    return out.getvalue()


def test_json_lines(settings, url_file, site) -> None:
    settings.LINKCHECK_ALLOW_PRIVATE = True
    lines = [json.loads(line) for line in run(str(url_file), "--json", failed=1).splitlines()]
    by_url = {line["url"]: line for line in lines}
    assert len(lines) == 2
    assert set(by_url[site.url("/ok")]) == {
        "url",
        "verdict",
        "status_code",
        "final_url",
        "elapsed_ms",
        "attempts",
        "error",
    }
    assert by_url[site.url("/ok")]["verdict"] == "ok"
    assert by_url[site.url("/gone")] | {"elapsed_ms": 0} == {
        "url": site.url("/gone"),
        "verdict": "broken",
        "status_code": 404,
        "final_url": site.url("/gone"),
        "elapsed_ms": 0,
        "attempts": 1,
        "error": "HTTP 404",
    }


def test_table_and_summary(settings, url_file, site) -> None:
    settings.LINKCHECK_ALLOW_PRIVATE = True
    lines = run(str(url_file), failed=1).splitlines()
    assert lines[0].split() == ["ok", "200", site.url("/ok")]
    assert lines[1].split()[:3] == ["broken", "404", site.url("/gone")]
    assert lines[-1] == "2 URLs checked: 1 broken, 1 ok"


def test_the_guard_follows_the_settings(settings, url_file, site) -> None:
    settings.LINKCHECK_ALLOW_PRIVATE = False
    settings.LINKCHECK_ALLOW_HOSTS = frozenset()
    refused = [json.loads(line) for line in run(str(url_file), "--json", failed=2).splitlines()]
    assert {(r["verdict"], r["error"]) for r in refused} == {("broken", "address not allowed")}
    assert site.stats.connections == 0

    settings.LINKCHECK_ALLOW_HOSTS = frozenset({("127.0.0.2", site.port)})
    allowed = [json.loads(line) for line in run(str(url_file), "--json", failed=1).splitlines()]
    assert {r["verdict"] for r in allowed} == {"ok", "broken"}
    assert len(site.stats.requests) == 3  # HEAD /ok, HEAD /gone, GET /gone


def test_the_user_agent_names_the_site_and_a_contact(settings, url_file, site) -> None:
    settings.LINKCHECK_ALLOW_PRIVATE = True
    run(str(url_file), "--json", failed=1)
    agent = site.stats.requests[0].headers["user-agent"]
    assert settings.SITE_NAME in agent
    assert f"+{settings.SITE_URL}/" in agent


def test_standard_input(settings, site, monkeypatch) -> None:
    settings.LINKCHECK_ALLOW_PRIVATE = True
    monkeypatch.setattr("sys.stdin", io.StringIO(site.url("/ok") + "\n"))
    [line] = run("-", "--json").splitlines()
    assert json.loads(line)["verdict"] == "ok"


def test_a_missing_file_is_an_error(tmp_path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        run(str(tmp_path / "nope.txt"))


def test_progress_bar() -> None:
    stream = io.StringIO()
    bar = ProgressBar(2, stream, width=4)
    on_result = by_verdict(bar)
    assert on_result is not None and by_verdict(None) is None
    on_result(LinkResult("http://a/", Verdict.OK, 200, "http://a/", 1, 1, None))
    on_result(LinkResult("http://b/", Verdict.BROKEN, 404, "http://b/", 1, 1, "HTTP 404"))
    bar.close()
    assert "\r[##--] 1/2  ok 1" in stream.getvalue()
    assert "\r[####] 2/2  broken 1 ok 1" in stream.getvalue()


def test_no_progress_bar_off_a_terminal(settings, url_file, capsys) -> None:
    settings.LINKCHECK_ALLOW_PRIVATE = True
    with pytest.raises(CommandError):  # /gone fails
        call_command("check_urls", str(url_file))
    assert "[" not in capsys.readouterr().err


def test_deploy_check_warns_when_private_addresses_are_allowed(settings) -> None:
    settings.LINKCHECK_ALLOW_PRIVATE = True
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "linkcheck.W001" in ids
    settings.LINKCHECK_ALLOW_PRIVATE = False
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "linkcheck.W001" not in ids


def test_the_warning_is_a_deploy_check_only(settings) -> None:
    settings.LINKCHECK_ALLOW_PRIVATE = True
    assert "linkcheck.W001" not in [message.id for message in run_checks()]
