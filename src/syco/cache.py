"""The answer-key cache: every model output the book depends on, replayable forever.

Key: sha256 of canonical JSON (sorted keys, no whitespace) of everything that decides an
output: backend, model id, base URL, messages, output-changing settings and the sample
index, so the k-th sample of one prompt is its own entry. Values are JSON. There is no
expiry, and errors are never stored, so a rerun retries exactly what failed and repeats
nothing that succeeded. SQLite in WAL mode with a busy timeout lets two processes (two
chapters run side by side, say) read and write at once. Secrets never enter a key or value:
keys are built from the request description, which holds no credentials.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from syco import paths


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def cache_key(request: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a request description."""
    return hashlib.sha256(canonical_json(request).encode("utf-8")).hexdigest()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    request TEXT NOT NULL,
    value TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_model ON answers(model);
"""


def _when_unlocked(step: Callable[[], Any], attempts: int = 40) -> Any:
    """Run an idempotent SQLite step, backing off while another process holds the lock."""
    for attempt in range(attempts):
        try:
            return step()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or attempt == attempts - 1:
                raise
            time.sleep(min(0.5, 0.02 * (attempt + 1)))


class Cache:
    """A persistent key -> JSON store, safe across threads and processes."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else paths.cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        conn = self._conn()
        _when_unlocked(lambda: conn.executescript(_SCHEMA))

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA busy_timeout=60000")
            # Switching a new file to WAL can fail at once with "database is locked" (SQLite
            # skips the busy handler there) when another process opens it at the same moment.
            _when_unlocked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def get(self, key: str) -> Any | None:
        row = self._conn().execute("SELECT value FROM answers WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        conn = self._conn()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for k, v in conn.execute(
                f"SELECT key, value FROM answers WHERE key IN ({marks})", chunk
            ):
                found[k] = json.loads(v)
        return found

    def put(self, key: str, request: dict[str, Any], value: Any) -> None:
        self.put_many([(key, request, value)])

    def put_many(self, items: Iterable[tuple[str, dict[str, Any], Any]]) -> None:
        rows = [
            (
                k,
                str(req.get("model", "")),
                str(req.get("kind", "")),
                canonical_json(req),
                canonical_json(val),
                time.time(),
            )
            for k, req, val in items
        ]
        if not rows:
            return
        conn = self._conn()
        for attempt in range(20):
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)", rows)
                conn.execute("COMMIT")
                return
            except sqlite3.OperationalError as e:  # database is locked: back off and retry
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if "locked" not in str(e) or attempt == 19:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def stats(self) -> list[dict[str, Any]]:
        rows = (
            self._conn()
            .execute(
                "SELECT model, kind, COUNT(*), SUM(LENGTH(value) + LENGTH(request)) "
                "FROM answers GROUP BY model, kind ORDER BY model, kind"
            )
            .fetchall()
        )
        return [{"model": m, "kind": k, "entries": n, "bytes": b or 0} for m, k, n, b in rows]

    def __len__(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
