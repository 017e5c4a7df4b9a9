"""Generate the documents of many units at once: isolated, resumable, summarised.

Each workbook under the input folder is one unit. An *executor* runs the units that are
not done yet: by default :class:`LocalPool`, worker processes forked after the parent has
imported everything and loaded fonts and the wording pack, so a worker starts warm; or
a Dask cluster (:mod:`reportgen.distributed`, ``--scheduler``). A unit's error (错误 in
its data) or crash (an exception, or the worker process dying) is recorded for that unit
only; the pool (pebble) replaces a dead worker and goes on.

Outputs are written atomically (temporary file + rename) under ``OUT_DIR/<unit>/``. A
manifest (``OUT_DIR/.reportgen-manifest.json``, rewritten atomically after every unit)
records each unit's content hash (input bytes, wording pack files, reportgen version,
options) and outcome, so a rerun after an interruption or a crash skips what is done.
At the end ``汇总.xlsx`` (one row per unit with links, and every finding) and
``汇总.json`` are written for the finance bureau.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import re
import resource
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from . import __version__
from .atomic import explain
from .codes import load_table
from .findings import InputError, has_errors, to_text
from .narrative import Pack, TemplateProblem
from .paths import safe_filename
from .profiles import packs_for

SUCCESS, WARNED, FAILED, CRASHED = "成功", "有警告", "有错误", "异常"
MANIFEST = ".reportgen-manifest.json"
UNIT_TIMEOUT_S = 600
SUFFIXES = {".xlsx", ".xls"}


@dataclass
class UnitResult:
    unit: str  # path relative to the input folder
    status: str
    department: str = ""
    year: int | None = None
    files: list[str] = field(default_factory=list)  # relative to OUT_DIR
    findings: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""
    peak_rss_mb: float = 0.0
    hash: str = ""
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.status in (SUCCESS, WARNED)


# --- finding the units and their fingerprints ---------------------------------------


def find_units(input_dir: Path) -> list[Path]:
    """Every workbook under ``input_dir`` (Excel's ~$ lock files and hidden files skipped)."""
    return sorted(
        p
        for p in Path(input_dir).rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", "."))
    )


def pack_fingerprint(pack: Pack) -> str:
    h = hashlib.sha256()
    for d in pack.dirs:
        for f in sorted(d.rglob("*")):
            if f.is_file():
                h.update(str(f.relative_to(d)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unit_hash(path: Path, pack_hash: str, options: str) -> str:
    h = hashlib.sha256()
    h.update(path.read_bytes())
    h.update(pack_hash.encode())
    h.update(__version__.encode())
    h.update(options.encode())
    return h.hexdigest()


# --- one unit, in a worker ---------------------------------------------------------------


def _finding_dicts(findings) -> list[dict]:
    return [asdict(f) for f in findings]


def run_unit(
    src: str,
    unit: str,
    out_dir: str,
    template: str | None,
    template_dir: str | None,
    pdf: bool,
    codes_files: tuple[str, ...] = (),
    charts: str | None = None,
    pdf_via=None,
) -> dict:
    """Build one unit's document; never raises (the outcome says what happened).
    ``pdf_via``: the address of the batch's resident LibreOffice (reportgen.pdf.service)."""
    from .atomic import OutputError, write_atomic
    from .pipeline import build

    started = time.perf_counter()
    folder = unit_folder(unit)
    target = Path(out_dir) / folder
    result = UnitResult(unit, SUCCESS)
    try:
        built = build(
            src,
            target,
            template=template,
            template_dir=template_dir,
            codes_files=codes_files,
            charts=charts,
        )
        result.files = [built.path.name] + ([built.report_path.name] if built.report_path else [])
        result.findings = _finding_dicts(built.findings)
        result.status = WARNED if built.findings else SUCCESS
        result.department, result.year = built.department, built.year
        if pdf:
            from .pdf import PdfError, convert

            try:
                made = convert(built.path, via=pdf_via)
                result.files.append(made.path.name)
                if made.fallback:  # a PDF whose 目录 has no page numbers: say why
                    result.message = made.notes()[-1]
            except PdfError as exc:
                result.status, result.message = WARNED, str(exc).splitlines()[0]
    except InputError as exc:
        result.status = FAILED
        result.findings = _finding_dicts(exc.findings)
        result.message = "输入有错误，未生成文档。" if has_errors(exc.findings) else ""
        try:
            report = target / "审核结果.txt"
            write_atomic(report, to_text(exc.findings).encode("utf-8"))
            result.files = [report.name]
        except OutputError as out_exc:
            result.status, result.message = CRASHED, out_exc.reason
    except TemplateProblem as exc:  # the wording pack's fault, not the workbook's
        result.status = FAILED
        result.message = (
            "词句包（文档模板）有问题，未生成文档；工作簿本身无需修改。"
            f"请将以下说明转给模板维护人员：{exc}"
        )
    except OutputError as exc:  # disk full, read-only: not the unit's fault, so retried
        result.status, result.message, result.files = CRASHED, exc.reason, []
    except Exception:  # noqa: BLE001 - isolation: any failure is this unit's only
        result.status = CRASHED
        result.message = (
            "内部错误：生成该单位时出现意外问题，未生成文档。请将汇总中的说明反馈给维护人员。"
        )
        result.findings = [
            {
                "severity": "错误",
                "rule": "EX-01",
                "message": _without_paths(traceback.format_exc(limit=3).strip().splitlines()[-1]),
                "where": "",
                "expected": "",
                "found": "",
            }
        ]
    result.files = [str((folder / f).as_posix()) for f in result.files]
    # the document's python-docx objects form reference cycles holding its XML trees:
    # collected now, not at some later full collection while the next units build
    # (a worker's peak RSS stayed at 125 MB over 80 units with this, reached 190 without)
    gc.collect()
    result.seconds = round(time.perf_counter() - started, 3)
    result.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return asdict(result)


def _without_paths(text: str) -> str:
    """An exception line with absolute paths cut to their last part (the summary and the
    web page may be read by people who must not learn the server's folders)."""
    return re.sub(r"(?:/[^\s/'\"]+)+/([^\s/'\"]+)", r"…/\1", text)


def unit_folder(unit: str) -> Path:
    """The output folder of a unit: its workbook's path under the input folder without
    the suffix, each part made a safe file name (the names are the user's)."""
    parts = Path(unit).with_suffix("").parts
    return Path(*(safe_filename(p) for p in parts)) if parts else Path("未命名")


def warm_up(template: str | None, template_dir: str | None, engine: str | None = None) -> None:
    """Import and load everything once in the parent, so forked workers start warm:
    modules, fonts, the wording pack's compiled templates, matplotlib's glyph cache, and
    python-pptx when native charts are drawn."""
    import gc
    from decimal import Decimal

    from . import charts, pipeline  # noqa: F401 - imported for their side effects
    from .narrative import make_env

    charts.setup_fonts()
    packs = packs_for(template, Path(template_dir) if template_dir else None)
    if engine == "native" or any(p.settings.get("chart_engine") == "native" for p in packs):
        from . import native_charts

        native_charts.warm_up()
    for pack in packs:
        env = make_env(pack)
        for name in pack.settings.get("sections", []):
            env.get_template(f"sections/{name}")
    labels = "0123456789.,%万元年度收入支出总计合计基本项目一般公共预算财政拨款政府性基金"
    charts.draw(
        charts.ChartSpec(
            "fig1",
            1,
            labels,
            "bars",
            groups=(labels[:8], labels[8:20]),
            series=(("2020年度", (Decimal(1), Decimal(2))), ("2021年度", (Decimal(3), Decimal(4)))),
        )
    )
    charts.draw(
        charts.ChartSpec("fig2", 2, labels, "pie", slices=((labels, Decimal(1), Decimal(100)),))
    )
    # what the parent holds is never garbage: keep the collector off it in every worker
    gc.collect()
    gc.freeze()


def _worker_init() -> None:
    """A worker builds many small object graphs (XML, figures) that die with the unit:
    collecting them every 700 allocations costs a tenth of the time."""
    import gc

    gc.set_threshold(50_000, 20, 20)


# --- the batch -------------------------------------------------------------------------


@dataclass
class BatchSummary:
    results: list[UnitResult]
    seconds: float
    workers: int
    #: how the units were run (``kind``: ``pool``, or ``dask`` with ``scheduler`` and
    #: ``outputs``: ``shared``, written by the workers, or ``collect``, by this process)
    engine: dict = field(default_factory=lambda: {"kind": "pool"})

    @property
    def failed(self) -> list[UnitResult]:
        return [r for r in self.results if not r.ok]

    @property
    def exit_code(self) -> int:
        return 2 if self.failed else 0


@dataclass(frozen=True)
class BatchJob:
    """What every unit of one batch is built with: the arguments of :func:`run_unit`
    besides the unit itself, the same whichever executor runs it."""

    out_dir: Path
    template: str | None = None
    template_dir: str | None = None
    pdf: bool = False
    codes_files: tuple[str, ...] = ()
    charts: str | None = None
    stream: object = None  # where notes of the executor go (the progress stream)


@dataclass(frozen=True)
class Task:
    """One unit to build: its workbook, its name under the input folder, its hash."""

    path: Path
    unit: str
    digest: str


#: ``done(task, result)``: what an executor calls as each unit finishes, in this process
Done = Callable[[Task, UnitResult], None]


class Executor(Protocol):
    """Runs a batch's units somewhere and reports each outcome through ``done``; the
    manifest, the skipping, the progress bar and the summary are :func:`run_batch`'s.

    A unit's failure or crash is its outcome (a :class:`UnitResult`), never an
    exception; ``run`` raises only what stops the whole batch (KeyboardInterrupt, an
    engine that refuses to work), after stopping its workers.
    """

    workers: int
    engine: dict

    def run(self, job: BatchJob, tasks: list[Task], done: Done) -> None: ...


class LocalPool:
    """Worker processes on this machine (pebble), forked after the parent has warmed up
    (:func:`warm_up`), each unit with a timeout; a dead worker is replaced by the pool
    and only its unit is marked 异常."""

    engine = {"kind": "pool"}

    def __init__(self, jobs: int | None = None):
        self.workers = jobs or os.cpu_count() or 1

    def run(self, job: BatchJob, tasks: list[Task], done: Done) -> None:
        from pebble import ProcessExpired, ProcessPool

        warm_up(job.template, job.template_dir, job.charts)
        service = _pdf_service(self.workers) if job.pdf else None
        pool = ProcessPool(
            max_workers=min(self.workers, len(tasks)), context=multiprocessing.get_context("fork")
        )
        try:
            futures = {
                pool.schedule(
                    run_unit,
                    args=unit_args(job, str(task.path), task.unit, str(job.out_dir)),
                    kwargs={"pdf_via": service.address} if service else {},
                    timeout=UNIT_TIMEOUT_S,
                ): task
                for task in tasks
            }
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    task = futures[fut]
                    done(task, outcome(fut, task.unit, ProcessExpired))
        except KeyboardInterrupt:
            pool.stop()
            pool.join()
            raise
        finally:
            if service is not None:  # no soffice outlives the batch
                _close_pdf_service(service, job.stream or sys.stderr)
        pool.close()
        pool.join()


def unit_args(job: BatchJob, src: str, unit: str, out_dir: str) -> tuple:
    """The positional arguments of :func:`run_unit` for one unit of ``job``."""
    return (
        src,
        unit,
        out_dir,
        job.template,
        job.template_dir,
        job.pdf,
        job.codes_files,
        job.charts,
    )


class _Progress:
    """A progress bar on a terminal (tqdm), plain lines otherwise (logs, CI, the web)."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.failed = total, 0, 0
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.bar = None
        if self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="个", desc="生成", file=self.stream)

    def update(self, r: UnitResult) -> None:
        self.done += 1
        self.failed += 0 if r.ok else 1
        if self.bar is not None:
            self.bar.set_postfix_str(f"失败 {self.failed}")
            self.bar.update(1)
            return
        elapsed = time.perf_counter() - self.started
        eta = elapsed / self.done * (self.total - self.done) if self.done else 0
        tail = "（已完成，跳过）" if r.skipped else f"（{r.seconds:.1f} 秒）"
        print(
            f"[{self.done}/{self.total}] {r.status} {r.unit}{tail} 失败 {self.failed} "
            f"预计剩余 {int(eta // 60):02d}:{int(eta % 60):02d}",
            file=self.stream,
            flush=True,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_batch(
    input_dir: str | Path,
    out_dir: str | Path,
    jobs: int | None = None,
    template: str | None = None,
    template_dir: str | Path | None = None,
    pdf: bool = False,
    force: bool = False,
    progress_stream=None,
    codes_files: tuple[str | Path, ...] = (),
    charts: str | None = None,
    executor: Executor | None = None,
) -> BatchSummary:
    """Generate every unit under ``input_dir`` into ``out_dir``; see the module docstring.

    ``codes_files`` (user code tables) are checked first: a bad one stops the batch with
    :class:`~reportgen.codes.CodeFileError`; their contents are part of each unit's hash.
    ``executor`` runs the units that are not done yet (default: :class:`LocalPool` of
    ``jobs`` processes; :mod:`reportgen.distributed` runs them on a Dask cluster); the
    manifest, resume, progress and summary are the same whichever runs them.
    """
    from .batch_report import write_summary

    started = time.perf_counter()
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise explain(exc, out_dir) from exc
    _remove_stale_temporaries(out_dir)
    packs = packs_for(template, Path(template_dir) if template_dir else None)
    pack_hash = hashlib.sha256("".join(map(pack_fingerprint, packs)).encode()).hexdigest()
    code_files = tuple(str(p) for p in codes_files)
    load_table([Path(p) for p in code_files])  # fail fast, before any unit
    settings: dict = {"template": template, "pdf": pdf}
    if charts:  # another figure engine redoes every unit
        settings["charts"] = charts
    if code_files:  # a changed code table redoes every unit
        settings["codes"] = [_file_hash(Path(p)) for p in code_files]
    options = json.dumps(settings)
    manifest = _read_manifest(out_dir)
    units = find_units(input_dir)
    progress = _Progress(len(units), progress_stream)
    results: dict[str, UnitResult] = {}
    todo: list[Task] = []
    for path in units:
        unit = path.relative_to(input_dir).as_posix()
        digest = unit_hash(path, pack_hash, options)
        done = manifest.get(unit)
        if not force and _finished(done, digest) and _outputs_exist(out_dir, done):
            r = UnitResult(**{**done, "skipped": True})
            results[unit] = r
            progress.update(r)
        else:
            todo.append(Task(path, unit, digest))
    executor = executor or LocalPool(jobs)

    def record(task: Task, r: UnitResult) -> None:
        r.hash = task.digest
        results[task.unit] = r
        manifest[task.unit] = asdict(r)
        _write_manifest(out_dir, manifest)
        progress.update(r)

    if todo:
        tdir = str(template_dir) if template_dir else None
        job = BatchJob(out_dir, template, tdir, pdf, code_files, charts, progress.stream)
        try:
            executor.run(job, todo, record)
        except BaseException:  # Ctrl-C, or an engine that refused: what is done stays done
            _remove_stale_temporaries(out_dir)
            progress.close()
            raise
    progress.close()
    ordered = [results[p.relative_to(input_dir).as_posix()] for p in units]
    seconds = round(time.perf_counter() - started, 2)
    summary = BatchSummary(ordered, seconds, executor.workers, dict(executor.engine))
    write_summary(out_dir, summary)
    return summary


def _pdf_service(jobs: int):
    """Resident LibreOffice shared by the workers (started on the first PDF)."""
    from .pdf import default_instances
    from .pdf.service import PdfService

    service = PdfService(default_instances(jobs))
    service.start()
    return service


def _close_pdf_service(service, stream) -> None:
    """Stop the instances; say once which fonts the PDFs replaced."""
    from .pdf import fonts

    if service.converter.starts:
        note = fonts.note(service.converter.subs)
        if note:
            print(note, file=stream, flush=True)
    service.close()


def outcome(fut, unit: str, expired_type) -> UnitResult:
    """A unit's result from its future; a dead worker or a timeout is a crash of the unit
    (told in Chinese: the summary and the web page show it to accountants)."""
    try:
        return UnitResult(**fut.result())
    except expired_type as exc:  # the worker died (segfault, out of memory, killed)
        code = getattr(exc, "exitcode", None)
        tail = f"，退出码 {code}" if code is not None else ""
        return UnitResult(
            unit,
            CRASHED,
            message=f"工作进程意外退出（可能内存不足或被终止{tail}），将在下次运行时重试。",
        )
    except TimeoutError:
        return UnitResult(unit, CRASHED, message=f"超过 {UNIT_TIMEOUT_S} 秒未完成，已中止。")
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        return UnitResult(unit, CRASHED, message="内部错误：该单位未能生成，已记录。")


# --- manifest -----------------------------------------------------------------------


def _read_manifest(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_manifest(out_dir: Path, manifest: dict) -> None:
    from .atomic import write_atomic

    write_atomic(out_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())


def _finished(entry: dict | None, digest: str) -> bool:
    """A unit recorded with this very content and an outcome of its own making (a
    document, or findings in its data); a crash (a worker killed, a disk full) is not
    the unit's outcome and is tried again."""
    return bool(entry) and entry.get("hash") == digest and entry.get("status") != CRASHED


def _outputs_exist(out_dir: Path, entry: dict) -> bool:
    return all((out_dir / f).exists() for f in entry.get("files", []))


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files of writes that never finished (killed worker, Ctrl-C)."""
    for tmp in out_dir.rglob(".*.tmp"):
        tmp.unlink(missing_ok=True)
