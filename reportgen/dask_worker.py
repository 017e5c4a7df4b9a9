"""What runs on a Dask worker for reportgen: the plugin that readies the worker, and the
task that builds one unit (see :mod:`reportgen.distributed` for the client's side).

The plugin is registered by the client for one batch (or one web server) and set up on
every worker, also on workers that join or are restarted later: it checks the worker
against the client (reportgen version, profile and wording-pack files) and warms
it once (imports, fonts, compiled templates, a first chart) exactly as the local pool's
parent does before it forks. A worker that differs keeps the refusal, so a unit sent to
it raises :class:`~reportgen.distributed.ClusterError` instead of writing a document
unlike the others.

The task wraps :func:`reportgen.batch.run_unit`, which never raises: a unit's error or
crash is its outcome. Each start of a unit's build is counted on the scheduler: a unit
whose build two workers died in is not started a third time, its outcome is 异常. The warm-up and every unit run in one thread of the worker
process, never in Dask's task threads: one unit at a time (charts, the garbage-collector
tuning and the resident LibreOffice are per process), warmed and built in the same
thread as in the forked pool, and out of sight of Dask's statistical profiler. That
profiler holds the frames of the task threads it samples, and with them docxtpl's
freshly parsed document body, whose plain lxml proxy python-docx would then reuse
instead of its own element class (``'_Element' object has no attribute 'p_lst'``, one
unit in a few on a worker). A unit that outlives ``UNIT_TIMEOUT_S`` ends its process,
as the local pool's timeout does, and the worker's nanny starts a fresh one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from distributed import WorkerPlugin, get_worker

from . import batch
from .distributed import ClusterError, fingerprints, mismatch

#: the thread of a worker process that warms up and builds the units (see above)
_UNITS = ThreadPoolExecutor(1, thread_name_prefix="reportgen-units")
#: how long a task waits for the plugin of a worker that is still warming up
READY_TIMEOUT_S = 300
#: the exit code of a worker process ended by the unit timeout
TIMEOUT_EXIT = 75


class ReportgenPlugin(WorkerPlugin):
    """Checks and warms a worker; holds what its units share (the user's code tables,
    a resident LibreOffice started on the first PDF).

    ``expected``: the client's :func:`~reportgen.distributed.fingerprints`. ``out_dir``:
    the batch's output folder when the workers write into it (shared storage), else
    None. ``codes``: the ``--codes`` files as (name, bytes), written on the worker.
    """

    def __init__(
        self,
        expected: dict,
        template: str | None = None,
        template_dir: str | None = None,
        charts: str | None = None,
        out_dir: str | None = None,
        codes: tuple[tuple[str, bytes], ...] = (),
    ):
        self.expected = expected
        self.template, self.template_dir, self.charts = template, template_dir, charts
        self.out_dir = out_dir
        self.codes = codes
        self._init_local()

    def _init_local(self) -> None:
        """What belongs to the worker, never pickled."""
        self.ready = threading.Event()
        self.refusal: str | None = None
        self.codes_files: tuple[str, ...] = ()
        self.address = ""
        self._folder: str | None = None
        self._converter = None
        self._pdf_lock = threading.Lock()

    def __getstate__(self) -> dict:
        keep = ("expected", "template", "template_dir", "charts", "out_dir", "codes")
        return {k: self.__dict__[k] for k in keep}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._init_local()  # before the worker lists the plugin, so tasks can wait on it

    async def setup(self, worker) -> None:
        """Check and warm the worker off its event loop (the warm-up takes seconds, and
        the worker must keep answering the scheduler meanwhile)."""
        self.address = worker.address
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(_UNITS, self._prepare, worker.local_directory)
        except ClusterError:
            raise
        except Exception as exc:  # warming up failed: no unit may run here
            self.refusal = (
                f"工作进程 {self.address} 未能完成准备（{type(exc).__name__}: {exc}）："
                "请检查该机器上的 reportgen 安装后重新运行。"
            )
            raise ClusterError(self.refusal) from exc
        finally:
            self.ready.set()

    def _prepare(self, local_directory: str) -> None:
        try:
            problem = mismatch(self.expected, fingerprints(self.template_dir), self.address)
        except OSError as exc:  # a --template-dir this machine does not have
            problem = (
                f"工作进程 {self.address} 上读不到词句包目录 {self.template_dir}（{exc.strerror}）："
                "请把它放到每台机器的同一路径上后重新运行。"
            )
        if problem is None and self.out_dir is not None:
            problem = _unseen_output(self.out_dir, self.address)
        if problem is not None:
            self.refusal = problem
            raise ClusterError(problem)
        batch.warm_up(self.template, self.template_dir, self.charts)
        batch._worker_init()
        self._folder = tempfile.mkdtemp(prefix="reportgen-", dir=local_directory)
        names = []
        for i, (name, data) in enumerate(self.codes):
            path = Path(self._folder, f"{i:02d}-{Path(name).name}")
            path.write_bytes(data)
            names.append(str(path))
        self.codes_files = tuple(names)

    def teardown(self, worker) -> None:
        """Stop this plugin's LibreOffice; remove its files (the batch is over)."""
        if self._converter is not None:
            self._converter.close()
            self._converter = None
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)

    def pdf_via(self):
        """The worker's resident LibreOffice (reportgen.pdf.Converter), started on the
        first PDF and shared by the units this worker builds."""
        with self._pdf_lock:
            if self._converter is None:
                from .pdf import Converter

                self._converter = Converter()
            return self._converter

    @property
    def folder(self) -> str:
        return self._folder or tempfile.gettempdir()


def _unseen_output(out_dir: str, address: str) -> str | None:
    """Why a worker cannot write the batch's documents itself (None: it can)."""
    if os.path.isdir(out_dir) and os.access(out_dir, os.W_OK | os.X_OK):
        return None
    return (
        f"工作进程 {address} 上没有可写的输出目录 {out_dir}：不加 --collect 时，输入目录和"
        "输出目录须以同一路径挂载在每台机器上（共享存储）；没有共享存储时请加 --collect，"
        "由工作进程把文档传回本机写入。"
    )


def _plugin(name: str) -> ReportgenPlugin:
    """This worker's plugin of the batch, once it is ready; refuse if it refused."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    worker = get_worker()
    while (plugin := worker.plugins.get(name)) is None and time.monotonic() < deadline:
        time.sleep(0.05)  # a worker that has just joined lists its plugins a moment later
    if plugin is None or not plugin.ready.wait(max(0.0, deadline - time.monotonic())):
        raise ClusterError(f"工作进程 {worker.address} 未能在 {READY_TIMEOUT_S} 秒内准备好。")
    if plugin.refusal is not None:
        raise ClusterError(plugin.refusal)
    return plugin


@contextlib.contextmanager
def _deadline(seconds: float):
    """End this process if the unit is still running after ``seconds`` (a thread cannot
    be stopped): the nanny restarts the worker and the scheduler counts a lost worker."""
    timer = threading.Timer(seconds, os._exit, args=(TIMEOUT_EXIT,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


#: runs of one unit: the first, and one more after a worker died building it
MAX_RUNS = 2
#: where the runs of each unit are counted (the scheduler's task metadata, by plugin)
RUNS = "reportgen-runs"


def _run_counter(plugin_name: str) -> Callable[[], int]:
    """Counts, on the scheduler, the times this task has started building: a start
    without a result means the worker died building it. (Dask's own count, the
    scheduler's ``suspicious``, rises for every task assigned to a dying worker, also
    those only queued there behind the unit that killed it.)"""
    from distributed import get_client

    client = get_client()  # the worker's own client of the scheduler
    path = [RUNS, plugin_name, str(get_worker().get_current_task())]

    def count() -> int:
        n = int(client.get_metadata(path, 0)) + 1
        client.set_metadata(path, n)
        return n

    return count


def run_task(
    plugin_name: str,
    src: str,
    unit: str,
    data: bytes | None,
    out_dir: str | None,
    options: tuple[str | None, str | None, bool, str | None],
) -> dict:
    """Build one unit on this worker; ``{"result": run_unit's dict}``, plus ``"files"``
    (``{path under OUT: bytes}``) when ``data`` (the workbook's bytes) was sent.

    With ``data`` None the workbook is read at ``src`` and the outputs are written under
    ``out_dir`` (shared storage); otherwise both live in a folder of this worker's own,
    removed afterwards, and the client writes the files.
    """
    plugin = _plugin(plugin_name)
    runs = _run_counter(plugin_name)
    return _UNITS.submit(_build, plugin, runs, src, unit, data, out_dir, options).result()


def _build(plugin: ReportgenPlugin, runs, src, unit, data, out_dir, options) -> dict:
    """The unit's build, in the units' thread; ``{"lost": n}`` instead when ``n``
    workers have already died building it (it is not tried a third time)."""
    if runs() > MAX_RUNS:
        return {"lost": MAX_RUNS}
    template, template_dir, pdf, charts = options
    with _deadline(batch.UNIT_TIMEOUT_S):
        via = plugin.pdf_via() if pdf else None
        args = (template, template_dir, pdf, plugin.codes_files, charts)
        if data is None:
            if not os.path.isfile(src):
                raise ClusterError(
                    f"工作进程 {plugin.address} 看不到输入文件 {src}：不加 --collect 时，输入目录"
                    "和输出目录须以同一路径挂载在每台机器上（共享存储）；没有共享存储时请加 --collect。"
                )
            return {"result": batch.run_unit(src, unit, out_dir, *args, pdf_via=via)}
        with tempfile.TemporaryDirectory(prefix="unit-", dir=plugin.folder) as tmp:
            source = Path(tmp, "in", unit)  # the workbook's own name: findings name it
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_bytes(data)
            out = Path(tmp, "out")
            result = batch.run_unit(str(source), unit, str(out), *args, pdf_via=via)
            files = {f: (out / f).read_bytes() for f in result["files"]}
            return {"result": result, "files": files}
