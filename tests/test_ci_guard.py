"""The `.ci/run` guard fails on generated files in git, naming them, and passes on this checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUARD = ROOT / ".ci" / "tracked_guard.py"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def run_guard(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(GUARD), str(repo)], capture_output=True, text=True)


def make_repo(tmp_path: Path, files: dict[str, bytes]) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    git(repo, "add", "-f", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x")
    return repo


def test_guard_fails_on_a_tracked_venv_and_names_the_paths(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path,
        {
            "README.md": b"ok",
            ".venv/bin/pytest": b"#!/elsewhere/.venv/bin/python3\n",
            "pkg/__pycache__/mod.cpython-311.pyc": b"\0",
            "pkg.egg-info/PKG-INFO": b"x",
            "dist/pkg-0.1.tar.gz": b"x",
            "data/huge.bin": b"\0" * (5 * 1024 * 1024 + 1),
        },
    )
    result = run_guard(repo)
    assert result.returncode == 1
    for path in (
        ".venv/bin/pytest",
        "pkg/__pycache__/mod.cpython-311.pyc",
        "pkg.egg-info/PKG-INFO",
        "dist/pkg-0.1.tar.gz",
        "data/huge.bin",
    ):
        assert path in result.stderr
    assert "README.md" not in result.stderr


def test_guard_passes_on_this_checkout() -> None:
    result = run_guard(ROOT)
    assert result.returncode == 0, result.stderr
    assert "none generated" in result.stdout


VENV_CHECK = ROOT / ".ci" / "venv_check.py"


def fake_venv(root: Path, package_file: Path, shebang: str | None = None) -> Path:
    """A venv whose `python` reports `package_file` as where openrouter_funcs lives."""
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.write_text(f"#!/bin/sh\necho {package_file}\n")
    python.chmod(0o755)
    script = bin_dir / "pytest"
    script.write_text(f"#!{shebang or python}\n")
    return root / ".venv"


def run_venv_check(checkout: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(VENV_CHECK), ".venv"], cwd=checkout, capture_output=True, text=True
    )


def test_venv_check_accepts_the_checkouts_own_venv(tmp_path: Path) -> None:
    fake_venv(tmp_path, tmp_path / "openrouter_funcs" / "__init__.py")
    assert run_venv_check(tmp_path).returncode == 0


def test_venv_check_refuses_a_venv_of_another_checkout(tmp_path: Path) -> None:
    fake_venv(tmp_path, Path("/elsewhere/openrouter_funcs/__init__.py"))
    result = run_venv_check(tmp_path)
    assert result.returncode == 1
    assert "outside" in result.stderr


def test_venv_check_refuses_scripts_of_another_interpreter(tmp_path: Path) -> None:
    fake_venv(tmp_path, tmp_path / "openrouter_funcs" / "__init__.py", shebang="/elsewhere/.venv/bin/python3")
    result = run_venv_check(tmp_path)
    assert result.returncode == 1
    assert "/elsewhere/.venv/bin/python3" in result.stderr


def test_venv_check_refuses_a_missing_interpreter(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    assert run_venv_check(tmp_path).returncode == 1
