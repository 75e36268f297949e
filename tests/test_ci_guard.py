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
