"""Wait until the database has every migration this code knows, then exit 0; exit 1 at the
timeout. Applies nothing: the migrations Job does that.

    manage.py wait_for_migrations [--timeout 600] [--interval 5]

The init container of every web, worker and beat pod runs it (deploy/k8s/base), so a pod with
new code starts only once the schema it needs is in place, while the old pods keep serving. A
database that does not answer yet counts as "not yet", not as a failure.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

from roadmap_site.limits import MIGRATION_WAIT_SECONDS


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The migrations this code has that the database has not applied, as `app.name`."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _seconds(name: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise CommandError(
                f"--{name} must be a whole number of seconds; got {text!r}"
            ) from None
        problem = MIGRATION_WAIT_SECONDS.check(value)
        if problem:
            raise CommandError(f"--{name}: {problem}")
        return value

    return parse


class Command(BaseCommand):
    help = "Wait until every migration is applied (exit 0), or the timeout passes (exit 1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=_seconds("timeout"), default=600)
        parser.add_argument("--interval", type=_seconds("interval"), default=5)

    def handle(self, *args, timeout: int, interval: int, **options) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                pending = unapplied_migrations()
            except DatabaseError as error:
                state = f"the database does not answer ({type(error).__name__})"
                connections.close_all()
            else:
                if not pending:
                    self.stdout.write("Every migration is applied.")
                    return
                state = f"{len(pending)} migrations to apply, first {pending[0]}"
            if time.monotonic() + interval > deadline:
                raise CommandError(f"Gave up after {timeout} s: {state}.", returncode=1)
            self.stdout.write(f"Waiting: {state}.")
            time.sleep(interval)
