"""Benchmark: single document, batch at -j 1 and -j 2, and the naive baseline.

Builds a synthetic corpus of N realistic units from three real departments (seed 001's
large unit with 17 项目支出绩效自评表, seed 002's small unit with 政府性基金, seed 004's unit
with all-zero 三公 and no 政府性基金), scaled by whole factors so every 勾稽 still holds,
some without last year's figures (图1/4/5 replaced) and some without 绩效自评 tables.
Prints every figure from one run; targets from issue 7 are printed beside them.

    python bench/run.py [--units 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]


def _scale(data, k: int):
    """Multiply every amount in 元 by k (exact: sums stay sums)."""
    d = copy.deepcopy(data)

    def mul(v):
        return v * k if isinstance(v, Decimal) else v

    for coded in d.coded.values():
        coded.rows = [(c, n, {key: mul(v) for key, v in vals.items()}) for c, n, vals in coded.rows]
        if coded.total:
            coded.total = {key: mul(v) for key, v in coded.total.items()}
    for table in (d.summary_items, d.summary_classes):
        for items in table.values():
            for key, cols in items.items():
                items[key] = {c: mul(v) for c, v in cols.items()}
    d.economic = {c: mul(v) for c, v in d.economic.items()}
    d.personnel_total, d.public_total = mul(d.personnel_total), mul(d.public_total)
    d.sangong = {
        key: (mul(b), a if key in _COUNTS else mul(a)) for key, (b, a) in d.sangong.items()
    }
    for sheet in ("上年决算数", "政府采购"):
        d.kv[sheet] = {label: mul(v) for label, v in d.kv.get(sheet, {}).items()}
    d.budgets = [tuple(mul(v) for v in row) for row in d.budgets]
    return d


def make_corpus(n: int, folder: Path) -> list[Path]:
    from build_example import example_data
    from seed002_data import seed002_data
    from seed004_data import seed004_data

    from reportgen import codes
    from reportgen.layouts import SANGONG_COUNT_KEYS
    from reportgen.workbook import write_workbook

    global _COUNTS
    _COUNTS = SANGONG_COUNT_KEYS
    bases = [(example_data(), 2021), (seed002_data(), 2021), (seed004_data(), 2023)]
    names = {y: codes.economic_name_map(y) for y in (2021, 2023)}
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        base, year = bases[i % 3]
        d = _scale(base, 1 + (i // 3) % 5)
        name = f"{d.department}（单位{i + 1:04d}）"
        d.department = name
        d.kv["单位基本情况"] = {**d.kv["单位基本情况"], "部门名称": name}
        if i % 5 == 4:  # no last-year figures: 图1/4/5 replaced by sentences
            d.kv["上年决算数"] = {}
            d.kv["变动原因"] = {}
        if i % 7 == 6:  # no 绩效自评 tables
            d.projects, d.overall_text, d.overall_table = [], [], {}
            d.kv["预算绩效管理"] = {}
        path = folder / f"unit{i + 1:04d}.xlsx"
        write_workbook(path, d, names=names[year])
        paths.append(path)
    return paths


def single_document(unit: Path, out: Path, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(
            ["reportgen", "build", str(unit), "-o", str(out)], check=True, capture_output=True
        )
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def batch(corpus: Path, out: Path, jobs: int) -> tuple[float, float, dict]:
    t = time.perf_counter()
    proc = subprocess.run(
        ["reportgen", "batch", str(corpus), "-o", str(out), "-j", str(jobs), "--force"],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t
    report = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    if report["failed"]:
        print(proc.stderr[-2000:])
        raise SystemExit(f"batch -j {jobs}: {report['failed']} units failed")
    return wall, report["units"] / wall, report


def naive(units: list[Path], out: Path, parallel: int = 2) -> float:
    def one(unit: Path) -> None:
        subprocess.run(
            ["reportgen", "build", str(unit), "-o", str(out / unit.stem)],
            check=True,
            capture_output=True,
        )

    t = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(one, units))
    return len(units) / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--keep", type=Path, default=None, help="keep the corpus and outputs here")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="reportgen-bench-"))
    corpus = work / "corpus"
    t = time.perf_counter()
    units = make_corpus(args.units, corpus)
    print(f"corpus: {len(units)} units in {time.perf_counter() - t:.1f} s ({corpus})")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")

    single = single_document(units[0], work / "single")
    print(
        f"single document (whole process, seed 001's unit, median of 3): {single:.2f} s   target <= 2.0 s"
    )

    wall1, rate1, _ = batch(corpus, work / "batch-j1", 1)
    print(f"batch -j 1: {rate1:.2f} documents/s ({wall1:.1f} s for {len(units)})")
    wall2, rate2, rep2 = batch(corpus, work / "batch-j2", 2)
    print(f"batch -j 2: {rate2:.2f} documents/s ({wall2:.1f} s for {len(units)})   target >= 2.8")
    rss = max(r["peak_rss_mb"] for r in rep2["results"])
    print(f"peak RSS per worker: {rss:.0f} MB   target <= 250 MB")

    naive_rate = naive(units, work / "naive", 2)
    print(
        f"naive baseline (fresh `reportgen build` per unit, 2 at a time): {naive_rate:.2f} documents/s"
    )
    print(f"batch -j 2 / naive: {rate2 / naive_rate:.2f}x   target >= 3.5x")


if __name__ == "__main__":
    main()
