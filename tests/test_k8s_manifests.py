"""The Kubernetes manifests (deploy/k8s), offline: rendered by deploy/k8s/render.py, validated
strictly against the pinned Kubernetes version's schemas, and held to the house's rules."""

from __future__ import annotations

import os
import re
import runpy
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from deploy.k8s import render as k8s
from roadmap_site.limits import MIGRATION_WAIT_SECONDS
from tests.support.entry_points import check_entry_point, worker_queues

ROOT = Path(__file__).resolve().parents[1]
SECRET = "roadmap-secrets"
CONFIG = "roadmap-config"
# What the processes cannot start, or run safely, without (with DEBUG=0).
REQUIRED_ENV = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"}
REQUIRED_ENV |= {"SITE_URL", "CSRF_TRUSTED_ORIGINS", "TRUSTED_PROXY_COUNT"}
# Read outside settings.py: gunicorn.conf.py's.
GUNICORN_ENV = {"WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_BIND", "FORWARDED_ALLOW_IPS"}
COMPONENTS = {"web", "worker-linkcheck", "worker", "beat"}


@pytest.fixture(scope="module", params=sorted(k8s.KUSTOMIZATIONS))
def rendered(request) -> tuple[str, list[dict]]:
    return request.param, k8s.render(k8s.KUSTOMIZATIONS[request.param])


def by_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == kind}


def pod_specs(objects: list[dict]) -> dict[str, dict]:
    return {
        f"{obj['kind']}/{obj['metadata']['name']}": obj["spec"]["template"]["spec"]
        for obj in objects
        if obj["kind"] in {"Deployment", "Job"}
    }


def containers(spec: dict) -> list[dict]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def env_names(objects: list[dict]) -> tuple[set[str], set[str]]:
    """The names the pods get from the ConfigMap and their own env, and the Secret's keys
    they read."""
    names = set(by_kind(objects, "ConfigMap")[CONFIG]["data"])
    secret_keys = set()
    for spec in pod_specs(objects).values():
        for container in containers(spec):
            for source in container.get("envFrom", []):
                assert source == {"configMapRef": {"name": CONFIG}}, source
            for entry in container.get("env", []):
                names.add(entry["name"])
                ref = entry.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == SECRET and ref["key"] == entry["name"], entry
                    secret_keys.add(ref["key"])
    return names, secret_keys


def names_settings_read() -> set[str]:
    source = (ROOT / "roadmap_site" / "settings.py").read_text()
    return set(re.findall(r'(?:env_\w+|email_config)\(\s*"([A-Z][A-Z0-9_]+)"', source))


def dockerfile_ids() -> tuple[int, int]:
    """The uid and gid of the user the image runs as."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    uid = re.search(r"useradd .*--uid (\d+) .*roadmap\n", dockerfile)
    gid = re.search(r"groupadd --gid (\d+) roadmap", dockerfile)
    assert uid and gid, "the Dockerfile creates no numbered user and group"
    assert "\nUSER roadmap\n" in dockerfile
    return int(uid.group(1)), int(gid.group(1))


def test_both_kustomizations_render_and_pass_strict_validation(rendered) -> None:
    name, objects = rendered
    lines = k8s.validate(objects)
    assert len(lines) == len(objects)
    assert all(f"(Kubernetes {k8s.KUBERNETES_VERSION}, strict)" in line for line in lines)
    deployments = by_kind(objects, "Deployment")
    assert set(deployments) == {f"roadmap-{component}" for component in COMPONENTS}
    assert set(by_kind(objects, "Job")) == {"roadmap-migrate"}
    assert set(by_kind(objects, "HorizontalPodAutoscaler")) == {"roadmap-web"}
    if name == "production":
        assert set(by_kind(objects, "Ingress")) == {"roadmap"}
        assert len(by_kind(objects, "NetworkPolicy")) == 2
        assert {obj["metadata"]["namespace"] for obj in objects} == {"roadmap"}


def test_strict_validation_refuses_an_unknown_field() -> None:
    bad = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x"},
        "data": {},
        "dat": {"A": "1"},
    }
    with pytest.raises(k8s.RenderError, match=r"ConfigMap/x: .*'dat' was unexpected"):
        k8s.validate([bad])


def test_every_container_has_requests_and_limits(rendered) -> None:
    for where, spec in pod_specs(rendered[1]).items():
        for container in containers(spec):
            resources = container["resources"]
            for kind in ("cpu", "memory"):
                assert kind in resources["requests"] and kind in resources["limits"], where
            request = parse_quantity(resources["requests"]["memory"])
            assert parse_quantity(resources["limits"]["memory"]) >= request, where


def parse_quantity(text: str) -> int:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return int(text[: -len(suffix)]) * factor
    return int(text)


def test_no_root_a_read_only_root_filesystem_and_a_writable_tmp(rendered) -> None:
    uid, gid = dockerfile_ids()
    for where, spec in pod_specs(rendered[1]).items():
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] == uid, where
        assert pod["runAsGroup"] == gid and pod["fsGroup"] == gid, where
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert spec["automountServiceAccountToken"] is False, where
        volumes = {volume["name"]: volume for volume in spec["volumes"]}
        for container in containers(spec):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"] == {"drop": ["ALL"]}, where
            mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
            # PROMETHEUS_MULTIPROC_DIR, gunicorn's heartbeat files, beat's schedule file.
            assert "emptyDir" in volumes[mounts["/tmp"]], where


def test_gunicorn_writes_nowhere_but_tmp() -> None:
    """Its control socket would go under $HOME, read-only in the pods (docs/scaling.md)."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["control_socket_disable"] is True
    assert "worker_tmp_dir" not in config  # gunicorn's heartbeat files: the default, /tmp


def test_web_probes_ask_the_health_views_by_the_sites_host(rendered) -> None:
    objects = rendered[1]
    allowed_hosts = by_kind(objects, "ConfigMap")[CONFIG]["data"]["ALLOWED_HOSTS"].split(",")
    web = by_kind(objects, "Deployment")["roadmap-web"]["spec"]["template"]["spec"]
    (container,) = web["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    ports = {port["name"] for port in container["ports"]}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["port"] in ports, probe
        (header,) = get["httpHeaders"]
        assert header["name"] == "Host" and header["value"] in allowed_hosts, probe
    # Liveness waits out gunicorn's own worker timeout before restarting the container.
    liveness = container["livenessProbe"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] > 30


@pytest.mark.django_db
def test_the_health_views_answer_the_probes_host_and_refuse_the_pods_ip(settings) -> None:
    """Why the probes send a Host header: the kubelet's default is the pod's IP."""
    settings.ALLOWED_HOSTS = ["roadmap.example"]
    settings.CACHE_URL = ""
    settings.CELERY_BROKER_URL = ""
    client = Client()
    for path in ("/healthz", "/readyz"):
        assert client.get(path, HTTP_HOST="10.244.1.7:8000").status_code == 400, path
        assert client.get(path, HTTP_HOST="roadmap.example").status_code == 200, path


def test_production_pins_the_image_and_the_host_everywhere() -> None:
    objects = k8s.render(k8s.KUSTOMIZATIONS["production"])
    for where, spec in pod_specs(objects).items():
        for container in containers(spec):
            image = container["image"]
            name, _, tag = image.rpartition(":")
            assert "/" in name and tag and tag != "latest", f"{where}: {image}"
    data = by_kind(objects, "ConfigMap")[CONFIG]["data"]
    (rule,) = by_kind(objects, "Ingress")["roadmap"]["spec"]["rules"]
    host = rule["host"]
    assert data["ALLOWED_HOSTS"] == host and data["SITE_URL"] == f"https://{host}"
    assert data["CSRF_TRUSTED_ORIGINS"] == f"https://{host}"
    assert by_kind(objects, "Ingress")["roadmap"]["spec"]["tls"][0]["hosts"] == [host]
    hpa = by_kind(objects, "HorizontalPodAutoscaler")["roadmap-web"]["spec"]
    assert 3 <= hpa["minReplicas"] < hpa["maxReplicas"]


def test_every_deployment_but_beat_has_a_disruption_budget_and_web_an_autoscaler(
    rendered,
) -> None:
    objects = rendered[1]
    budgets = by_kind(objects, "PodDisruptionBudget")
    for name, deployment in by_kind(objects, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        if name == "roadmap-beat":
            assert name not in budgets
            continue
        selector = budgets[name]["spec"]["selector"]["matchLabels"]
        assert selector == deployment["spec"]["selector"]["matchLabels"], name
    # The autoscaler owns the web's count: a count in the Deployment would be reset by every
    # apply.
    assert "replicas" not in by_kind(objects, "Deployment")["roadmap-web"]["spec"]
    hpa = by_kind(objects, "HorizontalPodAutoscaler")["roadmap-web"]["spec"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "roadmap-web",
    }
    assert hpa["minReplicas"] >= 2


def test_every_env_name_is_a_setting_and_the_required_ones_are_there(rendered) -> None:
    names, secret_keys = env_names(rendered[1])
    assert names - (names_settings_read() | GUNICORN_ENV) == set()
    assert names >= REQUIRED_ENV
    example = yaml.safe_load((ROOT / "deploy" / "k8s" / "secret.example.yaml").read_text())
    assert example["metadata"]["name"] == SECRET
    optional = {"GITHUB_CLIENT_ID", "GITHUB_SECRET"}
    assert secret_keys - optional == set(example["stringData"])
    assert not {"SECRET_KEY", "DATABASE_URL", "EMAIL_URL"} & set(
        by_kind(rendered[1], "ConfigMap")[CONFIG]["data"]
    )


def test_the_manifests_environment_passes_the_deploy_checks(rendered) -> None:
    """The settings start with DEBUG=0 from exactly what the pods get, and `check --deploy`
    finds nothing."""
    objects = rendered[1]
    example = yaml.safe_load((ROOT / "deploy" / "k8s" / "secret.example.yaml").read_text())
    secret = {**example["stringData"], "SECRET_KEY": secrets.token_urlsafe(50)}
    (web,) = by_kind(objects, "Deployment")["roadmap-web"]["spec"]["template"]["spec"]["containers"]
    env = dict(by_kind(objects, "ConfigMap")[CONFIG]["data"])
    for entry in web["env"]:
        ref = entry.get("valueFrom", {}).get("secretKeyRef")
        if ref and ref["key"] in secret:
            env[entry["name"]] = secret[ref["key"]]
        elif "value" in entry:
            env[entry["name"]] = entry["value"]
    keep = {"PATH", "HOME", "LANG"}
    base_env = {key: value for key, value in os.environ.items() if key in keep}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base_env, **env, "DJANGO_SETTINGS_MODULE": "roadmap_site.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_every_command_is_a_real_entry_point_and_every_queue_has_a_worker(rendered) -> None:
    seen: dict[str, str] = {}
    queues: set[str] = set()
    for where, spec in pod_specs(rendered[1]).items():
        for container in containers(spec):
            argv = container["command"] + container.get("args", [])
            kind = check_entry_point(argv)
            seen[f"{where}/{container['name']}"] = kind
            if kind == "celery worker":
                queues |= worker_queues(argv)
    assert seen["Job/roadmap-migrate/migrate"] == "manage.py migrate"
    assert seen["Deployment/roadmap-web/web"] == "gunicorn"
    assert seen["Deployment/roadmap-beat/beat"] == "celery beat"
    for name in ("roadmap-web", "roadmap-worker", "roadmap-worker-linkcheck", "roadmap-beat"):
        assert seen[f"Deployment/{name}/wait-for-migrations"] == "manage.py wait_for_migrations"
    routed = {
        route["queue"] for route in getattr(django_settings, "CELERY_TASK_ROUTES", {}).values()
    }
    expected = {django_settings.CELERY_TASK_DEFAULT_QUEUE, "linkcheck"} | routed
    assert queues == expected


def test_more_than_one_beat_only_with_the_beat_lock(rendered) -> None:
    beat = by_kind(rendered[1], "Deployment")["roadmap-beat"]["spec"]
    if beat["replicas"] == 1:
        assert beat["strategy"] == {"type": "Recreate"}
    else:
        scheduler = getattr(django_settings, "CELERY_BEAT_SCHEDULER", "")
        assert scheduler.startswith("roadmap_site."), "two beats without the lock"


# -- the renderer


def write(folder: Path, name: str, documents: list[dict] | dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    docs = documents if isinstance(documents, list) else [documents]
    (folder / name).write_text(yaml.safe_dump_all(docs))


def deployment(name: str, image: str = "app") -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": image,
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                            "args": ["one", "two"],
                        },
                        {"name": "side", "image": "other:1.0"},
                    ]
                },
            },
        },
    }


def test_the_renderer_applies_an_overlay_as_kustomize_does(tmp_path) -> None:
    base, overlay = tmp_path / "base", tmp_path / "overlay"
    write(base, "app.yaml", [deployment("one"), deployment("two", "app:dev")])
    write(base, "kustomization.yaml", {"resources": ["app.yaml"]})
    patch = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "one"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "main", "env": [{"name": "B", "value": "3"}], "args": ["x"]}
                    ]
                }
            }
        },
    }
    write(overlay, "patch.yaml", patch)
    write(
        overlay,
        "kustomization.yaml",
        {
            "namespace": "prod",
            "resources": ["../base"],
            "patches": [{"path": "patch.yaml"}],
            "labels": [{"pairs": {"team": "t"}, "includeTemplates": True}],
            "images": [{"name": "app", "newName": "reg.example/app", "newTag": "1.2"}],
            "replicas": [{"name": "two", "count": 4}],
        },
    )
    one, two = k8s.render(overlay)
    main, side = one["spec"]["template"]["spec"]["containers"]
    assert main["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]
    assert main["args"] == ["x"]  # a list without a merge key is replaced
    assert main["image"] == "reg.example/app:1.2" and side["image"] == "other:1.0"
    assert two["spec"]["template"]["spec"]["containers"][0]["image"] == "reg.example/app:1.2"
    assert (one["spec"]["replicas"], two["spec"]["replicas"]) == (1, 4)
    assert one["metadata"] == {"name": "one", "namespace": "prod", "labels": {"team": "t"}}
    assert one["spec"]["template"]["metadata"]["labels"] == {"app": "one", "team": "t"}
    assert one["spec"]["selector"] == {"matchLabels": {"app": "one"}}
    # The base's files are untouched by the overlay.
    assert k8s.render(base)[0]["spec"]["template"]["spec"]["containers"][0]["image"] == "app"


@pytest.mark.parametrize(
    ("kustomization", "message"),
    [
        ({"resources": ["app.yaml"], "commonLabels": {"a": "b"}}, "not supported here"),
        ({"resources": ["app.yaml"], "patches": [{"path": "missing.yaml"}]}, "No such file"),
        ({"resources": ["app.yaml", "app.yaml"]}, "defined twice"),
        ({"resources": ["app.yaml"], "replicas": [{"name": "nope", "count": 2}]}, "nope"),
        ({"resources": ["app.yaml"], "patches": [{"patch": "inline"}]}, "files only"),
    ],
)
def test_the_renderer_refuses_what_it_does_not_do(tmp_path, kustomization, message) -> None:
    write(tmp_path, "app.yaml", deployment("one"))
    write(tmp_path, "kustomization.yaml", kustomization)
    with pytest.raises((k8s.RenderError, FileNotFoundError), match=message):
        k8s.render(tmp_path)


def test_a_patch_for_an_object_that_is_not_there_is_refused(tmp_path) -> None:
    write(tmp_path, "app.yaml", deployment("one"))
    write(tmp_path, "patch.yaml", {**deployment("two"), "spec": {"replicas": 2}})
    write(
        tmp_path,
        "kustomization.yaml",
        {"resources": ["app.yaml"], "patches": [{"path": "patch.yaml"}]},
    )
    with pytest.raises(k8s.RenderError, match=r"no .*'two'.* to patch"):
        k8s.render(tmp_path)


def test_make_k8s_check_prints_the_validation() -> None:
    result = subprocess.run(
        [sys.executable, "deploy/k8s/render.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"objects valid against Kubernetes {k8s.KUBERNETES_VERSION}" in result.stdout
    assert "FAILED" not in result.stdout


# -- the migrations wait of every pod's init container


@pytest.mark.django_db
def test_wait_for_migrations_returns_at_once_when_everything_is_applied(capsys) -> None:
    call_command("wait_for_migrations", "--timeout", "1")
    assert "Every migration is applied." in capsys.readouterr().out


@pytest.mark.django_db
def test_wait_for_migrations_gives_up_at_the_timeout_naming_what_is_missing() -> None:
    executor = MigrationExecutor(connection)
    app, name = sorted(executor.loader.graph.leaf_nodes())[0]
    MigrationRecorder(connection).migration_qs.filter(app=app, name=name).delete()
    with pytest.raises(
        CommandError, match=rf"Gave up after 1 s: 1 migrations to apply, first {app}\.{name}"
    ):
        call_command("wait_for_migrations", "--timeout", "1", "--interval", "1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "0"], "--timeout: The wait in seconds must be from 1 to 3,600."),
        (["--interval", "3601"], "--interval: The wait in seconds must be from 1 to 3,600."),
        (["--timeout", "ten"], "--timeout must be a whole number of seconds; got 'ten'"),
    ],
)
def test_wait_for_migrations_refuses_a_wait_out_of_bounds(args, message) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("wait_for_migrations", *args)


def test_the_init_containers_wait_without_a_pool(rendered) -> None:
    _, objects = rendered
    waits = [
        container
        for spec in pod_specs(objects).values()
        for container in spec.get("initContainers", [])
    ]
    assert len(waits) == 4, [c["name"] for c in waits]  # web, two workers, beat
    for container in waits:
        env = {item["name"]: item.get("value") for item in container.get("env", [])}
        assert env.get("DATABASE_POOL") == "0", container["name"]


def test_wait_for_migrations_counts_a_database_that_does_not_answer_as_not_yet() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    keep = {"PATH", "HOME", "LANG"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{closed}/nothing"
    env["DJANGO_SETTINGS_MODULE"] = "roadmap_site.settings"
    env["DATABASE_POOL"] = "0"  # as the init containers run it (deploy/k8s/base)
    result = subprocess.run(
        [sys.executable, "manage.py", "wait_for_migrations", "--timeout", "2", "--interval", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Waiting: the database does not answer (OperationalError)." in result.stdout
    assert "Gave up after 2 s: the database does not answer (OperationalError)." in result.stderr


@given(st.text())
def test_wait_for_migrations_reads_any_text_as_seconds_or_refuses_it_clearly(text) -> None:
    from apps.operations.management.commands.wait_for_migrations import _seconds

    try:
        value = _seconds("timeout")(text)
    except CommandError as error:
        assert str(error).startswith("--timeout")
    else:
        assert MIGRATION_WAIT_SECONDS.min <= value <= MIGRATION_WAIT_SECONDS.max
