"""Render this project's kustomizations without kustomize, and validate what they make.

There is no kustomize binary here, so this renders the part of kustomize that deploy/k8s uses,
and refuses any other field instead of ignoring it (a field kustomize would apply and this would
not is an error, never a silent difference):

- `resources`: YAML files (many documents each) and folders holding a kustomization.yaml;
- `namespace`: set on every namespaced object;
- `labels`: `pairs` added to every object's labels, and to pod templates with
  `includeTemplates` (never to selectors, which cannot change once applied);
- `images`: `name` matched against each container's image without its tag, replaced by
  `newName`, `newTag` or `digest`;
- `replicas`: `count` for the Deployment `name`;
- `patches`: strategic-merge patches from a file (`path`), each naming its target by `kind`
  and `metadata.name`: maps merge, lists of containers, env, volumes, ports and the like merge
  by their key (name, mountPath, containerPort), any other list is replaced.

Validation: every rendered object against the Kubernetes OpenAPI schemas that the pinned
kubernetes-validate package bundles, in strict mode (an unknown field fails), for
KUBERNETES_VERSION.

    .venv/bin/python deploy/k8s/render.py                 validate base and production
    .venv/bin/python deploy/k8s/render.py --print production   the rendered YAML
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
KUSTOMIZATIONS = {"base": HERE / "base", "production": HERE / "overlays" / "production"}
# The oldest Kubernetes minor version the manifests must apply to; the schemas come from
# kubernetes-validate (requirements-dev.lock).
KUBERNETES_VERSION = "1.35"

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "replicas"}
SUPPORTED |= {"patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume"}
CLUSTER_SCOPED |= {"StorageClass", "IngressClass", "PriorityClass"}
# Strategic merge keys of the lists a patch here can touch (the Kubernetes API's own).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "envFrom": None,  # replaced, as in Kubernetes (no merge key)
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "imagePullSecrets": "name",
}
POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}


class RenderError(Exception):
    pass


def _documents(path: Path) -> list[dict]:
    documents = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    for doc in documents:
        if not isinstance(doc, dict) or "kind" not in doc or "metadata" not in doc:
            raise RenderError(f"{path}: every document must be an object with kind and metadata")
    return documents


def _key(obj: dict) -> tuple[str, str]:
    return obj["kind"], obj["metadata"]["name"]


def strategic_merge(target: Any, patch: Any, field: str = "") -> Any:
    """`patch` merged into a copy of `target`, as kubectl's strategic merge does for the fields
    in MERGE_KEYS; a None in the patch removes the field."""
    if isinstance(target, dict) and isinstance(patch, dict):
        merged = copy.deepcopy(target)
        for name, value in patch.items():
            if value is None:
                merged.pop(name, None)
            elif name in merged:
                merged[name] = strategic_merge(merged[name], value, name)
            else:
                merged[name] = copy.deepcopy(value)
        return merged
    if isinstance(target, list) and isinstance(patch, list) and MERGE_KEYS.get(field):
        key = MERGE_KEYS[field]
        merged_list = copy.deepcopy(target)
        for item in patch:
            if not isinstance(item, dict) or key not in item:
                raise RenderError(f"a patch's {field} item needs its {key}")
            for index, existing in enumerate(merged_list):
                if existing.get(key) == item[key]:
                    merged_list[index] = strategic_merge(existing, item, field)
                    break
            else:
                merged_list.append(copy.deepcopy(item))
        return merged_list
    return copy.deepcopy(patch)


def _pod_spec(obj: dict) -> dict | None:
    if obj["kind"] in POD_TEMPLATE_KINDS:
        return obj["spec"]["template"]["spec"]
    return None


def _containers(obj: dict) -> list[dict]:
    spec = _pod_spec(obj)
    if spec is None:
        return []
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def _image_name(image: str) -> str:
    if "@" in image:
        return image.split("@", 1)[0]
    last = image.rsplit("/", 1)[-1]
    return image.rsplit(":", 1)[0] if ":" in last else image


def _set_images(objects: list[dict], images: list[dict]) -> None:
    for rule in images:
        for container in (c for obj in objects for c in _containers(obj)):
            if _image_name(container["image"]) != rule["name"]:
                continue
            name = rule.get("newName", rule["name"])
            if "digest" in rule:
                container["image"] = f"{name}@{rule['digest']}"
            elif "newTag" in rule:
                container["image"] = f"{name}:{rule['newTag']}"
            else:
                old = container["image"][len(_image_name(container["image"])) :]
                container["image"] = f"{name}{old}"


def _set_labels(objects: list[dict], rules: list[dict]) -> None:
    for rule in rules:
        unknown = set(rule) - {"pairs", "includeTemplates"}
        if unknown:
            raise RenderError(f"labels: not supported here: {sorted(unknown)}")
        for obj in objects:
            obj["metadata"].setdefault("labels", {}).update(rule["pairs"])
            if rule.get("includeTemplates") and obj["kind"] in POD_TEMPLATE_KINDS:
                template = obj["spec"]["template"].setdefault("metadata", {})
                template.setdefault("labels", {}).update(rule["pairs"])


def _apply_patches(objects: list[dict], folder: Path, patches: list[dict]) -> list[dict]:
    by_key = {_key(obj): index for index, obj in enumerate(objects)}
    for entry in patches:
        if set(entry) != {"path"}:
            raise RenderError(f"{folder}: patches here are files only ({{path: ...}})")
        for patch in _documents(folder / entry["path"]):
            if _key(patch) not in by_key:
                raise RenderError(f"{folder / entry['path']}: no {_key(patch)} to patch")
            index = by_key[_key(patch)]
            objects[index] = strategic_merge(objects[index], patch)
    return objects


def render(folder: Path) -> list[dict]:
    """The objects the kustomization in `folder` makes, in the order of its resources."""
    spec = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unknown = set(spec) - SUPPORTED
    if unknown:
        raise RenderError(f"{folder}: kustomization fields not supported here: {sorted(unknown)}")
    objects: list[dict] = []
    for entry in spec.get("resources", []):
        path = (folder / entry).resolve()
        objects.extend(render(path) if path.is_dir() else _documents(path))
    keys = [_key(obj) for obj in objects]
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise RenderError(f"{folder}: objects defined twice: {sorted(duplicates)}")
    objects = _apply_patches(objects, folder, spec.get("patches", []))
    if "namespace" in spec:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = spec["namespace"]
    _set_labels(objects, spec.get("labels", []))
    _set_images(objects, spec.get("images", []))
    for rule in spec.get("replicas", []):
        matches = [o for o in objects if o["kind"] == "Deployment" and rule["name"] == _name(o)]
        if not matches:
            raise RenderError(f"{folder}: replicas: no Deployment {rule['name']}")
        for obj in matches:
            obj["spec"]["replicas"] = rule["count"]
    return objects


def _name(obj: dict) -> str:
    return obj["metadata"]["name"]


def validate(objects: list[dict], version: str = KUBERNETES_VERSION) -> list[str]:
    """One line per object: what it is and the schema it passed. Raises on the first failure,
    naming the object and the field."""
    import kubernetes_validate  # type: ignore[import-untyped]

    lines = []
    for obj in objects:
        where = f"{obj['kind']}/{_name(obj)}"
        try:
            used = kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            raise RenderError(f"{where}: {path}: {error.message}") from None
        except kubernetes_validate.SchemaNotFoundError as error:
            raise RenderError(f"{where}: {error.message}") from None
        lines.append(f"  ok  {obj['apiVersion']:<28} {where}  (Kubernetes {used}, strict)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--print", choices=sorted(KUSTOMIZATIONS), dest="show")
    options = parser.parse_args(argv)
    if options.show:
        print(yaml.safe_dump_all(render(KUSTOMIZATIONS[options.show]), sort_keys=False), end="")
        return 0
    failed = False
    for name, folder in KUSTOMIZATIONS.items():
        print(f"{name} ({folder.relative_to(HERE.parents[1])}):")
        try:
            objects = render(folder)
            print("\n".join(validate(objects)))
        except RenderError as error:
            print(f"  FAILED  {error}")
            failed = True
            continue
        print(f"  {len(objects)} objects valid against Kubernetes {KUBERNETES_VERSION}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
