"""The structure figures of issue 12: how much of the async side mirrors the sync side, and friends.

    python bench/structure.py            # a table
    python bench/structure.py --json     # the same figures as JSON

What it counts, in `openrouter_core/` and `openrouter_funcs/` (never `_models/` or `_testing/`):
- mirrored lines: code lines (not blank, comment, import or lone-punctuation lines) of the async side that
  stand again, in order, on the sync side once the async side is rewritten with unasync-style substitutions
  (`async def` -> `def`, `await x` -> `x`, `__aenter__` -> `__enter__`, `_async` dropped, ...). Pairs are
  modules (`x.py` and `x_async.py`) and, elsewhere, an `async def` and its sync twin in the same module or
  class (`send_async` and `send`, `aclose` and `close`); an `async def` whose name has no twin is held
  against every sync `def` beside it, and counted when three lines or more match.
- modules in `openrouter_funcs/`; how often the guard comment of the exception-to-`Err` block and the
  option parameter `retries: RetryConfig | None = None` are written; imports that run back up (a private
  module importing its own package's front door, or `openrouter_core` importing `openrouter_funcs`).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("openrouter_core", "openrouter_funcs")
SKIP_DIRS = ("_models", "_testing")
GUARD = "# a bug of ours must still come back as a value"
OPTION = "retries: RetryConfig | None = None"

_SUBSTITUTIONS = [
    (r"\basync def\b", "def"),
    (r"\basync with\b", "with"),
    (r"\basync for\b", "for"),
    (r"\bawait ", ""),
    (r"__aenter__", "__enter__"),
    (r"__aexit__", "__exit__"),
    (r"__aiter__", "__iter__"),
    (r"__anext__", "__next__"),
    (r"StopAsyncIteration", "StopIteration"),
    (r"AsyncIterator", "Iterator"),
    (r"AsyncGenerator", "Generator"),
    (r"AsyncIterable", "Iterable"),
    (r"AsyncClient", "Client"),
    (r"AsyncHTTPTransport", "HTTPTransport"),
    (r"\baiter_", "iter_"),
    (r"\baclose\b", "close"),
    (r"_async\b", ""),
    (r"\basync_", ""),
    (r"Async", ""),
]
_LONE_PUNCTUATION = re.compile(r"[()\[\]{},:\s]*")
_TRAILING_COMMENT = re.compile(r"\s+#.*$")


def unasync(line: str) -> str:
    """The line as its sync twin would read."""
    for pattern, replacement in _SUBSTITUTIONS:
        line = re.sub(pattern, replacement, line)
    return line


def code_lines(lines: list[str]) -> list[str]:
    """The lines that count: stripped, without blank, comment, import or lone-punctuation lines."""
    kept = []
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#") or re.match(r"(from|import)\s", text):
            continue
        if _LONE_PUNCTUATION.fullmatch(text):
            continue
        kept.append(_TRAILING_COMMENT.sub("", text))
    return kept


def mirrored(async_side: list[str], sync_side: list[str]) -> int:
    """Lines of `async_side` that match `sync_side` in order, after the substitutions."""
    matcher = difflib.SequenceMatcher(None, [unasync(x) for x in async_side], sync_side, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def modules() -> list[Path]:
    """The library's hand-written modules."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if not any(part in SKIP_DIRS for part in path.relative_to(ROOT).parts):
                found.append(path)
    return found


def _defs(tree: ast.AST) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method, named `Class.method` for a method."""
    out: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.append((prefix + child.name, child))
                visit(child, prefix + child.name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            elif not isinstance(child, ast.Lambda):
                visit(child, prefix)

    visit(tree, "")
    return out


def _sync_name(name: str) -> str:
    """The name the sync twin of `name` would have: `Chat.send_async` -> `Chat.send`, `aclose` -> `close`."""
    twin = {"aclose": "close", "__aenter__": "__enter__", "__aexit__": "__exit__", "__aiter__": "__iter__"}
    parts = []
    for part in name.split("."):
        part = twin.get(part, re.sub(r"_async$", "", re.sub(r"^async_", "", part)))
        parts.append(re.sub(r"^(_?)Async", r"\1", part))
    return ".".join(parts)


def mirror_rows() -> list[dict[str, object]]:
    """One row per pair: the async side's code lines and how many of them mirror the sync side."""
    rows: list[dict[str, object]] = []
    paired_modules: set[Path] = set()
    for path in modules():
        if path.stem.endswith("_async"):
            twin = path.with_name(path.name.replace("_async.py", ".py"))
            if twin.exists():
                paired_modules.add(path)
                async_lines = code_lines(path.read_text().splitlines())
                sync_lines = code_lines(twin.read_text().splitlines())
                rows.append(_row(path, twin, len(async_lines), mirrored(async_lines, sync_lines)))
    for path in modules():
        if path in paired_modules:
            continue
        source = path.read_text().splitlines()
        defs = _defs(ast.parse("\n".join(source)))
        by_name = {name: node for name, node in defs if isinstance(node, ast.FunctionDef)}
        for name, node in defs:
            if not isinstance(node, ast.AsyncFunctionDef) or _nested(name, defs):
                continue
            async_lines = code_lines(source[node.lineno - 1 : node.end_lineno])
            twin_node = by_name.get(_sync_name(name))
            candidates = [twin_node] if twin_node is not None else list(by_name.values())
            best, best_name = 0, ""
            for candidate in candidates:
                assert candidate is not None
                count = mirrored(async_lines, code_lines(source[candidate.lineno - 1 : candidate.end_lineno]))
                if count > best:
                    best, best_name = count, candidate.name
            if twin_node is None and best < 3:
                continue
            rows.append(_row(path, path, len(async_lines), best, f"{name} ~ {best_name}"))
    return rows


def _nested(name: str, defs: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]) -> bool:
    """Whether `name` lies inside an async function (and so is counted with it)."""
    parents = {other for other, node in defs if isinstance(node, ast.AsyncFunctionDef)}
    head = name
    while "." in head:
        head = head.rpartition(".")[0]
        if head in parents:
            return True
    return False


def _row(path: Path, twin: Path, lines: int, same: int, what: str = "module") -> dict[str, object]:
    return {
        "async": str(path.relative_to(ROOT)),
        "sync": str(twin.relative_to(ROOT)),
        "what": what,
        "async_lines": lines,
        "mirrored": same,
    }


def upward_imports() -> list[str]:
    """Imports that run back up: a private module importing its package's front door, core importing funcs."""
    found = []
    for path in modules():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        package = module.split(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            targets = (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            )
            for target in targets:
                if package == "openrouter_core" and target.startswith("openrouter_funcs"):
                    found.append(f"{module} -> {target}")
                elif target == package and path.name != "__init__.py" and isinstance(node, ast.ImportFrom):
                    names = [a.name for a in node.names]
                    # `from pkg import submodule` names a module, not the front door's contents
                    if not all((ROOT / package / f"{n}.py").exists() for n in names):
                        found.append(f"{module} -> {target} ({', '.join(names)})")
    return found


def figures() -> dict[str, object]:
    """Every figure of the issue's Done-when list that a script can count."""
    rows = mirror_rows()
    texts = {path: path.read_text() for path in modules()}
    return {
        "mirror_rows": rows,
        "mirrored_total": sum(int(str(r["mirrored"])) for r in rows),
        "async_lines_total": sum(int(str(r["async_lines"])) for r in rows),
        "funcs_modules": len(list((ROOT / "openrouter_funcs").glob("*.py"))),
        "guard_blocks": sum(text.count(GUARD) for text in texts.values()),
        "option_lists": sum(text.count(OPTION) for text in texts.values()),
        "upward_imports": upward_imports(),
        "library_code_lines": sum(len(code_lines(t.splitlines())) for t in texts.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = figures()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print("| async side | sync side | pair | async code lines | mirrored |")
    print("|---|---|---|---:|---:|")
    for row in result["mirror_rows"]:  # type: ignore[attr-defined]
        print(
            f"| {row['async']} | {row['sync']} | {row['what']} | {row['async_lines']} | {row['mirrored']} |"
        )
    print()
    for key in ("mirrored_total", "async_lines_total", "funcs_modules", "guard_blocks", "option_lists"):
        print(f"{key}: {result[key]}")
    print(f"upward_imports: {result['upward_imports']}")
    print(f"library_code_lines: {result['library_code_lines']}")


if __name__ == "__main__":
    main()
