"""Run a job's units in worker processes and record progress, off the event loop.

The worker pool is pebble's (as ``reportgen batch`` uses), but its workers come from a
forkserver: the server has threads, and a worker forked from a threaded process can hang
on a lock. Each worker warms up once (:func:`reportgen.batch.warm_up`), and a worker
that dies costs only its unit. The event loop only awaits wrapped futures and writes a
small SQLite row per finished unit.

With ``serve --scheduler ADDRESS`` the units go to a Dask cluster instead (the same one
``reportgen batch --scheduler`` uses, :class:`reportgen.distributed.ClusterUnits`): each
unit's workbook is sent to a worker and its files come back to the server's own data
folder, so a bureau's portal scales with its cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from dataclasses import asdict
from pathlib import Path

from ..batch import UNIT_TIMEOUT_S, BatchSummary, UnitResult, outcome, run_unit, warm_up
from .store import DONE, FAILED, RUNNING, JobStore

log = logging.getLogger("uvicorn.error")


class Runner:
    """The worker pool and the asyncio tasks that feed it."""

    def __init__(self, store: JobStore, workers: int | None = None, scheduler: str | None = None):
        self.store = store
        self.workers = workers or os.cpu_count() or 1
        self.scheduler = scheduler  # a Dask scheduler's address, or local[:N]
        self.pool = None
        self.pdf = None  # resident LibreOffice shared by the workers (reportgen.pdf.service)
        self.cluster = None  # the units on Dask (reportgen.distributed.ClusterUnits)
        self.tasks: set[asyncio.Task] = set()

    def start(self) -> None:
        """Start the worker pool: a forkserver (forked once, before the server has threads,
        with reportgen already imported) forks each worker; the initializer warms it up.

        Unlike ``reportgen batch``, the server has threads (uvicorn, the test client) when
        workers are created or replaced, and forking a threaded process can leave a child
        waiting forever on a lock another thread held; the forkserver never has threads.

        With a scheduler, the Dask client is started instead (in a thread of its own: a
        synchronous client runs its own event loop, not the server's), and its workers
        are checked and warmed by their plugin.
        """
        if self.scheduler:
            self._start_cluster()
            return
        from pebble import ProcessPool

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(
            ["reportgen.batch", "reportgen.pipeline", "reportgen.web.preview"]
        )
        self.pool = ProcessPool(
            max_workers=self.workers,
            context=context,
            initializer=warm_up,
            initargs=(None, None),  # every layout's default wording
        )
        # start every worker now, so the first request does not wait for a warm-up
        for fut in [self.pool.schedule(os.getpid) for _ in range(self.workers)]:
            fut.result(timeout=120)
        from ..pdf import default_instances
        from ..pdf.service import PdfService

        self.pdf = PdfService(default_instances(self.workers))  # soffice starts on first use
        self.pdf.start()

    def _start_cluster(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from ..distributed import ClusterUnits, parse_scheduler

        self.cluster = ClusterUnits(parse_scheduler(self.scheduler, self.workers))
        with ThreadPoolExecutor(1) as starter:
            starter.submit(self.cluster.start).result()
        self.workers = self.cluster.workers

    async def stop(self) -> None:
        """Cancel running jobs (they are marked interrupted at the next start) and the pool."""
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.cluster is not None:  # the workers' plugin (and its LibreOffice) goes too
            await asyncio.to_thread(self.cluster.close)
            self.cluster = None
        if self.pool is not None:
            self.pool.stop()
            self.pool.join()
        if self.pdf is not None:  # no soffice outlives the server
            await asyncio.to_thread(self.pdf.close)
            self.pdf = None

    def submit(
        self, job_id: str, kind: str, pack: str, sources: list[Path], pdf: bool = False
    ) -> None:
        """Start the job as an asyncio task; the caller answers the request at once."""
        task = asyncio.create_task(self.run(job_id, kind, pack, sources, pdf))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def run(
        self, job_id: str, kind: str, pack: str, sources: list[Path], pdf: bool = False
    ) -> None:
        """One task per unit; progress is saved as each unit finishes."""
        started = time.perf_counter()
        out_dir = self.store.job_dir(job_id) / "out"
        self.store.set_status(job_id, RUNNING)
        results: dict[str, UnitResult] = {}
        try:
            waiting = [self._unit(src, out_dir, pack, pdf) for src in sources]
            for next_done in asyncio.as_completed(waiting):
                r = await next_done
                results[r.unit] = r
                failed = sum(1 for x in results.values() if not x.ok)
                self.store.progress(job_id, len(results), failed, _result(sources, results))
            ordered = [results[src.name] for src in sources]
            extra = []
            if kind == "batch":
                extra = await asyncio.to_thread(
                    _summary, out_dir, ordered, started, self.workers, self._engine()
                )
            self.store.finish(job_id, DONE, _result(sources, results, extra))
        except Exception:  # noqa: BLE001 - the job fails, the server goes on
            log.exception("job %s failed", job_id)  # the details go to the server's log only
            result = _result(sources, results)
            result["message"] = "内部错误，任务未能完成（详情已记入服务器日志）。请重新上传。"
            self.store.finish(job_id, FAILED, result)

    async def run_one(self, src: Path, out_dir: Path, pack: str, pdf: bool = False) -> UnitResult:
        """One workbook outside any job (the portal's drafts): the same workers, the same
        isolation (a crash is that unit's outcome, never the server's)."""
        return await self._unit(src, out_dir, pack, pdf)

    def _engine(self) -> dict:
        """How the units ran, for 汇总 (see reportgen.batch.BatchSummary.engine)."""
        if self.cluster is None:
            return {"kind": "pool"}
        return {"kind": "dask", "scheduler": self.cluster.where.label, "outputs": "collect"}

    async def _unit(self, src: Path, out_dir: Path, pack: str, pdf: bool = False) -> UnitResult:
        """Schedule one unit on the pool (or the cluster) and await it without blocking
        the loop."""
        if self.cluster is not None:
            return await self.cluster.run(src, out_dir, pack or None, pdf)
        from pebble import ProcessExpired

        fut = self.pool.schedule(
            run_unit,
            args=(str(src), src.name, str(out_dir), pack or None, None, pdf),
            kwargs={"pdf_via": self.pdf.address} if pdf and self.pdf else {},
            timeout=UNIT_TIMEOUT_S,
        )
        with contextlib.suppress(Exception):  # outcome turns the exception into a result
            await asyncio.wrap_future(fut)
        return outcome(fut, src.name, ProcessExpired)


def _result(sources: list[Path], results: dict[str, UnitResult], files=()) -> dict:
    """The JSON saved with the job: finished units in upload order, plus job-level files."""
    units = [asdict(results[s.name]) for s in sources if s.name in results]
    return {"units": units, "files": list(files)}


def _summary(
    out_dir: Path, ordered: list[UnitResult], started: float, workers: int, engine: dict
) -> list:
    """汇总.xlsx and 汇总.json for a batch, as ``reportgen batch`` writes them."""
    from ..batch_report import write_summary

    out_dir.mkdir(parents=True, exist_ok=True)
    seconds = round(time.perf_counter() - started, 2)
    paths = write_summary(out_dir, BatchSummary(ordered, seconds, workers, engine))
    return [p.name for p in paths]
