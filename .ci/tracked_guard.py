"""Fail, naming the paths, when git tracks generated files: a venv, caches, build outputs or big files.

Run first by `.ci/run`, so a commit that adds a virtualenv (whose console scripts would run another
checkout's interpreter) can never reach CI's tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GENERATED_DIRS = (
    ".venv",
    "venv",
    "__pycache__",
    "build",
    "dist",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
)
GENERATED_SUFFIXES = (".pyc", ".pyo")
MAX_BYTES = 5 * 1024 * 1024
ALLOWED_BIG = {"tests/data/spec/out.openapi.yaml"}


def offending(paths: list[str], root: Path) -> list[str]:
    """The tracked paths that are generated or too big, each with the reason."""
    found = []
    for path in paths:
        parts = path.split("/")
        directories = parts[:-1]
        if any(part in GENERATED_DIRS or part.endswith(".egg-info") for part in directories):
            found.append(f"{path}: generated directory")
        elif path.endswith(GENERATED_SUFFIXES):
            found.append(f"{path}: compiled bytecode")
        elif path not in ALLOWED_BIG and (root / path).is_file() and (root / path).stat().st_size > MAX_BYTES:
            found.append(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    return found


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True)
    paths = [item for item in listed.stdout.decode().split("\0") if item]
    found = offending(paths, root)
    if not found:
        print(f"tracked-files guard: {len(paths)} tracked files, none generated")
        return 0
    print(f"tracked-files guard: git tracks {len(found)} generated or oversized files:", file=sys.stderr)
    for line in found[:50]:
        print(f"  {line}", file=sys.stderr)
    if len(found) > 50:
        print(f"  ... and {len(found) - 50} more", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
