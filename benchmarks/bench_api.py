"""API throughput: our runner vs Inspect AI's model layer vs the bare SDK, side by side.

N requests go to one local fake OpenAI server (tests/servers.py, its own process) that answers
each after a fixed latency. For every (N, concurrency C) three clients are timed, interleaved
(their order rotates every repeat), each pass in a fresh worker process:

- ``ours``: ``get_model("openai/bench", max_connections=C).generate(...)`` with a fresh
  answer-key cache (the whole wrapper: cache lookups and writes, retries, limiter, stats);
- ``ours-adaptive``: the same with adaptive concurrency (starts at 32, capped at C);
- ``inspect``: Inspect AI's ``get_model("openai/bench", base_url=..., responses_api=False)``
  with ``GenerateConfig(max_connections=C)``, cache off, ``asyncio.gather`` over N generates;
- ``sdk``: ``AsyncOpenAI`` (retries off) under an ``asyncio.Semaphore(C)``.

Reported: median wall time, % of the ideal N·latency/C, and ours/inspect, ours/sdk ratios.
One command (it makes its own environment with inspect-ai, apart from the project's pins):

    make bench-api        # = .venv-bench/bin/python benchmarks/bench_api.py

Options: ``--n 500 2000 --concurrency 32 128 --latency 0.1 --repeat 3 --json FILE``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ("ours", "ours-adaptive", "inspect", "sdk")


# -- workers (one timed pass each, in a fresh process) ------------------------------------


def prompts(n: int) -> list[str]:
    return [f"question {i}" for i in range(n)]


def work_ours(n: int, c: int, adaptive: bool) -> dict:
    from syco.cache import Cache
    from syco.models import get_model, user

    with tempfile.TemporaryDirectory() as tmp:
        opts = {"adaptive_connections": True, "max_connections_cap": c} if adaptive else {}
        if not adaptive:
            opts["max_connections"] = c
        model = get_model("openai/bench", cache=Cache(Path(tmp) / "c.sqlite"), **opts)
        chats = [[user(p)] for p in prompts(n)]
        t0, cpu0 = time.perf_counter(), time.process_time()
        out = model.generate(chats)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    bad = sum(not x.ok or x.text != f"echo: {p}" for x, p in zip(out, prompts(n), strict=True))
    return {"wall": wall, "cpu": cpu, "errors": bad}


def work_inspect(n: int, c: int) -> dict:
    import asyncio

    from inspect_ai.model import GenerateConfig, get_model

    async def main() -> tuple[float, int]:
        model = get_model(
            "openai/bench",
            base_url=os.environ["OPENAI_BASE_URL"],
            api_key=os.environ["OPENAI_API_KEY"],
            config=GenerateConfig(max_connections=c),
            responses_api=False,  # an unknown model name would go to the Responses API
        )
        t0, cpu0 = time.perf_counter(), time.process_time()
        outs = await asyncio.gather(*(model.generate(p, cache=False) for p in prompts(n)))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        bad = sum(o.completion != f"echo: {p}" for o, p in zip(outs, prompts(n), strict=True))
        return wall, cpu, bad

    wall, cpu, bad = asyncio.run(main())
    return {"wall": wall, "cpu": cpu, "errors": bad}


def work_sdk(n: int, c: int) -> dict:
    import asyncio

    import openai

    async def main() -> tuple[float, int]:
        client = openai.AsyncOpenAI(max_retries=0)
        sem = asyncio.Semaphore(c)

        async def one(p: str) -> str | None:
            async with sem:
                r = await client.chat.completions.create(
                    model="bench", messages=[{"role": "user", "content": p}], max_tokens=256
                )
            return r.choices[0].message.content

        t0, cpu0 = time.perf_counter(), time.process_time()
        outs = await asyncio.gather(*(one(p) for p in prompts(n)))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        await client.close()
        return wall, cpu, sum(o != f"echo: {p}" for o, p in zip(outs, prompts(n), strict=True))

    wall, cpu, bad = asyncio.run(main())
    return {"wall": wall, "cpu": cpu, "errors": bad}


def worker(client: str, n: int, c: int) -> dict:
    """One pass: wall and CPU seconds of the timed part (CPU time is disturbed far less by
    other processes' load than wall time is)."""
    if client == "inspect":
        return work_inspect(n, c)
    if client == "sdk":
        return work_sdk(n, c)
    return work_ours(n, c, adaptive=client == "ours-adaptive")


# -- the parent: server, interleaving, report ---------------------------------------------


def start_server(latency: float):
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


def has_inspect() -> bool:
    import importlib.util

    return importlib.util.find_spec("inspect_ai") is not None


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("openai", "inspect-ai", "httpx", "httpx2"):
        with contextlib.suppress(PackageNotFoundError):
            out[pkg] = version(pkg)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[500, 2000])
    ap.add_argument("--concurrency", type=int, nargs="+", default=[32, 128])
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--repeat", type=int, default=3, help="passes per client; medians reported")
    ap.add_argument("--clients", nargs="+", default=list(CLIENTS), choices=CLIENTS)
    ap.add_argument("--json", type=Path, help="also write the raw results here")
    ap.add_argument("--worker", nargs=3, metavar=("CLIENT", "N", "C"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        client, n, c = args.worker
        print(json.dumps(worker(client, int(n), int(c))))
        return

    clients = [c for c in args.clients if c != "inspect" or has_inspect()]
    if "inspect" in args.clients and "inspect" not in clients:
        print("inspect-ai is not installed here: `make bench-api` makes .venv-bench with it")
    base_url, stop = start_server(args.latency)
    env = {
        **os.environ,
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": "bench-not-a-secret",
        "SYCO_PROGRESS": "0",
        "INSPECT_LOG_LEVEL": "warning",
    }
    for var in ("SYCO_OFFLINE", "SYCO_MAX_CONNECTIONS", "SYCO_BATCH", "SYCO_PLAN"):
        env.pop(var, None)
    load = os.getloadavg()
    results: dict[tuple[int, int, str], list[dict]] = {}
    try:
        for r in range(args.repeat):
            for n in args.n:
                for c in args.concurrency:
                    order = clients[r % len(clients) :] + clients[: r % len(clients)]
                    for client in order:
                        res = subprocess.run(
                            [sys.executable, __file__, "--worker", client, str(n), str(c)],
                            env=env,
                            capture_output=True,
                            text=True,
                            timeout=600,
                        )
                        if res.returncode != 0:
                            raise SystemExit(f"{client} N={n} C={c} failed:\n{res.stderr}")
                        out = json.loads(res.stdout.strip().splitlines()[-1])
                        results.setdefault((n, c, client), []).append(out)
                        print(
                            f"  pass {r + 1}: N={n} C={c} {client}: {out['wall']:.3f} s, cpu {out['cpu']:.2f} s",
                            flush=True,
                        )
    finally:
        stop()
    load_after = os.getloadavg()
    report(args, clients, results, load, load_after)


def report(args, clients, results, load, load_after) -> None:
    med = {k: statistics.median(x["wall"] for x in v) for k, v in results.items()}
    cpu = {k: statistics.median(x.get("cpu", 0.0) for x in v) for k, v in results.items()}
    errors = sum(x["errors"] for v in results.values() for x in v)
    print()
    print(
        f"{os.cpu_count()} CPUs; load average {load[0]:.1f} before, {load_after[0]:.1f} after "
        f"(1 min); server latency {args.latency * 1000:.0f} ms; {args.repeat} interleaved passes "
        f"per client; errors: {errors}; {versions()}"
    )
    head = "| N | C | ideal s | " + " | ".join(f"{c} s (% ideal)" for c in clients)
    ratios = [f"ours/{c}" for c in ("inspect", "sdk") if c in clients]
    print(head + " | " + " | ".join(ratios) + " |")
    print("|" + "---|" * (3 + len(clients) + len(ratios)))
    rows = []
    for n in args.n:
        for c in args.concurrency:
            ideal = n * args.latency / c
            cells = [
                f"{med[(n, c, k)]:.2f} ({ideal / med[(n, c, k)]:.0%}; "
                f"cpu {cpu[(n, c, k)] * 1000 / n:.1f} ms/req)"
                for k in clients
            ]
            rs = [
                f"{med[(n, c, 'ours')] / med[(n, c, k)]:.2f}×"
                for k in ("inspect", "sdk")
                if k in clients
            ]
            print(
                f"| {n} | {c} | {ideal:.2f} | " + " | ".join(cells) + " | " + " | ".join(rs) + " |"
            )
            rows.append(
                {
                    "n": n,
                    "concurrency": c,
                    "ideal_s": ideal,
                    **{f"{k}_s": med[(n, c, k)] for k in clients},
                    **{f"{k}_walls_s": [x["wall"] for x in results[(n, c, k)]] for k in clients},
                    **{f"{k}_cpu_s": [x.get("cpu") for x in results[(n, c, k)]] for k in clients},
                }
            )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "bench": "api",
                    "latency_s": args.latency,
                    "repeat": args.repeat,
                    "cpus": os.cpu_count(),
                    "load_before": load,
                    "load_after": load_after,
                    "python": platform.python_version(),
                    "versions": versions(),
                    "errors": errors,
                    "rows": rows,
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
