"""Renders bench/results.json as the Markdown table and the target checks printed by `make bench`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NAMES = ["httpx+json", "httpx+msgspec", "this SDK", "openai", "openrouter"]
ASYNC_NAMES = [
    "this SDK",
    "httpx+json",
    "httpx+msgspec",
    "httpx2",
    "httpx-aiohttp",
    "openai",
    "openai+aiohttp",
]
ASYNC_NAMES += ["openrouter"]
FLOOR = "httpx+json"
LEVELS = ["1", "50", "200", "1000"]
_ASYNC_LABELS = {
    "httpx+json": "httpx default pool + json.loads",
    "httpx+msgspec": "httpx default pool + msgspec",
    "httpx2": "httpx2 default pool + json.loads",
    "httpx-aiohttp": "httpx on httpx-aiohttp's AiohttpTransport + json.loads",
    "openai": "openai default (httpx2)",
    "openai+aiohttp": "openai on DefaultAioHttpClient",
    "openrouter": "openrouter (official SDK)",
}


def _get(cell: Any, key: str) -> float | None:
    if not isinstance(cell, dict) or key not in cell:
        return None
    value = cell[key]
    return value if isinstance(value, (int, float)) else None


def _why(cell: Any) -> str:
    return cell.get("error", "n/a") if isinstance(cell, dict) else "n/a"


def _num(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _row(label: str, unit: str, cells: dict[str, Any], key: str) -> str:
    floor = _get(cells.get(FLOOR), key)
    out = [label]
    for name in NAMES:
        value = _get(cells.get(name), key)
        if value is None:
            out.append(_why(cells.get(name)))
        elif floor:
            out.append(f"{_num(value)} {unit} ({value / floor:.2f}x)")
        else:
            out.append(f"{_num(value)} {unit}")
    return "| " + " | ".join(out) + " |"


def table(res: dict[str, Any]) -> str:
    """Every measure as one row, every contender as one column, ratios to the httpx + json.loads floor."""
    lines = [
        "| measure | " + " | ".join(NAMES) + " |",
        "|---" * (len(NAMES) + 1) + "|",
        _row("cold import, net of `python -c pass`", "ms", res["cold_import"], "wall_ms"),
        _row("cold import, CPU (user+sys), net", "ms", res["cold_import"], "cpu_ms"),
        _row("cold start to first response, net", "ms", res["cold_first_response"], "wall_ms"),
        _row("cold start to first response, CPU, net", "ms", res["cold_first_response"], "cpu_ms"),
        _row("decode 1.7 KB reply into the types", "µs", res["decode"], "small_us"),
        _row("decode 61 KB / 20-tool-call reply", "µs", res["decode"], "large_us"),
        _row("decode one stream chunk", "µs", res["decode"], "chunk_us"),
        _row("client CPU per sync keep-alive request, 1.7 KB", "µs", res["sync_small"], "cpu_us"),
        _row("client CPU per sync keep-alive request, 61 KB", "µs", res["sync_large"], "cpu_us"),
        _row("client CPU per SSE chunk, 2,000-chunk stream", "µs", res["stream"], "cpu_us_per_chunk"),
        _row("`collect()` CPU per chunk, 2,000-chunk stream", "µs", res["collect"], "cpu_us_per_chunk"),
    ]
    lines.append(_row("peak RSS net of the interpreter, import + 100 requests", "MiB", res["rss"], "mib"))
    return "\n".join(lines)


def _async_cell(cell: Any, floor: Any, key: str, unit: str) -> str:
    value, base = _get(cell, key), _get(floor, key)
    if value is None:
        return _why(cell)
    return f"{_num(value)}{unit} ({value / base:.2f}x)" if base else f"{_num(value)}{unit}"


def async_table(res: dict[str, Any]) -> str:
    """req/s and client CPU per request at each concurrency, one row per client, ratios to httpx's pool."""
    head = [f"{level} concurrent: req/s | {level}: CPU/request" for level in LEVELS]
    lines = ["| async client | " + " | ".join(head) + " |", "|---" * (2 * len(LEVELS) + 1) + "|"]
    floor = res["async"].get(FLOOR, {})
    for name in ASYNC_NAMES:
        runs = res["async"].get(name)
        if runs is None:
            continue
        cells = []
        for level in LEVELS:
            cell = runs.get(level, runs) if isinstance(runs, dict) else {"error": "n/a"}
            cells.append(_async_cell(cell, floor.get(level), "rps", ""))
            cells.append(_async_cell(cell, floor.get(level), "cpu_us_per_request", " µs"))
        lines.append(f"| {_ASYNC_LABELS.get(name, name)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def astream_table(res: dict[str, Any]) -> str:
    """Client CPU per chunk of the 2,000-chunk stream read with `async for`, ratios to httpx + json.loads."""
    cells = res.get("astream", {})
    floor = cells.get(FLOOR)
    lines = ["| async stream client | CPU per SSE chunk | wall per 2,000-chunk stream |", "|---|---|---|"]
    for name in ASYNC_NAMES:
        if name in cells:
            cpu = _async_cell(cells[name], floor, "cpu_us_per_chunk", " µs")
            wall = _async_cell(cells[name], None, "wall_ms_per_stream", " ms")
            label = "this SDK (`async for` on `AsyncChatStream`)" if name == "this SDK" else name
            lines.append(f"| {_ASYNC_LABELS.get(name, label)} | {cpu} | {wall} |")
    return "\n".join(lines)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _check(label: str, ratio: float | None, ok: Callable[[float], bool], goal: str) -> str:
    if ratio is None:
        return f"| {label} | n/a | {goal} | n/a |"
    return f"| {label} | {ratio:.2f}x | {goal} | {'holds' if ok(ratio) else 'MISSED'} |"


def _pair(cells: dict[str, Any], a: str, b: str, key: str) -> float | None:
    return _ratio(_get(cells.get(a), key), _get(cells.get(b), key))


def best_httpx(res: dict[str, Any]) -> tuple[str, float | None]:
    """The httpx + json configuration with the most req/s at 200 concurrent."""
    options = {"httpx default pool 100/20": res["async"].get(FLOOR, {}).get("200")}
    for label, cells in res["async"].items():
        if label.startswith(FLOOR + " pool"):
            options[label.replace(FLOOR, "httpx")] = cells.get("200")
    rated = [(name, _get(cell, "rps")) for name, cell in options.items()]
    rated = [(name, rps) for name, rps in rated if rps is not None]
    return max(rated, key=lambda item: item[1]) if rated else ("none", None)


UNNEEDED = (
    "asyncio",
    "aiohttp",
    "anyio",
    "returns",
    "openrouter_core._stream_async",
    "openrouter_core._transport_async",
)


def _modules(mods: dict[str, Any]) -> str:
    """Whether importing `chat_send` and one call load anything that one call does not need."""
    after = mods.get("after_one_call", [])
    bad = [m for m in after if m.split(".")[0] in UNNEEDED or m in UNNEEDED]
    ours = sum(m.startswith("openrouter_") for m in after)
    other = [m for m in after if not m.startswith("openrouter_")]
    seen = f"{ours} own modules, plus {', '.join(other) or 'nothing else'}"
    verdict = "MISSED: " + ", ".join(bad) if bad else "holds"
    label = "modules added to httpx + msgspec by import + one sync call"
    return f"| {label} | {seen} | no asyncio, aiohttp, anyio, returns or async code | {verdict} |"


def targets(res: dict[str, Any]) -> str:
    """Each target of issue 4 with its ratio measured in this run."""
    sdk, ms, js = "this SDK", "httpx+msgspec", FLOOR
    le = lambda limit: lambda r: r <= limit  # noqa: E731
    ge = lambda limit: lambda r: r >= limit  # noqa: E731
    rows = [
        "| target | measured | goal | verdict |",
        "|---|---|---|---|",
        _check(
            "cold import vs `import httpx, msgspec`",
            _pair(res["cold_import"], sdk, ms, "wall_ms"),
            le(1.15),
            "<= 1.15x",
        ),
        _check(
            "cold first response vs httpx + msgspec",
            _pair(res["cold_first_response"], sdk, ms, "wall_ms"),
            le(1.10),
            "<= 1.10x",
        ),
    ]
    rows.append(_modules(res.get("sdk_modules", {})))
    for key, what in (("small_us", "1.7 KB"), ("large_us", "61 KB"), ("chunk_us", "chunk")):
        rows.append(
            _check(
                f"decode {what} vs bare msgspec Struct",
                _pair(res["decode"], sdk, ms, key),
                le(1.2),
                "<= 1.2x",
            )
        )
    rows.append(
        _check(
            "sync request CPU vs httpx + json.loads",
            _pair(res["sync_small"], sdk, js, "cpu_us"),
            le(1.05),
            "<= 1.05x",
        )
    )
    key = "cpu_us_per_chunk"
    rows.append(
        _check(
            "SSE CPU per chunk vs httpx + json.loads",
            _pair(res["stream"], sdk, js, key),
            le(0.75),
            "<= 0.75x",
        )
    )
    rows.append(
        _check(
            "openai SSE CPU per chunk / this SDK's", _pair(res["stream"], "openai", sdk, key), ge(8), ">= 8x"
        )
    )
    rows.append(
        _check(
            "openrouter SSE CPU per chunk / this SDK's",
            _pair(res["stream"], "openrouter", sdk, key),
            ge(30),
            ">= 30x",
        )
    )
    best, best_rps = best_httpx(res)
    sdk_rps = _get(res["async"].get(sdk, {}).get("200"), "rps")
    rows.append(
        _check(
            f"async 200 concurrent req/s vs best httpx ({best})",
            _ratio(sdk_rps, best_rps),
            ge(1.0),
            ">= 1.0x",
        )
    )
    for level in LEVELS:
        ours = _get(res["async"].get(sdk, {}).get(level), "rps")
        theirs = _get(res["async"].get("openai", {}).get(level), "rps")
        rows.append(
            _check(
                f"async {level} concurrent req/s vs openai", _ratio(ours, theirs), lambda r: r > 1.0, "> 1.0x"
            )
        )
    rows.append(
        _check("peak RSS net vs httpx + msgspec", _pair(res["rss"], sdk, ms, "mib"), le(1.15), "<= 1.15x")
    )
    return "\n".join(rows)


def async_targets(res: dict[str, Any]) -> str:
    """Each target of issue 13 (async at the network's speed) with its ratio measured in this run."""
    sdk = "this SDK"
    runs = res["async"]

    def at(name: str, level: str, key: str = "rps") -> float | None:
        return _get(runs.get(name, {}).get(level), key)

    rows = ["| target | measured | goal | verdict |", "|---|---|---|---|"]
    for level in ("200", "1000"):
        rows.append(
            _check(
                f"async {level} concurrent req/s vs httpx default pool",
                _ratio(at(sdk, level), at(FLOOR, level)),
                lambda r: r >= 4.0,
                ">= 4x",
            )
        )
        rows.append(
            _check(
                f"async {level} concurrent req/s vs openai default",
                _ratio(at(sdk, level), at("openai", level)),
                lambda r: r >= 2.0,
                ">= 2x",
            )
        )
    key = "cpu_us_per_request"
    rows.append(
        _check(
            "async 200 concurrent client CPU per request vs httpx default pool",
            _ratio(at(sdk, "200", key), at(FLOOR, "200", key)),
            lambda r: r <= 0.35,
            "<= 0.35x",
        )
    )
    rows.append(
        _check(
            "async SSE CPU per chunk vs httpx + json.loads (async)",
            _pair(res.get("astream", {}), sdk, FLOOR, "cpu_us_per_chunk"),
            lambda r: r <= 0.5,
            "<= 0.5x",
        )
    )
    rows.append(
        _check(
            "cold import vs `import httpx, msgspec`",
            _pair(res["cold_import"], sdk, "httpx+msgspec", "wall_ms"),
            lambda r: r <= 1.15,
            "<= 1.15x",
        )
    )
    rows.append(_modules(res.get("sdk_modules", {})))
    return "\n".join(rows)


def extras(res: dict[str, Any]) -> str:
    """The server's ceiling, the httpx pool variants and the machine."""
    server = res.get("server", {})
    lines = [
        "Server ceiling (raw-socket keep-alive client, one connection): "
        f"{_num(server.get('small_rps', 0))} req/s "
        f"for the 1.7 KB reply, {_num(server.get('stream_chunks_per_s', 0))} SSE chunks/s.",
    ]
    for label, cells in res["async"].items():
        if label.startswith(FLOOR + " pool"):
            rps = _get(cells.get("200"), "rps")
            lines.append(
                f"{label}, 200 concurrent: {_num(rps) + ' req/s' if rps else _why(cells.get('200'))}"
            )
    m = res.get("machine", {})
    if m:
        versions = ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())
        lines.append(
            f"Machine: {m.get('cpu')}, {m.get('cores')} cores, load {m.get('load_1m', 0):.1f}, Python "
            f"{m.get('python')}, {m.get('platform')}; {versions}; run took {m.get('seconds')} s"
            + (" (--quick)" if m.get("quick") else "")
        )
    return "\n\n".join(lines)


def instrumentation(res: dict[str, Any]) -> str:
    """Client CPU without and with `instrument()` (OpenTelemetry SDK providers, no exporter)."""
    figures = res.get("otel", {})
    off, on = figures.get("this SDK", {}), figures.get("this SDK + otel", {})
    lines = ["| measure | this SDK | this SDK + otel | ratio |", "|---|---|---|---|"]
    for label, key in (
        ("client CPU per sync keep-alive request, 1.7 KB", "sync_cpu_us"),
        ("client CPU per SSE chunk, 2,000-chunk stream", "chunk_cpu_us"),
    ):
        a, b = off.get(key), on.get(key)
        ratio = _ratio(b, a)
        cells = [f"{_num(a)} µs" if a else "n/a", f"{_num(b)} µs" if b else "n/a"]
        lines.append(f"| {label} | {' | '.join(cells)} | {f'{ratio:.2f}x' if ratio else 'n/a'} |")
    return "\n".join(lines)


def render(res: dict[str, Any]) -> str:
    """The whole report: table, targets, extras."""
    return "\n\n".join(
        [
            table(res),
            "### Async clients (req/s and client CPU per request; ratios to httpx's default pool)",
            async_table(res),
            "### Async streams",
            astream_table(res),
            "### Targets (issue 4)",
            targets(res),
            "### Targets (issue 13: async at the network's speed)",
            async_targets(res),
            "### OpenTelemetry instrumentation (issue 15)",
            instrumentation(res),
            extras(res),
        ]
    )
