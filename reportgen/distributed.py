"""Batch units on a Dask distributed cluster (``reportgen batch --scheduler``).

A province's thousands of units outgrow one machine; its bureau already runs several.
Dask futures are the usual Python engine for "one function over many files", so this
package submits :func:`reportgen.batch.run_unit` once per unit to a Dask cluster
instead of adding a scheduler of its own. What a batch means stays in
:func:`reportgen.batch.run_batch` (manifest and resume, progress, 汇总); this package is
only its executor (:class:`DaskExecutor`); the web server sends its units through
:class:`ClusterUnits`.

- ``--scheduler tcp://host:8786`` connects to a running cluster (``dask scheduler`` and
  ``dask worker`` on each machine, docs/scaling.md); ``--scheduler local[:N]`` starts a
  ``LocalCluster`` of N worker processes on this machine.
- Every worker warms up once and checks itself against this machine through a worker
  plugin (:mod:`reportgen.dask_worker`): the same reportgen version, the same
  profile and wording-pack files; a worker that differs is refused
  with a Chinese message (:class:`ClusterError`) before any unit runs.
- Outputs: the workers write into OUT when it is shared storage (mounted at the same
  path everywhere); with ``--collect`` they get the workbook's bytes, build in a folder
  of their own and send the files back, which this process writes atomically.
- A lost worker costs a unit one more run elsewhere; a unit that two workers died
  building is marked 异常 and the batch goes on. The runs are counted by the workers on
  the scheduler (Dask's own count, behind ``allowed-failures`` and ``KilledWorker``,
  also charges units only queued on the dying worker; it stays as a backstop).

Dask is an optional extra (``pip install "reportgen[dask]"``): this module imports dask
and distributed only when a cluster is used, so the command line can say how to install
them, and ``reportgen`` starts without them (tests/test_startup.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from .batch import CRASHED, UNIT_TIMEOUT_S, BatchJob, Done, Task, UnitResult

INSTALL_HINT = (
    '未安装 Dask：请先运行 pip install "reportgen[dask]"（安装 dask 和 distributed），'
    "再使用 --scheduler。"
)
#: the most worker processes ``local:N`` starts (as ``-j``)
MAX_LOCAL_WORKERS = 64


class DaskUnavailable(Exception):
    """dask or distributed is not installed; the message says how to install them."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


class ClusterError(Exception):
    """The cluster cannot run this batch (unreachable, no workers, a worker unlike this
    machine, folders it cannot see); the message is Chinese and says what to do.
    It stops the batch: every later unit would fail the same way."""


@dataclass(frozen=True)
class Scheduler:
    """Where to run: a running scheduler's ``address``, or (address None) a LocalCluster
    of ``local_workers`` processes. ``label`` is what the user wrote (the summary's)."""

    label: str
    address: str | None = None
    local_workers: int = 0

    @property
    def local(self) -> bool:
        return self.address is None


def parse_scheduler(text: str, jobs: int | None = None) -> Scheduler:
    """``local``, ``local:N``, ``tcp://host:port`` (any Dask protocol) or ``host:port``.
    ``local`` alone starts ``jobs`` workers (default: the CPU count)."""
    text = text.strip()
    if text == "local" or text.startswith("local:"):
        count = text[len("local:") :] if ":" in text else ""
        if count and not (count.isdigit() and 1 <= int(count) <= MAX_LOCAL_WORKERS):
            raise ClusterError(
                f"--scheduler {text}：local: 之后应为 1–{MAX_LOCAL_WORKERS} 的工作进程数，"
                "如 local:4。"
            )
        n = int(count) if count else (jobs or os.cpu_count() or 1)
        return Scheduler(f"local:{n}", None, n)
    if re.fullmatch(r"[a-z0-9+]+://\S+", text):
        return Scheduler(text, text)
    if re.fullmatch(r"[\w.\-]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5}", text):
        return Scheduler(f"tcp://{text}", f"tcp://{text}")
    raise ClusterError(
        f"--scheduler {text}：应为 Dask 调度器的地址（如 tcp://192.168.1.10:8786），"
        "或 local、local:N（在本机启动 N 个工作进程）。"
    )


def require_dask() -> None:
    """Raise :class:`DaskUnavailable` unless dask and distributed can be imported."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise DaskUnavailable() from exc


def dask_executor(scheduler: str, jobs: int | None = None, collect: bool = False):
    """The batch executor for ``--scheduler`` (see :mod:`reportgen.distributed.engine`)."""
    where = parse_scheduler(scheduler, jobs)
    require_dask()
    return DaskExecutor(where, collect=collect)


# --- what a worker must share with this machine -----------------------------------------


def fingerprints(template_dir: str | None = None) -> dict:
    """What makes two machines write the same documents: the reportgen version and the
    files of every profile and wording pack (the bundled ones and those under
    ``template_dir``), each pack by name so that a refusal can name it."""
    from . import __version__
    from .batch import pack_fingerprint
    from .narrative import available_packs, load_pack

    extra = Path(template_dir) if template_dir else None
    packs = {name: pack_fingerprint(load_pack(name, extra)) for name in available_packs(extra)}
    return {"version": __version__, "packs": packs}


def mismatch(expected: dict, actual: dict, worker: str) -> str | None:
    """Why the worker ``worker`` (whose fingerprints are ``actual``) must not build this
    machine's units, in Chinese; None when it matches ``expected``."""
    if actual["version"] != expected["version"]:
        return (
            f"工作进程 {worker} 上的 reportgen 版本为 {actual['version']}，"
            f"本机为 {expected['version']}：请在每台机器上安装同一版本的 reportgen 后重新运行。"
        )
    theirs, ours = actual["packs"], expected["packs"]
    differ = sorted(n for n in ours.keys() | theirs.keys() if ours.get(n) != theirs.get(n))
    if differ:
        return (
            f"工作进程 {worker} 上的版式或词句包文件与本机不同（{'、'.join(differ)}）："
            "请把同样的 templates（及 --template-dir 目录）放到每台机器上后重新运行。"
        )
    return None


# --- the cluster ---------------------------------------------------------------------

#: Dask's own limit of lost workers per task (``distributed.scheduler.allowed-failures``),
#: only a backstop: it also counts tasks merely queued on a dying worker, so 1 would give
#: up innocent units; the units' runs are counted by reportgen.dask_worker (MAX_RUNS)
ALLOWED_FAILURES = 10
CONNECT_TIMEOUT_S = 10
WORKERS_TIMEOUT_S = 60
#: how often the number of in-flight ``--collect`` units follows the cluster's size
WINDOW_REFRESH_S = 10
KILLED = (
    "两个工作进程在生成该单位时先后意外退出（可能内存不足、被终止或超过 "
    f"{UNIT_TIMEOUT_S} 秒未完成），已跳过该单位，将在下次运行时重试。"
)
INTERNAL = "内部错误：该单位未能生成，已记录。"


def _configure(allowed_failures: int):
    """The scheduler settings a batch needs, as a function run on the scheduler (defined
    here, so it travels by value). ``allowed_failures``: the backstop above. One task per
    worker thread at a time for large batches (``worker-saturation`` 1.0; Dask's default
    1.1 sends a one-thread worker two), so few units wait on a worker that may die."""

    def configure(dask_scheduler=None) -> None:
        import math

        dask_scheduler.allowed_failures = allowed_failures
        if math.isfinite(dask_scheduler.WORKER_SATURATION):
            dask_scheduler.WORKER_SATURATION = 1.0

    return configure


class Cluster:
    """A client of a running scheduler, or of a LocalCluster that this process starts
    and stops; use as a context manager."""

    def __init__(self, where: Scheduler):
        self.where = where
        self.client = None
        self._local = None

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        import logging

        from distributed import Client, LocalCluster

        try:
            if self.where.local:
                self._local = LocalCluster(
                    n_workers=self.where.local_workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # the HTTP server on a free port, never 8787
                    silence_logs=logging.CRITICAL,  # the progress lines say what happened
                )
                self.client = Client(self._local)
            else:
                self.client = Client(self.where.address, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError) as exc:
            self.close()
            raise ClusterError(
                f"无法连接 Dask 调度器 {self.where.label}（{exc}）：请确认 dask scheduler 已启动，"
                "地址和端口正确，且防火墙允许访问。"
            ) from exc
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
        except TimeoutError as exc:
            self.close()
            raise ClusterError(
                f"Dask 调度器 {self.where.label} 上 {WORKERS_TIMEOUT_S} 秒内没有工作进程："
                f"请在各台机器上运行 dask worker {self.where.address} --nthreads 1。"
            ) from exc
        try:
            self.client.run_on_scheduler(_configure(ALLOWED_FAILURES))
        except Exception as exc:  # noqa: BLE001 - e.g. a scheduler that runs no functions
            self.close()
            raise ClusterError(
                f"未能设置 Dask 调度器 {self.where.label}（{type(exc).__name__}: {exc}）：请确认调度器"
                "与本机安装了同一版本的 dask、distributed 和 reportgen。"
            ) from exc

    def threads(self) -> dict[str, int]:
        """Each worker's address and thread count, as the scheduler knows them now."""
        return dict(self.client.nthreads())

    def register(self, plugin) -> str:
        """Register ``plugin`` on every worker (and every later one) under a name of its
        own; a worker that refuses it or fails to set it up stops the batch here."""
        import secrets

        name = f"reportgen-{secrets.token_hex(6)}"
        try:
            self.client.register_plugin(plugin, name=name)
        except ClusterError:
            self.unregister(name)
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. a worker without reportgen installed
            self.unregister(name)
            raise ClusterError(
                f"工作进程未能准备好（{type(exc).__name__}: {exc}）：请在每台机器上安装同一版本的"
                ' reportgen（pip install "reportgen[dask]"）后重新运行。'
            ) from exc
        except BaseException:  # Ctrl-C while the workers warm up: leave nothing registered
            self.unregister(name)
            raise
        return name

    def unregister(self, name: str) -> None:
        """Tear the plugin down on the workers (its LibreOffice, its files) and forget
        its units' run counts on the scheduler."""
        from .dask_worker import RUNS

        def forget(dask_scheduler=None) -> None:
            dask_scheduler.task_metadata.get(RUNS, {}).pop(name, None)

        with contextlib.suppress(Exception):
            self.client.unregister_worker_plugin(name)
        with contextlib.suppress(Exception):
            self.client.run_on_scheduler(forget)

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
            self.client = None
        if self._local is not None:
            with contextlib.suppress(Exception):
                self._local.close()
            self._local = None


def _thread_note(threads: dict[str, int]) -> str | None:
    """What to tell about workers started with several threads (None: all have one)."""
    many = sorted(a for a, n in threads.items() if n > 1)
    if not many:
        return None
    return (
        f"注意：工作进程 {'、'.join(many)} 有多个线程。reportgen 在每个工作进程中一次只生成"
        "一个单位，多余的线程空闲；请用 dask worker 地址 --nworkers N --nthreads 1 启动"
        "（N 为该机器的核数）。"
    )


def unit_result(fut, unit: str, collect_into: Path | None = None) -> UnitResult:
    """A unit's outcome from its Dask future; with ``collect_into`` (OUT), the files the
    worker sent back are written there first, as one all-or-nothing group.

    Raises :class:`ClusterError` when the cluster refused the unit (a worker unlike
    this machine) or the connection to the scheduler was lost: that stops the batch.
    """
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    from .atomic import OutputError, write_group

    try:
        payload = fut.result()
    except ClusterError:
        raise
    except KilledWorker:  # Dask's backstop: ALLOWED_FAILURES workers died with it
        return UnitResult(unit, CRASHED, message=KILLED)
    except CancelledError as exc:
        raise ClusterError(
            "与 Dask 调度器的连接中断，批量生成已停止；已完成的单位已记录，重新运行将从中断处继续。"
        ) from exc
    except Exception:  # noqa: BLE001 - the unit's only
        traceback.print_exc()
        return UnitResult(unit, CRASHED, message=INTERNAL)
    if "lost" in payload:  # two workers died building it: not tried a third time
        return UnitResult(unit, CRASHED, message=KILLED)
    result = UnitResult(**payload["result"])
    if collect_into is not None and "files" in payload:
        try:
            write_group(collect_into, payload["files"])
        except OutputError as exc:  # disk full, read-only: retried next time, as locally
            result.status, result.message, result.files = CRASHED, exc.reason, []
    return result


def unreadable(exc: OSError) -> str:
    """A workbook this machine could list but not read (for ``--collect``)."""
    return f"未能读取该工作簿（{exc.strerror or exc}），未生成文档；将在下次运行时重试。"


class DaskExecutor:
    """:func:`reportgen.batch.run_batch`'s executor on a Dask cluster (see the module
    docstring): one task per unit, outcomes handed to ``done`` as they finish."""

    def __init__(self, where: Scheduler, collect: bool = False):
        self.where, self.collect = where, collect
        self.workers = where.local_workers
        self.engine = {
            "kind": "dask",
            "scheduler": where.label,
            "outputs": "collect" if collect else "shared",
        }

    def run(self, job: BatchJob, tasks: list[Task], done: Done) -> None:
        from .dask_worker import ReportgenPlugin

        stream = job.stream or sys.stderr
        expected = fingerprints(job.template_dir)
        out_dir = None if self.collect else str(Path(job.out_dir).resolve())
        codes = tuple((Path(p).name, Path(p).read_bytes()) for p in job.codes_files)
        with Cluster(self.where) as cluster:
            threads = cluster.threads()
            self.workers = len(threads)
            where = "传回本机写入" if self.collect else "直接写入输出目录（共享存储）"
            print(
                f"Dask 集群 {self.where.label}：{len(threads)} 个工作进程；文档由工作进程{where}。",
                file=stream,
                flush=True,
            )
            note = _thread_note(threads)
            if note:
                print(note, file=stream, flush=True)
            plugin = ReportgenPlugin(
                expected, job.template, job.template_dir, job.charts, out_dir, codes
            )
            name = cluster.register(plugin)
            try:
                self._run(cluster, name, job, tasks, done, out_dir)
            finally:
                cluster.unregister(name)

    def _run(self, cluster: Cluster, name: str, job: BatchJob, tasks, done: Done, out_dir) -> None:
        """Submit and collect. Shared storage: every unit at once (a task is a few paths).
        ``--collect``: a window of a few units per worker thread, so the workbooks read
        and the documents sent back never pile up in this process's memory."""
        from distributed import as_completed

        from .dask_worker import run_task

        client = cluster.client
        options = (job.template, job.template_dir, job.pdf, job.charts)
        pending = iter(enumerate(tasks))
        live: dict[str, tuple[object, Task]] = {}
        finished = as_completed()
        window = _Window(cluster, len(tasks) if not self.collect else None)

        def submit_more() -> None:
            while len(live) < window.size():
                i, task = next(pending, (None, None))
                if task is None:
                    return
                try:
                    data = task.path.read_bytes() if self.collect else None
                except OSError as exc:  # gone or unreadable since the batch listed it
                    done(task, UnitResult(task.unit, CRASHED, message=unreadable(exc)))
                    continue
                src = str(task.path.resolve())
                fut = client.submit(
                    run_task, name, src, task.unit, data, out_dir, options,
                    key=f"{name}-{i}", pure=False,
                )  # fmt: skip
                live[fut.key] = (fut, task)
                finished.add(fut)

        collect_into = Path(job.out_dir) if self.collect else None
        try:
            submit_more()
            for fut in finished:
                _, task = live.pop(fut.key)
                result = unit_result(fut, task.unit, collect_into)
                fut.release()
                done(task, result)
                submit_more()
        except BaseException:
            client.cancel([f for f, _ in live.values()])
            raise


class _Window:
    """How many units may be in flight: all of them, or (``--collect``) four per worker
    thread and at least 8, following workers that join or leave."""

    def __init__(self, cluster: Cluster, fixed: int | None):
        self.cluster, self.fixed = cluster, fixed
        self._size, self._at = 0, -WINDOW_REFRESH_S

    def size(self) -> int:
        if self.fixed is not None:
            return self.fixed
        now = time.monotonic()
        if now - self._at >= WINDOW_REFRESH_S:
            self._size = max(8, 4 * sum(self.cluster.threads().values()))
            self._at = now
        return self._size


class ClusterUnits:
    """The web server's units on a cluster (``reportgen serve --scheduler``): one plugin
    for the server's life (every layout's default wording warmed, every pack checked),
    each unit sent with its workbook's bytes and its files sent back (the server's data
    folder is its own, never shared storage)."""

    def __init__(self, where: Scheduler):
        self.where = where
        self.cluster = Cluster(where)
        self.name: str | None = None
        self.workers = where.local_workers

    def start(self) -> None:
        require_dask()
        from .dask_worker import ReportgenPlugin

        self.cluster.start()
        self.workers = len(self.cluster.threads())
        self.name = self.cluster.register(ReportgenPlugin(fingerprints(None)))

    async def run(self, src: Path, out_dir: Path, pack: str | None, pdf: bool) -> UnitResult:
        """Build one uploaded workbook on the cluster; the loop is never blocked."""
        import asyncio

        from .dask_worker import run_task

        data = await asyncio.to_thread(src.read_bytes)
        fut = self.cluster.client.submit(
            run_task, self.name, src.name, src.name, data, None, (pack, None, pdf, None),
            pure=False,
        )  # fmt: skip
        try:
            await _finished(fut)
            return await asyncio.to_thread(unit_result, fut, src.name, out_dir)
        except asyncio.CancelledError:
            fut.cancel()
            raise
        finally:
            fut.release()

    def close(self) -> None:
        if self.name is not None and self.cluster.client is not None:
            self.cluster.unregister(self.name)
        self.cluster.close()


async def _finished(fut) -> None:
    """Wait for a Dask future in asyncio (its callbacks run in a thread of Dask's)."""
    import asyncio

    loop = asyncio.get_running_loop()
    woken = loop.create_future()

    def wake() -> None:
        if not woken.done():
            woken.set_result(None)

    fut.add_done_callback(lambda _f: loop.call_soon_threadsafe(wake))
    await woken


__all__ = [
    "INSTALL_HINT",
    "Cluster",
    "ClusterError",
    "ClusterUnits",
    "DaskExecutor",
    "DaskUnavailable",
    "Scheduler",
    "dask_executor",
    "fingerprints",
    "mismatch",
    "parse_scheduler",
    "require_dask",
]
