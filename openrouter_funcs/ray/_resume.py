"""The ids that already have an `ok` row in earlier output, read straight from its Parquet files."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

__all__ = ["done_ids"]

logger = logging.getLogger("openrouter.ray")


def _filesystem(path: str) -> tuple[pafs.FileSystem, str]:
    if "://" in path:
        return pafs.FileSystem.from_uri(path)  # type: ignore[no-any-return]
    return pafs.LocalFileSystem(), os.path.abspath(path)


def _parquet_files(path: str) -> tuple[pafs.FileSystem, list[str]]:
    fs, root = _filesystem(path)
    info = fs.get_file_info(root)
    if info.type == pafs.FileType.NotFound:
        return fs, []
    if info.type == pafs.FileType.File:
        return fs, [root]
    found = fs.get_file_info(pafs.FileSelector(root, recursive=True))
    return fs, sorted(f.path for f in found if f.type == pafs.FileType.File and f.path.endswith(".parquet"))


def done_ids(paths: str | Sequence[str], id_column: str) -> pa.Array:
    """The distinct ids of rows with `ok` true under `paths` (a missing path has none).

    A file that cannot be read (a job killed while writing it) is skipped with a warning: its rows are
    sent again.
    """
    chunks: list[pa.Array] = []
    for path in [paths] if isinstance(paths, str) else paths:
        fs, files = _parquet_files(path)
        for name in files:
            try:
                table = pq.read_table(name, columns=[id_column, "ok"], filesystem=fs)
            except (OSError, pa.ArrowException) as exc:
                logger.warning("openrouter: resume skips %s, which cannot be read: %s", name, exc)
                continue
            ids = table.filter(pc.fill_null(table["ok"], False))[id_column]
            chunks.extend(ids.chunks)
    if not chunks:
        return pa.array([], type=pa.null())
    return pc.unique(pa.chunked_array(chunks))
