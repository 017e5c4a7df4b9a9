"""Benchmark: ``--pdf`` throughput, resident LibreOffice against a fresh soffice per document.

The same documents (the example built once, copied) are converted three ways, each timed
from the first document to the last, LibreOffice start-up included:

- fresh: ``soffice --convert-to pdf`` per document, one after another (reportgen before
  issue 16; its 目录 has no page numbers);
- resident ×1: one LibreOffice kept running (what ``reportgen build --pdf`` and a batch
  with one instance use), 目录 and fields updated, the .docx's 目录 numbered;
- resident ×2 / fresh ×2: two at a time (a batch's two workers on two cores);
- batch: ``reportgen batch -j 2 --pdf`` of as many copies of the example workbook, whole
  (documents built and converted), with one or two resident instances, and with the
  resident side disabled so each worker's PDF comes from a fresh soffice (as before).

Prints documents per second and the ratios. No timed test asserts on them.

    python bench/pdf_throughput.py [--docs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "inputs" / "example" / "2021年度玉溪市互联网信息办公室.xlsx"


def _copies(docx: Path, folder: Path, n: int) -> list[Path]:
    out = []
    for i in range(n):
        d = folder / f"d{i}" / docx.name
        d.parent.mkdir(parents=True)
        shutil.copyfile(docx, d)
        out.append(d)
    return out


def _timed(convert, docs: list[Path], parallel: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(convert, docs))
    return time.perf_counter() - started


def _batch(folder: Path, n: int, env: dict[str, str]) -> float:
    """Documents per second of a whole ``reportgen batch -j 2 --pdf`` with ``env`` set."""
    from reportgen.batch import run_batch

    units = folder / "in"
    units.mkdir(parents=True)
    for i in range(n):
        shutil.copyfile(EXAMPLE, units / f"u{i}.xlsx")
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            summary = run_batch(units, folder / "out", jobs=2, pdf=True, progress_stream=quiet)
        seconds = time.perf_counter() - started
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert len(list((folder / "out").glob("*/*.pdf"))) == n, summary.failed
    return n / seconds


def main() -> None:
    from reportgen import build
    from reportgen.pdf import Converter, find_soffice, fonts, fresh

    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=5)
    args = ap.parse_args()
    soffice = find_soffice()
    if soffice is None:
        sys.exit("LibreOffice not installed")
    subs = fonts.plan(fonts.installed_families() or [])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        docx = build(EXAMPLE, work / "built").path
        results = {}
        for name, parallel in (
            ("fresh ×1", 1),
            ("resident ×1", 1),
            ("fresh ×2", 2),
            ("resident ×2", 2),
        ):
            docs = _copies(docx, work / name.replace(" ", "_"), args.docs)
            if name.startswith("fresh"):
                seconds = _timed(
                    lambda d: (d.with_suffix(".pdf")).write_bytes(
                        fresh.convert(soffice, d, subs, 240)
                    ),
                    docs,
                    parallel,
                )
            else:
                with Converter(parallel) as conv:
                    seconds = _timed(conv.convert, docs, parallel)
                    starts = conv.starts
                assert starts == parallel, starts
            results[name] = args.docs / seconds
            print(
                f"{name:12s} {args.docs} documents in {seconds:6.1f} s: {results[name]:.3f} documents/s"
            )
        for name, env in (
            ("batch fresh", {"REPORTGEN_UNO_PYTHON": sys.executable}),  # no uno: fresh soffice
            ("batch resident ×1", {"REPORTGEN_PDF_INSTANCES": "1"}),
            ("batch resident ×2", {"REPORTGEN_PDF_INSTANCES": "2"}),
        ):
            results[name] = _batch(work / name.replace(" ", "_"), args.docs, env)
            print(f"{name:18s} {args.docs} units: {results[name]:.3f} documents/s")
    print(f"resident ×1 / fresh ×1 = {results['resident ×1'] / results['fresh ×1']:.2f}")
    print(f"resident ×2 / fresh ×2 = {results['resident ×2'] / results['fresh ×2']:.2f}")
    for k in ("×1", "×2"):
        ratio = results[f"batch resident {k}"] / results["batch fresh"]
        print(f"batch resident {k} / batch fresh = {ratio:.2f}")
    print(f"(load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
