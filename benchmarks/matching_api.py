"""Benchmark: the matcher API under 50 concurrent loopback clients for a bounded time.

Usage: .venv/bin/python benchmarks/matching_api.py [--clients 50] [--seconds 30]
Starts `kodistill serve-matcher` (uvicorn, 127.0.0.1, a free port) on the saved index in a
temporary artifacts folder (built from data/items.csv), waits for /healthz, asks the original
system's example lines (recorded with the served answer), then runs `--clients`
threads, each with its own keep-alive httpx client, posting the noisy generator's lines (every
type) to /api/ml-match until `--seconds` pass. Reports requests, errors (any non-200 or exception),
throughput and the client-side p50/p99 latency. Writes benchmarks/results/matching_api.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from resources.atomic import atomic_write_json  # noqa: E402
from resources.matching.items import read_items  # noqa: E402
from resources.matching.queries import generate_queries  # noqa: E402

RESULT = ROOT / "benchmarks/results/matching_api.json"
ORIGINAL_EXAMPLES = (
    "레이크 찰리스 말보로 24병",
    "lc 말보로",
    "Lake Chalice 말보로",
    "Lake Chalice Marlborough",
    "레이크 찰리스 말로보",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError(f"server at {url} did not become healthy in {timeout} s")


def original_examples(url: str) -> dict[str, str]:
    """The served top item for each of the original system's example lines."""
    import httpx

    answers = {}
    for query in ORIGINAL_EXAMPLES:
        body = httpx.post(f"{url}/api/ml-match", json={"query": query, "top_k": 1}, timeout=30).json()
        answers[query] = f"{body['results'][0]['name']} ({body['stage']})" if body["results"] else "(none)"
    return answers


def client_loop(url: str, lines: list[str], stop: threading.Event, times: list[float], errors: list[str]) -> None:
    import httpx

    with httpx.Client(base_url=url, timeout=30) as client:
        k = 0
        while not stop.is_set():
            started = time.perf_counter()
            try:
                response = client.post("/api/ml-match", json={"query": lines[k % len(lines)], "top_k": 5})
                if response.status_code != 200:
                    errors.append(f"HTTP {response.status_code}")
            except Exception as error:  # noqa: BLE001 - every failure counts as an error
                errors.append(repr(error))
            times.append((time.perf_counter() - started) * 1000)
            k += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    items = read_items(ROOT / "data/items.csv")
    lines = [q.query for q in generate_queries(items, seed=21, per_type=40)]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as artifacts:
        env = {**os.environ, "KODISTILL_ARTIFACTS_DIR": artifacts, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "orchestration.cli", "serve-matcher", "--port", str(port)]
        server = subprocess.Popen(command, cwd=ROOT, env=env)
        try:
            wait_healthy(url, timeout=180)
            examples = original_examples(url)
            stop = threading.Event()
            per_client = [([], []) for _ in range(args.clients)]
            threads = [threading.Thread(target=client_loop, args=(url, lines, stop, t, e)) for t, e in per_client]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            time.sleep(args.seconds)
            stop.set()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    times = np.array([t for ts, _ in per_client for t in ts])
    errors = [e for _, es in per_client for e in es]
    report = {
        "machine": f"{platform.node()} {platform.machine()} (shared, 2 cores; server and clients on the same cores)",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": int(len(times)),
        "errors": len(errors),
        "error_samples": errors[:5],
        "requests_per_second": round(len(times) / elapsed, 1),
        "p50_ms": round(float(np.percentile(times, 50)), 2),
        "p99_ms": round(float(np.percentile(times, 99)), 2),
        "original_examples": examples,
    }
    print(report)
    atomic_write_json(RESULT, report)


if __name__ == "__main__":
    main()
