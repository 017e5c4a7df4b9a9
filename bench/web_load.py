"""Load test of the web service: concurrent uploads while /healthz stays responsive.

Starts ``reportgen serve`` on a free 127.0.0.1 port with a temporary data dir, then at once
POSTs the bundled example workbook N times (one thread each), polls every job until it
finishes, downloads its .docx and checks it opens with python-docx and names the
department in its first paragraph. Meanwhile one thread calls GET /healthz every 0.2 s.
Prints every figure from one run; targets from issue 9 are printed beside them. Exit
code 0 when every target is met, 1 otherwise. Only 127.0.0.1 is ever contacted; the
whole run is bounded (15 minutes) and the server is always stopped.

    python bench/web_load.py [--uploads 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PACK = "sichuan-2021"
DEPARTMENT = "玉溪市互联网信息办公室"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OVERALL_S = 15 * 60
STARTUP_S = 60
JOB_S = 600
PROBE_EVERY_S = 0.2
PROBE_TIMEOUT_S = 10
HEALTH_TARGET_S = 1.0


@dataclass
class Upload:
    """What happened to one upload."""

    index: int
    ok: bool = False
    job_id: str = ""
    seconds: float = 0.0  # POST to finished
    problem: str = ""


@dataclass
class Probes:
    """Latencies of GET /healthz; a failed probe counts as its timeout."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int, data_dir: Path, workers: int, cwd: Path, log) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "reportgen.cli", "serve", "--host", HOST, "--port", str(port)]
    cmd += ["--data-dir", str(data_dir), "-j", str(workers)]
    return subprocess.Popen(
        cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
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


def wait_healthy(base: str, proc: subprocess.Popen, log_path: Path) -> float:
    t = time.monotonic()
    while time.monotonic() - t < STARTUP_S:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}):\n{log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).json() == {"status": "ok"}:
                return time.monotonic() - t
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"server not healthy in {STARTUP_S} s:\n{log_path.read_text()[-2000:]}")


def check_document(data: bytes) -> str:
    """'' when the bytes are a .docx whose first paragraph names the department."""
    from docx import Document

    try:
        paragraphs = Document(io.BytesIO(data)).paragraphs
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        return f"python-docx cannot open it: {exc!r}"
    if not paragraphs or DEPARTMENT not in paragraphs[0].text:
        first = paragraphs[0].text[:60] if paragraphs else "(none)"
        return f"first paragraph is {first!r}"
    return ""


def one_upload(
    up: Upload, base: str, workbook: tuple[str, bytes], start: threading.Barrier, deadline: float
) -> None:
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            files = {"file": (*workbook, XLSX)}
            start.wait(timeout=60)
            t = time.monotonic()
            r = client.post("/api/jobs", files=files, data={"pack": PACK})
            if r.status_code != 202:
                up.problem = f"POST {r.status_code}: {r.text[:200]}"
                return
            up.job_id = r.json()["id"]
            job_deadline = min(t + JOB_S, deadline)
            while True:
                job = client.get(f"/api/jobs/{up.job_id}").json()
                if job["finished"]:
                    break
                if time.monotonic() > job_deadline:
                    up.problem = f"not finished in time (status {job['status']})"
                    return
                time.sleep(0.5)
            up.seconds = time.monotonic() - t
            if job["status"] != "done":
                up.problem = f"job {job['status']}: {job['message'][:200]}"
                return
            links = list(job["files"]) + [f for u in job["units"] for f in u["files"]]
            docx = [f for f in links if f["label"].endswith(".docx")]
            if len(docx) != 1:
                states = [u["status"] for u in job["units"]]
                up.problem = f"{len(docx)} .docx files listed (units: {states})"
                return
            r = client.get(docx[0]["url"])
            if r.status_code != 200:
                up.problem = f"download {r.status_code}"
                return
            up.problem = check_document(r.content)
            up.ok = not up.problem
    except Exception as exc:  # noqa: BLE001 - reported per upload
        up.problem = f"{type(exc).__name__}: {exc}"


def probe_health(base: str, probes: Probes, stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=PROBE_TIMEOUT_S) as client:
        while not stop.is_set():
            t = time.monotonic()
            try:
                r = client.get("/healthz")
                elapsed = time.monotonic() - t
                if r.status_code != 200:
                    probes.failures.append(f"status {r.status_code}")
                probes.latencies.append(elapsed)
            except httpx.HTTPError as exc:
                probes.failures.append(f"{type(exc).__name__}: {exc}")
                probes.latencies.append(max(time.monotonic() - t, PROBE_TIMEOUT_S))
            stop.wait(max(0.0, PROBE_EVERY_S - (time.monotonic() - t)))


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def load(
    base: str, workbook: tuple[str, bytes], n: int, deadline: float
) -> tuple[list[Upload], Probes, float]:
    uploads = [Upload(i) for i in range(n)]
    probes = Probes()
    stop = threading.Event()
    start = threading.Barrier(n + 1)
    prober = threading.Thread(target=probe_health, args=(base, probes, stop), daemon=True)
    threads = [
        threading.Thread(target=one_upload, args=(up, base, workbook, start, deadline), daemon=True)
        for up in uploads
    ]
    prober.start()
    for th in threads:
        th.start()
    try:
        start.wait(timeout=60)
        t = time.monotonic()
        for th in threads:
            th.join(timeout=max(0.0, deadline - time.monotonic()))
        wall = time.monotonic() - t
    finally:
        stop.set()
        prober.join(timeout=PROBE_TIMEOUT_S + 5)
    for up in uploads:
        if not up.ok and not up.problem:
            up.problem = "still running at the overall time limit"
    return uploads, probes, wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uploads", type=int, default=20, help="uploads sent at once")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (serve -j)")
    args = ap.parse_args()
    if not 1 <= args.uploads <= 200 or not 1 <= args.workers <= 64:
        ap.error("--uploads must be 1..200 and --workers 1..64")
    deadline = time.monotonic() + OVERALL_S
    (workbook,) = sorted((ROOT / "inputs" / "example").glob("*.xlsx"))

    with tempfile.TemporaryDirectory(prefix="reportgen-webload-") as tmp:
        tmp = Path(tmp)
        port = free_port()
        base = f"http://{HOST}:{port}"
        log_path = tmp / "server.log"
        with open(log_path, "wb") as log:
            proc = start_server(port, tmp / "data", args.workers, tmp, log)
            try:
                startup = wait_healthy(base, proc, log_path)
                print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
                print(f"server: {base}, -j {args.workers}, healthy after {startup:.1f} s")
                upload = (workbook.name, workbook.read_bytes())
                uploads, probes, wall = load(base, upload, args.uploads, deadline)
            finally:
                stop_server(proc)

    good = sum(up.ok for up in uploads)
    lat = probes.latencies
    h_max = max(lat) if lat else float("nan")
    seconds = [up.seconds for up in uploads if up.ok]
    print(f"uploads: {len(uploads)} at once ({workbook.name}, pack {PACK})")
    print(f"completed with a valid document: {good}/{len(uploads)}   target {len(uploads)}")
    print(f"total wall time: {wall:.1f} s")
    print(f"throughput: {good / wall:.2f} documents/s")
    if seconds:
        print(
            f"per upload, POST to finished: median {statistics.median(seconds):.1f} s, "
            f"max {max(seconds):.1f} s"
        )
    print(
        f"/healthz: {len(lat)} probes, max {h_max * 1000:.0f} ms, p95 {p95(lat) * 1000:.0f} ms, "
        f"median {statistics.median(lat) * 1000 if lat else float('nan'):.0f} ms, "
        f"{len(probes.failures)} failed   target max < {HEALTH_TARGET_S * 1000:.0f} ms"
    )
    for up in uploads:
        if not up.ok:
            print(f"  upload {up.index + 1} ({up.job_id or 'no job'}): {up.problem}")
    for problem in sorted(set(probes.failures))[:5]:
        print(f"  /healthz: {problem}")
    passed = good == len(uploads) and bool(lat) and not probes.failures and h_max < HEALTH_TARGET_S
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the server was already stopped by main's finally
        sys.exit("interrupted")
