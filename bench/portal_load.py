"""Load test of the bureau portal: N unit users submit at once while the dashboard is polled.

Starts ``reportgen serve --accounts`` (the checkout's reportgen) on a free 127.0.0.1 port
with a temporary data dir, after making a unit tree (某某区财政局 → 主管部门 → N units),
one unit account per unit and one reviewer through the :class:`Portal` class. Then, all
at once (httpx.AsyncClient, asyncio), every unit user logs in (``POST /api/login``),
uploads its workbook (the bundled example with its own 主要职能 sentence, so every
document differs) and submits it (``POST /api/unit/submit``) once; meanwhile the reviewer
calls ``GET /api/dashboard`` every 0.2 s. Afterwards the portal's database is asked how
many versions each unit has.

Prints the submissions recorded (must equal N, each unit exactly one version), the
dashboard's latency (p50/p95/max, number of polls) and its max as a ratio of the 1 s
target, the wall time and submissions/s. Exit code 0 when no submission was lost or
duplicated, every poll answered and none took over 1 s; 1 otherwise. Only 127.0.0.1 is
contacted; the run is bounded (15 minutes) and the server is always stopped.

    python bench/portal_load.py [--users 50] [--jobs 2]
    python bench/portal_load.py --database-url "$(tools/postgres.sh)"

With ``--database-url`` naming a PostgreSQL server, a fresh database is made on it for
the run and dropped afterwards; without it the portal uses SQLite in the data dir.
Accounts get argon2 hashes of the library's default cost, as ``reportgen users add``
makes them, so the logins cost what they cost in production.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the checkout's reportgen, as the server runs it

HOST = "127.0.0.1"
YEAR = 2021
EXAMPLE = ROOT / "inputs" / "example" / "2021年度玉溪市互联网信息办公室.xlsx"
DUTY = "单位基本情况/主要职能"
BUREAU = "某某区财政局"
UNITS_PER_DEPARTMENT = 10
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DASHBOARD_TARGET_S = 1.0
POLL_EVERY_S = 0.2
POLL_TIMEOUT_S = 10
OVERALL_S = 15 * 60
STARTUP_S = 60


@dataclass(frozen=True)
class Account:
    login: str
    password: str
    unit: str = ""


@dataclass
class UnitRun:
    """What happened to one unit user's login, upload and submission."""

    login: str
    ok: bool = False
    problem: str = ""
    login_s: float = 0.0
    upload_s: float = 0.0  # the upload's answer comes after the check and the build
    submit_s: float = 0.0
    version: int | None = None


@dataclass
class Polls:
    """The reviewer's dashboard polls: latencies of the answered ones, failures."""

    latencies: list[float] = field(default_factory=list)
    at: list[float] = field(default_factory=list)  # when each answered poll was sent
    failures: list[str] = field(default_factory=list)
    began: float = 0.0  # perf_counter when the units were let go
    #: the longest this client's own event loop was late (its share of a poll's latency)
    client_lag: float = 0.0
    rows: int = 0  # units in the last answer
    submitted: int = 0  # of them 已提交 in the last answer


@dataclass
class LoadResult:
    users: int
    jobs: int
    backend: str
    units: list[UnitRun]
    polls: Polls
    wall_s: float
    #: login → the numbers of the versions the database holds for that unit's case
    recorded: dict[str, list[int]]

    @property
    def recorded_once(self) -> int:
        return sum(1 for numbers in self.recorded.values() if numbers == [1])

    @property
    def total_versions(self) -> int:
        return sum(len(numbers) for numbers in self.recorded.values())

    @property
    def lost(self) -> list[str]:
        return sorted(login for login, numbers in self.recorded.items() if not numbers)

    @property
    def duplicated(self) -> list[str]:
        return sorted(login for login, numbers in self.recorded.items() if len(numbers) > 1)

    @property
    def max_latency(self) -> float:
        return max(self.polls.latencies, default=math.inf)

    def problems(self) -> list[str]:
        """Why the run failed its targets ([] when it met them)."""
        out = [f"{u.login}: {u.problem}" for u in self.units if not u.ok]
        if self.lost:
            out.append(f"lost (no version recorded): {', '.join(self.lost)}")
        if self.duplicated:
            out.append(f"duplicated (more than one version): {', '.join(self.duplicated)}")
        if self.recorded_once != self.users:
            out.append(f"{self.recorded_once} of {self.users} units hold exactly one version")
        out += [f"dashboard poll failed: {f}" for f in self.polls.failures[:5]]
        if not self.polls.latencies:
            out.append("the dashboard never answered")
        elif self.max_latency > DASHBOARD_TARGET_S:
            out.append(f"dashboard took {self.max_latency * 1000:.0f} ms (target 1 s)")
        return out


# --- the portal's accounts and the workbooks ----------------------------------------------


def prepare_portal(
    data_dir: Path, database_url: str | None, users: int, hasher=None
) -> tuple[Account, list[Account]]:
    """The unit tree, ``users`` unit accounts, one reviewer and the year, written
    through the store as `reportgen users add` does; (reviewer, unit accounts)."""
    from reportgen.portal.store import Portal

    portal = Portal(data_dir, database_url, hasher=hasher)
    try:
        portal.add_unit(BUREAU, nature="行政单位")
        departments = max(1, math.ceil(users / UNITS_PER_DEPARTMENT))
        for d in range(1, departments + 1):
            portal.add_unit(f"某某区主管部门{d:02d}", parent=BUREAU, nature="行政单位")
        accounts = []
        for i in range(1, users + 1):
            department = f"某某区主管部门{(i - 1) // UNITS_PER_DEPARTMENT + 1:02d}"
            unit = f"某某区预算单位{i:03d}"
            portal.add_unit(unit, parent=department, nature="事业单位")
            account = Account(f"unit{i:03d}", f"load-口令-{i:03d}-{secrets.token_hex(4)}", unit)
            portal.add_user(account.login, "unit", account.password, unit=unit)
            accounts.append(account)
        reviewer = Account("shenhe", f"审核-{secrets.token_hex(6)}", BUREAU)
        portal.add_user(reviewer.login, "reviewer", reviewer.password, unit=BUREAU)
        portal.set_setting(None, "year", str(YEAR))
    finally:
        portal.close()
    return reviewer, accounts


def make_workbooks(folder: Path, accounts: list[Account]) -> list[Path]:
    """The example workbook once per unit, each with its own 主要职能 sentence."""
    from reportgen.portal.edit import apply_texts

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for account in accounts:
        path = folder / f"{account.login}.xlsx"
        apply_texts(EXAMPLE, {DUTY: f"{account.unit}的主要职能：承担本单位的各项业务工作。"}, path)
        paths.append(path)
    return paths


def recorded_versions(
    data_dir: Path, database_url: str | None, accounts: list[Account]
) -> dict[str, list[int]]:
    """What the database holds afterwards: each unit's version numbers of the year."""
    from reportgen.portal.store import Portal

    portal = Portal(data_dir, database_url)
    try:
        out = {}
        for account in accounts:
            unit = portal.unit_by_name(account.unit)
            out[account.login] = sorted(
                v.number for v in portal.versions(portal.case(unit.id, YEAR).id)
            )
        return out
    finally:
        portal.close()


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(
    port: int, data_dir: Path, jobs: int, database_url: str | None, log
) -> subprocess.Popen:
    """`reportgen serve --accounts` of the checkout, in its own process group."""
    cmd = [sys.executable, "-m", "reportgen.cli", "serve", "--accounts", "--host", HOST]
    cmd += ["--port", str(port), "--data-dir", str(data_dir), "-j", str(jobs)]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("REPORTGEN_DATABASE_URL", None)
    if database_url:
        env["REPORTGEN_DATABASE_URL"] = database_url  # not on the command line (ps shows it)
    return subprocess.Popen(
        cmd,
        cwd=data_dir.parent,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM (uvicorn shuts down the worker pool), then SIGKILL the process group."""
    if proc.poll() is None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):  # the server's own group: left-over workers
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def wait_healthy(base: str, proc: subprocess.Popen, log_path: Path) -> None:
    t = time.monotonic()
    while time.monotonic() - t < STARTUP_S:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited ({proc.returncode}):\n{log_path.read_text()[-2000:]}"
            )
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy in {STARTUP_S} s:\n{log_path.read_text()[-2000:]}")


# --- the load -------------------------------------------------------------------------------


async def _login(client: httpx.AsyncClient, account: Account) -> str:
    r = await client.post(
        "/api/login", json={"username": account.login, "password": account.password}
    )
    if r.status_code != 200:
        raise RuntimeError(f"login {r.status_code}: {r.text[:200]}")
    return r.json()["csrf"]


async def one_unit(base: str, account: Account, workbook: Path, start: asyncio.Event) -> UnitRun:
    """Log in, upload, submit — once."""
    run = UnitRun(account.login)
    data = workbook.read_bytes()
    timeout = httpx.Timeout(OVERALL_S, connect=30)
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as client:
        await start.wait()
        try:
            t = time.perf_counter()
            csrf = await _login(client, account)
            run.login_s = time.perf_counter() - t
            headers = {"X-CSRF-Token": csrf}
            t = time.perf_counter()
            r = await client.post(
                "/api/unit/upload",
                files={"file": (f"{account.unit}.xlsx", data, XLSX)},
                headers=headers,
            )
            run.upload_s = time.perf_counter() - t
            if r.status_code != 200 or not r.json().get("can_submit"):
                raise RuntimeError(f"upload {r.status_code}: {r.text[:300]}")
            t = time.perf_counter()
            r = await client.post("/api/unit/submit", headers=headers)
            run.submit_s = time.perf_counter() - t
            if r.status_code != 201:
                raise RuntimeError(f"submit {r.status_code}: {r.text[:300]}")
            run.version = r.json()["version"]["number"]
            run.ok = run.version == 1
            if not run.ok:
                run.problem = f"submitted as version {run.version}, not 1"
        except (httpx.HTTPError, RuntimeError, ValueError, KeyError) as exc:
            run.problem = str(exc) or repr(exc)
    return run


async def poll_dashboard(
    base: str,
    reviewer: Account,
    polls: Polls,
    start: asyncio.Event,
    stop: asyncio.Event,
    every: float,
) -> None:
    """GET /api/dashboard every ``every`` seconds (the next one at once when a poll took
    longer) until ``stop``; then one last poll that sees every submission."""
    async with httpx.AsyncClient(base_url=base, timeout=POLL_TIMEOUT_S) as client:
        await _login(client, reviewer)
        polls.began = time.perf_counter()
        start.set()
        while True:
            last = stop.is_set()
            t = time.perf_counter()
            try:
                r = await client.get("/api/dashboard")
                latency = time.perf_counter() - t
                if r.status_code != 200:
                    polls.failures.append(f"{r.status_code}: {r.text[:200]}")
                else:
                    units = r.json()["units"]
                    polls.latencies.append(latency)
                    polls.at.append(t - polls.began)
                    polls.rows = len(units)
                    polls.submitted = sum(1 for u in units if u["status"] == "submitted")
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                polls.failures.append(repr(exc))
            if last:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, every - (time.perf_counter() - t)))


async def watch_lag(polls: Polls, stop: asyncio.Event, tick: float = 0.05) -> None:
    """How late this process's event loop wakes up: the part of a measured latency that
    is the load generator's, not the server's."""
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(tick)
        polls.client_lag = max(polls.client_lag, time.perf_counter() - t - tick)


async def run_load(
    base: str, reviewer: Account, accounts: list[Account], workbooks: list[Path], every: float
) -> tuple[list[UnitRun], Polls, float]:
    """Every unit at once, the poller beside them; (units, polls, wall seconds from the
    first login to the last answer)."""
    start, stop, polls = asyncio.Event(), asyncio.Event(), Polls()
    poller = asyncio.create_task(poll_dashboard(base, reviewer, polls, start, stop, every))
    tasks = [
        asyncio.create_task(one_unit(base, a, w, start))
        for a, w in zip(accounts, workbooks, strict=True)
    ]
    await start.wait()
    watcher = asyncio.create_task(watch_lag(polls, stop))
    t = time.perf_counter()
    try:
        units = await asyncio.gather(*tasks)
    finally:
        wall = time.perf_counter() - t
        stop.set()
        await poller
        await watcher
    return list(units), polls, wall


def run(
    users: int,
    jobs: int,
    work: Path,
    database_url: str | None = None,
    every: float = POLL_EVERY_S,
    hasher=None,
) -> LoadResult:
    """The whole test in ``work`` (an empty or new folder): accounts, server, load, count."""
    work.mkdir(parents=True, exist_ok=True)
    data_dir = work / "data"
    reviewer, accounts = prepare_portal(data_dir, database_url, users, hasher)
    workbooks = make_workbooks(work / "workbooks", accounts)
    port = free_port()
    log_path = work / "serve.log"
    with log_path.open("wb") as log:
        proc = start_server(port, data_dir, jobs, database_url, log)
        try:
            base = f"http://{HOST}:{port}"
            wait_healthy(base, proc, log_path)
            units, polls, wall = asyncio.run(
                asyncio.wait_for(run_load(base, reviewer, accounts, workbooks, every), OVERALL_S)
            )
        finally:
            stop_server(proc)
    backend = "PostgreSQL" if database_url and database_url.startswith("postgresql") else "SQLite"
    recorded = recorded_versions(data_dir, database_url, accounts)
    return LoadResult(users, jobs, backend, units, polls, wall, recorded)


# --- figures --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def windows(polls: Polls, width: float) -> list[str]:
    """The slowest answer of each ``width`` seconds of the run, in ms: where the load
    hurt (logins first, then the builds, then the submissions)."""
    slowest: dict[int, float] = {}
    for at, latency in zip(polls.at, polls.latencies, strict=True):
        k = max(0, int(at // width))
        slowest[k] = max(slowest.get(k, 0.0), latency)
    return [f"{slowest[k] * 1000:.0f}" if k in slowest else "-" for k in range(max(slowest) + 1)]


def report(result: LoadResult) -> str:
    lat = result.polls.latencies
    ok_units = [u for u in result.units if u.ok]
    lines = [
        f"portal load: {result.users} unit users, -j {result.jobs}, {result.backend}",
        f"submissions recorded: {result.total_versions} (units with exactly one version: "
        f"{result.recorded_once} / {result.users}; lost {len(result.lost)}, "
        f"duplicated {len(result.duplicated)})",
    ]
    if lat:
        ms = [x * 1000 for x in lat]
        lines.append(
            f"dashboard: {len(lat)} polls answered, {len(result.polls.failures)} failed; "
            f"p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
            f"max {max(ms):.1f} ms = {result.max_latency / DASHBOARD_TARGET_S:.2f} × the 1 s target; "
            f"last answer: {result.polls.submitted} of {result.polls.rows} units 已提交"
        )
        slowest = max(range(len(lat)), key=lat.__getitem__)
        lines.append(
            f"  slowest poll sent {result.polls.at[slowest]:.1f} s into the run; "
            f"polls over 0.5 s: {sum(1 for x in lat if x > 0.5)}; "
            f"the load generator's own event loop lagged at most "
            f"{result.polls.client_lag * 1000:.0f} ms"
        )
        lines.append("  slowest poll of each 10 s (ms): " + " ".join(windows(result.polls, 10.0)))
    else:
        lines.append(f"dashboard: no answer ({len(result.polls.failures)} failed polls)")
    lines.append(
        f"wall time {result.wall_s:.1f} s; {len(ok_units) / result.wall_s:.2f} submissions/s"
    )
    if ok_units:
        for name, values in (
            ("login", [u.login_s for u in ok_units]),
            ("upload (check + build)", [u.upload_s for u in ok_units]),
            ("submit", [u.submit_s for u in ok_units]),
        ):
            ms = [v * 1000 for v in values]
            lines.append(
                f"  {name}: p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, "
                f"max {max(ms):.0f} ms"
            )
    problems = result.problems()
    lines.append("result: " + ("OK" if not problems else "FAILED"))
    lines += [f"  {p}" for p in problems]
    return "\n".join(lines)


@contextlib.contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A new database on the PostgreSQL server ``server_url`` for one run, dropped after."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"reportgen_load_{secrets.token_hex(6)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="unit users (default 50)")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="server worker processes")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server (postgresql+psycopg://…): a fresh database on it for the run",
    )
    parser.add_argument("--poll-every", type=float, default=POLL_EVERY_S, help="seconds")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 500:
        parser.error("--users: 1 to 500")
    with tempfile.TemporaryDirectory(prefix="portal-load-") as tmp:
        if args.database_url and args.database_url.startswith("postgresql"):
            with fresh_postgres(args.database_url) as url:
                result = run(args.users, args.jobs, Path(tmp), url, args.poll_every)
        else:
            result = run(args.users, args.jobs, Path(tmp), args.database_url, args.poll_every)
    print(report(result))
    return 0 if not result.problems() else 1


if __name__ == "__main__":
    sys.exit(main())
