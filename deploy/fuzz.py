"""The API fuzzing run: Schemathesis against a live server, every operation, every check.

Starts the site as prod-smoke does (gunicorn with DEBUG=0 and gunicorn.conf.py) on a free
loopback port, on a fresh PostgreSQL database named `<name>_fuzz` that it migrates and seeds
(`import_roadmap` and `load_enrichment`, as `make seed`), with a learner who has a verified
email, an enrolment and an API token. Then it runs Schemathesis twice over the OpenAPI schema
the server publishes, anonymously and with the learner's token: all checks, all phases but the
stateful one (see below), a bounded number of examples per operation and a fixed seed.

    make fuzz                  (or: .venv/bin/python deploy/fuzz.py)

Prints, for each run, the operations and test cases, and the failures by check; exits non-zero
on any failure or error. FUZZ_MAX_EXAMPLES (default 6) bounds the examples per operation,
FUZZ_SEED (default 15) fixes the data; FUZZ_REPORT_DIR keeps Schemathesis's reports.
deploy/schemathesis.toml says which statuses one operation may answer to well-formed input
(POST /submissions/: its slugs and URL can be well-formed and still refer to nothing).

Reads DATABASE_URL (a postgres:// URL, required when REQUIRE_SERVICES=1; without it the run
uses a SQLite file in its scratch directory) and REDIS_URL (the cache and the throttles; this
run's keys and queue carry their own prefix). Contacts only the loopback server it starts.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from smoke import BIN, ROADMAP, ROOT, SmokeFailure, manage, stack_settings, step, stop, wait_for

HTTPS = "X-Forwarded-Proto: https"  # as the proxy sends it; DEBUG=0 redirects plain HTTP

LEARNER_SETUP = """
from allauth.account.models import EmailAddress
from apps.accounts.models import User
from apps.accounts.services import api_token_create
from apps.progress.services import enrollment_put
from apps.roadmap.models import Roadmap
user = User.objects.create_user("fuzz-learner", "learner@fuzz.example", PASSWORD)
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
enrollment_put(user=user, roadmap=Roadmap.objects.get(slug=SLUG))
print(api_token_create(user=user, name="fuzz")[1])
"""


def database(scratch: Path) -> str:
    """The fuzz database's URL: a fresh `<name>_fuzz` beside DATABASE_URL's database."""
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            raise SmokeFailure("REQUIRE_SERVICES=1 and no DATABASE_URL: the fuzz run needs it")
        return f"sqlite:///{scratch / 'fuzz.sqlite3'}"
    parts = urlsplit(base)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SmokeFailure("DATABASE_URL must be a postgres:// URL (or unset, for SQLite)")
    name = (parts.path.lstrip("/") or "roadmap") + "_fuzz"
    admin = urlunsplit(parts._replace(path="/postgres"))
    step(f"fresh database {name}")
    subprocess.run(
        [BIN / "python", "-c", (
            "import psycopg, sys\n"
            "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
            "    c.execute(f'DROP DATABASE IF EXISTS \"{sys.argv[2]}\" WITH (FORCE)')\n"
            "    c.execute(f'CREATE DATABASE \"{sys.argv[2]}\"')\n"
        ), admin, name],
        check=True,
    )  # fmt: skip
    return urlunsplit(parts._replace(path=f"/{name}"))


def seed(env: dict[str, str]) -> str:
    """Migrate and seed as `make seed` does; returns the learner's API token."""
    step("migrate, import the roadmap, load the enrichment, collectstatic; a learner with a token")
    manage(env, "migrate", "--noinput")
    manage(env, "import_roadmap", "fixtures/ml-engineer-roadmap.md", "--slug", ROADMAP)
    manage(env, "load_enrichment", "fixtures/ml-engineer-enrichment.json")
    manage(env, "collectstatic", "--noinput")  # DEBUG=0 pages (a 404 too) need the manifest
    password = secrets.token_urlsafe(16)
    script = f"PASSWORD = {password!r}\nSLUG = {ROADMAP!r}\n{LEARNER_SETUP}"
    return manage(env, "shell", "-c", script).strip().splitlines()[-1]


def start_web(env: dict[str, str], base: str, log: Path, processes: list[subprocess.Popen]) -> None:
    step(f"web (gunicorn, DEBUG=0), its log in {log.name}")
    with log.open("wb") as out:
        processes.append(
            subprocess.Popen(
                [BIN / "gunicorn", "--config", "gunicorn.conf.py", "roadmap_site.wsgi:application"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        )

    def ready() -> bool:
        if processes[-1].poll() is not None:
            raise SmokeFailure("the web server exited:\n" + log.read_text()[-3000:])
        try:
            response = httpx.get(
                base + "/readyz", headers={"X-Forwarded-Proto": "https"}, trust_env=False
            )
        except httpx.TransportError:
            return False
        return response.status_code == 200

    wait_for("the web server to be ready", ready, 60)


def fuzz(base: str, label: str, report: Path, headers: list[str]) -> tuple[int, str]:
    """One Schemathesis run; returns its exit code and a line of totals."""
    step(f"schemathesis, {label}")
    # One worker: Hypothesis parses lambdas' source with `ast`, which CPython 3.11 cannot do
    # from two threads at once ("AST constructor recursion depth mismatch").
    examples = os.environ.get("FUZZ_MAX_EXAMPLES", "6")
    command = [
        str(BIN / "schemathesis"), "--config-file", str(ROOT / "deploy" / "schemathesis.toml"),
        "run", f"{base}/api/schema/?format=json", "--url", base,
        "--checks", "all", "--phases", "examples,coverage,fuzzing",
        "--max-examples", examples, "--seed", os.environ.get("FUZZ_SEED", "15"),
        "--workers", "1", "--request-timeout", "30", "--no-shrink",
        "--suppress-health-check", "all", "--warnings", "off",
        "--report", "ndjson", "--report-ndjson-path", str(report),
    ]  # fmt: skip
    for header in [HTTPS, *headers]:
        command += ["--header", header]
    result = subprocess.run(command, cwd=report.parent, env={**os.environ, "NO_COLOR": "1"})
    return result.returncode, totals(report, label)


def totals(report: Path, label: str) -> str:
    """Operations, test cases and failures by check, from the run's ndjson events."""
    operations: set[str] = set()
    cases = 0
    failures: Counter[str] = Counter()
    errors = 0
    if not report.exists():
        return f"{label}: no report was written"
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for kind, body in event.items():
            if kind == "ScenarioFinished":
                recorder = body.get("recorder", {})
                label_ = recorder.get("label", "")
                if label_:
                    operations.add(label_)
                cases += len(recorder.get("cases", {}))
                for checks in recorder.get("checks", {}).values():
                    for check in checks:
                        if str(check.get("status", "")).lower() == "failure":
                            failures[check.get("name", "?")] += 1
            elif kind == "NonFatalError":
                errors += 1
    by_check = ", ".join(f"{name} {count}" for name, count in sorted(failures.items()))
    return (
        f"{label}: {len(operations)} operations, {cases} test cases, "
        f"{sum(failures.values())} failed checks ({by_check or 'none'}), {errors} errors"
    )


def main() -> int:
    started = time.monotonic()
    processes: list[subprocess.Popen] = []
    scratch = Path()
    try:
        redis = os.environ.get("REDIS_URL", "")
        stack = stack_settings("", redis)
        scratch = stack.workdir
        run = secrets.token_hex(4)
        stack.env.update(
            DATABASE_URL=database(scratch),
            CACHE_KEY_PREFIX=f"fuzz-{run}",
            CELERY_TASK_DEFAULT_QUEUE=f"fuzz-{run}",
            WEB_CONCURRENCY="2",
            # gunicorn answers a request line over 4 KiB itself (414, HTML, before Django; the
            # proxy has its own limit): the run is about the application, so no limit here.
            GUNICORN_CMD_ARGS="--limit-request-line 0",
        )
        token = seed(stack.env)
        reports = Path(os.environ.get("FUZZ_REPORT_DIR") or scratch)
        reports.mkdir(parents=True, exist_ok=True)
        log = reports / "web.log"
        start_web(stack.env, stack.base, log, processes)
        learner = [f"Authorization: Token {token}"]
        results = [
            fuzz(stack.base, "anonymous", reports / "anonymous.ndjson", []),
            fuzz(stack.base, "learner", reports / "learner.ndjson", learner),
        ]
        for _, line in results:
            print(line, flush=True)
        failed = any(code != 0 for code, _ in results)
        if failed:
            faults = [line for line in log.read_text().splitlines() if '"level": "error"' in line]
            print("\n".join(["the server's errors:", *faults[-20:]]), flush=True)
        verdict = "FAILED" if failed else "passed"
        step(f"fuzz {verdict} in {time.monotonic() - started:.0f} s")
        return 1 if failed else 0
    except SmokeFailure as failure:
        print(f"fuzz FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        stop(processes)
        if scratch != Path():
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
