"""Batch mode end to end: one chapter (§3.2, three dependent turns) through the local batch
server, batched and unbatched, each from a cold answer key, then a batched replay.

The server (tests/batch_servers.py, a thread here; the chapter runs in `syco run`'s own
processes) answers an ordinary call after ``--latency`` and ends a batch at its first poll
after submission, so the batched time is bounded below by the turns times the poll interval
(``SYCO_BATCH_POLL``): real providers take minutes to hours per batch, at half price. What
this measures is our overhead and the request count: how many HTTP requests each mode sends.

    make bench-batch      # = .venv/bin/python benchmarks/bench_batch.py [--n 5] [--poll 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def run(home: Path, proj: Path, env: dict, n: int, batch: bool) -> float:
    args = ["run", "are_you_sure", "-m", "openai/bench", "-p", f"n={n}"]
    cmd = [sys.executable, "-c", "from syco.cli import main; main()", *args]
    cmd += ["--batch"] if batch else []
    t0 = time.perf_counter()
    res = subprocess.run(
        cmd,
        env={**env, "SYCO_HOME": str(home), "SYCO_PROJECT_DIR": str(proj)},
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(res.stderr)
    return wall


def kinds(server, since: int) -> Counter:
    """HTTP requests by what they were, from request number ``since`` on."""
    out: Counter = Counter()
    for r in server.requests[since:]:
        p = r.path.split("?")[0]
        if p == server.path:
            out["ordinary calls"] += 1
        elif r.method == "POST" and p == "/v1/files":
            out["file uploads"] += 1
        elif r.method == "POST" and p == "/v1/batches":
            out["batch creates"] += 1
        elif r.method == "GET" and p.startswith("/v1/batches/"):
            out["status polls"] += 1
        elif p.endswith("/content"):
            out["result downloads"] += 1
        else:
            out[f"{r.method} {p}"] += 1
    return out


def main() -> None:
    from batch_servers import OpenAIBatchServer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5, help="questions per §3.2 sub-dataset")
    ap.add_argument("--poll", type=float, default=1.0, help="SYCO_BATCH_POLL, seconds")
    ap.add_argument("--latency", type=float, default=0.1, help="ordinary-call latency, s")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    data = Path(os.environ.get("SYCO_DATA_DIR") or ROOT / ".syco" / "data")
    if not (data / "built" / "are_you_sure.jsonl").exists():
        raise SystemExit(f"no built data in {data}: run `make data` first")
    server = OpenAIBatchServer(latency=args.latency).start()
    env = {
        **os.environ,
        "OPENAI_BASE_URL": server.base_url,
        "OPENAI_API_KEY": "bench-not-a-secret",
        "SYCO_DATA_DIR": str(data),
        "SYCO_BATCH_POLL": str(args.poll),
        "SYCO_PROGRESS": "0",
    }
    for var in ("SYCO_OFFLINE", "SYCO_BATCH", "SYCO_PLAN", "SYCO_CACHE", "SYCO_RESULTS"):
        env.pop(var, None)
    rows = []
    load = os.getloadavg()[0]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            proj = Path(tmp) / "project"  # executed pages land here, not in the checkout
            proj.mkdir()
            for name in ("_config.yml", "notebooks"):
                (proj / name).symlink_to(ROOT / name)
            for label, batch, home in (
                ("unbatched, cold", False, "a"),
                ("batched, cold", True, "b"),
                ("batched, replay", True, "b"),
            ):
                since = len(server.requests)
                wall = run(Path(tmp) / home, proj, env, args.n, batch)
                counts = kinds(server, since)
                sent = sum(len(b["requests"]) for b in list(server.batches.values()))
                rows.append({"run": label, "wall_s": round(wall, 1), **counts})
                print(f"{label}: {wall:.1f} s, {dict(counts)}", flush=True)
            requests_in_batches = sent
    finally:
        server.stop()
    print()
    print(
        f"§3.2 are_you_sure, n={args.n} per sub-dataset, 6 sub-datasets; ordinary-call latency "
        f"{args.latency * 1000:.0f} ms; batch poll every {args.poll:g} s; load average "
        f"{load:.1f}; model requests sent in batches: {requests_in_batches}"
    )
    cols = sorted({k for r in rows for k in r} - {"run", "wall_s"})
    print("| run | wall s | " + " | ".join(cols) + " |")
    print("|" + "---|" * (2 + len(cols)))
    for r in rows:
        print(
            f"| {r['run']} | {r['wall_s']} | " + " | ".join(str(r.get(c, 0)) for c in cols) + " |"
        )
    if args.json:
        args.json.write_text(json.dumps({"bench": "batch", "n": args.n, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
