"""Benchmark: what running the batch on Dask costs, against the local pool, in one run.

Measured on this machine, in the same run, so the figures compare (docs/scaling.md):

- overhead per task: a task that does nothing, on a LocalCluster of 2 one-thread
  worker processes and on pebble's pool of 2 forked processes (the local pool's
  engine), both already started: one at a time (submit, wait for the result: the
  latency a unit pays) and 2,000 at once (tasks/s when the engine is saturated);
- start-up: a LocalCluster of 2 started and its workers checked and warmed by the
  reportgen plugin, ready for the first unit (``--scheduler local:2`` pays it once per
  batch; a running cluster, ``--scheduler tcp://…``, pays only the plugin);
- throughput: whole commands on the bench corpus (bench/run.py's synthetic units):
  ``reportgen batch -j 2`` against ``--scheduler local:2`` and ``--scheduler local:2
  --collect``, documents/s, best of ``--rounds`` interleaved runs (other load on the
  machine only ever slows a run); every run's 汇总.json must show no failed unit.

The commands run the checkout (``python -m reportgen.cli`` with it on PYTHONPATH). No
test asserts on these times.

    python bench/dask_overhead.py [--units 60] [--rounds 2] [--tasks 2000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tools")]

from run import REPORTGEN, _run, make_corpus  # noqa: E402  (bench/run.py)


def noop(x: int) -> int:
    return x


def dask_tasks(n: int, one_by_one: int) -> tuple[float, float]:
    """Seconds per task one at a time (median), tasks/s with ``n`` submitted at once."""
    from distributed import Client, LocalCluster, wait

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.CRITICAL,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.submit(noop, -1, pure=False).result()  # both sides warm
        latencies = []
        for i in range(one_by_one):
            t = time.perf_counter()
            client.submit(noop, i, pure=False).result()
            latencies.append(time.perf_counter() - t)
        t = time.perf_counter()
        wait(client.map(noop, range(n), pure=False))
        return statistics.median(latencies), n / (time.perf_counter() - t)


def pool_tasks(n: int, one_by_one: int) -> tuple[float, float]:
    """The same for pebble's pool of 2 forked workers, as ``reportgen batch -j 2``."""
    from concurrent.futures import wait

    from pebble import ProcessPool

    with ProcessPool(max_workers=2, context=multiprocessing.get_context("fork")) as pool:
        pool.schedule(noop, args=(-1,)).result()
        latencies = []
        for i in range(one_by_one):
            t = time.perf_counter()
            pool.schedule(noop, args=(i,)).result()
            latencies.append(time.perf_counter() - t)
        t = time.perf_counter()
        wait([pool.schedule(noop, args=(i,)) for i in range(n)])
        return statistics.median(latencies), n / (time.perf_counter() - t)


def cluster_start() -> float:
    """Seconds until a LocalCluster of 2 is checked and warmed by reportgen's plugin."""
    from reportgen.dask_worker import ReportgenPlugin
    from reportgen.distributed import Cluster, fingerprints, parse_scheduler

    t = time.perf_counter()
    with Cluster(parse_scheduler("local:2")) as cluster:
        name = cluster.register(ReportgenPlugin(fingerprints(None)))
        seconds = time.perf_counter() - t
        cluster.unregister(name)
    return seconds


def batch(corpus: Path, out: Path, *engine: str) -> float:
    """Documents/s of one whole ``reportgen batch`` command (fails on a failed unit)."""
    wall, _, _ = _run([*REPORTGEN, "batch", str(corpus), "-o", str(out), "--force", *engine])
    report = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    if report["failed"]:
        raise SystemExit(f"batch {engine}: {report['failed']} units failed")
    return report["units"] / wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=2, help="batch runs of each, interleaved")
    ap.add_argument("--tasks", type=int, default=2000, help="no-op tasks at once")
    ap.add_argument("--one-by-one", type=int, default=200, help="no-op tasks one at a time")
    ap.add_argument("--keep", type=Path, default=None, help="keep the corpus and outputs here")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="reportgen-dask-bench-"))

    d_lat, d_rate = dask_tasks(args.tasks, args.one_by_one)
    p_lat, p_rate = pool_tasks(args.tasks, args.one_by_one)
    print("no-op task, engine already started (2 worker processes):")
    print(f"  one at a time     Dask {d_lat * 1000:6.2f} ms   pebble pool {p_lat * 1000:6.2f} ms")
    print(f"  {args.tasks} at once     Dask {d_rate:7.0f} /s   pebble pool {p_rate:7.0f} /s")
    print(f"LocalCluster(2) started, checked and warmed: {cluster_start():.1f} s")

    corpus = work / "corpus"
    units = make_corpus(args.units, corpus)
    print(f"corpus: {len(units)} units ({corpus})")
    engines = {
        "batch -j 2": ("-j", "2"),
        "--scheduler local:2": ("--scheduler", "local:2"),
        "--scheduler local:2 --collect": ("--scheduler", "local:2", "--collect"),
    }
    best = dict.fromkeys(engines, 0.0)
    for r in range(args.rounds):
        for i, (label, engine) in enumerate(engines.items()):
            rate = batch(corpus, work / f"out-{i}", *engine)
            best[label] = max(best[label], rate)
            print(f"  round {r + 1}: {label:32s} {rate:5.2f} documents/s", flush=True)
    pool = best["batch -j 2"]
    print(f"whole commands, best of {args.rounds} rounds, {len(units)} units:")
    for label, rate in best.items():
        print(f"  {label:32s} {rate:5.2f} documents/s   {rate / pool:.2f} × the local pool")


if __name__ == "__main__":
    main()
