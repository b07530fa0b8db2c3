"""Docker does not run here: check what can be checked of the container files natively."""

from __future__ import annotations

import gc
import importlib
import re
import runpy
import shlex
from pathlib import Path

import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {"proxy", "db", "redis", "migrate", "web", "worker-linkcheck", "worker", "beat", "mail"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def commands_of(service: dict) -> list[list[str]]:
    command = service.get("command")
    if command is None:
        return []
    if isinstance(command, str):
        command = shlex.split(command)
    if command[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in command[2].split("&&")]
    return [command]


def test_the_compose_file_has_every_service() -> None:
    assert set(compose()["services"]) == SERVICES


def test_every_project_command_is_a_real_entry_point() -> None:
    django_commands = get_commands()
    checked = set()
    for name, service in compose()["services"].items():
        if "build" not in service:
            continue  # third-party images: proxy, db, redis, mail
        for argv in commands_of(service):
            if argv[:2] == ["python", "manage.py"]:
                assert argv[2] in django_commands, f"{name}: no manage.py {argv[2]}"
                for arg in argv[3:]:
                    if arg.startswith("fixtures/"):
                        assert (ROOT / arg).is_file(), f"{name}: {arg} is missing"
            elif argv[0] == "gunicorn":
                config = argv[argv.index("--config") + 1]
                assert (ROOT / config).is_file(), f"{name}: {config} is missing"
                module, _, attribute = argv[-1].partition(":")
                assert hasattr(importlib.import_module(module), attribute), name
            elif argv[0] == "celery":
                app_module = argv[argv.index("-A") + 1]
                assert hasattr(importlib.import_module(app_module), "celery_app"), name
                assert argv[argv.index("-A") + 2] in {"worker", "beat"}, name
            else:
                raise AssertionError(f"{name}: unknown entry point {argv[0]!r}")
            checked.add(name)
    assert checked == {"migrate", "web", "worker-linkcheck", "worker", "beat"}


def test_order_health_and_more_than_one_beat_behind_the_lock(settings) -> None:
    services = compose()["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    for name in ("web", "worker-linkcheck", "worker"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    # Two beats are safe only because the scheduler takes the lock before it sends anything.
    assert services["beat"]["deploy"]["replicas"] == 2
    assert settings.CELERY_BEAT_SCHEDULER == "roadmap_site.beat.LockedScheduler"
    assert "volumes" in services["db"] and "pgdata" in compose()["volumes"]
    assert services["migrate"]["restart"] == "no"


def _queues_of(service: dict) -> set[str]:
    [argv] = commands_of(service)
    return set(argv[argv.index("-Q") + 1].split(","))


def test_each_queue_the_routes_name_has_a_worker_of_its_own(settings) -> None:
    """The link checks' queue and the default queue (settings' routes) each have a worker
    service, and no worker listens to a queue nothing is sent to."""
    from roadmap_site.celery import app

    app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery)
    services = compose()["services"]
    linkcheck, default = _queues_of(services["worker-linkcheck"]), _queues_of(services["worker"])
    assert linkcheck == {settings.CELERY_LINKCHECK_QUEUE}
    assert default == {settings.CELERY_TASK_DEFAULT_QUEUE}
    router = app.amqp.router
    for name in ("apps.linkcheck.tasks.link_sweep", "apps.linkcheck.tasks.link_check_batch"):
        assert router.route({}, name)["queue"].name in linkcheck, name
    for name in ("apps.mail.tasks.weekly_emails_send", "apps.outbox.tasks.outbox_publish"):
        assert router.route({}, name)["queue"].name in default, name
    # Every task the project defines lands on one of the two.
    names = [name for name in app.tasks if name.startswith("apps.")]
    assert names
    for name in names:
        assert router.route({}, name)["queue"].name in linkcheck | default, name


def test_the_proxy_terminates_tls_with_its_internal_authority() -> None:
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "tls internal" in caddyfile
    assert "reverse_proxy web:8000" in caddyfile
    assert "header_up X-Forwarded-Proto {scheme}" in caddyfile
    assert re.search(r"@internal path /metrics\s+respond @internal 404", caddyfile)
    proxy = compose()["services"]["proxy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]


def test_the_image_installs_from_the_lock_runs_as_non_root_and_bakes_no_secret() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.count("FROM ") == 2  # multi-stage
    assert "--require-hashes -r /tmp/requirements.lock" in dockerfile
    assert "\nUSER roadmap\n" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "gunicorn" in dockerfile.split("\nCMD", 1)[1]
    env_lines = [line for line in dockerfile.splitlines() if line.startswith("ENV")]
    assert not any("SECRET" in line for line in env_lines)
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_env_example_documents_every_setting_read_from_the_environment() -> None:
    settings_source = (ROOT / "roadmap_site" / "settings.py").read_text()
    names = set(re.findall(r'(?:env_\w+|email_config)\(\s*"([A-Z][A-Z0-9_]+)"', settings_source))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"} <= names
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert names - documented == set()


def test_a_gunicorn_worker_keeps_what_it_loaded_out_of_the_full_collections() -> None:
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    try:
        config["post_worker_init"](None)
        assert gc.get_freeze_count() > 10_000  # Django and the test run's objects
    finally:
        gc.unfreeze()
