"""The UNO side of the resident converter, run by LibreOffice's own Python.

reportgen's Python (pyenv's 3.11, a virtualenv) cannot import LibreOffice's ``uno``
module; the Python LibreOffice was built with can (Debian's python3-uno for
/usr/bin/python3, ``program/python`` of a Windows or macOS install). So reportgen starts
soffice listening on a named pipe and this script as its child, and sends it one JSON
request per line on stdin; each gets one JSON reply line on stdout. The script imports
nothing of reportgen and runs on any Python 3.8+.

Requests::

    {"op": "convert", "docx": "/abs/in.docx", "pdf": "/abs/out.pdf"}
    {"op": "quit"}

A conversion refreshes the text fields, updates every document index (the 目录) until
its page numbers stop changing, exports the PDF and replies with the 目录's lines and
page numbers: ``{"ok": true, "toc": [["第一部分 部门概况", "2"], ...]}``. A failure replies
``{"ok": false, "error": "...", "dead": bool}``; ``dead`` means LibreOffice itself is gone
and the script exits after replying. When reportgen goes away (stdin closes) the script
terminates LibreOffice, and kills its process group if it does not end.
"""

import argparse
import contextlib
import json
import os
import signal
import sys
import time


def reply(**fields):
    sys.stdout.write(json.dumps(fields, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def prop(name, value):
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def connect(pipe, soffice_pid, timeout):
    """The soffice component context, once soffice accepts on its pipe."""
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if not alive(soffice_pid):
                raise RuntimeError("soffice exited before accepting connections") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"soffice did not accept within {timeout} s") from None
            time.sleep(0.1)


def font_names(ctx):
    """The font family names LibreOffice itself knows (its menus show the same)."""
    tk = ctx.ServiceManager.createInstanceWithContext("com.sun.star.awt.Toolkit", ctx)
    device = tk.createScreenCompatibleDevice(1, 1)
    return sorted({f.Name for f in device.getFontDescriptors()})


def toc_lines(doc):
    """(entry, page) of every content index (目录) line that ends with a page number."""
    lines = []
    indexes = doc.getDocumentIndexes()
    for i in range(indexes.getCount()):
        index = indexes.getByIndex(i)
        if not index.supportsService("com.sun.star.text.ContentIndex"):
            continue
        for line in index.getAnchor().getString().splitlines():
            text, tab, page = line.rpartition("\t")
            if tab and page.strip().isdigit():
                lines.append([text.strip(), page.strip()])
    return lines


def update_indexes(doc):
    """Update every index until its text is stable: adding page numbers can move a
    heading to another page (at most a few rounds)."""
    indexes = doc.getDocumentIndexes()
    before = None
    for _ in range(4):
        for i in range(indexes.getCount()):
            indexes.getByIndex(i).update()
        now = toc_lines(doc)
        if now == before:
            break
        before = now
    return before or []


def convert(desktop, docx, pdf, times):
    """Export ``docx`` as ``pdf`` with fields and indexes updated; the 目录's lines.
    ``times`` gets the seconds from the start at which each step ended."""
    import uno

    started = time.monotonic()
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(os.path.abspath(docx)),
        "_blank",
        0,
        (
            prop("Hidden", True),
            prop("ReadOnly", True),
            prop("UpdateDocMode", 0),  # NO_UPDATE: no links fetched
            prop("MacroExecutionMode", 0),  # NEVER_EXECUTE
        ),
    )
    if doc is None:
        raise RuntimeError("LibreOffice could not open the document")
    times["load"] = time.monotonic() - started
    try:
        doc.getTextFields().refresh()
        doc.refresh()
        toc = update_indexes(doc)
        times["update"] = time.monotonic() - started
        doc.storeToURL(
            uno.systemPathToFileUrl(os.path.abspath(pdf)),
            (prop("FilterName", "writer_pdf_Export"), prop("Overwrite", True)),
        )
        times["export"] = time.monotonic() - started
        return toc
    finally:
        doc.close(True)


def is_dead(exc):
    """Whether the exception says the connection to soffice is gone."""
    return type(exc).__name__ == "DisposedException" or "disposed" in str(exc).lower()


def shut_down(desktop, soffice_pid, wait):
    """Ask LibreOffice to terminate; with ``wait`` (reportgen is gone and cannot reap or
    kill it), kill its process group if it has not ended after 10 s."""
    try:
        if desktop is not None:
            desktop.terminate()
    except Exception:  # noqa: BLE001 - soffice may already be gone
        pass
    if not wait:
        return
    deadline = time.monotonic() + 10
    while alive(soffice_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(soffice_pid) and hasattr(os, "killpg"):
        with contextlib.suppress(OSError):
            os.killpg(soffice_pid, signal.SIGKILL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipe", required=True)
    ap.add_argument("--soffice-pid", type=int, required=True)
    ap.add_argument("--connect-timeout", type=float, default=60)
    args = ap.parse_args()
    desktop = None
    try:
        ctx = connect(args.pipe, args.soffice_pid, args.connect_timeout)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        reply(ok=True, event="ready", fonts=font_names(ctx))
    except Exception as exc:  # noqa: BLE001 - reported to reportgen, which falls back
        reply(ok=False, error=f"{type(exc).__name__}: {exc}", dead=True)
        shut_down(desktop, args.soffice_pid, wait=False)
        return 2
    for line in sys.stdin:
        try:
            req = json.loads(line)
        except ValueError:
            reply(ok=False, error="bad request", dead=False)
            continue
        if req.get("op") == "quit":
            shut_down(desktop, args.soffice_pid, wait=False)  # reportgen waits for it
            reply(ok=True, event="bye")
            return 0
        try:
            times = {}
            toc = convert(desktop, req["docx"], req["pdf"], times)
            reply(ok=True, toc=toc, seconds={k: round(v, 3) for k, v in times.items()})
        except Exception as exc:  # noqa: BLE001 - one document's failure is its reply
            dead = is_dead(exc) or not alive(args.soffice_pid)
            reply(ok=False, error=f"{type(exc).__name__}: {exc}", dead=dead)
            if dead:
                return 3
    shut_down(desktop, args.soffice_pid, wait=True)  # reportgen went away
    return 0


if __name__ == "__main__":
    sys.exit(main())
