"""Every Python block in docs/*.md runs against the embedded server, so the docs never rot."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from openrouter_core.testing import MockServer

DOCS = Path(__file__).resolve().parents[1] / "docs"
# ray.md needs a Ray instance: tests/test_ray.py runs its blocks.
BLOCKS = [
    pytest.param(path, index, block, id=f"{path.stem}-{index}")
    for path in sorted(DOCS.glob("*.md"))
    if path.name != "ray.md"
    for index, block in enumerate(re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.DOTALL))
]


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.mark.parametrize(("path", "index", "block"), BLOCKS)
def test_docs_block_runs(
    path: Path, index: int, block: str, server: MockServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server.reset()
    monkeypatch.setenv("OPENROUTER_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-docs")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENROUTER_CHAT_LOG", str(tmp_path / "logs.db"))  # the CLI's log, not the user's
    output = io.StringIO()
    namespace = {"__name__": "__docs__", "mock_server": server}
    with contextlib.redirect_stdout(output):
        exec(compile(block, f"{path.name} block {index}", "exec", dont_inherit=True), namespace)
    assert output.getvalue().strip(), f"{path.name} block {index} prints nothing to show its result"
