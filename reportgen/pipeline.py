"""The pipeline: workbook → model → checks → figures → narrative → charts → document.

``build`` is the library entry point behind ``reportgen build``. It writes nothing until
every step has succeeded, and then writes atomically (temporary file + rename), so an
interrupted or failed run never leaves a half-written document.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import charts as charts_mod
from . import codes, evaluation
from .atomic import OutputError, write_atomic, write_group
from .audit import audit_blocks, texts_with_numbers, traceable_numbers
from .checks import run_checks
from .computed import Computed, compute
from .document import build_docx
from .evaluation_tables import render_overall_indicators, render_project
from .findings import Finding, InputError, has_errors, to_text
from .inputs import read_report
from .model import Report
from .narrative import Pack, TemplateProblem, render_sections
from .paths import MAX_NAME_BYTES, safe_filename
from .profiles import choose

__all__ = ["BuildResult", "OutputError", "build", "check", "output_name", "write_atomic"]

#: What follows a document's stem: the document, its 审核结果 sidecar and its PDF twin.
DOCX_SUFFIX, SIDECAR_SUFFIX = ".docx", "审核结果.txt"


@dataclass
class BuildResult:
    path: Path
    findings: list[Finding]
    report_path: Path | None = None
    department: str = ""
    year: int | None = None


def check(
    input_path: Path,
    codes_files: Sequence[str | Path] = (),
    profile: str | None = None,
    template: str | None = None,
    template_dir: str | Path | None = None,
) -> tuple[Report | None, list[Finding]]:
    """Read and check a workbook; returns the model (None when unreadable) and findings.

    ``codes_files``: user code tables on top of the bundled one (see ``codes.py``); a bad
    one is reported like a bad workbook. The layout is ``profile``, or that of the
    wording ``template``, or the one the workbook's tables are recognised as.
    """
    report, findings, _pack = check_profile(
        input_path, codes_files, profile, template, template_dir
    )
    return report, findings


def check_profile(
    input_path: Path,
    codes_files: Sequence[str | Path] = (),
    profile: str | None = None,
    template: str | None = None,
    template_dir: str | Path | None = None,
) -> tuple[Report | None, list[Finding], Pack | None]:
    """:func:`check`, also returning the profile the workbook was read with."""
    root = Path(template_dir) if template_dir else None
    chosen: list[Pack] = []
    user_files = [Path(p) for p in codes_files]

    def resolve(grids) -> Pack:
        pack = choose(grids, profile, template, root, Path(input_path).name)
        chosen.append(pack)
        # the profile's own code table under the user's (read in the same context)
        codes._active.set(codes.load_table([*codes.pack_files(pack.dirs), *user_files]))
        return pack

    token = codes._active.set(None)
    try:
        if user_files:
            codes._active.set(codes.load_table(user_files))
        report, findings = read_report(Path(input_path), resolve=resolve)
        pack = chosen[0] if chosen else None
        if report is not None and not has_errors(findings):
            if pack is not None:
                findings = findings + run_checks(report, pack.skip_rules, pack.declared_rules)
            else:
                findings = findings + run_checks(report)
    except InputError as exc:
        return None, exc.findings, chosen[0] if chosen else None
    finally:
        codes._active.reset(token)
    return report, findings, pack


def output_stem(report: Report, pattern: str = "{year}年度{name}部门决算公开") -> str:
    """``<年度>年度<部门名称>部门决算公开`` (the profile's ``output_name``) as a safe file
    name (room left for suffixes)."""
    longest = max(len(DOCX_SUFFIX.encode()), len(SIDECAR_SUFFIX.encode()))
    return safe_filename(
        pattern.format(year=report.unit.year, name=report.unit.name),
        max_bytes=MAX_NAME_BYTES - longest,
    )


def output_name(report: Report) -> str:
    """The document's file name (user text made safe by :func:`reportgen.paths.safe_filename`)."""
    return output_stem(report) + DOCX_SUFFIX


def glossary(pack: Pack, c: Computed, report: Report) -> list[tuple[str, str]]:
    """Standard terms that apply to this report, then one entry per 科目 that appears."""
    path = pack.find("glossary.csv")
    t01 = report.table("t01")
    t03 = report.table("t03")
    present = {
        "always": True,
        "事业收入": bool(t01 and t01.item("business")),
        "经营收入": bool(t01 and t01.item("operating")),
        "上级补助收入": bool(t01 and t01.item("superior")),
        "附属单位上缴收入": bool(t01 and t01.item("affiliated")),
        "其他收入": bool(t01 and t01.item("other")),
        "使用非财政拨款结余": bool(t01 and t01.item("use_nonfiscal_surplus")),
        "年初结转和结余": bool(t01 and t01.item("open_balance")),
        "结余分配": bool(t01 and t01.item("R:surplus_distribution")),
        "年末结转和结余": bool(t01 and t01.item("R:close_balance")),
        "基本支出": bool(t03 and t03.total_of("basic")),
        "项目支出": bool(t03 and t03.total_of("project")),
        "经营支出": bool(t03 and t03.total_of("operating")),
        "上缴上级支出": bool(t03 and t03.total_of("to_superior")),
        "对附属单位补助支出": bool(t03 and t03.total_of("to_affiliated")),
        "三公经费": True,
        "机关运行经费": bool(c.admin_cost.get("applicable")),
        "政府性基金": bool(c.gov_fund.get("income") or c.gov_fund.get("expense")),
        "国有资本经营": bool(c.state_capital.get("income") or c.state_capital.get("expense")),
    }
    terms: list[tuple[str, str]] = []
    if path:
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if present.get(row["applies_when"].strip(), False):
                    terms.append((row["term"].strip(), row["explanation"].strip()))
    basic_terms = [t for t in terms if t[0] in ("基本支出", "项目支出", "经营支出")]
    head = [t for t in terms if t not in basic_terms and t[0] not in ("“三公”经费", "机关运行经费")]
    tail = [t for t in terms if t[0] in ("“三公”经费", "机关运行经费")]
    items = [
        (label, text or f"反映{label.rsplit('（类）', 1)[-1]}方面的支出。")
        for label, text in c.glossary_codes
    ]
    return head + items + basic_terms + tail


def render_context(report: Report, pack: Pack, c: Computed) -> dict:
    """Everything the wording templates may use (also the web 模板 preview's input)."""
    annex = [
        {"index": i + 1, "key": lay.key, "title": lay.title, "number": lay.number}
        for i, lay in enumerate(t.layout for t in _in_order(report, pack))
    ]
    return {
        "unit": report.unit,
        "year": report.unit.year,
        "prev_year": report.unit.year - 1,
        "c": c,
        "reasons": report.reasons,
        "budget_label": pack.settings.get("budget_label", "预算"),
        "rounding_note": pack.rounding_note,
        "glossary": glossary(pack, c, report),
        "performance_sections": report.overall_performance,
        # the supplementary sheets as read: sheet -> field key -> value (a profile's own
        # sheets.toml fields are read by its own sections)
        "facts": report.facts,
        "annex": annex,
        # 绩效自评: scoring rules, printed figures, 整体 report, projects, 十（四） summary
        **evaluation.context_entries(report, pack.settings),
    }


def drawn_charts(c: Computed, pack: Pack) -> dict:
    """The charts the profile draws: all of 图1–图7 unless its ``charts`` setting lists
    which (``charts = []``: a layout whose documents have none, as Shanghai's)."""
    specs = charts_mod.chart_specs(c, pack.decimals)
    wanted = pack.settings.get("charts")
    return specs if wanted is None else {k: v for k, v in specs.items() if k in wanted}


def _in_order(report: Report, pack: Pack):
    """The report's tables in the layout's order (the order they are printed in)."""
    order = [lay.key for lay in pack.tables] if pack.layout_name else []
    keys = [k for k in order if k in report.tables] + [k for k in report.tables if k not in order]
    return [report.tables[k] for k in keys]


#: the figure engines: matplotlib pictures (the default) or native Word charts
CHART_ENGINES = ("matplotlib", "native")


def chart_engine(pack: Pack, charts: str | None = None) -> str:
    """The engine that draws 图1–图7: ``charts`` (``--charts``) when given, else the
    profile's or wording's ``chart_engine`` setting, else matplotlib."""
    if charts is not None and charts not in CHART_ENGINES:
        raise ValueError(f"charts 应为 matplotlib 或 native，实为 {charts!r}")
    engine = charts or str(pack.settings.get("chart_engine", CHART_ENGINES[0]))
    if engine not in CHART_ENGINES:
        raise TemplateProblem(
            f"词句包“{pack.name}”的 chart_engine = “{engine}” 无效，"
            f"只能是 {' 或 '.join(CHART_ENGINES)}。"
        )
    return engine


def draw_figures(specs: dict, engine: str) -> Mapping:
    """Each available chart drawn by ``engine``: PNG bytes, or a native Word chart (whose
    module, and python-pptx, are imported only when asked for)."""
    drawn = {ref: s for ref, s in specs.items() if s.available}
    if engine == "native":
        from .native_charts import build_chart

        charts_mod.stop_helper()  # matplotlib is not needed after all
        return {ref: build_chart(s) for ref, s in drawn.items()}
    return charts_mod.draw_all(drawn)  # by the drawing helper of a one-document build


def render(report: Report, pack: Pack, charts: str | None = None) -> bytes:
    """The .docx bytes for a checked report (codes it does not know print as it names them);
    ``charts`` chooses the figure engine (see :func:`chart_engine`)."""
    with codes.using(codes.with_workbook_names(report)):
        return _render(report, pack, chart_engine(pack, charts))


def _render(report: Report, pack: Pack, engine: str = CHART_ENGINES[0]) -> bytes:
    c = compute(report, pack.budget_basis, pack.decimals, pack.share_rounding)
    specs = drawn_charts(c, pack)
    figures = draw_figures(specs, engine)
    context = render_context(report, pack, c)
    extra_tables = {
        f"project:{p['index']}": partial(render_project, p=p["project"], s=p["scores"])
        for p in context["projects"]
    }
    if report.evaluation and report.evaluation.indicators:
        extra_tables["overall-indicators"] = partial(
            render_overall_indicators, ov=report.evaluation
        )
    blocks = render_sections(pack, context, specs)
    audit_blocks(
        blocks,
        traceable_numbers(context, pack.decimals),
        pack.settings.get("audit_literals", ()),
        texts_with_numbers(context),
    )
    title = pack.format_title(report.unit.name, report.unit.year)
    return build_docx(pack, title, blocks, specs, figures, report.tables, extra_tables)


def build(
    input_path: str | Path,
    out_dir: str | Path = "outputs",
    template: str | None = None,
    template_dir: str | Path | None = None,
    codes_files: Sequence[str | Path] = (),
    computed_scores: bool = False,
    profile: str | None = None,
    charts: str | None = None,
) -> BuildResult:
    """Generate the 决算公开 document for one workbook.

    Raises :class:`InputError` (with findings) when the input has an 错误; in that case
    nothing is written. Warnings are written to a sidecar ``…审核结果.txt`` next to the
    document, in one all-or-nothing group with it. Raises
    :class:`~reportgen.atomic.OutputError` when the output folder cannot be written
    (nothing is left behind then either). ``codes_files`` extend the code table after the
    pack's own ``codes.csv`` (later files win). ``computed_scores`` prints the 绩效自评
    scores the rules compute instead of the unit's (the pack's ``evaluation_scores``).
    ``profile`` names the layout and ``template`` the wording; by default the layout is
    recognised from the workbook's tables and its ``default_wording`` is used.
    ``charts`` (``matplotlib`` or ``native``) overrides the profile's ``chart_engine``.
    """
    report, findings, pack = check_profile(
        Path(input_path), codes_files, profile, template, template_dir
    )
    if report is None or pack is None or has_errors(findings):
        raise InputError(findings)
    if computed_scores:
        pack.settings["evaluation_scores"] = evaluation.COMPUTED
    tables = [*codes.pack_files(pack.dirs), *(Path(p) for p in codes_files)]
    with codes.using(codes.load_table(tables)):
        data = render(report, pack, charts)
    stem = output_stem(
        report, str(pack.settings.get("output_name", "{year}年度{name}部门决算公开"))
    )
    files = {stem + DOCX_SUFFIX: data}
    if findings:
        files[stem + SIDECAR_SUFFIX] = to_text(findings).encode("utf-8")
    written = write_group(out_dir, files)
    sidecar = written[1] if findings else None
    return BuildResult(written[0], findings, sidecar, report.unit.name, report.unit.year)
