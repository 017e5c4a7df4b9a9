"""Resident LibreOffice shared by worker processes (``reportgen batch``, the web server).

Documents are built in worker processes, but LibreOffice instances are few and costly to
start, so they live in the process that owns the workers: a :class:`PdfService` there
holds a :class:`~reportgen.pdf.Converter` and listens on a local socket (a Unix socket,
a named pipe on Windows; an authentication key keeps other local users out). A worker
sends the paths of its .docx and PDF and gets the :class:`~reportgen.pdf.PdfResult` or
the Chinese error back. If the service cannot be reached, the worker converts with a
LibreOffice of its own.
"""

from __future__ import annotations

import contextlib
import os
import threading
from multiprocessing.connection import Client, Listener
from pathlib import Path
from typing import NamedTuple

from . import TIMEOUT_S, Converter, PdfError, PdfResult
from .resident import START_TIMEOUT_S

#: How long a worker waits for its PDF: a restart, a conversion and a queue ahead of it.
CLIENT_WAIT_S = START_TIMEOUT_S + 2 * TIMEOUT_S


class ServiceAddress(NamedTuple):
    """Where workers reach the service (picklable: passed to pool workers)."""

    address: str
    authkey: bytes


class PdfService:
    """A converter of ``instances`` resident LibreOffice instances, served to other
    processes; use as a context manager (``with PdfService(2) as service: service.address``)."""

    def __init__(self, instances: int = 1, **converter_options):
        self.converter = Converter(instances, **converter_options)
        self.address: ServiceAddress | None = None
        self._listener: Listener | None = None
        self._thread: threading.Thread | None = None
        self._closing = False

    def start(self) -> ServiceAddress:
        key = os.urandom(32)
        self._listener = Listener(authkey=key)
        self.address = ServiceAddress(str(self._listener.address), key)
        self._thread = threading.Thread(target=self._accept, name="pdf-service", daemon=True)
        self._thread.start()
        return self.address

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._closing:
            try:
                conn = self._listener.accept()
            except (OSError, EOFError):
                if self._closing:
                    return
                continue
            except Exception:  # noqa: BLE001 - a client with a wrong key: refuse it, go on
                continue
            if self._closing:
                conn.close()
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn) -> None:
        with conn:
            try:
                docx, pdf = conn.recv()
            except (OSError, EOFError):
                return
            try:
                answer = ("ok", self.converter.convert(docx, pdf))
            except PdfError as exc:
                answer = ("error", str(exc))
            except Exception as exc:  # noqa: BLE001 - the worker gets a message, we go on
                answer = ("error", f"PDF 转换出现内部错误：{type(exc).__name__}")
            with contextlib.suppress(OSError):  # the worker may be gone (its timeout)
                conn.send(answer)

    def close(self) -> None:
        """Stop accepting, then stop every LibreOffice instance."""
        self._closing = True
        if self._listener is not None and self.address is not None:
            with contextlib.suppress(Exception):  # wake the accepting thread
                Client(self.address.address, authkey=self.address.authkey).close()
            self._listener.close()
            if self._thread is not None:
                self._thread.join(timeout=5)
        self._listener = None
        self.converter.close()

    def __enter__(self) -> PdfService:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def request(via: ServiceAddress, docx: str | Path, pdf: str | Path | None = None) -> PdfResult:
    """Convert through the service at ``via``; a converter of this process's own when the
    service cannot be reached."""
    try:
        conn = Client(via.address, authkey=via.authkey)
    except OSError:
        with Converter() as conv:
            return conv.convert(docx, pdf)
    with conn:
        conn.send((str(docx), str(pdf) if pdf else None))
        if not conn.poll(CLIENT_WAIT_S):
            raise PdfError(f"LibreOffice 转换超时（{CLIENT_WAIT_S} 秒），未生成 PDF。")
        try:
            kind, payload = conn.recv()
        except (OSError, EOFError) as exc:
            raise PdfError("PDF 转换服务意外中断，未生成 PDF。") from exc
    if kind == "ok":
        return payload
    raise PdfError(payload)
