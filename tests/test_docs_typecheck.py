"""Every Python block of README.md and docs/*.md type-checks under mypy --strict and pyright.

A block that shows a mistake being caught starts with `# typecheck: expect-error`: both checkers must then
report at least one error in it. `mock_server`, which tests/test_docs.py hands to the docs blocks, is
declared for the checkers.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXPECT_ERROR = "# typecheck: expect-error"
PRELUDE = "from openrouter_core.testing import MockServer\n\nmock_server = MockServer()\n"


def blocks() -> dict[str, str]:
    """Every Python block, by a module name that says where it comes from (`docs_streaming_2`)."""
    found: dict[str, str] = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        prefix = "readme" if path.name == "README.md" else f"docs_{path.stem.replace('-', '_')}"
        for index, block in enumerate(re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.DOTALL)):
            found[f"{prefix}_{index}"] = block
    return found


def write_modules(directory: Path) -> dict[str, str]:
    written = blocks()
    for name, block in written.items():
        prelude = PRELUDE if "mock_server" in block else ""
        (directory / f"{name}.py").write_text(prelude + block)
    return written


def errors_by_module(output: str, pattern: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        match = re.search(pattern, line)
        if match:
            found.setdefault(match.group(1), []).append(line.strip())
    return found


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    directory = tmp_path_factory.mktemp("doc_blocks")
    return directory, write_modules(directory)


def check(written: dict[str, str], found: dict[str, list[str]], checker: str) -> None:
    wrong = [
        f"{name}: {checker} found no error, though the block expects one"
        for name, block in written.items()
        if block.startswith(EXPECT_ERROR) and not found.get(name)
    ]
    wrong += [
        "\n".join(lines)
        for name, lines in found.items()
        if name in written and not written[name].startswith(EXPECT_ERROR)
    ]
    assert not wrong, "\n".join(wrong)


def test_there_are_blocks_to_check(modules: tuple[Path, dict[str, str]]) -> None:
    _, written = modules
    assert len([name for name in written if name.startswith("readme_")]) >= 6
    assert len(written) >= 50


def test_doc_blocks_pass_mypy_strict(modules: tuple[Path, dict[str, str]]) -> None:
    directory, written = modules
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(directory / ".mypy_cache"),
            "--explicit-package-bases",
            *sorted(str(path) for path in directory.glob("*.py")),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=directory,
    )
    found = errors_by_module(run.stdout, r"(\w+)\.py:\d+: error:")
    check(written, found, "mypy")
    assert run.returncode in (0, 1) and "error: " not in run.stderr, run.stderr


def test_doc_blocks_pass_pyright(modules: tuple[Path, dict[str, str]]) -> None:
    directory, written = modules
    run = subprocess.run(
        [sys.executable, "-m", "pyright", "--pythonpath", sys.executable, str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    found = errors_by_module(run.stdout, r"/(\w+)\.py:\d+:\d+ - error:")
    check(written, found, "pyright")
    assert "errors" in run.stdout, run.stdout + run.stderr
