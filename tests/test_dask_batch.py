"""`reportgen batch --scheduler` (issue 18): the batch on a real Dask LocalCluster.

One cluster of two worker processes serves the whole module, reached by its address as
a remote cluster would be (``tcp://127.0.0.1:…``); the command-line test starts its own
``local:2``. Every Dask run is compared with ``reportgen batch -j 2`` on the same twelve
units (the two bundled examples, two seed units, two units of tests/corpus, six broken
workbooks): the same statuses, the same 汇总.json apart from timings and the engine, the
same text in every document. The hooks that kill or watch workers are worker plugins of
this module, so that workers the nanny restarts get them too.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import cloudpickle
import docx
import pytest
from click.testing import CliRunner
from corpus.catalogue import BY_KEY
from corpus.units import write_unit
from distributed import Client, LocalCluster, WorkerPlugin
from openpyxl import load_workbook
from test_bad_inputs import ERRORS, _make
from test_batch import BAD, _good

from reportgen import __version__, batch
from reportgen import distributed as rd
from reportgen.cli import main
from reportgen.pdf import find_soffice

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "inputs" / "example"
#: the hook plugins below travel to the workers by value (the workers do not import tests)
cloudpickle.register_pickle_by_value(sys.modules[__name__])

STATUSES = {
    "example.xlsx": "有警告",  # seed 001's first 绩效自评表 does not add up
    "shanghai.xlsx": "成功",
    "good01.xlsx": "成功",
    "good02.xlsx": "成功",
    "market_wan.xlsx": "成功",
    "relics_30w.xlsx": "成功",
    **{f"bad{i:02d}.xlsx": "有错误" for i in range(1, 7)},
}
ENGINE_SHARED = "在 Dask 集群 {} 上生成，文档由工作进程直接写入输出目录（共享存储）。"


@pytest.fixture(scope="module")
def units(tmp_path_factory, example_path) -> Path:
    from conftest import example_factory

    folder = tmp_path_factory.mktemp("units")
    shutil.copy(example_path, folder / "example.xlsx")
    shutil.copy(EXAMPLES / "2024年度上海市某某区文化和旅游局.xlsx", folder / "shanghai.xlsx")
    _good(folder, 2)
    for key in ("market_wan", "relics_30w"):
        write_unit(BY_KEY[key], folder / f"{key}.xlsx")
    work = tmp_path_factory.mktemp("bad-work")
    for i, name in enumerate([*BAD[:4], "IN-02 改了扩展名的文本文件", "IN-09 空工作簿"], 1):
        case_dir = work / f"c{i}"
        case_dir.mkdir()
        made = _make(ERRORS[name], example_factory(case_dir), case_dir, example_path)
        shutil.copy(made, folder / f"bad{i:02d}.xlsx")
    assert sorted(p.name for p in folder.iterdir()) == sorted(STATUSES)
    return folder


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each, as ``dask worker --nthreads 1`` starts them."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.CRITICAL,
    ) as local:
        yield local


@pytest.fixture(scope="module")
def address(cluster) -> str:
    return cluster.scheduler_address


@pytest.fixture(scope="module")
def client(cluster):
    """The tests' own client: worker pids, what each worker is running, hook plugins."""
    with Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def reference(units, tmp_path_factory):
    """``reportgen batch -j 2`` on the same units: what every Dask run must equal."""
    out = tmp_path_factory.mktemp("pool")
    summary = batch.run_batch(units, out, jobs=2, progress_stream=io.StringIO())
    assert {r.unit: r.status for r in summary.results} == STATUSES
    return summary, out


def _executor(address: str, collect: bool = False) -> rd.DaskExecutor:
    return rd.DaskExecutor(rd.parse_scheduler(address), collect=collect)


@pytest.fixture(scope="module")
def on_dask(units, address, tmp_path_factory):
    out = tmp_path_factory.mktemp("dask")
    stream = io.StringIO()
    summary = batch.run_batch(units, out, progress_stream=stream, executor=_executor(address))
    return summary, out, stream.getvalue()


def _report(out: Path, resumed: bool = False) -> dict:
    """汇总.json without what differs between runs by nature (timings, the engine, and
    after a resume which units were skipped)."""
    data = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    for key in ("seconds", "engine"):
        data.pop(key)
    for r in data["results"]:
        r.pop("seconds"), r.pop("peak_rss_mb")
        if resumed:
            r.pop("skipped")
    return data


def _texts(out: Path, summary) -> dict[str, str]:
    """Every document's whole body text (paragraphs and table cells), by unit."""
    texts = {}
    for r in summary.results:
        for f in r.files:
            if f.endswith(".docx"):
                body = docx.Document(str(out / f)).element.body
                texts[f] = "".join(body.itertext())
    return texts


def _same_as_reference(reference, summary, out: Path, resumed: bool = False) -> None:
    ref_summary, ref_out = reference
    assert {r.unit: r.status for r in summary.results} == STATUSES
    assert _report(out, resumed) == _report(ref_out, resumed)
    ref_texts = _texts(ref_out, ref_summary)
    assert len(ref_texts) == 6
    assert _texts(out, summary) == ref_texts
    for r in summary.results:  # the 审核结果 sidecars too
        for f in r.files:
            if f.endswith(".txt"):
                assert (out / f).read_bytes() == (ref_out / f).read_bytes(), f


def _manifest(out: Path) -> dict:
    try:
        return json.loads((out / batch.MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _reportgen_plugins(client) -> list[str]:
    names = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.worker_plugins))
    return [n for n in names if n.startswith("reportgen-")]


def _idle(client, timeout: float = 120) -> None:
    """Wait until no worker runs anything (units cancelled by the client still finish)."""
    deadline = time.monotonic() + timeout
    while any(client.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.1)


# --- the same batch as the local pool -------------------------------------------------------


def test_the_cluster_writes_the_documents_and_summary_of_the_local_pool(on_dask, reference):
    summary, out, progress = on_dask
    _same_as_reference(reference, summary, out)
    assert summary.exit_code == 2 and summary.workers == 2
    report = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    assert report["engine"] == {
        "kind": "dask",
        "scheduler": summary.engine["scheduler"],
        "outputs": "shared",
    }
    assert re.fullmatch(r"tcp://127\.0\.0\.1:\d+", report["engine"]["scheduler"])
    assert report["units"] == 12 and report["failed"] == 6 and report["workers"] == 2
    lines = progress.strip().splitlines()
    assert lines[0] == (
        f"Dask 集群 {summary.engine['scheduler']}：2 个工作进程；"
        "文档由工作进程直接写入输出目录（共享存储）。"
    )
    assert len(lines) == 13 and lines[-1].startswith("[12/12] ")
    assert not list(out.rglob(".*.tmp"))


def test_the_summary_workbook_says_where_the_documents_were_written(on_dask):
    summary, out, _ = on_dask
    ws = load_workbook(out / "汇总.xlsx")["汇总"]
    footer = [r[1] for r in ws.iter_rows(values_only=True) if r[1] and str(r[1]).startswith("共")]
    assert len(footer) == 1
    assert re.fullmatch(
        r"共 12 个单位：成功 6 个，失败 6 个；用时 [\d.]+ 秒，2 个工作进程。"
        + re.escape(ENGINE_SHARED.format(summary.engine["scheduler"])),
        footer[0],
    )
    links = [c.hyperlink.target for row in ws.iter_rows(min_row=2) for c in row if c.hyperlink]
    # six documents, six 审核结果 of the broken units and the example's (its warnings)
    assert sorted(Path(t).suffix for t in links) == [".docx"] * 6 + [".txt"] * 7
    assert all((out / t).exists() for t in links)


def test_the_workers_leave_no_plugin_behind(on_dask, client):
    assert _reportgen_plugins(client) == []


class _Forbid(WorkerPlugin):
    """On every worker: run_unit refuses to read or write under the client's folders."""

    def __init__(self, folders: list[str]):
        self.folders = folders

    def setup(self, worker) -> None:
        original = getattr(batch, "_run_unit_before_hook", batch.run_unit)
        batch._run_unit_before_hook = original
        folders = [Path(f) for f in self.folders]

        def guarded(src, unit, out_dir, *args, **kwargs):
            for path in (Path(src).resolve(), Path(out_dir).resolve()):
                if any(path.is_relative_to(f) for f in folders):
                    raise PermissionError(f"the worker touched {path}")
            return original(src, unit, out_dir, *args, **kwargs)

        batch.run_unit = guarded

    def teardown(self, worker) -> None:
        batch.run_unit = batch._run_unit_before_hook


def test_collect_builds_with_folders_the_workers_cannot_see(
    units, reference, address, client, tmp_path, monkeypatch
):
    """--collect: the workers get each workbook's bytes and send the files back; the
    input and output folders here are relative to this process's working directory,
    and the workers may not touch them (a hook raises if run_unit is given a path
    there, which would make the unit 异常)."""
    here = tmp_path / "client"
    shutil.copytree(units, here / "in")
    monkeypatch.chdir(here)
    client.register_plugin(_Forbid([str(here)]), name="forbid")
    try:
        summary = batch.run_batch(
            "in", "out", progress_stream=io.StringIO(), executor=_executor(address, True)
        )
    finally:
        client.unregister_worker_plugin("forbid")
    _same_as_reference(reference, summary, here / "out")
    report = json.loads((here / "out" / "汇总.json").read_text(encoding="utf-8"))
    assert report["engine"]["outputs"] == "collect"
    ws = load_workbook(here / "out" / "汇总.xlsx")["汇总"]
    footer = next(r[1] for r in ws.iter_rows(values_only=True) if str(r[1]).startswith("共"))
    assert footer.endswith("上生成，文档由工作进程传回本机写入输出目录（--collect）。")
    # the manifest is the engine's no more than the pool's: the pool finds all done
    again = batch.run_batch("in", "out", jobs=2, progress_stream=io.StringIO())
    assert all(r.skipped for r in again.results) and len(again.results) == 12


class _ElsewhereOut(rd.DaskExecutor):
    """Tells the workers an output folder that none of them has."""

    def run(self, job, tasks, done) -> None:
        from dataclasses import replace

        super().run(replace(job, out_dir=Path("/nonexistent/out")), tasks, done)


def test_a_worker_that_cannot_see_the_output_folder_is_refused(units, address, tmp_path):
    """Without --collect the workers write into OUT themselves: one that has no such
    folder stops the batch before any unit, saying to mount it or to use --collect."""
    out = tmp_path / "out"
    executor = _ElsewhereOut(rd.parse_scheduler(address))
    with pytest.raises(rd.ClusterError) as err:
        batch.run_batch(units, out, progress_stream=io.StringIO(), executor=executor)
    assert re.fullmatch(
        r"工作进程 tcp://127\.0\.0\.1:\d+ 上没有可写的输出目录 /nonexistent/out："
        r"不加 --collect 时，输入目录和输出目录须以同一路径挂载在每台机器上（共享存储）；"
        r"没有共享存储时请加 --collect，由工作进程把文档传回本机写入。",
        str(err.value),
    )
    assert not list(out.rglob("*.docx"))


# --- lost workers ---------------------------------------------------------------------------


def test_a_worker_killed_mid_run_loses_no_unit(units, reference, address, client, tmp_path):
    out = tmp_path / "out"
    done: dict = {}

    def run() -> None:
        done["summary"] = batch.run_batch(
            units, out, progress_stream=io.StringIO(), executor=_executor(address)
        )

    thread = threading.Thread(target=run)
    thread.start()
    killed = None
    deadline = time.monotonic() + 180
    while killed is None and thread.is_alive() and time.monotonic() < deadline:
        busy = [a for a, keys in client.processing().items() if keys]
        if busy and _manifest(out):  # one unit done, another being built
            killed = client.run(os.getpid, workers=busy[:1])[busy[0]]
            os.kill(killed, signal.SIGKILL)  # as the out-of-memory killer would
        time.sleep(0.05)
    thread.join(300)
    assert killed is not None, "a worker must be killed while the batch runs"
    assert killed not in client.run(os.getpid).values()  # its nanny started another
    _same_as_reference(reference, done["summary"], out)


class _KillOn(WorkerPlugin):
    """On every worker, also those restarted later: run_unit kills its own process on
    units whose name starts with ``prefix`` (a unit that crashes whatever runs it)."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def setup(self, worker) -> None:
        original = getattr(batch, "_run_unit_before_hook", batch.run_unit)
        batch._run_unit_before_hook = original
        prefix = self.prefix

        def dying(src, unit, *args, **kwargs):
            if unit.startswith(prefix):
                os.kill(os.getpid(), signal.SIGKILL)
            return original(src, unit, *args, **kwargs)

        batch.run_unit = dying

    def teardown(self, worker) -> None:
        batch.run_unit = batch._run_unit_before_hook


def _workers_removed(dask_scheduler=None) -> int:
    """How many workers have left the scheduler so far (each death is one)."""
    return dask_scheduler._workers_removed_total


def test_a_unit_that_kills_two_workers_is_crashed_and_the_batch_goes_on(address, client, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = _good(folder, 2)
    shutil.copy(EXAMPLES / "2024年度上海市某某区文化和旅游局.xlsx", folder / "shanghai.xlsx")
    shutil.copy(good[0], folder / "crash.xlsx")
    out = tmp_path / "out"
    removed = client.run_on_scheduler(_workers_removed)
    client.register_plugin(_KillOn("crash"), name="kill-on-crash")
    try:
        summary = batch.run_batch(
            folder, out, progress_stream=io.StringIO(), executor=_executor(address)
        )
    finally:
        client.unregister_worker_plugin("kill-on-crash")
    status = {r.unit: r.status for r in summary.results}
    assert status == {
        "crash.xlsx": "异常",
        "good01.xlsx": "成功",
        "good02.xlsx": "成功",
        "shanghai.xlsx": "成功",
    }
    crash = next(r for r in summary.results if r.unit == "crash.xlsx")
    assert crash.message == (
        "两个工作进程在生成该单位时先后意外退出（可能内存不足、被终止或超过 600 秒未完成），"
        "已跳过该单位，将在下次运行时重试。"
    )
    assert crash.files == [] and not (out / "crash").exists()
    assert summary.exit_code == 2
    # it ran twice, two workers died, it was not tried a third time (nor anything else)
    assert client.run_on_scheduler(_workers_removed) - removed == 2
    # the crash is not the unit's own outcome: the next run tries it again, only it
    again = batch.run_batch(folder, out, progress_stream=io.StringIO(), executor=_executor(address))
    assert {r.unit: (r.status, r.skipped) for r in again.results} == {
        "crash.xlsx": ("成功", False),
        "good01.xlsx": ("成功", True),
        "good02.xlsx": ("成功", True),
        "shanghai.xlsx": ("成功", True),
    }


def _soffice_children() -> list[str]:
    """LibreOffice processes started by this worker process."""
    import psutil

    return [c.name() for c in psutil.Process().children(recursive=True) if "soffice" in c.name()]


@pytest.mark.skipif(
    find_soffice() is None and os.environ.get("REPORTGEN_REQUIRE_PDF") != "1",
    reason="LibreOffice not installed",
)
def test_pdf_on_the_cluster_comes_back_and_no_soffice_outlives_the_batch(
    units, address, client, tmp_path
):
    """--pdf: each worker converts through a resident LibreOffice of its own (started on
    its first PDF); with --collect the PDF comes back with the document; when the batch
    ends the plugin is torn down and its LibreOffice with it."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(units / "shanghai.xlsx", folder)
    out = tmp_path / "out"
    summary = batch.run_batch(
        folder, out, pdf=True, progress_stream=io.StringIO(), executor=_executor(address, True)
    )
    (r,) = summary.results
    assert (r.status, r.message) == ("成功", "")
    assert [Path(f).suffix for f in r.files] == [".docx", ".pdf"]
    assert (out / r.files[1]).read_bytes().startswith(b"%PDF-")
    assert list(client.run(_soffice_children).values()) == [[], []]


# --- refusals -------------------------------------------------------------------------------


def test_a_worker_of_another_version_is_refused(units, address, client, tmp_path, monkeypatch):
    real = rd.fingerprints
    monkeypatch.setattr(rd, "fingerprints", lambda d=None: {**real(d), "version": "9.9.9"})
    out = tmp_path / "out"
    with pytest.raises(rd.ClusterError) as err:
        batch.run_batch(units, out, progress_stream=io.StringIO(), executor=_executor(address))
    assert re.fullmatch(
        rf"工作进程 tcp://127\.0\.0\.1:\d+ 上的 reportgen 版本为 {re.escape(__version__)}，"
        r"本机为 9\.9\.9：请在每台机器上安装同一版本的 reportgen 后重新运行。",
        str(err.value),
    )
    assert not list(out.rglob("*.docx")) and _manifest(out) == {}
    assert _reportgen_plugins(client) == []  # a refused plugin is not left for new workers


def test_a_worker_with_other_wording_files_is_refused_by_the_command(
    units, address, tmp_path, monkeypatch
):
    real = rd.fingerprints

    def other_pack(d=None) -> dict:
        prints = real(d)
        return {**prints, "packs": {**prints["packs"], "sichuan-2023": "0" * 64}}

    monkeypatch.setattr(rd, "fingerprints", other_pack)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["batch", str(units), "-o", str(out), "--scheduler", address])
    assert res.exit_code == 2, res.output
    assert re.search(
        r"工作进程 tcp://127\.0\.0\.1:\d+ 上的版式或词句包文件与本机不同（sichuan-2023）："
        r"请把同样的 templates（及 --template-dir 目录）放到每台机器上后重新运行。\n"
        r"未能在 Dask 集群上完成批量生成；已完成的单位已记录，重新运行将继续。\n",
        res.stderr,
    ), res.stderr
    assert not list(out.rglob("*.docx"))


def test_an_unreachable_scheduler_and_bad_options_are_refused(tmp_path, units, monkeypatch):
    res = CliRunner().invoke(
        main, ["batch", str(units), "-o", str(tmp_path), "--scheduler", "集群"]
    )
    assert res.exit_code == 2
    assert res.stderr == (
        "--scheduler 集群：应为 Dask 调度器的地址（如 tcp://192.168.1.10:8786），"
        "或 local、local:N（在本机启动 N 个工作进程）。\n"
    )
    res = CliRunner().invoke(main, ["batch", str(units), "-o", str(tmp_path), "--collect"])
    assert res.exit_code == 2 and "--collect 只能与 --scheduler 同用。" in res.stderr
    res = CliRunner().invoke(
        main,
        ["batch", str(units), "-o", str(tmp_path), "-j", "2", "--scheduler", "tcp://h:8786"],
    )
    assert res.exit_code == 2
    assert "-j 只用于本机：Dask 集群的工作进程数由各台机器的 dask worker 决定。" in res.stderr
    monkeypatch.setattr(rd, "CONNECT_TIMEOUT_S", 1)
    with pytest.raises(rd.ClusterError) as err:
        rd.Cluster(rd.parse_scheduler("tcp://127.0.0.1:9")).start()  # nothing listens
    assert str(err.value).startswith("无法连接 Dask 调度器 tcp://127.0.0.1:9（")
    assert str(err.value).endswith(
        "）：请确认 dask scheduler 已启动，地址和端口正确，且防火墙允许访问。"
    )
    assert not list(tmp_path.rglob("*.docx"))


def test_scheduler_addresses():
    p = rd.parse_scheduler
    assert p("local:3") == rd.Scheduler("local:3", None, 3)
    assert p("local", jobs=5) == rd.Scheduler("local:5", None, 5)
    assert p("local").local_workers == (os.cpu_count() or 1)
    assert p("tcp://10.0.0.5:8786") == rd.Scheduler("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786")
    assert p("tls://sched.example.org:8786").address == "tls://sched.example.org:8786"
    assert p("10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    for bad in ("local:0", "local:x", "local:65", "8786", "调度器"):
        with pytest.raises(rd.ClusterError):
            p(bad)


# --- resume ---------------------------------------------------------------------------------


def test_an_interrupted_batch_resumes_where_it_stopped(
    units, reference, address, client, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    shown: list[str] = []
    update = batch._Progress.update

    def interrupted_after_five(self, r):
        update(self, r)
        shown.append(r.unit)
        if len(shown) == 5:
            raise KeyboardInterrupt  # Ctrl-C

    monkeypatch.setattr(batch._Progress, "update", interrupted_after_five)
    with pytest.raises(KeyboardInterrupt):
        batch.run_batch(units, out, progress_stream=io.StringIO(), executor=_executor(address))
    monkeypatch.undo()
    recorded = set(_manifest(out))
    assert recorded == set(shown) and len(recorded) == 5
    _idle(client)  # units already running finish on their workers, written whole
    assert not list(out.rglob(".*.tmp"))
    again = batch.run_batch(units, out, progress_stream=io.StringIO(), executor=_executor(address))
    assert {r.unit for r in again.results if r.skipped} == recorded
    _same_as_reference(reference, again, out, resumed=True)


# --- the command line, the web server, start-up ---------------------------------------------


def _command(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportgen.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_on_local_2_prints_the_summary_of_j_2(tmp_path):
    """Acceptance: the bundled examples with ``--scheduler local:2`` and with ``-j 2``."""
    pool = _command("batch", str(EXAMPLES), "-o", str(tmp_path / "pool"), "-j", "2")
    dask = _command("batch", str(EXAMPLES), "-o", str(tmp_path / "dask"), "--scheduler", "local:2")
    assert pool.returncode == 0, pool.stderr[-2000:]
    assert dask.returncode == 0, dask.stderr[-2000:]

    def timeless(text: str) -> list[str]:
        return re.sub(r"用时 \d+(\.\d+)? 秒", "用时 … 秒", text).splitlines()

    assert timeless(pool.stdout) == [
        "共 2 个单位：成功 2 个，失败 0 个，用时 … 秒。",
        str(tmp_path / "pool" / "汇总.xlsx"),
    ]
    assert timeless(dask.stdout) == [
        ENGINE_SHARED.format("local:2"),
        "共 2 个单位：成功 2 个，失败 0 个，用时 … 秒。",
        str(tmp_path / "dask" / "汇总.xlsx"),
    ]
    assert dask.stderr.splitlines()[0] == (
        "Dask 集群 local:2：2 个工作进程；文档由工作进程直接写入输出目录（共享存储）。"
    )
    assert _report(tmp_path / "dask") == _report(tmp_path / "pool")
    engine = json.loads((tmp_path / "dask" / "汇总.json").read_text(encoding="utf-8"))["engine"]
    assert engine == {"kind": "dask", "scheduler": "local:2", "outputs": "shared"}


#: runs a command with dask made unimportable, and tells whether dask got imported
WITHOUT_DASK = """
import sys
sys.modules["dask"] = sys.modules["distributed"] = None
from reportgen.cli import main
from reportgen.pdf import find_soffice
main(sys.argv[1:])
"""


def test_without_dask_the_option_says_how_to_install_it(tmp_path):
    for cmd in (["batch", str(EXAMPLES), "-o", str(tmp_path)], ["serve"]):
        res = subprocess.run(
            [sys.executable, "-c", WITHOUT_DASK, *cmd, "--scheduler", "local:2"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert res.returncode == 2
        assert res.stderr == (
            '未安装 Dask：请先运行 pip install "reportgen[dask]"（安装 dask 和 distributed），'
            "再使用 --scheduler。\n"
        )
    assert not list(tmp_path.iterdir())


def test_a_batch_without_scheduler_never_imports_dask(tmp_path):
    (tmp_path / "in").mkdir()
    code = (
        "import sys\nfrom reportgen.cli import main\n"
        "try:\n    main(sys.argv[1:], standalone_mode=False)\nfinally:\n"
        "    print(sorted(m for m in ('dask', 'distributed', 'reportgen.distributed')"
        " if m in sys.modules))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, "batch", str(tmp_path / "in"), "-o", str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.stdout.strip().splitlines()[-1] == "[]", res.stderr


def test_the_web_server_sends_its_jobs_to_the_cluster(units, reference, address, tmp_path):
    """``serve --scheduler``: a batch job's units built on the cluster, their files sent
    back into the server's own data folder, its 汇总 saying so."""
    import asyncio

    from reportgen.web.jobs import Runner
    from reportgen.web.store import DONE, JobStore

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    names = ["shanghai.xlsx", "good01.xlsx", "bad05.xlsx"]
    sources = [Path(shutil.copy(units / n, uploads / n)) for n in names]
    store = JobStore(tmp_path / "data")
    runner = Runner(store, scheduler=address)

    async def serve_one_job() -> None:
        runner.start()
        try:
            store.create("j1", "batch", "", len(sources))
            await runner.run("j1", "batch", "", sources)
        finally:
            await runner.stop()

    asyncio.run(serve_one_job())
    record = store.get("j1")
    assert record["status"] == DONE
    assert [(u["unit"], u["status"]) for u in record["result"]["units"]] == [
        ("shanghai.xlsx", "成功"),
        ("good01.xlsx", "成功"),
        ("bad05.xlsx", "有错误"),
    ]
    out = store.job_dir("j1") / "out"
    ref_summary, ref_out = reference
    for u in record["result"]["units"]:
        ref = next(r for r in ref_summary.results if r.unit == u["unit"])
        assert u["files"] == ref.files and u["findings"] == ref.findings
        for f in u["files"]:
            if f.endswith(".docx"):
                body = docx.Document(str(out / f)).element.body
                ref_body = docx.Document(str(ref_out / f)).element.body
                assert "".join(body.itertext()) == "".join(ref_body.itertext())
    engine = json.loads((out / "汇总.json").read_text(encoding="utf-8"))["engine"]
    assert engine["kind"] == "dask" and engine["outputs"] == "collect"
    store.close()
