"""User text never becomes a path, and a failed write leaves nothing behind (issue 13).

The department's name is user text: it is part of every output file name. These tests
give it the names a careless or hostile user would type, through the CLI of the installed
package, through ``reportgen batch`` and through the web service, and make every write
fail part-way (a disk full, a read-only folder, a rename that fails): the previous
document must survive byte for byte, and no temporary or lonely sidecar may remain.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen import atomic, build
from reportgen.atomic import OutputError, write_group
from reportgen.paths import MAX_NAME_BYTES, UnsafePath, inside, safe_filename

HOSTILE = "x/../../../ESCAPED/局"
LONG_NAME = "云南省玉溪市红塔区" + "互联网信息化建设与数据资源管理服务中心" * 16  # 300+ characters


def set_name(name: str):
    def mutate(data):
        data.kv["单位基本情况"]["部门名称"] = name

    return mutate


def all_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- the one function that makes names ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HOSTILE, "x_._._._ESCAPED_局.docx"),
        ("..", "未命名.docx"),
        ("../..", "未命名.docx"),
        (".隐藏", "隐藏.docx"),
        ("a\u200bb\u200dc\u202ed\u2066e\ufeff", "abcde.docx"),  # zero-width and bidi marks
        ("a\x00b\x1fc\x7fd", "abcd.docx"),
        ('a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h.docx"),
        ("C:\\Windows\\局", "C__Windows_局.docx"),
        ("CON", "CON_.docx"),
        ("  玉溪市\t网信办  ", "玉溪市 网信办.docx"),
        ("", "未命名.docx"),
    ],
)
def test_safe_filename(text, expected):
    assert safe_filename(text, ".docx") == expected


def test_long_names_are_bounded_in_bytes_and_stay_distinct():
    a = safe_filename(LONG_NAME + "甲", ".docx")
    b = safe_filename(LONG_NAME + "乙", ".docx")
    assert a != b
    for name in (a, b):
        assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
        assert name.endswith(".docx") and "~" in name
        assert name.startswith("云南省玉溪市红塔区互联网信息化")
    # the same text always gives the same name (a rerun overwrites, never duplicates)
    assert safe_filename(LONG_NAME + "甲", ".docx") == a


def test_inside_refuses_every_way_out(tmp_path):
    root = tmp_path / "out"
    root.mkdir()
    assert inside(root, "a/b.docx") == (root / "a" / "b.docx").resolve()
    for bad in ("../x.docx", "/etc/hostname", "a/../../x", str(tmp_path / "x"), "a\x00b"):
        with pytest.raises(UnsafePath):
            inside(root, bad)
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePath):
        inside(root, "link/x.docx")


# --- build through the installed CLI -------------------------------------------------------


def cli(*args: str, cwd: Path, **kw) -> subprocess.CompletedProcess:
    """``reportgen`` as installed (run outside the checkout, so the checkout is not imported)."""
    exe = shutil.which("reportgen")
    assert exe, "reportgen is not installed (pip install .)"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=300, **kw)


def test_hostile_name_writes_only_inside_the_output_folder(make_workbook, tmp_path):
    src = make_workbook(set_name(HOSTILE), name="hostile.xlsx")
    work = tmp_path / "work"
    (work / "out").mkdir(parents=True)
    proc = cli("build", str(src), "-o", "out", cwd=work)
    assert proc.returncode == 0, proc.stderr
    files = all_files(tmp_path)
    outside = [p for p in files if not p.is_relative_to(work / "out") and p != src]
    assert outside == []
    assert not (tmp_path / "ESCAPED").exists() and not (work / "ESCAPED").exists()
    doc = work / "out" / "2021年度x_._._._ESCAPED_局部门决算公开.docx"
    assert doc.is_file()
    assert proc.stdout.strip().splitlines()[-1] == str(Path("out") / doc.name)
    # the name inside the document is the unit's own, as typed
    import docx

    assert any(HOSTILE in p.text for p in docx.Document(str(doc)).paragraphs)


def test_a_300_character_name_builds_a_document_with_a_valid_name(make_workbook, tmp_path):
    assert len(LONG_NAME) >= 300
    src = make_workbook(set_name(LONG_NAME), name="long.xlsx")
    out = tmp_path / "out"
    proc = cli("build", str(src), "-o", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    names = sorted(p.name for p in all_files(out))
    assert len(names) == 2  # the document and its 审核结果 (the example's 4 warnings)
    doc, sidecar = (n for n in sorted(names, key=lambda n: not n.endswith(".docx")))
    # shortened: the tail of the name gave way to a hash of the whole
    assert doc.startswith("2021年度云南省玉溪市红塔区") and doc.endswith(".docx")
    assert "~" in doc and not doc.endswith("部门决算公开.docx")
    assert sidecar == doc.removesuffix(".docx") + "审核结果.txt"
    assert all(len(n.encode("utf-8")) <= 255 for n in names)


# --- a folder that cannot be written -------------------------------------------------------


def test_output_folder_under_a_file_gives_exit_4_and_no_traceback(example_path, tmp_path):
    blocker = tmp_path / "occupied"
    blocker.write_text("a file, not a folder")
    proc = cli("build", str(example_path), "-o", str(blocker / "sub"), cwd=tmp_path)
    assert proc.returncode == 4
    assert "Traceback" not in proc.stderr
    assert "输出目录无法创建" in proc.stderr
    assert all_files(tmp_path) == [blocker]


def _in_a_small_mount(mount_opts: str, script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``script`` (sh) with $D a fresh tmpfs mounted with ``mount_opts``, in a private
    mount namespace (as root, or as a user in a user namespace): a real full or read-only
    file system, not a simulation."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    exe = shutil.which("reportgen")
    body = f'mount -t tmpfs -o {mount_opts} tmpfs "$D" || exit 99\n{script}'
    return subprocess.run(
        ["unshare", "--mount", "--map-root-user", "sh", "-c", body],
        env={**os.environ, "D": str(mount), "RG": exe or "reportgen"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


LIST_AFTER = '; echo "rc=$rc"; find "$D" -mindepth 1 -printf "%P\\n" | sort'


@pytest.mark.parametrize(
    ("opts", "prepare", "reason"),
    [
        ("size=256k", "", "磁盘空间不足"),  # the sidecar fits, the document does not
        ("ro,size=1m", "", "输出目录不可写"),
        # the previous run left a document: a full disk must not take it away
        (
            "size=2m",
            '"$RG" build "$SRC" -o "$D" >/dev/null 2>&1 && '
            'dd if=/dev/zero of="$D/fill" bs=64k 2>/dev/null; ',
            "磁盘空间不足",
        ),
    ],
    ids=["full-disk", "read-only", "full-disk-keeps-previous"],
)
def test_full_or_read_only_disk_gives_exit_4_and_leaves_nothing(
    example_path, tmp_path, opts, prepare, reason
):
    script = (
        f"{prepare}"
        'before=$(find "$D" -name "*.docx" -exec sha256sum {} +); '
        '"$RG" build "$SRC" -o "$D" >"$D/../stdout" 2>"$D/../stderr"; rc=$?; '
        'after=$(find "$D" -name "*.docx" -exec sha256sum {} +); '
        '[ "$before" = "$after" ] && echo same-docx' + LIST_AFTER
    )
    os.environ["SRC"] = str(example_path)
    try:
        proc = _in_a_small_mount(opts, script, tmp_path)
    finally:
        del os.environ["SRC"]
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "rc=4" in lines, (lines, (tmp_path / "stderr").read_text())
    stderr = (tmp_path / "stderr").read_text()
    assert reason in stderr and "Traceback" not in stderr
    left = lines[lines.index("rc=4") + 1 :]
    assert not [n for n in left if n.endswith(".tmp")]
    assert not [n for n in left if n.endswith("审核结果.txt") and n[:-8] + ".docx" not in left]
    if prepare:
        assert "same-docx" in lines and any(n.endswith(".docx") for n in left)
    else:
        assert left == []


# --- atomic writes, deterministically -------------------------------------------------------


@pytest.fixture
def previous(example_path, tmp_path):
    """An output folder holding the document and sidecar of an earlier run."""
    out = tmp_path / "out"
    first = build(example_path, out)
    return out, {p: p.read_bytes() for p in all_files(out)}, first


def test_build_writes_temporaries_beside_the_target_then_renames(
    example_path, previous, monkeypatch
):
    out, _, _ = previous
    calls = []
    real = os.replace

    def spy(src, dst):
        calls.append((Path(src), Path(dst)))
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", spy)
    result = build(example_path, out)
    temps = [(s, d) for s, d in calls if s.name.startswith(atomic.TEMP_PREFIX)]
    assert {d for _, d in temps} == {result.path, result.report_path}
    assert all(s.parent == d.parent == out and s.suffix == ".tmp" for s, d in temps)


def test_a_write_failing_part_way_keeps_the_previous_document(example_path, previous, monkeypatch):
    out, before, _ = previous
    real_fsync = os.fsync

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OutputError) as err:
        build(example_path, out)
    monkeypatch.setattr(atomic.os, "fsync", real_fsync)
    assert "磁盘空间不足" in err.value.reason
    assert {p: p.read_bytes() for p in all_files(out)} == before  # byte for byte, no .tmp


def test_a_rename_failing_part_way_undoes_the_group(example_path, previous, monkeypatch):
    """The sidecar is renamed second; when that fails, the new document is taken back."""
    out, before, first = previous
    real = os.replace

    failed = []

    def fail_on_sidecar(src, dst):
        if Path(dst) == first.report_path and not failed:
            failed.append(src)
            raise OSError(errno.EIO, "I/O error")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", fail_on_sidecar)
    # a different document this time, so a half-done group would show
    with pytest.raises(OutputError):
        write_group(out, {first.path.name: b"new document", first.report_path.name: b"new"})
    assert failed  # the failure did happen at the second rename
    assert {p: p.read_bytes() for p in all_files(out)} == before


def test_a_new_document_that_fails_leaves_no_file_with_its_name(
    example_path, tmp_path, monkeypatch
):
    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OutputError):
        build(example_path, tmp_path / "out")
    assert all_files(tmp_path) == []


# --- batch ----------------------------------------------------------------------------------


def test_batch_units_cannot_reach_each_others_folders(make_workbook, example_path, tmp_path):
    """Unit a's name points at unit b's folder; b's document must stay b's."""
    from reportgen.batch import run_batch

    src = tmp_path / "in"
    src.mkdir()
    make_workbook(set_name("../b/2021年度玉溪市互联网信息办公室"), name="in/a.xlsx")
    shutil.copy(example_path, src / "b.xlsx")
    out = tmp_path / "out"
    summary = run_batch(src, out, jobs=1, progress_stream=open(os.devnull, "w"))  # noqa: SIM115
    assert [r.status for r in summary.results] == ["有警告", "有警告"]
    b_files = sorted(p.name for p in (out / "b").iterdir())
    assert b_files == [
        "2021年度玉溪市互联网信息办公室部门决算公开.docx",
        "2021年度玉溪市互联网信息办公室部门决算公开审核结果.txt",
    ]
    a_files = sorted(p.name for p in (out / "a").iterdir())
    assert a_files[0] == "2021年度._b_2021年度玉溪市互联网信息办公室部门决算公开.docx"
    assert summary.results[0].department == "../b/2021年度玉溪市互联网信息办公室"
    assert all(p.is_relative_to(out) for p in all_files(tmp_path) if not p.is_relative_to(src))


def test_batch_retries_a_unit_whose_worker_crashed(example_path, tmp_path, monkeypatch):
    """A worker that dies is not the unit's outcome: the next run builds the unit."""
    from reportgen import pipeline
    from reportgen.batch import CRASHED, run_batch

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(example_path, src / "crashes.xlsx")
    shutil.copy(example_path, src / "fine.xlsx")
    real_render = pipeline.render

    def render(report, pack, *options, **named):  # runs in the forked worker
        if Path(report.source).name == "crashes.xlsx":
            os._exit(3)
        return real_render(report, pack, *options, **named)

    monkeypatch.setattr(pipeline, "render", render)
    out = tmp_path / "out"
    devnull = open(os.devnull, "w")  # noqa: SIM115
    first = run_batch(src, out, jobs=1, progress_stream=devnull)
    assert [r.status for r in first.results] == [CRASHED, "有警告"]
    monkeypatch.setattr(pipeline, "render", real_render)
    second = run_batch(src, out, jobs=1, progress_stream=devnull)
    assert [(r.status, r.skipped) for r in second.results] == [("有警告", False), ("有警告", True)]
    assert (out / "crashes" / "2021年度玉溪市互联网信息办公室部门决算公开.docx").is_file()


def test_batch_into_an_unwritable_folder_gives_exit_4(example_path, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(example_path, src / "u.xlsx")
    (tmp_path / "occupied").write_text("x")
    proc = cli("batch", str(src), "-o", str(tmp_path / "occupied" / "out"), cwd=tmp_path)
    assert proc.returncode == 4, proc.stderr
    assert "输出目录无法创建" in proc.stderr and "Traceback" not in proc.stderr


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))


# --- the web service --------------------------------------------------------------------------


def test_serve_keeps_a_hostile_name_inside_its_job(make_workbook, example_path, tmp_path):
    """Through the web: the hostile unit's document lands in its own job's folder, the
    job page answers, and another job's download is untouched."""
    import time
    import warnings

    from reportgen.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    hostile = make_workbook(set_name("../../" + "x/../../../ESCAPED/局"), name="hostile.xlsx")
    data = tmp_path / "data"
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def run(client, path: Path) -> dict:
        r = client.post("/api/jobs", files={"file": (path.name, path.read_bytes(), xlsx)})
        assert r.status_code == 202, r.text
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = client.get(r.json()["url"]).json()
            if job["finished"]:
                return job
            time.sleep(0.2)
        raise AssertionError("job not finished")

    with TestClient(create_app(data, jobs=1, allowed_hosts=["testserver"])) as client:
        other = run(client, example_path)
        other_doc = next(f for f in other["units"][0]["files"] if f["name"].endswith(".docx"))
        before = client.get(other_doc["url"]).content
        job = run(client, hostile)
        assert job["units"][0]["status"] == "有警告"
        assert client.get(f"/jobs/{job['id']}").status_code == 200
        doc = next(f for f in job["units"][0]["files"] if f["name"].endswith(".docx"))
        assert doc["label"] == "2021年度._._x_._._._ESCAPED_局部门决算公开.docx"
        assert client.get(doc["url"]).status_code == 200
        assert client.get(other_doc["url"]).content == before
    job_out = data / "jobs" / job["id"] / "out"
    assert all(p.is_relative_to(job_out) or "ESCAPED" not in str(p) for p in all_files(tmp_path))
    assert not [p for p in tmp_path.rglob("*ESCAPED*") if not p.is_relative_to(job_out)]
