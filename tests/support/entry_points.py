"""Is a container's command one of this project's real entry points? For the Kubernetes
manifests (tests/test_k8s_manifests.py); the same rules as the compose file's test."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
CELERY_SUBCOMMANDS = {"worker", "beat"}


def option(argv: list[str], name: str) -> str:
    """The value after `name` in argv; an AssertionError naming it when there is none."""
    assert name in argv and argv.index(name) + 1 < len(argv), f"{argv}: no value for {name}"
    return argv[argv.index(name) + 1]


def check_entry_point(argv: list[str]) -> str:
    """Asserts that argv starts a real entry point; returns which ("manage.py migrate",
    "gunicorn", "celery worker", "celery beat")."""
    if argv[:2] == ["python", "manage.py"]:
        assert argv[2] in get_commands(), f"no manage.py {argv[2]}"
        for arg in argv[3:]:
            if arg.startswith("fixtures/"):
                assert (ROOT / arg).is_file(), f"{arg} is missing"
        return f"manage.py {argv[2]}"
    if argv[0] == "gunicorn":
        config = option(argv, "--config")
        assert (ROOT / config).is_file(), f"{config} is missing"
        module, _, attribute = argv[-1].partition(":")
        assert hasattr(importlib.import_module(module), attribute), argv[-1]
        return "gunicorn"
    if argv[0] == "celery":
        app_module = option(argv, "-A")
        assert hasattr(importlib.import_module(app_module), "celery_app"), app_module
        subcommand = argv[argv.index("-A") + 2]
        assert subcommand in CELERY_SUBCOMMANDS, f"celery {subcommand}?"
        return f"celery {subcommand}"
    raise AssertionError(f"unknown entry point {argv[0]!r}")


def worker_queues(argv: list[str]) -> set[str]:
    """The queues a `celery ... worker -Q a,b` command consumes."""
    return set(option(argv, "-Q").split(","))
