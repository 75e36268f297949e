"""Exit 0 only if VENV is this checkout's own virtualenv; the Makefile rebuilds it otherwise.

A venv is foreign when its interpreter is missing or broken, when `openrouter_funcs` imported in it resolves
outside this checkout (an editable install made by another clone), or when a console script in its `bin/`
starts with another interpreter's path (a venv copied or moved from elsewhere).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FIND_PACKAGE = "import openrouter_funcs, pathlib; print(pathlib.Path(openrouter_funcs.__file__).resolve())"


def foreign_reason(venv: Path, checkout: Path) -> str | None:
    """Why `venv` cannot be trusted in `checkout`, or None when it is its own."""
    python = venv / "bin" / "python"
    if not python.exists():
        return f"{python} does not exist"
    try:
        found = subprocess.run(
            [str(python), "-I", "-c", FIND_PACKAGE], capture_output=True, text=True, timeout=60, cwd="/"
        )
    except OSError as exc:
        return f"{python} does not run: {exc}"
    if found.returncode != 0:
        return "openrouter_funcs is not installed in it"
    package = Path(found.stdout.strip())
    if checkout not in package.parents:
        return f"openrouter_funcs resolves to {package}, outside {checkout}"
    own_bin = (venv / "bin").absolute()
    for script in sorted((venv / "bin").iterdir()):
        if not script.is_file() or script.is_symlink():
            continue
        with script.open("rb") as handle:
            first = handle.readline(4096)
        if first.startswith(b"#!") and b"python" in first:
            interpreter = Path(first[2:].split()[0].decode(errors="replace"))
            if interpreter.parent != own_bin:
                return f"{script} runs {interpreter}, not this venv's interpreter"
    return None


def main() -> int:
    venv = Path(sys.argv[1] if len(sys.argv) > 1 else ".venv").absolute()
    reason = foreign_reason(venv, Path.cwd().resolve())
    if reason is None:
        return 0
    if venv.exists():
        print(f"rebuilding {venv}: {reason}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
