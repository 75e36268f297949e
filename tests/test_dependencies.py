"""Every third-party module the two packages import is a declared dependency of the project."""

from __future__ import annotations

import ast
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
OWN = {"openrouter_core", "openrouter_funcs"}
# Extras that only the project's own tooling uses; the packages may not import from them.
TOOLING_EXTRAS = {"test", "bench", "bench-ray"}


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return name.lower().replace("_", "-").replace(".", "-")


def requirement_name(requirement: str) -> str:
    """The distribution name at the front of a PEP 508 requirement string."""
    for index, char in enumerate(requirement):
        if not (char.isalnum() or char in "-_."):
            return normalize(requirement[:index])
    return normalize(requirement)


def declared_distributions(pyproject: Path) -> set[str]:
    """Distributions the packages may import: the dependencies and every extra that is not tooling."""
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = list(project.get("dependencies", []))
    for extra, items in project.get("optional-dependencies", {}).items():
        if extra not in TOOLING_EXTRAS:
            requirements.extend(items)
    return {requirement_name(item) for item in requirements}


def imported_top_levels(package_dirs: list[Path]) -> dict[str, list[str]]:
    """Each absolute top-level module imported anywhere in the packages, with the files importing it."""
    found: dict[str, list[str]] = {}
    for package in package_dirs:
        for path in sorted(package.rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.partition(".")[0], []).append(str(path.relative_to(package.parent)))
    return found


def undeclared_imports(package_dirs: list[Path], pyproject: Path) -> dict[str, list[str]]:
    """Third-party modules imported by the packages whose distribution the project does not declare."""
    declared = declared_distributions(pyproject)
    owners = packages_distributions()
    missing: dict[str, list[str]] = {}
    for module, files in imported_top_levels(package_dirs).items():
        if module in OWN or module in sys.stdlib_module_names or module == "__future__":
            continue
        distributions = {normalize(name) for name in owners.get(module, [module])}
        if not distributions & declared:
            missing[module] = files
    return missing


def test_every_imported_package_is_declared() -> None:
    assert undeclared_imports([ROOT / name for name in sorted(OWN)], ROOT / "pyproject.toml") == {}


def test_an_undeclared_import_is_reported(tmp_path: Path) -> None:
    package = tmp_path / "openrouter_core"
    package.mkdir()
    (package / "__init__.py").write_text("import httpx\nfrom yaml import safe_load\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["httpx"]\n')
    assert undeclared_imports([package], tmp_path / "pyproject.toml") == {
        "yaml": ["openrouter_core/__init__.py"]
    }


@pytest.mark.parametrize(
    ("requirement", "name"),
    [("httpx>=0.27,<1", "httpx"), ("typing_extensions>=4.6", "typing-extensions"), ("ray[data]>=2", "ray")],
)
def test_requirement_names_are_normalized(requirement: str, name: str) -> None:
    assert requirement_name(requirement) == name
