"""`CostLedger`: what chat calls cost, summed per model and provider from their `usage`, across threads."""

from __future__ import annotations

import threading
from typing import Any

import msgspec

from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._hooks import CallObserver, CallStart
from openrouter_core._models._response import ChatResponse, ChatUsage
from openrouter_core._models._stream import ChatStreamingResponseChunk
from openrouter_core.result import Result

__all__ = ["CostLedger", "CostLine"]


class CostLine(msgspec.Struct, frozen=True):
    """The calls served by one model at one provider, and what they cost in USD.

    `cost_usd` sums `usage.cost` (what OpenRouter charged); `upstream_cost_usd` sums
    `usage.cost_details.upstream_inference_cost` (what the provider charged a BYOK key).
    """

    model: str
    provider: str
    calls: int = 0
    cost_usd: float = 0.0
    upstream_cost_usd: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0


class CostLedger:
    """Sums the cost of every chat call of the cores it is attached to, per model and provider.

    Attach it with `OpenRouterCore(hooks=Hooks(on_call=[ledger]))` or `ledger.track(core)`. It counts plain
    replies, streams (from their usage chunk, also when the caller closed the stream after it arrived) and
    every request of `chat_send_many` and `chat_run_tools`. Safe to share between threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lines: dict[tuple[str, str], CostLine] = {}

    def track(self, core: OpenRouterCore) -> OpenRouterCore:
        """Attach the ledger to `core` (after its other `on_call` hooks) and return the core."""
        if self not in core.hooks.on_call:
            core.hooks = msgspec.structs.replace(core.hooks, on_call=[*core.hooks.on_call, self])
        return core

    def __call__(self, start: CallStart) -> CallObserver | None:
        return _LedgerCall(self) if start.operation == "chat" else None

    def add(self, usage: ChatUsage, model: str, provider: str) -> None:
        """Count one call's usage under its model and provider."""
        details = usage.cost_details
        upstream = details.upstream_inference_cost if details is not None else None
        key = (model, provider)
        with self._lock:
            line = self._lines.get(key) or CostLine(model=model, provider=provider)
            self._lines[key] = msgspec.structs.replace(
                line,
                calls=line.calls + 1,
                cost_usd=line.cost_usd + (usage.cost or 0.0),
                upstream_cost_usd=line.upstream_cost_usd + (upstream or 0.0),
                input_tokens=line.input_tokens + usage.prompt_tokens,
                output_tokens=line.output_tokens + usage.completion_tokens,
            )

    def lines(self) -> list[CostLine]:
        """Every model and provider seen, most expensive first."""
        with self._lock:
            lines = list(self._lines.values())
        return sorted(lines, key=lambda line: (-line.cost_usd, line.model, line.provider))

    @property
    def total_usd(self) -> float:
        """Everything counted so far, in USD (`usage.cost`)."""
        return sum(line.cost_usd for line in self.lines())

    @property
    def upstream_usd(self) -> float:
        """The upstream (BYOK provider) cost counted so far, in USD."""
        return sum(line.upstream_cost_usd for line in self.lines())

    @property
    def calls(self) -> int:
        """Calls counted so far (those whose usage arrived)."""
        return sum(line.calls for line in self.lines())

    def by_model(self) -> dict[str, float]:
        """Cost in USD per model."""
        return _sum_by(self.lines(), lambda line: line.model)

    def by_provider(self) -> dict[str, float]:
        """Cost in USD per provider."""
        return _sum_by(self.lines(), lambda line: line.provider)

    def reset(self) -> None:
        """Forget everything counted."""
        with self._lock:
            self._lines.clear()

    def __repr__(self) -> str:
        return f"CostLedger(total_usd={self.total_usd:.6f}, calls={self.calls})"


def _sum_by(lines: list[CostLine], key: Any) -> dict[str, float]:
    totals: dict[str, float] = {}
    for line in lines:
        name = key(line)
        totals[name] = totals.get(name, 0.0) + line.cost_usd
    return totals


class _LedgerCall(CallObserver):
    """One chat call: counted from its reply, or from the last usage its stream delivered."""

    __slots__ = ("_ledger", "_model", "_provider", "_usage")

    def __init__(self, ledger: CostLedger) -> None:
        self._ledger = ledger
        self._usage: ChatUsage | None = None
        self._model = ""
        self._provider = ""

    def finished(self, result: Result[Any, OpenRouterError]) -> None:
        reply = result.value if result.ok else None
        if isinstance(reply, ChatResponse) and reply.usage is not None:
            self._ledger.add(reply.usage, reply.model, reply.provider or "")

    def chunk(self, chunk: ChatStreamingResponseChunk) -> None:
        self._model = chunk.model or self._model
        self._provider = chunk.provider or self._provider
        if chunk.usage is not None:
            self._usage = chunk.usage

    def stream_end(self, error: OpenRouterError | None, closed_early: bool) -> None:
        if self._usage is not None:
            self._ledger.add(self._usage, self._model, self._provider)
