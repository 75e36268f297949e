"""Each public `__all__` is sorted and complete; importing a function loads only what it needs."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pytest

PUBLIC_MODULES = [
    "openrouter_core",
    "openrouter_core.errors",
    "openrouter_core.models",
    "openrouter_core.result",
    "openrouter_core.testing",
    "openrouter_funcs",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    assert len(set(exported)) == len(exported)
    for member in exported:
        assert getattr(module, member) is not None, member


@pytest.mark.parametrize(
    "name",
    ["openrouter_core.errors", "openrouter_core.models", "openrouter_core.result", "openrouter_core.testing"],
)
def test_all_lists_every_public_name(name: str) -> None:
    module = importlib.import_module(name)
    public = {
        member
        for member, value in vars(module).items()
        if not member.startswith("_")
        and not isinstance(value, types.ModuleType)
        and member not in {"annotations", "TYPE_CHECKING"}
        and getattr(value, "__module__", name) != "typing"
    }
    assert public <= set(module.__all__), public - set(module.__all__)


def test_public_names_have_a_docstring() -> None:
    import openrouter_core
    import openrouter_funcs

    for package in (openrouter_core, openrouter_funcs):
        for member in package.__all__:
            value = getattr(package, member)
            if isinstance(value, (type, types.FunctionType)):
                assert value.__doc__ and value.__doc__.strip(), member


def run_isolated(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_importing_chat_send_loads_no_async_machinery_nor_returns() -> None:
    loaded = run_isolated(
        "import sys\n"
        "from openrouter_funcs import chat_send\n"
        "print(sorted(m for m in ('asyncio', 'aiohttp', 'anyio', 'returns', 'openrouter_core._stream_async',"
        " 'openrouter_core._transport_async', 'openrouter_core._aiohttp_transport',"
        " 'openrouter_core.testing', 'dataclasses') if m in sys.modules))"
    )
    assert loaded == "[]"


def test_importing_the_packages_is_lazy() -> None:
    loaded = run_isolated(
        "import sys\nimport openrouter_core, openrouter_funcs\n"
        "print(sorted(m for m in sys.modules if m.startswith(('openrouter', 'httpx', 'msgspec'))))"
    )
    assert loaded == "['openrouter_core', 'openrouter_funcs']"


def test_returns_is_loaded_only_by_to_returns() -> None:
    loaded = run_isolated(
        "import sys\nfrom openrouter_core import Ok, to_returns\nbefore = 'returns' in sys.modules\n"
        "to_returns(Ok(1))\nprint(before, 'returns' in sys.modules)"
    )
    assert loaded == "False True"
