"""The public API's typing: mypy --strict must reveal exactly the types pinned in tests/typing/."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

TYPING_DIR = Path(__file__).parent / "typing"
REVEAL = re.compile(r"reveal_type\(.*\)\s+# (.+)$")
NOTE = re.compile(r":(\d+): note: Revealed type is \"(.+)\"$")


def _short(name: str) -> str:
    """`openrouter_core._errors.OpenRouterError` -> `OpenRouterError`, keeping the brackets."""
    return re.sub(r"[\w.]+\.(\w+)", r"\1", name).replace("builtins.", "").replace("typing.", "")


def test_revealed_types_match_the_pinned_ones() -> None:
    source = TYPING_DIR / "narrowing.py"
    expected = {
        number: match.group(1).strip()
        for number, line in enumerate(source.read_text().splitlines(), start=1)
        if (match := REVEAL.search(line))
    }
    assert len(expected) >= 15
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--show-traceback", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    revealed = {
        int(match.group(1)): _short(match.group(2))
        for line in run.stdout.splitlines()
        if (match := NOTE.search(line))
    }
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    assert errors == [], run.stdout
    assert revealed == expected


def test_match_narrows_under_mypy_and_pyright() -> None:
    source = str(TYPING_DIR / "match_narrowing.py")
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", source],
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout
    pyright = subprocess.run(
        [sys.executable, "-m", "pyright", "--pythonpath", sys.executable, source],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pyright.returncode == 0, pyright.stdout + pyright.stderr
    assert "0 errors" in pyright.stdout


PROGRAMS = TYPING_DIR / "programs"
EXPECT_ERROR = "# expect-error"
PYRIGHT_ERROR = re.compile(r"[/\\]([\w.]+\.py):(\d+):\d+ - error")
MYPY_ERROR = re.compile(r"([\w.]+\.py):(\d+): error")


def _mypy(*sources: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *map(str, sources)],
        capture_output=True,
        text=True,
        check=False,
    )


def _pyright(*sources: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyright", "--pythonpath", sys.executable, *map(str, sources)],
        capture_output=True,
        text=True,
        check=False,
    )


def _error_lines(pattern: re.Pattern[str], output: str) -> set[tuple[str, int]]:
    return {
        (match.group(1), int(match.group(2))) for match in map(pattern.search, output.splitlines()) if match
    }


def test_ordinary_programs_type_check_under_mypy_and_pyright_strict() -> None:
    programs = sorted(path for path in PROGRAMS.glob("*.py") if path.name != "misspelt.py")
    names = {path.stem for path in programs}
    assert {"plain", "streaming", "async_calls", "thin_client", "structured", "batch"} <= names
    for path in programs:
        text = path.read_text()
        assert text.startswith("# pyright: strict\n"), path.name
        assert "isinstance(" not in text and "cast(" not in text, path.name
    mypy = _mypy(*programs)
    assert mypy.returncode == 0, mypy.stdout
    pyright = _pyright(*programs)
    assert pyright.returncode == 0, pyright.stdout + pyright.stderr
    assert "0 errors" in pyright.stdout


def test_mistakes_in_requests_are_reported_by_mypy_and_pyright() -> None:
    source = PROGRAMS / "misspelt.py"
    expected = {
        (source.name, number)
        for number, line in enumerate(source.read_text().splitlines(), start=1)
        if line.endswith(EXPECT_ERROR)
    }
    assert len(expected) >= 8
    mypy = _mypy(source)
    assert _error_lines(MYPY_ERROR, mypy.stdout) == expected, mypy.stdout
    pyright = _pyright(source)
    assert _error_lines(PYRIGHT_ERROR, pyright.stdout) == expected, pyright.stdout
