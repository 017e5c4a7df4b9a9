"""The supplementary sheets: what a workbook holds besides the 公开表.

The standard tables do not say what the document must also tell: the unit's duties, last
year's figures, the budget of each 项, reasons for changes, 政府采购, 国有资产, 绩效管理.
These sheets are of this project's design. One description here drives ``reportgen
init`` (the empty workbook and its 填表说明), the importer, and docs/input-format.md.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .layouts import normalize_label

#: A row whose first filled cell starts with this is an example: ``reportgen init`` writes
#: one per sheet (grey italic) and the importer drops such rows before reading anything.
EXAMPLE_MARK = "示例："


@dataclass(frozen=True)
class Field:
    label: str  # printed in column A of the sheet; the key the importer looks for
    kind: str  # "text" | "money" | "int" | "number" | "year" | "choice"
    required: bool = False
    help: str = ""
    absent: str = ""  # what the document says when the value is left empty
    choices: tuple[str, ...] = ()
    #: other spellings accepted for a choice, and the choice each one stands for
    aliases: tuple[tuple[str, str], ...] = ()
    #: shown after 示例： beside the cell in the blank workbook (never read back)
    example: str = ""
    #: read from workbooks of an earlier format, no longer written by ``reportgen init``
    legacy: bool = False
    #: the name the model keeps the value under (default: the label), so a profile can
    #: print its own wording ("收入支出总计") for a figure others call "收入总计"
    key: str = ""
    #: a figure a layout gives here rather than in a table: "t09.abroad_groups.actual"
    #: puts the value (and this cell) where a table of another layout would hold it
    supplies: str = ""
    #: 上年决算数 the document cannot do without (error R71 when empty, new units aside)
    required_prior: bool = False

    @property
    def name(self) -> str:
        return self.key or self.label


@dataclass(frozen=True)
class SheetSpec:
    name: str
    #: "kv" (项目/内容 rows) | "budget" (per-项 table) | "sections" (标题/内容)
    #: | "units" (决算单位构成: one row per unit)
    kind: str
    purpose: str
    fields: tuple[Field, ...] = ()
    unit: str = ""  # for money sheets: "元"
    #: list sheets: the example row of the blank workbook, one value per field
    example: tuple[str, ...] = ()
    #: list sheets: empty formatted rows the blank workbook offers to type into
    blank_rows: int = 0


def is_example_row(values: Iterable[object]) -> bool:
    """True when the first filled cell of a row starts with 示例： (or 示例:)."""
    for v in values:
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        return isinstance(v, str) and normalize_label(v).startswith(normalize_label(EXAMPLE_MARK))
    return False


#: 单位性质: the categories of 事业单位分类改革 plus today's general 事业单位. The spelling of
#: 参公 is that of the 名词解释 every published document prints (机关运行经费).
UNIT_NATURES = (
    "行政单位",
    "参照公务员法管理的事业单位",
    "公益一类事业单位",
    "公益二类事业单位",
    "公益三类事业单位",
    "生产经营类事业单位",
    "事业单位",
    "其他",
)
NATURE_ALIASES = (
    ("参照公务员法管理事业单位", "参照公务员法管理的事业单位"),
    ("参公单位", "参照公务员法管理的事业单位"),
    ("公益一类", "公益一类事业单位"),
    ("公益二类", "公益二类事业单位"),
    ("公益三类", "公益三类事业单位"),
    ("生产经营类", "生产经营类事业单位"),
)
#: the natures whose 公用经费 is 机关运行经费 (公开09表 二、（一）（二）)
ADMIN_COST_NATURES = ("行政单位", "参照公务员法管理的事业单位")
#: how 第一部分 counts the units of a department: 行政单位, 参公, other 事业单位, 其他
NATURE_GROUPS = {
    "行政单位": "admin",
    "参照公务员法管理的事业单位": "civil",
    "公益一类事业单位": "institution",
    "公益二类事业单位": "institution",
    "公益三类事业单位": "institution",
    "生产经营类事业单位": "institution",
    "事业单位": "institution",
    "其他": "other",
}


def choice_value(f: Field, text: str) -> str | None:
    """The choice ``text`` stands for (spaces, full-width forms and aliases tolerated)."""
    key = normalize_label(unicodedata.normalize("NFKC", text))
    for c in f.choices:
        if normalize_label(unicodedata.normalize("NFKC", c)) == key:
            return c
    for alias, c in f.aliases:
        if normalize_label(unicodedata.normalize("NFKC", alias)) == key:
            return c
    return None


def department_nature(own: str, units: Iterable[str]) -> str:
    """The nature that decides the department's 机关运行经费 paragraph.

    机关运行经费 is the 公用经费 of 行政单位 and 参公 units; a department that includes one
    reports it in 公开09表, so the paragraph applies even when its own (本级) nature is a
    事业单位: then the first such unit's nature stands for the department. Otherwise the
    department's own nature is printed in the "不适用" sentence.
    """
    if own in ADMIN_COST_NATURES:
        return own
    return next((n for n in units if n in ADMIN_COST_NATURES), own)


UNIT_INFO = SheetSpec(
    "单位基本情况",
    "kv",
    "部门名称、年度与第一部分 部门概况的文字。",
    (
        Field(
            "部门名称",
            "text",
            True,
            "与公开表表头“部门：”一致，如 玉溪市互联网信息办公室。",
            example="某某市文化馆",
        ),
        Field(
            "年度",
            "year",
            True,
            "决算年度，四位数字，如 2021（也可写“2021年”“2021年度”）；须与公开表一致。",
            example="2024",
        ),
        Field(
            "单位性质",
            "choice",
            True,
            "本部门（本级）的单位性质，从下拉列表选择；决定“机关运行经费”段落："
            "部门中有行政单位或参照公务员法管理的事业单位时写机关运行经费，否则写“不适用”。"
            "部门含多个单位时，另在“决算单位构成”表中逐个填写各单位的性质。",
            choices=UNIT_NATURES,
            aliases=NATURE_ALIASES,
            example="公益一类事业单位",
        ),
        Field(
            "主要职能",
            "text",
            True,
            "第一部分 一、（一）主要职能；可分段（单元格内换行）。",
            example="负责组织开展全市群众文化活动……",
        ),
        Field(
            "重点工作完成情况",
            "text",
            False,
            "第一部分 一、（二）；可分段。",
            absent="不写（二）重点工作完成情况一段。",
            example="一是……；二是……。",
        ),
        Field(
            "机构设置",
            "text",
            True,
            "第一部分 二、机构设置的文字。",
            example="某某市文化馆为公益一类事业单位，内设办公室、活动部2个部门。",
        ),
        Field(
            "决算单位构成",
            "text",
            False,
            "旧格式：纳入本部门决算编制范围的单位，每行一个（不含单位性质）。"
            "新工作簿请填写“决算单位构成”表；两处都填写时按表读入。",
            absent="不列单位名单。",
            legacy=True,
        ),
    ),
)

MEMBER_UNITS = SheetSpec(
    "决算单位构成",
    "units",
    "纳入本部门决算编制范围的各单位及其单位性质，每行一个单位（本级在前）；"
    "第一部分 二、机构设置之后列出。只有一个单位的部门可不填。",
    (
        Field("单位名称", "text", True, "如 某某市文化和旅游局（本级）。"),
        Field(
            "单位性质",
            "choice",
            True,
            "从下拉列表选择。",
            absent="整表为空时不列单位名单。",
            choices=UNIT_NATURES,
            aliases=NATURE_ALIASES,
        ),
    ),
    example=("示例：某某市文化和旅游局（本级）", "行政单位"),
    blank_rows=10,
)

_PRIOR_MISSING = "错误 R71（上年决算数缺失），本年新成立单位除外。"

#: The 上年决算数 field by which a unit founded this year declares it has no prior year.
NEW_UNIT_FIELD = "本年新成立单位"

PRIOR = SheetSpec(
    "上年决算数",
    "kv",
    "上年度可比决算数（元），用于变动情况与图1、图4、图5。本年新成立、没有上年数的单位在第一行填“是”，其余各行不填。",
    (
        Field(
            NEW_UNIT_FIELD,
            "choice",
            False,
            "本年新成立、没有上年决算数的单位填“是”（文中写明新成立，不作上年对比）；其他单位不填或填“否”，且须填写以下各项（上年为零填 0）。",
            choices=("是", "否"),
            absent="按“否”处理：以下各项缺失为错误（R71）。",
        ),
        Field(
            "收入总计",
            "money",
            False,
            "上年 公开01表 收入总计。",
            absent=_PRIOR_MISSING,
            example="18562337.41（以元填写，不是万元）",
        ),
        Field("支出总计", "money", False, "上年 公开01表 支出总计。", absent=_PRIOR_MISSING),
        Field("本年收入合计", "money", False, "上年 本年收入合计。"),
        Field("本年支出合计", "money", False, "上年 本年支出合计。"),
        Field(
            "财政拨款收入总计",
            "money",
            False,
            "上年 公开04表 收入总计。",
            absent=_PRIOR_MISSING,
        ),
        Field("财政拨款支出总计", "money", False, "上年 公开04表 支出总计。"),
        Field(
            "一般公共预算财政拨款支出",
            "money",
            False,
            "上年 公开05表 本年支出合计。",
            absent=_PRIOR_MISSING,
        ),
        Field("一般公共预算财政拨款基本支出", "money", False, "上年 公开05表 基本支出。"),
        Field("一般公共预算财政拨款项目支出", "money", False, "上年 公开05表 项目支出。"),
        Field(
            "“三公”经费支出合计",
            "money",
            False,
            "上年“三公”经费财政拨款支出决算数。",
            absent=_PRIOR_MISSING,
        ),
        Field("因公出国（境）费", "money", False, ""),
        Field("公务用车购置费", "money", False, ""),
        Field("公务用车运行维护费", "money", False, ""),
        Field("公务接待费", "money", False, ""),
        Field(
            "机关运行经费",
            "money",
            False,
            "机关运行经费适用时必填。",
            absent=_PRIOR_MISSING,
        ),
    ),
    unit="元",
)

#: the 上年决算数 the document cannot do without: 一/四/五 compare with them (R71)
_REQUIRED_PRIOR = (
    "收入总计",
    "支出总计",
    "财政拨款收入总计",
    "财政拨款支出总计",
    "一般公共预算财政拨款支出",
)
PRIOR = dataclasses.replace(
    PRIOR,
    fields=tuple(
        dataclasses.replace(f, required_prior=f.label in _REQUIRED_PRIOR) for f in PRIOR.fields
    ),
)

REASONS = SheetSpec(
    "变动原因",
    "kv",
    "各项变动和差异的原因，按句填写，不含句号亦可。",
    (
        Field(
            "收支总计变动原因",
            "text",
            False,
            "一、收支总计较上年变动的原因。",
            absent="不写“主要变动原因”一句。",
            example="新增文化惠民演出项目",
        ),
        Field("财政拨款收支总计变动原因", "text", False, "四、"),
        Field("一般公共预算财政拨款支出变动原因", "text", False, "五、（一）"),
        Field(
            "一般公共预算财政拨款支出决算与预算差异原因",
            "text",
            False,
            "五、（三）合计的决算数与预算数不同时（各项的原因填在“项目预算”）。",
        ),
        Field("“三公”经费决算与预算差异原因", "text", False, "七、（一）决算数与预算数不同时。"),
        Field("“三公”经费变动原因", "text", False, "七、（一）较上年变动时。"),
        Field("因公出国（境）费变动原因", "text", False, "七、（二）1."),
        Field("公务用车购置及运行维护费变动原因", "text", False, "七、（二）2."),
        Field("公务接待费变动原因", "text", False, "七、（二）3."),
        Field("机关运行经费变动原因", "text", False, "十、（一）"),
    ),
)

SANGONG_EXTRA = SheetSpec(
    "三公经费补充",
    "kv",
    "公开09表之外的“三公”经费细节：车辆购置与保有按车型。",
    (
        Field("购置轿车数量", "int", False, "辆"),
        Field("购置轿车金额", "money", False, "元"),
        Field("购置越野车数量", "int", False, "辆"),
        Field("购置越野车金额", "money", False, "元"),
        Field("购置载客汽车数量", "int", False, "辆"),
        Field("购置载客汽车金额", "money", False, "元"),
        Field(
            "保有轿车数量",
            "int",
            False,
            "辆；合计应等于 公开09表 公务用车保有量。",
            example="1",
        ),
        Field("保有越野车数量", "int", False, "辆"),
        Field("保有载客汽车数量", "int", False, "辆"),
    ),
    unit="元",
)

PROCUREMENT = SheetSpec(
    "政府采购",
    "kv",
    "十、（二）政府采购支出情况。",
    (
        Field(
            "政府采购货物支出",
            "money",
            False,
            "元",
            absent="整段写“本年度无政府采购支出”。",
            example="34029.00",
        ),
        Field("政府采购工程支出", "money", False, "元"),
        Field("政府采购服务支出", "money", False, "元"),
        Field("授予中小企业合同金额", "money", False, "元"),
        Field("其中：授予小微企业合同金额", "money", False, "元"),
        Field(
            "主要用途",
            "text",
            False,
            "如“主要用于电子政务建设及网信事务安全运行工作”。",
            example="主要用于办公设备购置",
        ),
    ),
    unit="元",
)

ASSETS = SheetSpec(
    "国有资产",
    "kv",
    "十、（三）国有资产占有使用情况（截至年末）。",
    (
        Field("车辆总数", "int", False, "辆", absent="写“共有车辆0辆”。", example="1"),
        Field("主要领导干部用车", "int", False, "辆"),
        Field("机要通信用车", "int", False, "辆"),
        Field("应急保障用车", "int", False, "辆"),
        Field("执法执勤用车", "int", False, "辆"),
        Field("特种专业技术用车", "int", False, "辆"),
        Field("离退休干部用车", "int", False, "辆"),
        Field("其他用车", "int", False, "辆"),
        Field("单价50万元以上通用设备", "int", False, "台（套）"),
        Field("单价100万元以上专用设备", "int", False, "台（套）"),
    ),
)

PERFORMANCE = SheetSpec(
    "预算绩效管理",
    "kv",
    "十、（四）预算绩效管理情况。",
    (
        Field("编制绩效目标项目数", "int", False, "个", absent="不写绩效目标一句。", example="2"),
        Field("编制绩效目标涉及金额", "money", False, "元"),
        Field("开展绩效监控项目数", "int", False, "个"),
        Field("开展绩效自评项目数", "int", False, "个"),
        Field("开展绩效自评涉及金额", "money", False, "元"),
        Field(
            "部门整体绩效自评",
            "choice",
            False,
            "是否对部门整体开展绩效自评。",
            choices=("是", "否"),
            example="是",
        ),
        Field("绩效管理其他说明", "text", False, "附在本段之后的说明文字。"),
    ),
    unit="元",
)

BUDGETS = SheetSpec(
    "项目预算",
    "budget",
    "一般公共预算财政拨款支出每个“项”的预算数（元），用于五、（三）完成预算的比例。",
    (
        Field("科目编码", "text", True, "7位功能分类科目编码，须在 公开05表 中出现。"),
        Field("科目名称", "text", False, "可留空；填写时须与编码一致。"),
        Field("年初预算数", "money", False, "元"),
        Field(
            "调整预算数", "money", False, "元；全年预算（调整后）。完成率按词句包选择的口径计算。"
        ),
        Field("决算数与预算数差异原因", "text", False, "决算数与预算数不同时必填。"),
    ),
    unit="元",
    example=("示例：2070109", "群众文化", "400000.00", "420000.00", "部分活动延期举办"),
    blank_rows=12,
)

OVERALL_PERFORMANCE = SheetSpec(
    "整体绩效自评",
    "sections",
    "第四部分 附件：部门整体支出绩效评价报告，每行一节（标题、内容）。",
    (
        Field("标题", "text", False, "如“一、部门基本情况”。"),
        Field(
            "内容",
            "text",
            False,
            "该节正文；可分段。",
            absent="整表为空时，第四部分写模板中的说明句。",
        ),
    ),
    example=("示例：一、部门基本情况", "（一）部门概况。某某市文化馆……"),
    blank_rows=8,
)

SHEETS: tuple[SheetSpec, ...] = (
    UNIT_INFO,
    MEMBER_UNITS,
    PRIOR,
    BUDGETS,
    REASONS,
    SANGONG_EXTRA,
    PROCUREMENT,
    ASSETS,
    PERFORMANCE,
    OVERALL_PERFORMANCE,
)
BY_NAME = {s.name: s for s in SHEETS}


# --- sheets as data (a profile's sheets.toml) ------------------------------------------

_KINDS = ("kv", "budget", "sections", "units")
_FIELD_KINDS = ("text", "money", "int", "number", "year", "choice")


class SheetsError(ValueError):
    """A profile's sheets.toml is wrong; the message names the file and the sheet."""


def _field(d: dict, where: str) -> Field:
    if not d.get("label") or d.get("kind", "text") not in _FIELD_KINDS:
        raise SheetsError(f"{where}：项目缺少 label，或 kind 不是 {'、'.join(_FIELD_KINDS)}：{d}")
    choices = tuple(d.get("choices", ()))
    aliases = NATURE_ALIASES if d.get("aliases") == "natures" else ()
    if d.get("choices") == "natures":
        choices = UNIT_NATURES
    return Field(
        label=str(d["label"]),
        kind=str(d.get("kind", "text")),
        required=bool(d.get("required", False)),
        help=str(d.get("help", "")),
        absent=str(d.get("absent", "")),
        choices=choices,
        aliases=aliases,
        example=str(d.get("example", "")),
        key=str(d.get("key", "")),
        supplies=str(d.get("supplies", "")),
        required_prior=bool(d.get("required_prior", False)),
    )


def sheets_from_dict(conf: dict, where: str = "sheets.toml") -> tuple[SheetSpec, ...]:
    """The sheets a profile asks for: ``use = "单位基本情况"`` takes a built-in sheet as
    it is; otherwise the sheet is described in full (see docs/profiles.md)."""
    out = []
    for d in conf.get("sheet", ()):
        if "use" in d:
            if d["use"] not in BY_NAME:
                raise SheetsError(
                    f"{where}：没有名为“{d['use']}”的内置补充信息表（可用：{'、'.join(BY_NAME)}）。"
                )
            out.append(BY_NAME[d["use"]])
            continue
        name, kind = d.get("name"), d.get("kind", "kv")
        if not name or kind not in _KINDS:
            raise SheetsError(f"{where}：表缺少 name，或 kind 不是 {'、'.join(_KINDS)}。")
        out.append(
            SheetSpec(
                name=str(name),
                kind=kind,
                purpose=str(d.get("purpose", "")),
                fields=tuple(_field(f, f"{where}“{name}”") for f in d.get("fields", ())),
                unit=str(d.get("unit", "")),
                example=tuple(d.get("example", ())),
                blank_rows=int(d.get("blank_rows", 0)),
            )
        )
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        raise SheetsError(f"{where}：表名重复。")
    return tuple(out)


def load_sheets(path) -> tuple[SheetSpec, ...]:
    import tomllib

    try:
        with open(path, "rb") as fh:
            return sheets_from_dict(tomllib.load(fh), str(path))
    except tomllib.TOMLDecodeError as exc:
        raise SheetsError(f"{path}：TOML 格式错误：{exc}") from exc
