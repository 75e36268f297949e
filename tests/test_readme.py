"""Every Python block of the README runs, against the embedded server, and prints what it promises."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from openrouter_core.testing import MockServer

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


def test_the_readme_has_snippets() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index: int, server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-readme")
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(
            compile(BLOCKS[index], f"README.md block {index}", "exec", dont_inherit=True),
            {"__name__": "__readme__"},
        )
    printed = output.getvalue()
    assert printed.strip(), "every snippet shows its result"
    assert "failed" not in printed
    assert "Traceback" not in printed


def test_the_readme_is_short_and_user_first() -> None:
    assert len(README.read_bytes()) < 12 * 1024
    headings = re.findall(r"^## (.+)$", README.read_text(), flags=re.MULTILINE)
    assert headings == [
        "Install",
        "Two commands",
        "Results",
        "Streaming",
        "Async",
        "The thin client",
        "Configuration",
        "Errors",
        "Testing your code",
        "More",
    ]
