"""The test suite's own structure: test modules import no test module and no conftest.

Shared helpers live in plain modules (tests/support/, tests/factories.py) and shared fixtures
in plugins the root conftest loads; a test module that imports another runs the other's tests
twice in spirit (and its fixtures leak in by name), and a conftest imported as a module is a
second copy of it.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def _is_forbidden(module: str) -> bool:
    """A test module (tests/**/test_*.py) or a conftest, named as a dotted module."""
    parts = module.split(".")
    return parts[0] == "tests" and (parts[-1].startswith("test_") or parts[-1] == "conftest")


def _imported(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every module the file imports (`from x import y` also names x.y, in case y is a
    module), relative imports resolved."""
    package = _module_name(path, root).split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def import_violations(files: list[Path], root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)}:{line} imports {module}"
        for path in files
        for line, module in _imported(path, root)
        if _is_forbidden(module)
    ]


def test_no_test_module_imports_a_test_module_or_a_conftest() -> None:
    files = sorted(TESTS.rglob("*.py"))
    assert len(files) > 50  # the whole suite was read
    assert import_violations(files) == []


def test_the_check_finds_each_kind_of_forbidden_import(tmp_path: Path) -> None:
    probes = {
        "test_a.py": "from tests.moderation.conftest import resource\n",
        "test_b.py": "from tests.integration.test_progress_concurrency import hammer\n",
        "test_c.py": "from . import conftest\n",
        "test_d.py": "import tests.linkcheck.test_health_views\n",
        "test_e.py": "from ..roadmap.test_api import TREE\n",
        "test_f.py": "def test_x():\n    from tests.roadmap.conftest import load_seed\n",
        "test_fine.py": "from tests.support.clients import client_for\nimport tests.factories\n",
    }
    package = tmp_path / "tests" / "probe"
    package.mkdir(parents=True)
    for name, text in probes.items():
        (package / name).write_text(text, encoding="utf-8")
    found = import_violations(sorted(package.glob("*.py")), root=tmp_path)
    assert [violation.split(":")[0] for violation in found] == [
        f"tests/probe/test_{letter}.py" for letter in "abcdef"
    ]
