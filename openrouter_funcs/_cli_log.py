"""The conversation log of `openrouter-chat`: every exchange, in a SQLite file in the user's data directory.

`-c` continues the last conversation and `--cid ID` a given one by sending its exchanges as history;
`openrouter-chat logs` lists them. `OPENROUTER_CHAT_LOG` names another file.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
import uuid
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["ConversationLog", "Exchange", "default_log_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    model TEXT NOT NULL,
    system TEXT,
    prompt TEXT NOT NULL,
    reply TEXT NOT NULL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    cost REAL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS exchanges_by_conversation ON exchanges (conversation_id, id);
"""


def default_log_path() -> Path:
    """`$OPENROUTER_CHAT_LOG`, else `logs.db` in the platform's data directory for openrouter-funcs."""
    explicit = os.environ.get("OPENROUTER_CHAT_LOG")
    if explicit:
        return Path(explicit).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "openrouter-funcs" / "logs.db"


class Exchange(NamedTuple):
    """One logged prompt and reply."""

    conversation_id: str
    model: str
    system: str | None
    prompt: str
    reply: str
    prompt_tokens: int | None
    completion_tokens: int | None
    cost: float | None
    created: float
    """Seconds since the epoch."""


class ConversationLog:
    """The exchanges in one SQLite file, created with its directory on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path)
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    def last_conversation(self) -> str | None:
        """The id of the conversation with the latest exchange, or None when the log is empty."""
        row = (
            self._connect()
            .execute("SELECT conversation_id FROM exchanges ORDER BY id DESC LIMIT 1")
            .fetchone()
        )
        return str(row[0]) if row else None

    def conversation(self, conversation_id: str) -> list[Exchange]:
        """The exchanges of one conversation, oldest first (empty when there is no such conversation)."""
        return self._select("WHERE conversation_id = ? ORDER BY id", (conversation_id,))

    def recent(self, count: int) -> list[Exchange]:
        """The latest `count` exchanges of any conversation, oldest first."""
        return self._select("ORDER BY id DESC LIMIT ?", (count,))[::-1]

    def _select(self, clause: str, params: tuple[Any, ...]) -> list[Exchange]:
        rows = self._connect().execute(
            "SELECT conversation_id, model, system, prompt, reply, prompt_tokens, completion_tokens, cost,"
            f" created FROM exchanges {clause}",
            params,
        )
        return [Exchange(*row) for row in rows]

    def record(self, exchange: Exchange) -> None:
        """Append one exchange."""
        db = self._connect()
        with db:
            db.execute(
                "INSERT INTO exchanges (conversation_id, model, system, prompt, reply, prompt_tokens,"
                " completion_tokens, cost, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                exchange,
            )

    @staticmethod
    def new_id() -> str:
        """A fresh conversation id: time-ordered, 16 hex digits."""
        return f"{int(time.time()):08x}{uuid.uuid4().hex[:8]}"

    def close(self) -> None:
        """Close the database file."""
        if self._db is not None:
            self._db.close()
            self._db = None
