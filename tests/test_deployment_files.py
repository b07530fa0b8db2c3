"""Docker does not run here: check what can be checked of the container files natively."""

from __future__ import annotations

import importlib
import shlex
from pathlib import Path

import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]


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


def test_every_compose_command_is_a_real_entry_point() -> None:
    django_commands = get_commands()
    checked = 0
    for name, service in compose()["services"].items():
        for argv in commands_of(service):
            if argv[:2] == ["python", "manage.py"]:
                assert argv[2] in django_commands, f"{name}: no manage.py {argv[2]}"
                for arg in argv[3:]:
                    if arg.startswith("fixtures/"):
                        assert (ROOT / arg).is_file(), f"{name}: {arg} is missing"
            elif argv[0] == "gunicorn":
                module, _, attribute = argv[1].partition(":")
                assert hasattr(importlib.import_module(module), attribute), name
            else:
                raise AssertionError(f"{name}: unknown entry point {argv[0]!r}")
            checked += 1
    assert checked >= 3


def test_the_web_waits_for_a_healthy_database_and_a_finished_migration() -> None:
    services = compose()["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    depends = services["web"]["depends_on"]
    assert depends["db"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_the_image_installs_from_the_lock_and_runs_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r /tmp/requirements.lock" in dockerfile
    assert "\nUSER roadmap\n" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "gunicorn" in dockerfile.split("CMD", 1)[1]
