"""Benchmark: reportgen against the matplotlib + docxtpl floor, measured in one run.

Builds a synthetic corpus of N realistic units from three real departments (seed 001's
large unit with 17 项目支出绩效自评表, seed 002's small unit with 政府性基金, seed 004's unit
with all-zero 三公 and no 政府性基金), scaled by whole factors so every 勾稽 still holds,
some without last year's figures (图1/4/5 replaced) and some without 绩效自评 tables.

Every figure is printed as a ratio to the floor (bench/floor.py: the same documents,
page for page, written by matplotlib and docxtpl alone from ready-made content),
measured in the same run on the same machine, with issue 16's targets beside them:

- batch documents/s, ``reportgen batch -j 2`` against the floor's warmed forked pool of
  2, both as whole commands, the best of ``--rounds`` interleaved runs (other load on the
  machine only ever slows a run): ≥ 1.0 × with matplotlib figures, ≥ 1.5 × with native
  charts;
- one document as a fresh process (median of ``--repeat``, interleaved): ≤ 1.0 × the
  floor's with matplotlib, ≤ 0.8 × with native charts;
- peak RSS per worker ≤ 200 MB;
- ``--pdf`` documents/s with the resident LibreOffice against a fresh soffice per
  document (bench/pdf_throughput.py), when LibreOffice is installed;
- with ``--issue7``, also issue 7's figures (batch -j 1, the naive one-process-per-unit
  baseline).

The commands run the checkout (``python -m reportgen.cli`` with it on PYTHONPATH), not
an installed copy. No test asserts on any of these times.

    python bench/run.py [--units 200] [--rounds 2] [--repeat 5] [--pdf-docs 4] [--keep DIR]
                        [--issue7]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import shutil
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
FLOOR = ROOT / "bench" / "floor.py"
#: the checkout's reportgen, whatever is installed
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
REPORTGEN = [sys.executable, "-m", "reportgen.cli"]


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
        if i % 5 == 4:  # founded this year, no last-year figures: 图1/4/5 replaced
            d.kv["上年决算数"] = {"本年新成立单位": "是"}
            d.kv["变动原因"] = {}
        if i % 7 == 6:  # no 绩效自评 tables
            d.projects, d.overall_text, d.overall_table = [], [], {}
            d.kv["预算绩效管理"] = {}
        path = folder / f"unit{i + 1:04d}.xlsx"
        write_workbook(path, d, names=names[year])
        paths.append(path)
    return paths


def _run(cmd: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (the command and its children) of one command, its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, proc.stdout


def single_documents(unit: Path, content: Path, work: Path, repeat: int) -> dict:
    """Median wall and CPU of one document as a fresh process: the floor, reportgen with
    matplotlib figures, with native charts; interleaved, so load affects all alike."""
    work.mkdir(parents=True, exist_ok=True)
    cmds = {
        "floor": [sys.executable, str(FLOOR), "one", str(content), str(work / "floor.docx")],
        "matplotlib": [*REPORTGEN, "build", str(unit), "-o", str(work / "mpl")],
        "native": [
            *REPORTGEN,
            "build",
            str(unit),
            "-o",
            str(work / "native"),
            "--charts",
            "native",
        ],
    }
    for cmd in cmds.values():  # caches (fonts, compiled templates) as on any second run
        _run(cmd)
    times = {k: [] for k in cmds}
    for _ in range(repeat):
        for key, cmd in cmds.items():
            times[key].append(_run(cmd)[:2])
    return {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for k, v in times.items()
    }


def batch(corpus: Path, out: Path, jobs: int, *extra: str) -> tuple[float, float, dict]:
    """Documents/s of a whole ``reportgen batch`` command, its CPU seconds per document
    (all its processes), and its 汇总.json."""
    cmd = [*REPORTGEN, "batch", str(corpus), "-o", str(out), "-j", str(jobs), "--force", *extra]
    wall, cpu, _ = _run(cmd)
    report = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    if report["failed"]:
        raise SystemExit(f"batch {extra}: {report['failed']} units failed")
    return report["units"] / wall, cpu / report["units"], report


def prepare_floor(units: list[Path], outputs: Path, folder: Path) -> list[Path]:
    """The floor's content for each unit, from reportgen's own document of it (untimed)."""
    folder.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(FLOOR.parent))
    import floor

    floor.make_template()
    contents = []
    for unit in units:
        (docx,) = (outputs / unit.stem).glob("*.docx")
        content = floor.content_of(unit, docx)
        path = folder / f"{unit.stem}.json"
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        contents.append(path)
    return contents


def floor_batch(contents: Path, out: Path, jobs: int) -> tuple[float, float, float, float]:
    """The floor's documents/s as a whole command, its warmed pool's own rate, its RSS,
    its CPU seconds per document."""
    n = len(list(contents.glob("*.json")))
    cmd = [sys.executable, str(FLOOR), "batch", str(contents), str(out), "-j", str(jobs)]
    wall, cpu, stdout = _run(cmd)
    inner = json.loads(stdout.strip().splitlines()[-1])
    return n / wall, inner["documents_per_s"], inner["peak_rss_mb"], cpu / n


def pages(docx: Path) -> int | None:
    """Page count of ``docx`` as LibreOffice lays it out (None without LibreOffice)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdfinfo") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp, "profile").as_uri()
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
             "--outdir", tmp, str(docx)],
            capture_output=True, check=True, timeout=300,
        )  # fmt: skip
        info = subprocess.run(
            ["pdfinfo", str(Path(tmp, docx.stem + ".pdf"))], capture_output=True, text=True
        ).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))


def naive(units: list[Path], out: Path, parallel: int = 2) -> float:
    """Issue 7's baseline: a fresh ``reportgen build`` per unit, ``parallel`` at a time."""

    def one(unit: Path) -> None:
        _run([*REPORTGEN, "build", str(unit), "-o", str(out / unit.stem)])

    t = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(one, units))
    return len(units) / (time.perf_counter() - t)


def _ratio(ours: float, floor: float, target: str) -> str:
    return f"{ours / floor:.2f} × the floor   target {target}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5, help="fresh-process runs of each")
    ap.add_argument("--rounds", type=int, default=2, help="batch runs of each, interleaved")
    ap.add_argument("--pdf-docs", type=int, default=4, help="documents for --pdf (0: skip)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the corpus and outputs here")
    ap.add_argument("--issue7", action="store_true", help="also batch -j 1 and the naive way")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="reportgen-bench-"))
    corpus = work / "corpus"
    t = time.perf_counter()
    units = make_corpus(args.units, corpus)
    print(f"corpus: {len(units)} units in {time.perf_counter() - t:.1f} s ({corpus})")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")

    rates: dict[str, list[float]] = {"floor": [], "warmed floor": [], "mpl": [], "native": []}
    cpus: dict[str, list[float]] = {"floor": [], "mpl": [], "native": []}
    for r in range(args.rounds):  # interleaved; the best of each (load only slows)
        rate, cpu, rep_mpl = batch(corpus, work / "batch-mpl", 2)
        rates["mpl"].append(rate)
        cpus["mpl"].append(cpu)
        if r == 0:
            contents = prepare_floor(units, work / "batch-mpl", work / "floor-content")
        rate, warmed, rss_floor, cpu = floor_batch(work / "floor-content", work / "floor", 2)
        rates["floor"].append(rate)
        rates["warmed floor"].append(warmed)
        cpus["floor"].append(cpu)
        rate, cpu, rep_native = batch(corpus, work / "batch-native", 2, "--charts", "native")
        rates["native"].append(rate)
        cpus["native"].append(cpu)
    best = {k: max(v) for k, v in rates.items()}
    least = {k: min(v) for k, v in cpus.items()}
    print("batch -j 2 documents/s, each round: "
          + "; ".join(f"{k} " + ", ".join(f"{x:.2f}" for x in v) for k, v in rates.items()))  # fmt: skip
    print(f"floor, batch -j 2 (whole command, best of {args.rounds}): {best['floor']:.2f} "
          f"documents/s (its warmed pool alone: {best['warmed floor']:.2f})")  # fmt: skip
    print(
        f"batch -j 2, matplotlib figures: {best['mpl']:.2f} documents/s = "
        + _ratio(best["mpl"], best["floor"], ">= 1.0")
    )
    print(
        f"batch -j 2, native charts: {best['native']:.2f} documents/s = "
        + _ratio(best["native"], best["floor"], ">= 1.5")
    )
    print(f"CPU seconds per document (all processes, least of {args.rounds}): floor "
          f"{least['floor']:.3f}, matplotlib {least['mpl']:.3f} "
          f"({least['floor'] / least['mpl']:.2f} × the floor's documents per CPU second), "
          f"native {least['native']:.3f} ({least['floor'] / least['native']:.2f} ×)")  # fmt: skip

    first = units[0]  # seed 001's unit: 17 项目支出绩效自评表, 7 charts
    single = single_documents(first, contents[0], work / "single", args.repeat)
    (fw, fc) = single["floor"]
    print(f"floor, one document (fresh process, median of {args.repeat}): {fw:.2f} s "
          f"(CPU {fc:.2f} s)")  # fmt: skip
    for key, target in (("matplotlib", "<= 1.0"), ("native", "<= 0.8")):
        w, c = single[key]
        print(
            f"one document, {key}: {w:.2f} s (CPU {c:.2f} s) = "
            + _ratio(w, fw, target)
            + f"   (CPU {c / fc:.2f} ×)"
        )
    n_ours = pages(next((work / "batch-mpl" / first.stem).glob("*.docx")))
    n_floor = pages(work / "floor" / f"{first.stem}.docx")
    if n_ours is not None:
        print(f"pages of that document: reportgen {n_ours}, floor {n_floor}")

    rss = {k: max(r["peak_rss_mb"] for r in rep["results"])
           for k, rep in (("matplotlib", rep_mpl), ("native", rep_native))}  # fmt: skip
    print(f"peak RSS per worker: matplotlib {rss['matplotlib']:.0f} MB, native "
          f"{rss['native']:.0f} MB (floor {rss_floor:.0f} MB)   target <= 200 MB")  # fmt: skip

    if args.issue7:
        rate1, _, _ = batch(corpus, work / "batch-j1", 1)
        print(f"batch -j 1: {rate1:.2f} documents/s")
        naive_rate = naive(units, work / "naive", 2)
        print(f"naive (fresh `reportgen build` per unit, 2 at a time): {naive_rate:.2f} "
              f"documents/s; batch -j 2 / naive: {best['mpl'] / naive_rate:.2f}×")  # fmt: skip
    if args.pdf_docs and (shutil.which("soffice") or shutil.which("libreoffice")):
        print("--pdf (bench/pdf_throughput.py):", flush=True)
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "pdf_throughput.py"), "--docs",
             str(args.pdf_docs)],
            cwd=ROOT, env=ENV, check=True,
        )  # fmt: skip
    print(f"(load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
