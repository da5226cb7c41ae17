"""Load: throughput and latency of the UI's `/ask` endpoint with 1, 4 and 16 concurrent clients.

The UI is served on a loopback port over a cached benchmark store (by default the quick
RealTime QA set: 150 articles, 50 different questions); each client is a `gradio_client.Client`
asking the set's questions in turn. The
server runs at most `default_concurrency_limit` answers at once (see `ui/app.py`) and queues the
rest, so beyond that, more clients mean longer waits rather than more throughput.

    python -m benchmarks.load [--requests 96] [--clients 1 4 16] [--set realtimeqa]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from gradio_client import Client

from benchmarks.corpora import SET_NAMES, cached_store, question_set

RESULTS = Path(__file__).resolve().parent / "results" / "load.json"
WARM_UP = 3


@dataclass(frozen=True)
class Level:
    clients: int
    requests: int
    errors: int
    seconds: float
    throughput_per_s: float
    latency_p50_s: float
    latency_p95_s: float
    latency_max_s: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def client_requests(client: Client, questions: list[str]) -> list[float | None]:
    """One user asking `questions` in turn; None marks a failed request."""
    latencies: list[float | None] = []
    for question in questions:
        started = time.perf_counter()
        try:
            client.predict(question, api_name="/ask")
        except Exception:  # counted, not raised: the benchmark reports errors
            latencies.append(None)
            continue
        latencies.append(time.perf_counter() - started)
    return latencies


def run_level(url: str, clients: int, requests: int, questions: Sequence[str]) -> Level:
    """`requests` questions split evenly over `clients` concurrent users, connected before
    the clock starts."""
    asked = [questions[n % len(questions)] for n in range(requests)]
    shares = [asked[n::clients] for n in range(clients)]
    with ThreadPoolExecutor(clients) as pool:
        users = list(pool.map(lambda _: Client(url, verbose=False), range(clients)))
        started = time.perf_counter()
        results = [t for share in pool.map(client_requests, users, shares) for t in share]
        seconds = time.perf_counter() - started
    latencies = np.array([t for t in results if t is not None] or [np.nan])
    return Level(clients=clients, requests=requests,
                 errors=sum(t is None for t in results), seconds=round(seconds, 2),
                 throughput_per_s=round(requests / seconds, 3),
                 latency_p50_s=round(float(np.percentile(latencies, 50)), 3),
                 latency_p95_s=round(float(np.percentile(latencies, 95)), 3),
                 latency_max_s=round(float(np.max(latencies)), 3))


def run(set_name: str, levels: Sequence[int],
        requests: int) -> tuple[dict[str, object], list[Level]]:
    from ui.app import build_app, launch

    chosen = question_set(set_name, quick=True)
    store = cached_store(chosen)
    questions = [q.text for q in chosen.questions]
    demo, port = build_app(store), free_port()
    launch(demo, store, host="127.0.0.1", port=port, block=False)
    url = f"http://127.0.0.1:{port}/"
    try:
        client_requests(Client(url, verbose=False), questions[:WARM_UP])
        load_before = os.getloadavg()
        results = [run_level(url, clients, requests, questions) for clients in levels]
    finally:
        demo.close()
    config = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "set": set_name, "articles": len(chosen.articles), "chunks": store.chunks.count(),
              "questions": len(questions), "cpus": os.cpu_count(),
              "load_average_before": [round(x, 2) for x in load_before],
              "load_average_at_end": [round(x, 2) for x in os.getloadavg()]}
    return config, results


def report(levels: Sequence[Level]) -> str:
    rows = [f"{'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 s':>7} "
            f"{'p95 s':>7} {'max s':>7}"]
    rows += [f"{r.clients:>7} {r.requests:>8} {r.errors:>6} {r.throughput_per_s:>7.2f} "
             f"{r.latency_p50_s:>7.2f} {r.latency_p95_s:>7.2f} {r.latency_max_s:>7.2f}"
             for r in levels]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> list[Level]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=96, help="questions per level")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16],
                        help="concurrent clients per level")
    parser.add_argument("--set", default="realtimeqa", choices=SET_NAMES,
                        help="benchmark corpus and questions (quick size)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args(argv)
    config, levels = run(args.set, args.clients, args.requests)
    print(report(levels))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"config": config, "levels": [asdict(level) for level in levels]}
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return levels


if __name__ == "__main__":
    main()
