"""Write docs/input-format.md from reportgen.schema and reportgen.layouts.

The input contract is described once, in code; this page is generated from it so the
two cannot drift (tests/test_docs.py fails when the page is stale). Run:
``python tools/gen_input_docs.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reportgen import schema  # noqa: E402
from reportgen.checks import RULES  # noqa: E402
from reportgen.inputs import INPUT_RULES  # noqa: E402
from reportgen.layouts import LAYOUTS  # noqa: E402

KINDS = {
    "text": "文字",
    "money": "金额（元）",
    "int": "整数",
    "number": "数字",
    "year": "年份",
    "choice": "选项",
}
#: the layouts that get a page of their own (docs/input-format-<name>.md); the default
#: layout's is docs/input-format.md above
OTHER_LAYOUTS = ("shanghai-2024",)
_TABLE_KINDS = {
    "coded": "按科目编码的行",
    "summary": "收入、支出两栏",
    "economic": "经济分类，分栏",
    "items": "按行的项目",
    "pairs": "一行，每项预算数/决算数两栏",
}


def render() -> str:
    out = [
        "# 输入工作簿格式",
        "",
        "一个部门一个年度一个 .xlsx 或 .xls 工作簿（按文件内容识别格式，不看扩展名）。`reportgen init 空白.xlsx` 写出含全部工作表、表头和",
        "“填表说明”的空白工作簿；`inputs/example/` 中是按 seed 001（玉溪市互联网信息办公室 2021 年度）",
        "重建的完整示例。本页由 `tools/gen_input_docs.py` 根据代码中的定义生成，请勿手工修改。",
        "",
        "空白工作簿每张表有一行灰色斜体的填写示例，第一个非空单元格以“示例：”开头；任何工作表中这样的行",
        "读入时一律忽略（补充信息表另有“示例”列，也不读入）。其下是带边框和数字格式的空白行；单位性质、是/否、",
        "指标性质、自评等级和公开表的金额单位设有下拉列表。旧版 `reportgen init` 写出的工作簿照常读入。",
        "",
        "## 一、公开表（决算软件导出）",
        "",
        "按表名查找（不依赖工作表名称或位置），一个工作表可以放多张表，一张表也可以分页重复表头。",
        "表名前可带年度，或单位名称加年度（如“2021年度收入决算表”“玉溪市互联网信息办公室2021年度收入支出决算总表”），",
        "表名后可带表号（如“收入支出决算总表（公开01表）”）。",
        "每张表须有“金额单位：元”或“金额单位：万元”一行；两种单位都按原值精确读入（万元 × 10000 换算为元），",
        "附表按输入的单位原样列示；千元、百万元、美元等其他单位报错（IN-14）。金额列按“栏次”行（1、2、3……）定位；科目编码可整列填写，",
        "也可分在“类、款、项”三列（上级编码留空时沿用上一行）；空白、“—”表示无数；以文字存放的数字",
        "（如“1,234.56”）照常读入，千位分隔符位置不对（如“5,26”）则报错。公式须带有 Excel/WPS",
        "保存的计算结果。以万元填报、保留两位小数的表，合计与明细之差在四舍五入误差以内时不报错。",
        "",
        "金额的限度（公开表和补充信息表的每个金额）：须精确到分，即折合为元后最多两位小数——以元填报的最多",
        "两位小数，以万元填报的最多六位小数（0.000001 万元 = 0.01 元），否则报错（IN-15）；Excel 以二进制",
        "浮点数存放数字带来的尾差（如 0.30000000000000004）按最接近的分读入，不报错。金额的绝对值不超过",
        "10^12 元（一万亿元，IN-16）。预算数（公开09表 预算数、“项目预算”的年初预算数与调整预算数、",
        "公开12表 年初预算数与全年预算数）不得为负数（IN-17）；收入、支出金额为负数时列为警告（R63），",
        "结转结余、结余分配可以为负数。读取的单元格中有 Excel 错误值（#REF!、#DIV/0!、#VALUE!、#N/A、",
        "#NAME?、#NUM!、#NULL!、#SPILL!、#CALC! 等）时报错（IN-12）；工作簿设有打开密码时报错（IN-13），",
        "须先在 Excel 或 WPS 中取消密码。",
        "",
        "| 表号 | 表名 | 金额列（按栏次顺序） |",
        "|---|---|---|",
    ]
    for lay in LAYOUTS:
        cols = (
            "、".join(c.label for c in lay.columns)
            if lay.kind == "coded"
            else {
                "summary": "左栏：收入项目、行次、金额；右栏：支出功能分类（类）、行次、"
                + "、".join(c.label for c in lay.columns),
                "economic": "三组（科目编码、科目名称、金额），末行 人员经费合计、公用经费合计",
                "items": "项目、行次、预算数、决算统计数（统计数为整数）",
            }[lay.kind]
        )
        out.append(f"| {lay.number} | {lay.title} | {cols} |")
    out += [
        "",
        "## 二、补充信息表（本工具设计）",
        "",
        "公开表之外、文档需要写到的事实。按工作表名称查找；每行第一列为“项目”，第二列为“内容”",
        "（决算单位构成、项目预算、整体绩效自评为逐行填写的表，按表头找列）。金额一律以元填写。",
        "文字可在单元格内换行分段。年度可写 2021、“2021年”“2021 年度”或全角数字。选项两侧的空格、",
        "全角字符不影响识别，所列的其他写法按对应选项读入。标为“旧格式”的项目只为读入旧版工作簿，",
        "空白工作簿中不再列出。",
        "",
        "单位性质与机关运行经费：部门（本级）或“决算单位构成”中任一单位为行政单位或参照公务员法管理的",
        "事业单位时，文档写十、（一）机关运行经费支出情况（这些单位的机关运行经费列在公开09表）；",
        "否则写“单位性质为……，不适用机关运行经费情况说明”，其中为本级的单位性质。",
        "",
    ]
    for spec in schema.SHEETS:
        out += [f"### {spec.name}", "", spec.purpose, ""]
        if spec.kind == "kv":
            out += ["| 项目 | 类型 | 必填 | 说明 | 不填时文档如何写 |", "|---|---|---|---|---|"]
        else:
            out += ["| 列 | 类型 | 必填 | 说明 | 不填时文档如何写 |", "|---|---|---|---|---|"]
        for f in spec.fields:
            kind = KINDS[f.kind] + (f"：{'/'.join(f.choices)}" if f.choices else "")
            if f.aliases:
                kind += "（也接受：" + "、".join(f"{a}→{c}" for a, c in f.aliases) + "）"
            label = f.label + ("（旧格式）" if f.legacy else "")
            out.append(
                f"| {label} | {kind} | {'是' if f.required else '否'} | {f.help or '—'} | "
                f"{f.absent or '—'} |"
            )
        out.append("")
    out += [
        "## 三、绩效自评表（公开10–12表）",
        "",
        "第四部分 附件和第二部分 十、（四）的来源，版式与决算软件导出的一致（可直接粘贴），按表名查找，"
        "表名前可带年度（如“2021年度项目支出绩效自评表”）：",
        "",
        "| 表 | 表名 | 读取的内容 |",
        "|---|---|---|",
        "| 公开10表 | 部门整体支出绩效自评情况 | 每行：一级标题、二级标题、内容（标题留空表示接上一行） |",
        "| 公开11表 | 部门整体支出绩效自评表 | 部门名称、部门职责、部门总体目标、预算年度目标及完成情况；"
        "绩效指标（一级/二级/三级指标、指标性质、指标值、度量单位、实际完成值、偏差原因） |",
        "| 公开12表 | 项目支出绩效自评表（可有任意多张，同一工作表上下排列或分表） | 项目名称、主管部门、"
        "实施单位；项目资金（年初预算数、全年预算数、全年执行数、分值、执行率、得分；年度资金总额、"
        "其中：当年财政拨款、上年结转资金、其他资金）；预期目标与实际完成情况；绩效指标（一级/二级/三级指标、"
        "指标性质、指标值、度量单位、实际完成值、分值、得分、偏差原因）；其他需要说明的事项；总分值、总得分、"
        "自评等级（与“总分”同行或在其下一行） |",
        "",
        "金额单位为万元，按原值读入。执行率、执行率得分、总分值、总得分、自评等级按规则核对（执行率 = 全年执行数 ÷ "
        "全年预算数；执行率得分 = 分值 × min(执行率, 100%)；总得分 = 各指标得分 + 执行率得分；90 分及以上为优、"
        "80 分及以上为良、60 分及以上为中、其余为差，等级下限与满分由词句包设定），文档印单位填写的值（留空的按规则补足；"
        '`reportgen build --computed-scores` 或词句包设置 `evaluation_scores = "computed"` 改印计算值）；'
        "填写的值与计算值不同时，在该单元格列一条警告（P01–P09）。指标性质、度量单位的代码按 "
        "`reportgen/data/indicator_natures.csv`、`measure_units.csv` 印为名称，没有名称的代码列为警告（P11）；"
        "Excel 日期序列号印为日期。",
        "没有公开10表时，第四部分的整体绩效评价报告取自补充信息表“整体绩效自评”。",
        "",
        "## 四、审核规则",
        "",
        "`reportgen check` 与 `reportgen build` 使用同一套规则。每条问题给出级别（错误/警告）、规则编号、",
        "工作表!单元格、说明、应为、实为；有错误时不生成任何文件。",
        "",
        "### 读取规则",
        "",
        "| 规则 | 含义 |",
        "|---|---|",
    ]
    out += [f"| {rid} | {text} |" for rid, text in INPUT_RULES.items()]
    out += ["", "### 勾稽关系与合理性规则", "", "| 规则 | 含义 |", "|---|---|"]
    out += [f"| {rid} | {desc} |" for rid, desc, _fn in sorted(RULES, key=lambda r: r[0])]
    out.append("")
    return "\n".join(out)


def _columns(lay) -> str:
    if lay.kind == "summary":
        right = "、".join("/".join(c.words) for c in lay.columns)
        return f"左栏：收入项目、决算数；右栏：支出功能分类（类）、{right}"
    if lay.kind == "economic":
        return f"{len(lay.extra.get('groups', ()))} 栏（经济分类科目编码、科目名称、决算数），末行 人员经费合计、公用经费合计"
    if lay.kind == "pairs":
        return "、".join("/".join(it.header) for it in lay.extra["items"]) + "，各有预算数、决算数"
    return "、".join("/".join(c.words) for c in lay.columns)


def render_layout(name: str) -> str:
    """The input page of a layout profile: its tables (found by title, columns by header
    words) and its supplementary sheets, both read from the profile's files."""
    from reportgen.narrative import load_pack

    pack = load_pack(name)
    out = [
        f"# 输入工作簿格式：{name}",
        "",
        f"{pack.settings.get('description', '')}版式的定义在 `templates/{name}/`（见 docs/profiles.md）；",
        f"`reportgen init 空白.xlsx --profile {name}` 写出空白工作簿。本页由 `tools/gen_input_docs.py`",
        "根据该文件夹生成，请勿手工修改。读取规则、审核规则与金额的限度同 docs/input-format.md。",
        "",
        "## 一、决算表",
        "",
        "按表名查找（表名前可带年度或单位名称）；没有栏次行的表按表头文字找金额栏（合并单元格或组名下的子标题），",
        "科目编码可整列填写，也可分在“类、款、项”三列；合计行在表首或表尾均可。",
        "",
        "| 表名 | 单位 | 形式 | 金额栏（表头文字） |",
        "|---|---|---|---|",
    ]
    for lay in pack.tables:
        titles = "、".join((lay.title, *lay.aliases))
        out.append(f"| {titles} | {lay.unit} | {_TABLE_KINDS[lay.kind]} | {_columns(lay)} |")
    out += ["", "## 二、补充信息表", ""]
    for spec in pack.sheets:
        unit = f"（金额以{spec.unit}填写）" if spec.unit else ""
        out += [f"### {spec.name}", "", spec.purpose + unit, ""]
        out += ["| 项目 | 类型 | 必填 | 说明 | 不填时文档如何写 |", "|---|---|---|---|---|"]
        for f in spec.fields:
            kind = KINDS[f.kind].replace("（元）", f"（{spec.unit or '元'}）")
            kind += f"：{'/'.join(f.choices)}" if f.choices else ""
            required = "是" if f.required or f.required_prior else "否"
            out.append(f"| {f.label} | {kind} | {required} | {f.help or '—'} | {f.absent or '—'} |")
        out.append("")
    rules = pack.declared_rules
    if rules:
        out += [
            "## 三、本版式的勾稽关系（rules.toml）",
            "",
            "| 规则 | 级别 | 说明 |",
            "|---|---|---|",
        ]
        out += [f"| {r.id} | {r.severity} | {r.message} |" for r in rules]
        out.append("")
    return "\n".join(out)


def pages() -> dict[Path, str]:
    """Every generated page and its text."""
    out = {ROOT / "docs" / "input-format.md": render()}
    for name in OTHER_LAYOUTS:
        out[ROOT / "docs" / f"input-format-{name}.md"] = render_layout(name)
    return out


def main() -> None:
    for path, text in pages().items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
