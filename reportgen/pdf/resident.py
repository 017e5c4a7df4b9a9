"""One resident LibreOffice: soffice started once and driven over UNO for many documents.

soffice listens on a named pipe; ``uno_bridge.py``, run by a Python that can import
``uno``, connects to it and takes requests as JSON lines on its stdin. Both run in
sessions of their own, so a Ctrl-C in the terminal reaches only reportgen, which stops
them in order; if reportgen dies, the bridge sees its stdin close and ends soffice. Every
wait has a timeout; a timed-out or crashed instance is killed (its whole process group)
and started again for the next document.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

from . import fonts

BRIDGE = Path(__file__).with_name("uno_bridge.py")
START_TIMEOUT_S = 90  # a first start also creates the profile
STOP_TIMEOUT_S = 15


class StartFailed(Exception):
    """No resident LibreOffice could be started (the caller falls back to a fresh one)."""


class Crashed(Exception):
    """LibreOffice or the bridge died during a conversion."""


class TimedOut(Exception):
    """A conversion took longer than allowed; the instance was killed."""


class Refused(Exception):
    """LibreOffice is fine but could not convert this document."""


def find_uno_python(soffice: str) -> str | None:
    """A Python that can ``import uno`` for this LibreOffice: $REPORTGEN_UNO_PYTHON when
    set (and only it), else the Python bundled with LibreOffice (Windows, macOS), else the
    system's python3 (Debian's python3-uno)."""
    return _uno_python(soffice, os.environ.get("REPORTGEN_UNO_PYTHON", ""))


@functools.cache
def _uno_python(soffice: str, explicit: str) -> str | None:
    if explicit:
        candidates = [explicit]
    else:
        program = Path(soffice).resolve().parent
        candidates = [
            str(program / "python.exe"),
            str(program / "python"),
            str(program.parent / "Resources" / "python"),  # macOS app bundle
            "/usr/bin/python3",
            shutil.which("python3") or "",
        ]
    for cand in candidates:
        if cand and Path(cand).is_file() and _imports_uno(cand):
            return cand
    return None


def _imports_uno(python: str) -> bool:
    try:
        return (
            subprocess.run(
                [python, "-c", "import uno"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=30,
            ).returncode
            == 0
        )
    except (OSError, subprocess.SubprocessError):
        return False


def own_session() -> dict:
    """Popen arguments that put the child in a process group of its own."""
    if os.name == "posix":
        return {"start_new_session": True}
    return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}


def kill_group(proc: subprocess.Popen | None) -> None:
    """Kill the process and everything in its group (soffice's oosplash and soffice.bin)."""
    if proc is None:
        return
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=STOP_TIMEOUT_S)


class Instance:
    """One soffice and its bridge, in a folder of its own (profile, scratch output)."""

    def __init__(self, soffice: str, python: str, folder: Path):
        self.soffice, self.python, self.folder = soffice, python, folder
        self.proc: subprocess.Popen | None = None
        self.bridge: subprocess.Popen | None = None
        self._replies: queue.Queue = queue.Queue()
        self.starts = 0  # how many times soffice was started
        self.done = 0  # conversions since the last start
        self.fonts: list[str] = []  # the family names this LibreOffice knows
        self.seconds: dict = {}  # the last conversion's steps (load, update, export)

    @property
    def profile(self) -> Path:
        return self.folder / "profile"

    def running(self) -> bool:
        return (
            self.proc is not None
            and self.proc.poll() is None
            and self.bridge is not None
            and self.bridge.poll() is None
        )

    def start(self, subs: list[fonts.Substitute], timeout: float = START_TIMEOUT_S) -> None:
        """Start soffice with the replacement table ``subs`` and connect the bridge."""
        self.stop()
        fonts.write_profile(self.profile, subs)
        pipe = f"reportgen-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        cmd = [
            self.soffice,
            f"-env:UserInstallation={self.profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ]
        try:
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                **own_session(),
            )
            self.starts += 1
            self.bridge = subprocess.Popen(
                [
                    self.python,
                    str(BRIDGE),
                    "--pipe",
                    pipe,
                    "--soffice-pid",
                    str(self.proc.pid),
                    "--connect-timeout",
                    str(timeout),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                **own_session(),
            )
        except OSError as exc:
            self.kill()
            raise StartFailed(f"{type(exc).__name__}: {exc}") from exc
        self._replies = queue.Queue()
        threading.Thread(
            target=_read_lines, args=(self.bridge.stdout, self._replies), daemon=True
        ).start()
        try:
            hello = self._reply(timeout + 10)
        except (Crashed, TimedOut) as exc:
            self.kill()
            raise StartFailed(str(exc) or type(exc).__name__) from exc
        if not hello.get("ok"):
            self.kill()
            raise StartFailed(hello.get("error", "LibreOffice 未能启动"))
        self.fonts = list(hello.get("fonts", []))
        self.done = 0

    def convert(self, docx: Path, pdf: Path, timeout: float) -> list[tuple[str, str]]:
        """Export ``docx`` as ``pdf`` with its fields and 目录 updated; the 目录's lines."""
        assert self.bridge is not None and self.bridge.stdin is not None
        request = {"op": "convert", "docx": str(docx), "pdf": str(pdf)}
        try:
            self.bridge.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            self.bridge.stdin.flush()
        except OSError as exc:
            self.kill()
            raise Crashed(str(exc)) from exc
        try:
            answer = self._reply(timeout)
        except (Crashed, TimedOut):
            self.kill()
            raise
        self.done += 1
        self.seconds = answer.get("seconds", {})
        if answer.get("ok"):
            return [(str(t), str(p)) for t, p in answer.get("toc", [])]
        if answer.get("dead") or not self.running():
            self.kill()
            raise Crashed(answer.get("error", ""))
        raise Refused(answer.get("error", ""))

    def _reply(self, timeout: float) -> dict:
        """The bridge's next reply line; Crashed as soon as soffice or the bridge has
        exited (checked every half second), TimedOut after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._replies.get(timeout=min(0.5, max(0.0, deadline - time.monotonic())))
                break
            except queue.Empty:
                if self.proc is None or self.proc.poll() is not None:
                    raise Crashed("LibreOffice 意外退出") from None
                if time.monotonic() >= deadline:
                    raise TimedOut(f"{timeout:g} s") from None
        if line is None:
            raise Crashed("LibreOffice 意外退出")
        try:
            return json.loads(line)
        except ValueError:
            return {"ok": False, "error": line.strip()[:200]}

    def stop(self) -> None:
        """End soffice in order (the bridge asks it to terminate), killing what remains."""
        if self.bridge is not None and self.bridge.poll() is None and self.bridge.stdin:
            try:
                self.bridge.stdin.write('{"op": "quit"}\n')
                self.bridge.stdin.flush()
                self._reply(STOP_TIMEOUT_S)
            except (OSError, Crashed, TimedOut, ValueError):
                pass
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        self.kill()

    def kill(self) -> None:
        """Kill soffice and the bridge with their process groups; forget them."""
        kill_group(self.proc)
        kill_group(self.bridge)
        for stream in (self.bridge.stdin, self.bridge.stdout) if self.bridge else ():
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.proc = self.bridge = None

    def pids(self) -> list[int]:
        """soffice's process group id (tests kill it to check that conversions go on)."""
        return [self.proc.pid] if self.proc is not None else []


def _read_lines(stream, into: queue.Queue) -> None:
    """Hand the bridge's reply lines over to the waiting thread (None at its end)."""
    try:
        for line in stream:
            into.put(line)
    except (OSError, ValueError):
        pass
    into.put(None)
