"""Settings come from the environment; bad values stop the start with the variable's name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from roadmap_site.environment import (
    email_config,
    env_bool,
    env_host_ports,
    env_int,
    env_list,
    env_url,
)

ROOT = Path(__file__).resolve().parents[1]


def start_django(**env: str) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter, the way a server start would."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "roadmap_site.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "roadmap.example"}, "SECRET_KEY must be set"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS must be set"),
        ({"DATABASE_URL": "mysql://db.example/roadmap"}, "DATABASE_URL must be a URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL must be a URL"),
        ({"SECURE_HSTS_SECONDS": "-5"}, "SECURE_HSTS_SECONDS must be at least 0"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS must be a whole number"),
        ({"EMAIL_URL": "smtp://"}, "EMAIL_URL must name the SMTP host"),
        ({"LINKCHECK_ALLOW_HOSTS": "127.0.0.1"}, "LINKCHECK_ALLOW_HOSTS must list host:port"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be at least 0"),
        ({"TRUSTED_PROXY_COUNT": "caddy"}, "TRUSTED_PROXY_COUNT must be a whole number"),
        ({"TRUSTED_PROXY_COUNT": "9"}, "TRUSTED_PROXY_COUNT must be at most 5"),
        ({"DATABASE_POOL_MAX": "0"}, "DATABASE_POOL_MAX must be at least 1"),
        ({"DATABASE_POOL_MAX": "500"}, "DATABASE_POOL_MAX must be at most 50"),
        ({"DATABASE_POOL_MIN": "5", "DATABASE_POOL_MAX": "2"}, "must not exceed"),
        ({"DATABASE_POOL": "sometimes"}, "DATABASE_POOL must be one of"),
        ({"VERSIONS_FEED": "perhaps"}, "VERSIONS_FEED must be one of"),
        ({"BEAT_LOCK_SECONDS": "1"}, "BEAT_LOCK_SECONDS must be at least 3"),
        ({"CELERY_LINKCHECK_QUEUE": "celery"}, "CELERY_LINKCHECK_QUEUE must differ"),
    ],
)
def test_a_bad_value_fails_at_start_naming_the_variable(env: dict, words: str) -> None:
    result = start_django(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert words in result.stderr
    assert "started" not in result.stdout


def test_production_starts_with_its_required_settings() -> None:
    result = start_django(DEBUG="0", SECRET_KEY="k" * 50, ALLOWED_HOSTS="roadmap.example")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_env_bool_reads_the_usual_spellings() -> None:
    for word in ("1", "true", "YES", "On"):
        assert env_bool("X", False, environ={"X": word}) is True
    for word in ("0", "false", "no", "OFF"):
        assert env_bool("X", True, environ={"X": word}) is False
    assert env_bool("X", True, environ={}) is True
    assert env_bool("X", False, environ={"X": "  "}) is False
    with pytest.raises(ImproperlyConfigured, match="X must be one of"):
        env_bool("X", True, environ={"X": "yep"})


def test_env_int_checks_its_bounds() -> None:
    assert env_int("N", 5, environ={}) == 5
    assert env_int("N", 5, minimum=1, maximum=10, environ={"N": "10"}) == 10
    with pytest.raises(ImproperlyConfigured, match="N must be at most 10; got 11"):
        env_int("N", 5, maximum=10, environ={"N": "11"})
    with pytest.raises(ImproperlyConfigured, match=r"N must be a whole number; got '1\.5'"):
        env_int("N", 5, environ={"N": "1.5"})


def test_env_list_url_and_host_ports() -> None:
    assert env_list("L", ["a"], environ={"L": " x, y ,,z "}) == ["x", "y", "z"]
    assert env_list("L", ["a"], environ={}) == ["a"]
    url = "redis://127.0.0.1:6379/0"
    assert env_url("R", "", schemes=frozenset({"redis"}), environ={"R": url}) == url
    with pytest.raises(ImproperlyConfigured, match="R must name a host"):
        env_url("R", "", schemes=frozenset({"redis"}), environ={"R": "redis://"})
    pairs = env_host_ports("H", environ={"H": "127.0.0.2:8001, [::1]:9000"})
    assert pairs == {("127.0.0.2", 8001), ("::1", 9000)}
    with pytest.raises(ImproperlyConfigured, match="H must list host:port pairs"):
        env_host_ports("H", environ={"H": "127.0.0.2:http"})


def test_email_url() -> None:
    config = email_config(
        "E", "console:", environ={"E": "smtp://mailer:s%40cret@mail.example:587?tls=1"}
    )
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "s@cret",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }
    assert email_config("E", "console:", environ={})["EMAIL_BACKEND"].endswith(
        "console.EmailBackend"
    )


@pytest.mark.django_db
def test_every_page_carries_a_strict_content_security_policy(client) -> None:
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert b"style=" not in response.content


def test_trusted_proxy_count_is_0_by_default_1_for_compose_web_and_allauth_follows() -> None:
    """Unset it is 0 (`make run`: X-Forwarded-For ignored); compose sets 1 for the web service,
    the one behind Caddy; allauth's own setting follows the same value."""
    import yaml

    script = (
        "import django; django.setup(); from django.conf import settings; "
        "from allauth import app_settings; "
        "print(settings.TRUSTED_PROXY_COUNT, app_settings.TRUSTED_PROXY_COUNT, "
        "settings.ACCOUNT_ADAPTER)"
    )
    seen = []
    for env in ({}, {"TRUSTED_PROXY_COUNT": "1"}):
        clean = {k: v for k, v in os.environ.items() if k != "TRUSTED_PROXY_COUNT"}
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**clean, **env, "DJANGO_SETTINGS_MODULE": "roadmap_site.settings"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        seen.append(result.stdout.split())
    adapter = "apps.accounts.adapter.AccountAdapter"
    assert seen == [["0", "0", adapter], ["1", "1", adapter]]

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres://")
    assert "TRUSTED_PROXY_COUNT" not in services["worker"]["environment"]


def _database_settings(**env: str) -> str:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps([d['CONN_MAX_AGE'], d.get('OPTIONS', {}).get('pool')]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "roadmap_site.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_postgresql_connections_come_from_a_pool_with_no_persistent_connection_of_django() -> None:
    url = "postgres://roadmap@db.invalid:5432/roadmap"
    assert _database_settings(DATABASE_URL=url, DATABASE_POOL_MAX="8") == (
        '[0, {"min_size": 1, "max_size": 8, "timeout": 10}]'
    )
    # Off (PgBouncer in front): one persistent connection per thread, as before.
    assert _database_settings(DATABASE_URL=url, DATABASE_POOL="0") == "[60, null]"
    # SQLite has no pool.
    assert _database_settings(DATABASE_URL="sqlite:///db.invalid.sqlite3").endswith(", null]")
