"""API throughput: does the shared wrapper keep `max_connections` requests in flight?

N requests go to the local fake OpenAI server (tests/servers.py), which answers each after a
fixed latency, through ``get_model("openai/bench", max_connections=C)`` and a fresh cache.
With perfect overlap the wall time is N * latency / C; the efficiency is that ideal over the
measured wall time (target >= 90%). The server runs in its own process so that it does not
compete with the client for the GIL (``--in-process`` to compare). Not part of the tests:

    python benchmarks/bench_api.py [--n 500] [--latency 0.1] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def start_server(latency: float, in_process: bool):
    """(base_url, stop) for a fake OpenAI server with the given latency."""
    if in_process:
        from servers import OpenAIServer

        server = OpenAIServer(latency=latency).start()
        return server.base_url, server.stop
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "servers.py"), "openai", str(latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    port = int(proc.stdout.readline())

    def stop() -> None:
        proc.stdin.close()  # the server exits when its stdin closes
        proc.wait(timeout=10)

    return f"http://127.0.0.1:{port}/v1", stop


def run_once(n: int, concurrency: int) -> dict:
    """One timed pass with a fresh model and a fresh cache, then a replay from that cache."""
    from syco.cache import Cache
    from syco.models import get_model

    with tempfile.TemporaryDirectory() as tmp:
        cache = Cache(Path(tmp) / "bench.sqlite")
        model = get_model("openai/bench", cache=cache, max_connections=concurrency)
        chats = [[{"role": "user", "content": f"question {i}"}] for i in range(n)]
        cpu0, t0 = time.process_time(), time.perf_counter()
        out = model.generate(chats)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        t1 = time.perf_counter()
        again = model.generate(chats)
        replay = time.perf_counter() - t1
        entries = len(cache)
    assert all(c.text == f"echo: question {i}" for i, c in enumerate(out) if c.ok)
    assert all(c.cached for c in again) and entries == sum(c.ok for c in out)
    return {
        "wall": wall,
        "cpu": cpu,
        "replay": replay,
        "errors": sum(not c.ok for c in out),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=3, help="timed passes; the median is reported")
    ap.add_argument("--in-process", action="store_true", help="server thread in this process")
    args = ap.parse_args()

    base_url, stop = start_server(args.latency, args.in_process)
    os.environ.update(
        OPENAI_BASE_URL=base_url, OPENAI_API_KEY="bench-not-a-secret", SYCO_PROGRESS="0"
    )
    os.environ.pop("SYCO_OFFLINE", None)
    os.environ.pop("SYCO_MAX_CONNECTIONS", None)
    load = os.getloadavg()[0]
    try:
        runs = [run_once(args.n, args.concurrency) for _ in range(args.repeat)]
    finally:
        stop()

    ideal = args.n * args.latency / args.concurrency
    runs.sort(key=lambda r: r["wall"])
    med = runs[len(runs) // 2]
    errors = sum(r["errors"] for r in runs)
    print(f"requests:        {args.n} x {args.repeat} passes (errors: {errors})")
    print(f"latency:         {args.latency * 1000:.0f} ms per request at the server")
    print(f"concurrency:     {args.concurrency}")
    print(f"server:          {'thread in this process' if args.in_process else 'own process'}")
    print(f"machine:         {os.cpu_count()} CPUs, load average {load:.2f} before the run")
    print(
        f"wall time:       {med['wall']:.3f} s median (all: "
        + ", ".join(f"{r['wall']:.3f}" for r in runs)
        + ")"
    )
    print(f"ideal N*lat/C:   {ideal:.3f} s")
    print(
        f"efficiency:      {ideal / med['wall']:.1%} median, {ideal / runs[0]['wall']:.1%} best"
        " (target >= 90%)"
    )
    print(f"throughput:      {args.n / med['wall']:.0f} requests/s")
    print(f"client CPU:      {med['cpu'] * 1000 / args.n:.2f} ms per request (SDK + wrapper)")
    print(f"cache replay:    {med['replay'] * 1000:.0f} ms for {args.n} hits")
    print(
        json.dumps(
            {
                "bench": "api",
                "n": args.n,
                "latency_s": args.latency,
                "concurrency": args.concurrency,
                "server": "thread" if args.in_process else "process",
                "wall_s": round(med["wall"], 3),
                "walls_s": [round(r["wall"], 3) for r in runs],
                "ideal_s": round(ideal, 3),
                "efficiency": round(ideal / med["wall"], 3),
                "best_efficiency": round(ideal / runs[0]["wall"], 3),
                "client_cpu_ms_per_request": round(med["cpu"] * 1000 / args.n, 2),
                "errors": errors,
                "replay_s": round(med["replay"], 3),
                "cpus": os.cpu_count(),
                "load_avg_before": round(load, 2),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
