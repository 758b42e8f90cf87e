"""The answer-key cache: every model output the book depends on, replayable forever.

Key: sha256 of canonical JSON (sorted keys, no whitespace) of everything that decides an
output: backend, model id, the endpoint's *name* (``openai-api/<service>/...``; never its URL),
messages, output-changing settings and the sample index, so the k-th sample of one prompt is
its own entry. The key holds no URL, so one answer key replays on any machine, behind any URL,
with no key present: share it by copying one file (after `syco cache verify`, which folds the
write-ahead log into it). Values are JSON. There is no expiry, and errors are never stored, so
a rerun retries exactly what failed and repeats nothing that succeeded. SQLite in WAL mode with
a busy timeout lets two processes (two chapters run side by side, say) read and write at once.
Secrets never enter a key or value: keys are built from the request description, which holds
no credentials.

Schema versions (``PRAGMA user_version``): 0, round 1, put the base URL into every request;
1 drops it. Opening a version-0 cache upgrades it in place, once, in one transaction: every
entry gets its URL-free key, so no recorded answer is orphaned (two entries that differed
only by URL keep the first; the other moves to ``answers_superseded``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from syco import paths
from syco.errors import SycoError

F = TypeVar("F", bound=Callable[..., Any])
SCHEMA_VERSION = 1


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def cache_key(request: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a request description."""
    text = canonical_json(request)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as e:  # a lone surrogate: bytes that were not UTF-8 to begin with
        raise SycoError(
            f"a prompt holds bytes that are not UTF-8 (near {text[max(0, e.start - 20) : e.start]!r}):"
            " save the text as UTF-8 and rerun"
        ) from None
    return hashlib.sha256(data).hexdigest()


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
CREATE TABLE IF NOT EXISTS answers_superseded (
    key TEXT NOT NULL,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    request TEXT NOT NULL,
    value TEXT NOT NULL,
    created REAL NOT NULL
);
"""

SQLITE_MAGIC = b"SQLite format 3\x00"


def _unreadable(path: Path, why: object) -> SycoError:
    return SycoError(
        f"the cache at {path} is not a readable SQLite database ({why}): move it away "
        "(keep it: it may be restorable) and rerun, or restore a copy; "
        "`syco cache verify` checks a cache file"
    )


def _friendly(method: F) -> F:
    """SQLite errors from a damaged file end in one line that says what to do."""

    @functools.wraps(method)
    def wrapper(self: Cache, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as e:
            if isinstance(e, sqlite3.OperationalError) and "readonly" in str(e):
                raise SycoError(
                    f"the cache at {self.path} is read-only ({e}): copy it somewhere writable "
                    "and point SYCO_CACHE at the copy"
                ) from None
            if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
                raise SycoError(
                    f"the cache at {self.path} stayed locked by another process ({e}): "
                    "wait for it to finish and rerun"
                ) from None
            raise _unreadable(self.path, e) from None

    return wrapper  # type: ignore[return-value]


def check_file(path: Path) -> None:
    """Refuse a path that cannot be an answer key *before* SQLite touches it: SQLite would
    silently turn a 0-byte file (a truncated copy) into a new, empty cache."""
    if path.is_dir():
        raise SycoError(f"the cache path {path} is a directory: point SYCO_CACHE at a file")
    if not path.exists():
        return
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise SycoError(f"the cache at {path} cannot be read ({e.strerror})") from None
    if not head:
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            return  # a live cache whose pages are all still in the write-ahead log
        raise SycoError(
            f"the cache at {path} is empty (0 bytes; a truncated copy?): restore the answer "
            "key from a copy, or delete the file to start a new one (every answer is then "
            "asked again)"
        )
    if head != SQLITE_MAGIC:
        raise _unreadable(path, "no SQLite header")


def _create(path: Path) -> None:
    """A new cache appears at `path` complete (schema, WAL mode, version) or not at all, so a
    second process never sees a half-made file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()
        with contextlib.suppress(FileExistsError):  # another process made it first: theirs
            os.link(tmp, path)
    finally:
        for p in (tmp, f"{tmp}-wal", f"{tmp}-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(p)


def upgrade_request(request: dict[str, Any]) -> dict[str, Any]:
    """A version-0 request description as version 1 writes it: without the base URL."""
    return {k: v for k, v in request.items() if k != "base_url"}


def _when_unlocked(step: Callable[[], Any], attempts: int = 40) -> Any:
    """Run an idempotent SQLite step, backing off while another process holds the lock."""
    for attempt in range(attempts):
        try:
            return step()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or attempt == attempts - 1:
                raise
            time.sleep(min(0.5, 0.02 * (attempt + 1)))


_OPENED: set[str] = set()  # cache files this process has open connections on


class Cache:
    """A persistent key -> JSON store, safe across threads and processes."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else paths.cache_path()
        # Checked once per process: reading the file with Python while this process holds
        # SQLite connections on it would drop their POSIX locks (closing any descriptor of a
        # file releases them all), and another process could then checkpoint the write-ahead
        # log away under them ("database disk image is malformed").
        if str(self.path.resolve()) not in _OPENED:
            check_file(self.path)
        if not self.path.exists():
            try:
                _create(self.path)
            except OSError as e:
                raise SycoError(f"cannot create the cache at {self.path}: {e.strerror}") from None
        self._local = threading.local()
        self._open()
        _OPENED.add(str(self.path.resolve()))

    @_friendly
    def _open(self) -> None:
        conn = self._conn()
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            _when_unlocked(lambda: conn.executescript(_SCHEMA))
            self._upgrade(conn)

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Version 0 -> 1 in one transaction (another process waits, then finds it done)."""
        _when_unlocked(lambda: conn.execute("BEGIN IMMEDIATE"))
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] < 1:
                last = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM answers").fetchone()[0]
                done = 0
                while done < last:
                    rows = conn.execute(
                        "SELECT rowid, key, model, kind, request, value, created FROM answers "
                        "WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT 2000",
                        (done, last),
                    ).fetchall()
                    if not rows:
                        break
                    for rowid, _key, model, kind, request, value, created in rows:
                        try:
                            req = json.loads(request)
                        except ValueError:  # left as it is: `syco cache verify` reports it
                            continue
                        if "base_url" not in req:
                            continue
                        new = upgrade_request(req)
                        row = (cache_key(new), model, kind, canonical_json(new), value, created)
                        conn.execute("DELETE FROM answers WHERE rowid = ?", (rowid,))
                        cur = conn.execute(
                            "INSERT OR IGNORE INTO answers VALUES (?,?,?,?,?,?)", row
                        )
                        if cur.rowcount == 0:  # same request behind another URL: keep both
                            conn.execute("INSERT INTO answers_superseded VALUES (?,?,?,?,?,?)", row)
                    done = rows[-1][0]
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

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

    @_friendly
    def get(self, key: str) -> Any | None:
        row = self._conn().execute("SELECT value FROM answers WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    @_friendly
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

    @_friendly
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

        def write() -> None:
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)", rows)
                conn.execute("COMMIT")
            except sqlite3.OperationalError:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

        _when_unlocked(write)

    @_friendly
    def add_missing(self, items: Iterable[tuple[str, dict[str, Any], Any]]) -> int:
        """Insert the entries whose key is absent; an entry already here is never replaced
        (a published key adds to an answer key, it does not overwrite it). How many were
        added."""
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
            return 0
        conn = self._conn()
        added = 0

        def write() -> None:
            nonlocal added
            try:
                conn.execute("BEGIN IMMEDIATE")
                before = conn.total_changes
                conn.executemany("INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?, ?, ?)", rows)
                added = conn.total_changes - before
                conn.execute("COMMIT")
            except sqlite3.OperationalError:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

        _when_unlocked(write)
        return added

    @_friendly
    def entries(self, keys: Iterable[str]) -> list[tuple[str, dict[str, Any], Any]]:
        """(key, request, value) of each key present, for publishing a run's entries."""
        keys = list(dict.fromkeys(keys))
        out: list[tuple[str, dict[str, Any], Any]] = []
        conn = self._conn()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for k, r, v in conn.execute(
                f"SELECT key, request, value FROM answers WHERE key IN ({marks})", chunk
            ):
                out.append((k, json.loads(r), json.loads(v)))
        return out

    @_friendly
    def count_new(self, keys: Iterable[str], since: float) -> int:
        """How many of `keys` were stored at or after `since` (a run's new answers, whatever
        other processes wrote meanwhile)."""
        keys = list(dict.fromkeys(keys))
        total = 0
        conn = self._conn()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT COUNT(*) FROM answers WHERE created >= ? AND key IN ({marks})"
            total += conn.execute(sql, (since, *chunk)).fetchone()[0]
        return total

    @_friendly
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

    @_friendly
    def count_since(self, when: float) -> int:
        """Answers stored at or after `when` (a time.time()), by any process."""
        sql = "SELECT COUNT(*) FROM answers WHERE created >= ?"
        return self._conn().execute(sql, (when,)).fetchone()[0]

    @_friendly
    def __len__(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))


def verify(path: Path) -> dict[str, Any]:
    """Check an answer-key file without changing what it holds: SQLite integrity, schema
    version, every value valid JSON, every key the hash of its request, no URL in any
    request. When all is well, fold the write-ahead log into the file (so the one file is
    the whole answer key, ready to copy). Returns counts; a broken file is a `SycoError`."""
    path = Path(path)
    check_file(path)
    if not path.exists():
        raise SycoError(f"there is no cache at {path}")
    try:
        conn = sqlite3.connect(path, timeout=60, isolation_level=None)
        try:
            integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "answers" not in tables:
                raise _unreadable(path, "no answers table: not a syco cache")
            report: dict[str, Any] = {
                "path": str(path),
                "version": version,
                "integrity": "ok" if integrity == ["ok"] else "; ".join(integrity[:3]),
                "entries": 0,
                "bad_json": 0,
                "bad_keys": 0,
                "with_url": 0,
                "models": 0,
                "superseded": 0,
            }
            models = set()
            for key, model, request, value in conn.execute(
                "SELECT key, model, request, value FROM answers"
            ):
                report["entries"] += 1
                models.add(model)
                try:
                    req = json.loads(request)
                    json.loads(value)
                except ValueError:
                    report["bad_json"] += 1
                    continue
                if key != cache_key(req):
                    report["bad_keys"] += 1
                if version >= 1 and "base_url" in req:
                    report["with_url"] += 1
            report["models"] = len(models)
            if "answers_superseded" in tables:
                n = conn.execute("SELECT COUNT(*) FROM answers_superseded").fetchone()[0]
                report["superseded"] = n
            report["ok"] = report["integrity"] == "ok" and not any(
                report[k] for k in ("bad_json", "bad_keys", "with_url")
            )
            if report["ok"]:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return report
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise _unreadable(path, e) from None
