"""Provider batches as this machine knows them: one JSON record per batch (ours and the
provider's id, state, counts) and the requests it carries, under the state directory. The
records are what makes batch mode crash-safe: a rerun resumes every live batch it finds here
and never submits its requests again."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from syco import paths
from syco.errors import SycoError

LIVE = ("submitting", "submitted")  # states a rerun must resume rather than resubmit


@dataclass
class BatchRecord:
    """One provider batch as this machine knows it (the file is the source of truth)."""

    id: str  # ours; also the tag the provider sees (OpenAI metadata)
    spec: str
    identity: dict[str, Any]
    keys: list[str]
    state: str = "submitting"  # submitting -> submitted -> collected | abandoned
    provider_id: str | None = None
    status: str | None = None  # the provider's word, as last polled
    total: int = 0
    done: int = 0
    failed: int = 0
    succeeded: int | None = None  # answers stored in the cache at collection
    note: str = ""
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)

    @property
    def live(self) -> bool:
        return self.state in LIVE


class BatchStore:
    """Batch records under the state directory: ``<id>.json`` plus ``<id>.requests.jsonl``."""

    def __init__(self, root: Path | None = None):
        self.root = root or paths.home() / "batches"
        self.root.mkdir(parents=True, exist_ok=True)

    def save(self, rec: BatchRecord) -> None:
        rec.updated = time.time()
        tmp = self.root / f".{rec.id}.json.tmp"
        tmp.write_text(json.dumps(asdict(rec), indent=1), encoding="utf-8")
        os.replace(tmp, self.root / f"{rec.id}.json")

    def records(self) -> list[BatchRecord]:
        out = []
        for p in self.root.glob("*.json"):
            try:
                out.append(BatchRecord(**json.loads(p.read_text(encoding="utf-8"))))
            except (ValueError, TypeError) as e:
                raise SycoError(f"batch record {p} is unreadable ({e}): move it away") from e
        return sorted(out, key=lambda r: r.created)

    def find(self, ident: str) -> BatchRecord:
        """A record by our id or the provider's id (a unique prefix of either is enough)."""
        hits = [
            r
            for r in self.records()
            if r.id.startswith(ident) or (r.provider_id or "").startswith(ident)
        ]
        if len(hits) != 1:
            what = "no" if not hits else "more than one"
            raise SycoError(f"{what} batch matches {ident!r}: see `syco batches list`")
        return hits[0]

    def write_requests(self, rec: BatchRecord, requests: dict[str, dict[str, Any]]) -> None:
        path = self.root / f"{rec.id}.requests.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for k in rec.keys:
                f.write(json.dumps({"key": k, "request": requests[k]}, ensure_ascii=False) + "\n")

    def read_requests(self, rec: BatchRecord) -> dict[str, dict[str, Any]]:
        path = self.root / f"{rec.id}.requests.jsonl"
        with path.open(encoding="utf-8") as f:
            return {d["key"]: d["request"] for d in map(json.loads, f)}

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """One process at a time decides what to submit (two runs of one chapter side by
        side must not both submit the same requests)."""
        with (self.root / ".lock").open("w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
