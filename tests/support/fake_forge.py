"""A loopback fake of the two forges, in the shapes the adapters read (apps/solutions/forge.py).

`FakeForge` serves GitHub's API (`/repos/{path}`, `/repos/{path}/git/trees/{branch}`), its raw
files (`/raw/{path}/{branch}/{file}`) and GitLab's API (`/api/v4/projects/{id or encoded path}`,
`.../repository/tree`, `.../repository/files/{encoded file}/raw`) from one 127.0.0.x site.
A test adds repositories (`github(...)`, `gitlab(...)`) and points the settings at it
(`configure(settings)`). Nothing here reaches any real forge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import quote

from bench.linkcheck_server import Reply, Site

PAGE = 100


def _json(value: object, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        200, {"Content-Type": "application/json", **(headers or {})}, json.dumps(value).encode()
    )


@dataclass
class FakeForge:
    address: str = "127.0.0.21"
    site: Site = field(init=False)
    _ids: int = 0

    def __post_init__(self) -> None:
        self.site = Site(self.address)

    @property
    def base(self) -> str:
        return f"http://{self.site.authority}"

    def configure(self, settings) -> None:
        settings.SOLUTIONS_GITHUB_API_URL = self.base
        settings.SOLUTIONS_GITHUB_RAW_URL = f"{self.base}/raw"
        settings.SOLUTIONS_GITLAB_URL = self.base
        settings.LINKCHECK_ALLOW_PRIVATE = True  # the fake listens on loopback

    def github(self, path: str, files: dict[str, str], *, branch: str = "main") -> None:
        scripts = self.site.scripts
        scripts[f"/repos/{path}"] = _json({"full_name": path, "default_branch": branch})
        tree = [{"path": name, "type": "blob"} for name in files]
        directories = {name.rsplit("/", 1)[0] for name in files if "/" in name}
        tree += [{"path": d, "type": "tree"} for d in sorted(directories)]
        scripts[f"/repos/{path}/git/trees/{branch}"] = _json({"tree": tree, "truncated": False})
        for name, text in files.items():
            scripts[f"/raw/{path}/{branch}/{quote(name)}"] = Reply(
                200, {"Content-Type": "text/plain"}, text.encode()
            )

    def gitlab(self, path: str, files: dict[str, str], *, branch: str = "main") -> None:
        self._ids += 1
        project_id = self._ids
        scripts = self.site.scripts
        scripts[f"/api/v4/projects/{quote(path, safe='')}"] = _json(
            {"id": project_id, "path_with_namespace": path, "default_branch": branch}
        )
        entries = [{"path": name, "type": "blob"} for name in files]
        pages = [entries[i : i + PAGE] for i in range(0, len(entries), PAGE)] or [[]]

        def tree(request) -> Reply:
            query = request.path.split("?", 1)[1] if "?" in request.path else ""
            params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
            page = int(params.get("page", "1"))
            more = page < len(pages)
            return _json(
                pages[page - 1] if page <= len(pages) else [],
                {"X-Next-Page": str(page + 1) if more else ""},
            )

        base = f"/api/v4/projects/{project_id}/repository"
        scripts[f"{base}/tree"] = tree
        for name, text in files.items():
            scripts[f"{base}/files/{quote(name, safe='')}/raw"] = Reply(
                200, {"Content-Type": "text/plain"}, text.encode()
            )

    def requested(self) -> list[str]:
        return [r.path for r in self.site.stats.requests]
