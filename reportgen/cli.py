"""Command line: ``reportgen build | batch | check | codes | init | packs | serve``.

Exit codes: 0 success, 2 invalid input (findings printed, nothing written), 3 document
written but no PDF, 4 the output folder cannot be written (read-only, missing, full disk;
nothing left behind), 1 internal error. The path of a written file is always the last
line printed.
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from pathlib import Path

import click

from . import __version__
from .atomic import OutputError
from .findings import has_errors, to_json, to_text
from .narrative import TemplateProblem, available_packs
from .paths import UnsafePath

#: Exit code when the output folder cannot be written (see the module docstring).
EXIT_OUTPUT = 4

#: ``--codes FILE`` (repeatable) on build, check and batch: user code tables (docs/codes.md).
codes_option = click.option(
    "--codes",
    "codes_files",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="科目表文件（CSV，可重复，后给的优先）：补充或更正内置科目表，见 docs/codes.md",
)


#: ``--profile NAME`` on build, check and batch: the layout, else recognised from the tables.
profile_option = click.option(
    "--profile",
    default=None,
    metavar="NAME",
    help="版式名称（如 yunnan-2021、shanghai-2024；默认按工作簿中的表自动识别）",
)


def _output_failed(exc: OutputError | UnsafePath) -> None:
    """Say why nothing could be written, in Chinese and without a traceback, and exit."""
    click.echo(f"未能写出结果：{exc}", err=True)
    click.echo("未生成文档，也没有留下不完整的文件。", err=True)
    sys.exit(EXIT_OUTPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reportgen")
def main() -> None:
    """由决算公开表工作簿生成部门决算公开 Word 文档。"""


@main.command()
@click.argument("input_path", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out-dir",
    type=click.Path(path_type=Path),
    default=Path("outputs"),
    show_default=True,
    help="输出目录",
)
@click.option("-t", "--template", default=None, help="词句包名称（默认：所识别版式的默认词句包）")
@profile_option
@click.option(
    "--template-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="自定义词句包所在目录（优先于内置词句包）",
)
@click.option("--pdf", "make_pdf", is_flag=True, help="同时用 LibreOffice 转出 PDF")
@click.option(
    "--charts",
    type=click.Choice(["matplotlib", "native"]),
    default=None,
    help="图1–图7：matplotlib 图片，或 native 可在 Word/WPS 中编辑的图表"
    "（默认按版式的 chart_engine 设置，未设时为 matplotlib）",
)
@codes_option
@click.option(
    "--computed-scores",
    is_flag=True,
    help="绩效自评表印按评分规则计算的执行率、得分、总分和等级（默认印单位填写的）",
)
def build(
    input_path: Path,
    out_dir: Path,
    template: str | None,
    profile: str | None,
    template_dir: Path | None,
    make_pdf: bool,
    charts: str | None,
    codes_files: tuple[Path, ...],
    computed_scores: bool,
) -> None:
    """生成 INPUT_PATH 工作簿对应的决算公开文档。"""
    from . import charts as charts_mod

    if charts != "native":  # matplotlib is imported and the charts drawn on another core
        charts_mod.start_helper()
    from .findings import InputError
    from .pipeline import build as do_build

    try:
        result = do_build(
            input_path,
            out_dir,
            template,
            template_dir,
            codes_files,
            computed_scores=computed_scores,
            profile=profile,
            charts=charts,
        )
    except InputError as exc:
        click.echo(to_text(exc.findings), err=True)
        click.echo("输入有错误，未生成文档。请按上表修改工作簿后重试。", err=True)
        sys.exit(2)
    except TemplateProblem as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except (OutputError, UnsafePath) as exc:
        _output_failed(exc)
    except Exception:  # noqa: BLE001 - the user gets a message, the trace goes to stderr
        traceback.print_exc()
        click.echo("内部错误：未生成文档。请将以上信息反馈给维护人员。", err=True)
        sys.exit(1)
    finally:
        charts_mod.stop_helper()  # when the build ended before drawing
    if result.findings:
        click.echo(to_text(result.findings))
    if result.report_path:
        click.echo(f"审核结果：{result.report_path}")
    if make_pdf:
        from .pdf import PdfError, convert

        try:
            made = convert(result.path)
            if made.fonts_note:
                click.echo(made.fonts_note)
            if made.fallback:
                click.echo(made.notes()[-1], err=True)
            click.echo(f"PDF：{made.path}")
        except PdfError as exc:
            click.echo(str(exc), err=True)
            click.echo(str(result.path))
            sys.exit(3)
    click.echo(str(result.path))


@main.command()
@click.argument("input_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("-o", "--out-dir", type=click.Path(path_type=Path), required=True, help="输出目录")
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), default=None, help="工作进程数（默认：CPU 核数）"
)
@click.option("-t", "--template", default=None, help="词句包名称（默认：所识别版式的默认词句包）")
@profile_option
@click.option(
    "--template-dir", type=click.Path(path_type=Path), default=None, help="自定义词句包目录"
)
@click.option("--pdf", "make_pdf", is_flag=True, help="同时用 LibreOffice 转出 PDF")
@click.option(
    "--charts",
    type=click.Choice(["matplotlib", "native"]),
    default=None,
    help="图1–图7：matplotlib 图片，或 native 可在 Word/WPS 中编辑的图表"
    "（默认按版式的 chart_engine 设置，未设时为 matplotlib）",
)
@click.option("--force", is_flag=True, help="重新生成全部单位（默认跳过已完成且未改动的单位）")
@codes_option
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="在 Dask 集群上生成：调度器地址（如 tcp://192.168.1.10:8786），"
    '或 local、local:N（在本机启动 N 个工作进程）；需 pip install "reportgen[dask]"',
)
@click.option(
    "--collect",
    is_flag=True,
    help="与 --scheduler 同用：输出目录不是各机器共享的存储时，工作簿发给工作进程，"
    "文档传回本机写入",
)
def batch(
    input_dir: Path,
    out_dir: Path,
    jobs: int | None,
    template: str | None,
    profile: str | None,
    template_dir: Path | None,
    make_pdf: bool,
    charts: str | None,
    force: bool,
    codes_files: tuple[Path, ...],
    scheduler: str | None = None,
    collect: bool = False,
) -> None:
    """为 INPUT_DIR 下的每个工作簿生成文档，并写出 汇总.xlsx、汇总.json。"""
    executor = _batch_executor(scheduler, jobs, collect)
    if profile and not template:
        from .profiles import wording_for

        try:
            template = wording_for(profile, template_dir)
        except TemplateProblem as exc:
            click.echo(str(exc), err=True)
            sys.exit(2)
    from .batch import run_batch
    from .codes import CodeFileError

    cluster_error = _cluster_error() if executor is not None else ()
    try:
        summary = run_batch(
            input_dir,
            out_dir,
            jobs,
            template,
            template_dir,
            make_pdf,
            force,
            codes_files=codes_files,
            charts=charts,
            executor=executor,
        )
    except cluster_error as exc:
        click.echo(str(exc), err=True)
        click.echo("未能在 Dask 集群上完成批量生成；已完成的单位已记录，重新运行将继续。", err=True)
        sys.exit(2)
    except CodeFileError as exc:
        click.echo(to_text(exc.findings), err=True)
        click.echo("科目表文件有错误，未生成任何文档。", err=True)
        sys.exit(2)
    except TemplateProblem as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except (OutputError, UnsafePath) as exc:
        _output_failed(exc)
    except KeyboardInterrupt:
        click.echo("已中断：已完成的单位保留，重新运行将从中断处继续。", err=True)
        sys.exit(130)
    ok = len(summary.results) - len(summary.failed)
    if executor is not None:
        from .batch_report import engine_text

        click.echo(engine_text(summary.engine))
    click.echo(
        f"共 {len(summary.results)} 个单位：成功 {ok} 个，失败 {len(summary.failed)} 个，"
        f"用时 {summary.seconds} 秒。"
    )
    click.echo(str(out_dir / "汇总.xlsx"))
    sys.exit(summary.exit_code)


def _batch_executor(scheduler: str | None, jobs: int | None, collect: bool):
    """The Dask executor of ``batch --scheduler`` (None: this machine's pool); exits 2
    with a Chinese message when dask is missing or the address is malformed."""
    if scheduler is None:
        if collect:
            raise click.UsageError("--collect 只能与 --scheduler 同用。")
        return None
    if jobs is not None and not scheduler.strip().startswith("local"):
        raise click.UsageError(
            "-j 只用于本机：Dask 集群的工作进程数由各台机器的 dask worker 决定。"
        )
    from .distributed import ClusterError, DaskUnavailable, dask_executor

    try:
        return dask_executor(scheduler, jobs, collect)
    except (DaskUnavailable, ClusterError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def _cluster_error() -> tuple[type[Exception], ...]:
    from .distributed import ClusterError

    return (ClusterError,)


@main.command()
@click.argument("input_path", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@codes_option
@profile_option
@click.option(
    "--template-dir", type=click.Path(path_type=Path), default=None, help="自定义版式目录"
)
def check(
    input_path: Path,
    fmt: str,
    codes_files: tuple[Path, ...],
    profile: str | None,
    template_dir: Path | None,
) -> None:
    """只审核工作簿（勾稽关系），不生成文档。有错误时退出码为 2。"""
    from .pipeline import check_profile

    try:
        _report, findings, pack = check_profile(
            input_path, codes_files, profile, template_dir=template_dir
        )
        lines = _profile_lines(input_path, profile, pack, template_dir)
    except TemplateProblem as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        sys.exit(1)
    if fmt != "json":  # JSON output stays exactly the list of findings
        for line in lines:
            click.echo(line)
    click.echo(to_json(findings) if fmt == "json" else to_text(findings))
    sys.exit(2 if has_errors(findings) else 0)


def _profile_lines(path: Path, profile: str | None, pack, template_dir: Path | None) -> list[str]:
    """Which layout the workbook was read as; when none fits, what each layout found."""
    from .findings import InputError
    from .profiles import detect
    from .sheets import load_grids

    if profile and pack is not None:
        return [f"版式：{pack.layout_name}（按 --profile 指定）"]
    try:
        grids, _found = load_grids(path)
    except InputError:
        return []
    return detect(grids, template_dir).lines()


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="覆盖已存在的文件")
@click.option(
    "--profile",
    default=None,
    metavar="NAME",
    help="写出哪个版式的空白工作簿（默认 yunnan-2021；可选见 reportgen packs）",
)
@click.option(
    "--template-dir", type=click.Path(path_type=Path), default=None, help="自定义版式目录"
)
def init(path: Path, force: bool, profile: str | None, template_dir: Path | None) -> None:
    """写出一个空白输入工作簿（含全部工作表、表头和填表说明）。"""
    from . import codes
    from .atomic import write_atomic
    from .workbook import write_workbook

    if path.exists() and not force:
        click.echo(f"{path} 已存在；如需覆盖请加 --force。", err=True)
        sys.exit(2)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    with tempfile.TemporaryDirectory(prefix="reportgen-init-") as work:
        tmp = Path(work) / "blank.xlsx"
        if profile:
            from .narrative import load_pack
            from .workbook import write_blank_workbook

            try:
                pack = load_pack(profile, template_dir)
            except TemplateProblem as exc:
                click.echo(str(exc), err=True)
                sys.exit(2)
            write_blank_workbook(tmp, pack, names=codes.economic_name_map())
        else:
            write_workbook(tmp, None, names=codes.economic_name_map())
        try:
            write_atomic(path, tmp.read_bytes())
        except OutputError as exc:
            _output_failed(exc)
    click.echo(str(path))


@main.command()
def packs() -> None:
    """列出可用的版式与词句包（版式：工作簿中有哪些表；词句包：文档的措辞）。"""
    from .narrative import load_pack

    for name in available_packs():
        pack = load_pack(name)
        kind = "版式" if pack.layout_name == name else f"词句包（版式 {pack.layout_name}）"
        click.echo(f"{name}\t{kind}\t{pack.settings.get('description', '')}")


@main.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="监听地址（默认只允许本机访问）"
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="端口")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("reportgen-data"),
    show_default=True,
    help="任务记录和文件的存放目录",
)
@click.option(
    "--retention-days",
    type=click.FloatRange(min=0, min_open=True),
    default=7,
    show_default=True,
    help="结果保存天数，过期自动删除",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), default=None, help="工作进程数（默认：CPU 核数）"
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="HOST",
    help="请求的 Host 头允许的主机名（可重复；*.example.org 允许其所有子域名）。"
    "默认：--host 的地址、127.0.0.1、localhost、::1",
)
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10,
    show_default=True,
    help="请求头须在这么多秒内收完，否则断开连接",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30,
    show_default=True,
    help="上传中这么多秒收不到数据即断开连接",
)
@click.option(
    "--accounts",
    is_flag=True,
    help="财政局门户：账户登录、单位树、提交、审核与签发（账户用 reportgen users 添加）",
)
@click.option(
    "--database-url",
    envvar="REPORTGEN_DATABASE_URL",
    default=None,
    metavar="URL",
    help="门户数据库（默认：数据目录中的 SQLite；多台服务器共用 PostgreSQL："
    "postgresql+psycopg://用户:密码@主机/库）",
)
@click.option(
    "--secure-cookies",
    is_flag=True,
    help="登录 Cookie 只经 HTTPS 发送（经 HTTPS 反向代理访问时应开启）",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="在 Dask 集群上生成（与 batch --scheduler 相同：tcp://主机:8786、local、local:N）",
)
def serve(
    host: str,
    port: int,
    data_dir: Path,
    retention_days: float,
    jobs: int | None,
    allowed_hosts: tuple[str, ...],
    header_timeout: float,
    body_timeout: float,
    accounts: bool = False,
    database_url: str | None = None,
    secure_cookies: bool = False,
    scheduler: str | None = None,
) -> None:
    """启动网页服务：上传工作簿、查看审核结果、下载文档、批量生成。"""
    if scheduler is not None:
        _batch_executor(scheduler, None, False)  # says how to install dask, or what is wrong
    import uvicorn

    from .web.app import DEFAULT_HOSTS, create_app
    from .web.protocol import GuardedH11Protocol

    wildcard = host in ("0.0.0.0", "::", "")
    hosts = list(allowed_hosts) or [*([] if wildcard else [host]), *DEFAULT_HOSTS]
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"注意：监听 {host}，其他计算机也能访问本服务。", err=True)
        if not allowed_hosts:
            click.echo(
                "其他计算机须以允许的主机名访问：用 --allowed-host 指定它们使用的主机名或 IP 地址。",
                err=True,
            )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"网页地址：http://{shown}:{port}/  （按 Ctrl-C 停止）", err=True)
    uvicorn.run(
        create_app(
            data_dir,
            retention_days,
            jobs,
            allowed_hosts=hosts,
            accounts=accounts,
            database_url=database_url,
            secure_cookies=secure_cookies,
            scheduler=scheduler,
        ),
        host=host,
        port=port,
        http=GuardedH11Protocol.with_timeouts(header=header_timeout, body=body_timeout),
    )


@main.group("codes")
def codes_group() -> None:
    """科目表：列出、查找内置科目（支出功能分类、部门支出经济分类），检查科目表文件。"""


_KIND = click.option(
    "--kind",
    type=click.Choice(["function", "economic"]),
    default=None,
    help="function：支出功能分类；economic：部门支出经济分类（默认两者）",
)
_YEAR = click.option(
    "--year", type=click.IntRange(1990, 2100), default=None, help="只列该年度适用的科目"
)


def _code_lines(entries) -> None:
    from .codes import describe

    for e in entries:
        click.echo(describe(e))


def _table_with(codes_files: tuple[Path, ...]):
    """The bundled table plus ``--codes`` files; a bad file prints its problems, exit 2."""
    from .codes import CodeFileError, load_table

    try:
        return load_table(codes_files)
    except CodeFileError as exc:
        click.echo(to_text(exc.findings), err=True)
        sys.exit(2)


@codes_group.command("list")
@_KIND
@_YEAR
@codes_option
def codes_list(kind: str | None, year: int | None, codes_files: tuple[Path, ...]) -> None:
    """列出科目：编码、名称、适用年度、来源（制表符分隔）。"""
    from .codes import ECONOMIC, FUNCTION, listing

    kinds = (kind,) if kind else (FUNCTION, ECONOMIC)
    _code_lines(listing(_table_with(codes_files), kinds, year))


@codes_group.command("search")
@click.argument("query")
@_KIND
@_YEAR
@codes_option
def codes_search(
    query: str, kind: str | None, year: int | None, codes_files: tuple[Path, ...]
) -> None:
    """按编码前缀（数字）或名称中的文字查找科目。"""
    from .codes import ECONOMIC, FUNCTION, search

    kinds = (kind,) if kind else (FUNCTION, ECONOMIC)
    found = search(_table_with(codes_files), query, kinds, year)
    if not found:
        click.echo(f"没有与“{query}”相符的科目。")
        return
    _code_lines(found)


@codes_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def codes_validate(files: tuple[Path, ...]) -> None:
    """检查科目表文件（CSV）：列、编码、名称、年度；有错误时列出行号，退出码为 2。"""
    from .codes import read_file

    failed = False
    for path in files:
        rows, problems = read_file(path)
        if problems:
            failed = True
            click.echo(to_text(problems))
        else:
            click.echo(f"{path.name}：{len(rows)} 条科目，未发现问题。")
    sys.exit(2 if failed else 0)


class _LazyGroup(click.Group):
    """A group whose subcommands live in another module, imported on first use, so
    ``reportgen --help`` does not load it (nor SQLAlchemy or argon2 behind it)."""

    def __init__(self, target: str, **kwargs):
        super().__init__(**kwargs)
        self._target = target

    def _group(self) -> click.Group:
        import importlib

        module, name = self._target.split(":")
        return getattr(importlib.import_module(module), name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._group().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._group().get_command(ctx, cmd_name)


main.add_command(
    _LazyGroup(
        "reportgen.portal.cli:users",
        name="users",
        help="财政局门户的账号：添加、导入、列出（reportgen serve --accounts 用这些账号登录）。",
    )
)


if __name__ == "__main__":  # pragma: no cover
    main()
