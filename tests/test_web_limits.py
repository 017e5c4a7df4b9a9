"""Issue 13, the web service: limits enforced while reading, Host allowlist, timeouts,
file names that never become paths, and the documented JSON for every error.

Most tests talk to a REAL server (``reportgen serve`` in a subprocess on a free
127.0.0.1 port, started once for the module, with 2-second header and body deadlines):
chunked bodies, raw request targets such as ``//etc/hostname`` and slow connections
must reach uvicorn exactly as sent, which a TestClient cannot do. The rest use the
TestClient without its lifespan (no worker pool): every refusal happens before a job
exists.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from reportgen.web import app as web_app
from reportgen.web.app import SERVER_ERROR, HostAllowlist, create_app, normalise_host
from reportgen.web.protocol import GuardedH11Protocol
from reportgen.web.uploads import MB, Limits

with warnings.catch_warnings():  # Starlette ≥1.x suggests httpx2; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEAD_S = BODY_S = 2.0  # the server's --header-timeout and --body-timeout here
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


# --- the real server ------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    pid: int
    data_dir: Path
    log: Path

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``reportgen serve`` (this checkout) with one worker and 2 s deadlines."""
    work = tmp_path_factory.mktemp("serve")
    port = _free_port()
    log = work / "server.log"
    cmd = [sys.executable, "-m", "reportgen.cli", "serve", "--port", str(port)]
    cmd += ["--data-dir", str(work / "data"), "-j", "1"]
    cmd += ["--header-timeout", str(HEAD_S), "--body-timeout", str(BODY_S)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=work, env=env, stdout=out, stderr=out, start_new_session=True
        )
    srv = Server(port, proc.pid, work / "data", log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if request(srv, "GET", "/healthz")[0] == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"server not healthy in 90 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield srv
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def request(
    srv: Server,
    method: str,
    target: str,
    host: str | None = None,
    body=None,
    headers: dict | None = None,
) -> tuple[int, str, bytes]:
    """One request with the target sent exactly as given (no normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host or srv.host)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, r.getheader("content-type", ""), r.read()
    finally:
        conn.close()


def multipart(files: list[tuple[str, str, bytes]], pack: str = "sichuan-2021"):
    """(body, content type) of a form with ``pack`` and the files (field, name, data)."""
    boundary = "reportgen-test-boundary"
    out = io.BytesIO()
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="pack"\r\n\r\n{pack}\r\n'.encode()
    )
    for field, name, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def upload(srv: Server, files, host: str | None = None, **headers):
    body, ctype = multipart(files)
    return request(srv, "POST", "/api/jobs", host, body, {"Content-Type": ctype, **headers})


def error_of(status_ctype_body) -> str:
    status, ctype, body = status_ctype_body
    assert ctype.startswith("application/json"), (status, ctype, body[:200])
    data = json.loads(body)
    assert list(data) == ["error"], data
    return data["error"]


def job_count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "jobs.sqlite3") as db:
        return db.execute("SELECT count(*) FROM jobs").fetchone()[0]


def job_folders(data_dir: Path) -> set[str]:
    return {p.name for p in (data_dir / "jobs").iterdir()}


def no_staging(data_dir: Path, wait: float = 0.0) -> bool:
    deadline = time.monotonic() + wait
    while (data_dir / "staging").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not (data_dir / "staging").exists()


def vm_hwm_mb(pid: int) -> float:
    """The peak resident set size of a process (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def zip_of(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --- 1. a chunked upload of 1 GB: refused at the request limit, memory flat ---------------


def _gigabyte_of_parts(boundary: str):
    """A multipart body of 25 × 40 MiB files (each under the per-file limit), 1 GiB in
    all, made on the fly in 1 MiB pieces."""
    zeros = bytes(MB)
    for i in range(25):
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="u{i:02d}.xlsx"\r\n\r\n'
        ).encode() + b"PK\x03\x04"
        for _ in range(40):
            yield zeros
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()


def _read_response(sock: socket.socket, timeout: float = 15) -> bytes:
    sock.settimeout(timeout)
    data = b""
    with contextlib.suppress(OSError):  # a reset after the answer arrived
        while True:
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                length = [
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ]
                if length and len(body) >= length[0]:
                    break
    return data


def test_chunked_gigabyte_upload_is_refused_early_with_flat_memory(server):
    jobs_before, folders_before = job_count(server.data_dir), job_folders(server.data_dir)
    before = vm_hwm_mb(server.pid)
    boundary = "gigabyte-boundary"
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(
        (
            f"POST /api/jobs HTTP/1.1\r\nHost: {server.host}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
    )
    sent, started = 0, time.monotonic()
    try:
        for piece in _gigabyte_of_parts(boundary):
            if select.select([sock], [], [], 0)[0]:  # the answer came: stop sending
                break
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
        else:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may close before the whole gigabyte is sent
    answer = _read_response(sock)
    sock.close()
    elapsed = time.monotonic() - started
    after = vm_hwm_mb(server.pid)
    print(
        f"\nVmHWM before {before:.0f} MiB, after {after:.0f} MiB; "
        f"{sent / MB:.0f} MiB sent in {elapsed:.1f} s"
    )
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:300]
    error = json.loads(answer.partition(b"\r\n\r\n")[2])["error"]
    assert "上传内容过大" in error and "200 MB" in error
    assert sent < 400 * MB  # refused at the 200 MB limit, not after the whole body
    assert after < 300, f"server peak RSS {after:.0f} MiB"
    assert no_staging(server.data_dir, wait=2)
    assert job_count(server.data_dir) == jobs_before
    assert job_folders(server.data_dir) == folders_before


# --- 3. Host allowlist (DNS rebinding) ------------------------------------------------------


def test_foreign_host_is_refused_even_with_a_matching_origin(server, example_path):
    files = [("file", example_path.name, example_path.read_bytes())]
    evil = {"host": "attacker.example", "Origin": "http://attacker.example"}
    r = upload(server, files, host=evil["host"], Origin=evil["Origin"])
    assert r[0] == 400 and "不在本服务允许的主机名之列" in error_of(r)
    r = request(server, "GET", "/api/packs", f"attacker.example:{server.port}")
    assert r[0] == 400 and "DNS 重绑定" in error_of(r)
    status, ctype, body = request(server, "GET", "/", "attacker.example")
    assert status == 400 and ctype.startswith("text/html") and "DNS 重绑定" in body.decode()
    assert no_staging(server.data_dir)
    for host in (server.host, f"localhost:{server.port}", f"[::1]:{server.port}"):
        status, _, body = request(server, "GET", "/api/packs", host)
        assert status == 200 and "sichuan-2021" in body.decode(), host


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("LocalHost.", "localhost"),
        ("a.example.org:443", "a.example.org"),
        ("evil.example:80x", ""),
        ("[::1]x", ""),
        ("a b", ""),
        ("", ""),
    ],
)
def test_host_header_normalised(header, host):
    assert normalise_host(header) == host


def test_wildcard_host_entry():
    hosts = HostAllowlist(["*.example.org", "[::1]", "reports.local"])
    assert hosts.allows("a.example.org") and hosts.allows("b.a.example.org:8000")
    assert not hosts.allows("example.org") and not hosts.allows("evilexample.org")
    assert hosts.allows("[::1]:8000") and hosts.allows("REPORTS.LOCAL")
    assert not hosts.allows("127.0.0.1") and not hosts.allows("")
    client = TestClient(
        create_app(Path("unused"), allowed_hosts=["*.example.org"]), base_url="http://a.example.org"
    )
    assert client.get("/healthz").status_code == 200
    r = client.get("/healthz", headers={"host": "example.org"})
    assert r.status_code == 400 and "error" in r.json()


# --- 5. slow and idle connections -----------------------------------------------------------


def _closed_after(sock: socket.socket, started: float, trickle: bytes = b"", limit=10.0):
    """Seconds until the server closes ``sock``, sending one byte of ``trickle`` every
    0.5 s meanwhile (None when it is still open after ``limit`` seconds)."""
    for i in range(int(limit / 0.5)):
        try:
            if select.select([sock], [], [], 0.5)[0] and not sock.recv(4096):
                return time.monotonic() - started
            if trickle:
                sock.send(trickle[i % len(trickle) : i % len(trickle) + 1])
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic() - started
    return None


def test_slow_request_head_is_cut_off(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    started = time.monotonic()
    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    closed = _closed_after(sock, started, trickle=b"X-Slow-Header-Name-Goes-On")
    sock.close()
    assert closed is not None, "a slowloris connection was held open"
    assert HEAD_S - 0.5 <= closed <= HEAD_S + 2.0, closed


def test_idle_connection_without_a_request_is_closed(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    closed = _closed_after(sock, time.monotonic())
    sock.close()
    assert closed is not None and closed <= HEAD_S + 2.0, closed


def test_stalled_body_is_cut_off_and_leaves_nothing(server):
    folders = job_folders(server.data_dir)
    body, ctype = multipart([("file", "a.xlsx", b"PK\x03\x04" + bytes(200_000))])
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(
        (
            f"POST /api/jobs HTTP/1.1\r\nHost: {server.host}\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body[:100_000]
    )
    closed = _closed_after(sock, time.monotonic())
    sock.close()
    assert closed is not None and closed <= BODY_S + 2.0, closed
    assert no_staging(server.data_dir, wait=2)
    assert job_folders(server.data_dir) == folders


def test_declared_oversize_is_refused_at_once_then_the_connection_closed(server):
    """Content-Length over the limit: 413 before the body is read; a client that goes on
    sending is cut off a few seconds after the answer (uvicorn would read it all)."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(
        (
            f"POST /api/jobs HTTP/1.1\r\nHost: {server.host}\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {300 * MB}\r\n\r\n"
        ).encode()
        + bytes(MB)
    )
    answer = _read_response(sock)
    answered = time.monotonic()
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:300]
    assert "上传内容过大" in json.loads(answer.partition(b"\r\n\r\n")[2])["error"]
    closed = _closed_after(sock, answered, trickle=b"x")
    sock.close()
    assert closed is not None and closed <= GuardedH11Protocol.drain_timeout + 2.0, closed


def test_keep_alive_requests_still_work(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    for _ in range(3):
        conn.request("GET", "/healthz")
        r = conn.getresponse()
        assert r.status == 200 and json.loads(r.read()) == {"status": "ok"}
        time.sleep(HEAD_S / 2)  # within the head deadline each time
    conn.close()


# --- 4. the file route: names never become paths ------------------------------------------


@pytest.fixture(scope="module")
def finished_job(server):
    """A finished job written directly into the server's data dir: one real output, and
    a link inside out/ that points at the server's database."""
    job_id = "c0ffee" + "0" * 26
    out = server.data_dir / "jobs" / job_id / "out"
    out.mkdir(parents=True)
    (out / "真的.docx").write_bytes(b"PK\x03\x04 a document")
    (out / "链接.docx").symlink_to(server.data_dir / "jobs.sqlite3")
    with sqlite3.connect(server.data_dir / "jobs.sqlite3") as db:
        db.execute(
            "INSERT INTO jobs (id, kind, status, pack, created, finished, total) "
            "VALUES (?, 'single', 'done', 'sichuan-2021', ?, ?, 1)",
            (job_id, time.time(), time.time()),
        )
    return job_id


def test_job_file_serves_its_own_output(server, finished_job):
    status, _, body = request(server, "GET", f"/api/jobs/{finished_job}/files/{quote('真的.docx')}")
    assert status == 200 and body == b"PK\x03\x04 a document"


def test_job_file_names_never_become_paths(server, finished_job, tmp_path):
    secret = server.data_dir / "jobs.sqlite3"
    depth = "..%2f" * len((server.data_dir / "jobs" / finished_job / "out").resolve().parts)
    names = [
        "//etc/hostname",
        "%2Fetc%2Fhostname",
        "..%2f..%2fetc%2fhostname",
        depth + "etc%2fhostname",  # as many ../ as it takes to reach /
        "..%2f..%2f..%2fjobs.sqlite3",  # the server's own database
        "..%5c..%5c..%5cjobs.sqlite3",
        "x%00.docx",
        "/" + str(secret),  # an absolute path of a real file in the data dir
        quote(str(secret), safe=""),
        "%2e%2e/%2e%2e/%2e%2e/jobs.sqlite3",
        ".hidden",
        quote("链接.docx"),  # a link inside out/ to a file outside it
    ]
    for name in names:
        r = request(server, "GET", f"/api/jobs/{finished_job}/files/{name}")
        assert r[0] == 404, (name, r)
        assert "找不到" in error_of(r), name


# --- 2. zips: what they really expand to ------------------------------------------------------


def test_zero_filled_zip_is_refused_and_nothing_written(server):
    jobs, folders = job_count(server.data_dir), job_folders(server.data_dir)
    bomb = zip_of({f"u{i:02d}.xlsx": bytes(10 * MB) for i in range(1, 46)})
    assert len(bomb) < 1 * MB
    r = upload(server, [("files", "all.zip", bomb)])
    assert r[0] in (400, 413) and "压缩炸弹" in error_of(r)
    assert job_count(server.data_dir) == jobs and job_folders(server.data_dir) == folders
    assert no_staging(server.data_dir)


def test_zip_of_real_workbooks_is_accepted(server, example_path):
    data = example_path.read_bytes()
    r = upload(server, [("files", "units.zip", zip_of({"甲/一.xlsx": data, "乙/二.xlsx": data}))])
    assert r[0] == 202, r
    job_id = json.loads(r[2])["id"]
    assert sorted(p.name for p in (server.data_dir / "jobs" / job_id / "in").iterdir()) == [
        "一.xlsx",
        "二.xlsx",
    ]
    assert no_staging(server.data_dir)


@pytest.fixture
def local(tmp_path):
    """(client, data dir): the app without its lifespan; refusals need no job store."""
    data_dir = tmp_path / "data"

    def make(**limits):
        app = create_app(data_dir, allowed_hosts=["testserver"], limits=Limits(**limits))
        return TestClient(app, raise_server_exceptions=False)

    return make, data_dir


def refused(client, data_dir, files, status: int, message: str) -> None:
    r = client.post("/api/jobs", files=files, data={"pack": "sichuan-2021"})
    assert r.status_code == status, r.text
    assert message in r.json()["error"]
    assert not (data_dir / "jobs").exists() and not (data_dir / "staging").exists()


def test_zip_member_that_is_not_a_workbook_is_refused(local):
    make, data_dir = local
    archive = zip_of({"u01.xlsx": bytes(800_000)})  # under 1 MiB: no ratio check
    refused(make(), data_dir, {"files": ("x.zip", archive)}, 400, "不是 Excel 工作簿")


def test_ratio_applies_to_members_over_one_mebibyte(local):
    make, data_dir = local
    archive = zip_of({"说明.txt": bytes(2 * MB)})  # not even a workbook
    refused(make(), data_dir, {"files": ("x.zip", archive)}, 413, "压缩炸弹")


def test_unpacked_total_is_limited(local, example_path):
    make, data_dir = local
    data = example_path.read_bytes()
    archive = zip_of({f"{i}.xlsx": data for i in range(4)}, zipfile.ZIP_STORED)
    limit = 3 * len(data) + len(data) // 2
    refused(
        make(zip_unpacked_bytes=limit), data_dir, {"files": ("x.zip", archive)}, 413, "压缩炸弹"
    )


def test_zip_whose_directory_understates_a_member_is_refused(local):
    """A member whose declared size is smaller than what it holds fails its CRC when it is
    decompressed, and the whole archive is refused before anything is written."""
    make, data_dir = local
    real = b"PK\x03\x04" + os.urandom(300_000)
    archive = bytearray(zip_of({"u.xlsx": real}))
    size = len(real).to_bytes(4, "little")
    small = (1000).to_bytes(4, "little")
    assert archive.count(size) == 2  # the local header and the central directory
    archive = bytes(archive).replace(size, small)
    refused(make(), data_dir, {"files": ("x.zip", archive)}, 400, "压缩包已损坏")


def test_per_file_and_count_limits_apply_while_reading(local):
    make, data_dir = local
    files = [("files", (f"{i}.xlsx", b"PK\x03\x04" + bytes(10), XLSX)) for i in range(4)]
    refused(make(files=3), data_dir, files, 400, "文件过多")
    big = {"file": ("大.xlsx", b"PK\x03\x04" + bytes(2 * MB), XLSX)}
    refused(make(file_bytes=1 * MB), data_dir, big, 413, "大于 1 MB")
    refused(make(request_bytes=1 * MB), data_dir, big, 413, "上传内容过大")


def test_body_that_is_not_a_form_is_refused(local):
    make, data_dir = local
    r = make().post("/api/jobs", content=b"just bytes", headers={"content-type": "text/plain"})
    assert r.status_code == 400 and "没有收到文件" in r.json()["error"]
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nPK'
    r = make().post(
        "/api/jobs", content=body, headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert r.status_code == 400 and "不完整" in r.json()["error"]
    assert not (data_dir / "staging").exists()


# --- 4. an unexpected exception: the documented JSON, the traceback in the log only -------


def test_unexpected_exception_answers_json_500(local, monkeypatch, caplog, tmp_path):
    make, _ = local

    def broken():
        raise RuntimeError(f"secret detail in {tmp_path}")

    monkeypatch.setattr(web_app, "pack_infos", broken)
    client = make()
    r = client.get("/api/packs")
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"error": SERVER_ERROR}
    assert r.headers["x-content-type-options"] == "nosniff"
    page = client.get("/packs")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "服务器内部错误" in page.text
    for text in (r.text, page.text):
        assert "secret" not in text and "RuntimeError" not in text and str(tmp_path) not in text
    assert "secret detail" in caplog.text  # the traceback went to the server's log
