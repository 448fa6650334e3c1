"""api/ knows no domain: the apps import it, never the other way (DESIGN.md, imports)."""

import ast
from pathlib import Path

import pytest

API_DIR = Path(__file__).resolve().parents[2] / "api"
DOMAIN = {"config", "events", "invitations", "partners"}


def _imported_packages(path: Path) -> set[str]:
    packages = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


@pytest.mark.parametrize("path", sorted(API_DIR.rglob("*.py")), ids=lambda p: p.name)
def test_api_module_imports_no_domain_app(path):
    assert _imported_packages(path) & DOMAIN == set()
