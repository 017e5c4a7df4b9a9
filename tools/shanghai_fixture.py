"""Build the workbook of a made-up Shanghai district department for 2024 (test fixture).

The nine 决算表 are laid out by hand with openpyxl exactly as the 上海 2024 blank template
(/work/shared/references/shanghai-2024-template.pdf) prints them: a title cell, "单位：万元",
the template's header rows with their merged cells, no 行次 and no 栏次, the 注 line under
each table; the empty 国有资本经营 table keeps its header, an empty 合计 row and the 说明.
The product's own workbook writer is deliberately not used: the fixture is what an
accountant hands in, so the importer is tested on a layout it did not produce itself.

Every figure comes from one source of truth, the 项-level lines in ``ITEMS`` (plus the
三公 pairs, the 经济分类 detail and the balances); every 类/款/合计 and every total is
computed from them with Decimal, so each 勾稽 relation holds by construction. The test
(tests/test_shanghai_fixture.py) re-reads the cells and asserts the relations anyway.

    python tools/shanghai_fixture.py   # writes tests/fixtures/shanghai-2024/*.xlsx
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "tests" / "fixtures" / "shanghai-2024"

DEPARTMENT = "上海市某某区文化和旅游局"
YEAR = 2024
HEADING = f"{DEPARTMENT}{YEAR}年度部门决算表"
UNIT_LINE = "单位：万元"
CENT = Decimal("0.01")
ZERO = Decimal(0)


def d(text: str) -> Decimal:
    """An amount in 万元, written as text so no float ever enters."""
    return Decimal(text).quantize(CENT)


# --- the source of truth ----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One 项 of 支出功能分类 with everything the tables say about it (万元).

    ``fund`` is the 财政拨款 the 项 is financed from ("gpb" 一般公共预算 or "gov_fund"
    政府性基金); ``open``/``income``/``basic``/``project`` are that fund's 年初结转和结余,
    本年收入 and 本年支出; ``business``/``other`` and ``nf_*`` are the non-fiscal 事业收入,
    其他收入 and what was spent from them. ``budget`` is the 年初预算 of the fiscal spending.
    """

    code: str
    name: str
    fund: str
    income: Decimal
    basic: Decimal = ZERO
    project: Decimal = ZERO
    open: Decimal = ZERO
    business: Decimal = ZERO
    other: Decimal = ZERO
    nf_basic: Decimal = ZERO
    nf_project: Decimal = ZERO
    budget: Decimal = ZERO
    purpose: str = ""
    reason: str = ""

    @property
    def expense(self) -> Decimal:
        """The fiscal 本年支出 of the 项 (表5 合计 / 表8 本年支出合计)."""
        return self.basic + self.project

    @property
    def close(self) -> Decimal:
        """The fiscal 年末结转和结余: 年初 + 本年收入 − 本年支出."""
        return self.open + self.income - self.expense


# fmt: off
ITEMS: tuple[Item, ...] = (
    Item("2070101", "行政运行", "gpb", d("1286.47"), basic=d("1286.47"), budget=d("1248.60"),
         purpose="局机关（本级）在职人员工资福利和保障机关正常运转的日常公用支出",
         reason="年中新增公务员招录人员及绩效工资调整，相应增加人员经费"),
    Item("2070104", "图书馆", "gpb", d("2493.15"), basic=d("1053.62"), project=d("1471.83"),
         open=d("38.62"), other=d("18.35"), nf_project=d("15.60"), budget=d("2587.30"),
         purpose="区图书馆人员经费、日常运转及文献资源购置、数字阅读推广和总分馆体系运行",
         reason="部分数字资源采购项目按合同进度付款，剩余资金结转下年使用"),
    Item("2070109", "群众文化", "gpb", d("2147.36"), basic=d("862.95"), project=d("1318.06"),
         open=d("52.81"), other=d("23.82"), nf_project=d("20.14"), budget=d("2106.45"),
         purpose="区文化馆人员经费、日常运转及群众文化活动、公共文化配送和非遗传承展示",
         reason="年中追加区级群众文化节庆活动经费"),
    Item("2070112", "文化和旅游市场管理", "gpb", d("356.84"), project=d("356.84"),
         budget=d("372.00"),
         purpose="文化和旅游市场综合执法、演出和网络文化市场监管、旅游安全检查",
         reason="执法装备政府采购价格低于预算，形成节约"),
    Item("2070204", "文物保护", "gpb", d("1286.27"), basic=d("497.31"), project=d("842.46"),
         open=d("74.93"), business=d("385.46"), nf_basic=d("126.38"), nf_project=d("241.55"),
         budget=d("1362.80"),
         purpose="区文物保护管理所人员经费、日常运转及不可移动文物巡查、修缮和安全防护",
         reason="部分文物建筑修缮工程尚未完成竣工结算，资金结转下年支付"),
    Item("2079999", "其他文化旅游体育与传媒支出", "gpb", d("1142.38"), project=d("1126.53"),
         open=d("48.97"), budget=d("1215.60"),
         purpose="文旅产业发展扶持、区级重大文旅节庆活动和旅游宣传推广",
         reason="文旅产业扶持资金按企业实际申报情况核定拨付"),
    Item("2080502", "事业单位离退休", "gpb", d("68.42"), basic=d("68.42"), budget=d("71.35"),
         purpose="所属事业单位离退休人员的退休费和各项补贴",
         reason="本年度部分退休人员去世，退休费支出减少"),
    Item("2080505", "机关事业单位基本养老保险缴费支出", "gpb", d("436.18"), basic=d("436.18"),
         budget=d("428.76"), purpose="按规定为在职职工缴纳的基本养老保险费",
         reason="缴费基数按年度调整，单位缴费相应增加"),
    Item("2080506", "机关事业单位职业年金缴费支出", "gpb", d("218.09"), basic=d("218.09"),
         budget=d("214.38"), purpose="按规定为在职职工缴纳的职业年金",
         reason="缴费基数按年度调整，单位缴费相应增加"),
    Item("2101101", "行政单位医疗", "gpb", d("92.37"), basic=d("92.37"), budget=d("94.10"),
         purpose="局机关（本级）职工基本医疗保险缴费", reason="年中人员调出，缴费人数减少"),
    Item("2101102", "事业单位医疗", "gpb", d("186.54"), basic=d("186.54"), budget=d("181.92"),
         purpose="所属事业单位职工基本医疗保险缴费", reason="缴费基数按年度调整，单位缴费相应增加"),
    Item("2210201", "住房公积金", "gpb", d("327.66"), basic=d("327.66"), budget=d("327.66"),
         purpose="按规定为在职职工缴纳的住房公积金"),
    Item("2120803", "城市建设支出", "gov_fund", d("512.35"), project=d("548.91"), open=d("86.40"),
         budget=d("598.00"), purpose="区级公共文化设施和历史风貌保护区环境改造工程",
         reason="部分改造工程按施工进度结算，剩余资金结转下年使用"),
    Item("2120899", "其他国有土地使用权出让收入安排的支出", "gov_fund", d("108.60"),
         project=d("97.25"), budget=d("108.60"), purpose="文物建筑周边配套设施建设",
         reason="工程结算经审价审减"),
)
# fmt: on

#: names of the 类 and 款 above the items (2024 names, as function_codes.csv gives them)
PARENT_NAMES = {
    "207": "文化旅游体育与传媒支出",
    "20701": "文化和旅游",
    "20702": "文物",
    "20799": "其他文化旅游体育与传媒支出",
    "208": "社会保障和就业支出",
    "20805": "行政事业单位养老支出",
    "210": "卫生健康支出",
    "21011": "行政事业单位医疗",
    "212": "城乡社区支出",
    "21208": "国有土地使用权出让收入安排的支出",
    "221": "住房保障支出",
    "22102": "住房改革支出",
}

#: 表1 balances outside the 项 (万元): 年初结转和结余 of the non-fiscal funds, 使用非财政拨款结余
#: and 结余分配 (提取专用基金 of the 事业单位)
OPEN_NONFISCAL = d("168.52")
USE_NONFISCAL_SURPLUS = d("36.18")
SURPLUS_DISTRIBUTION = d("12.40")

#: 财政拨款“三公”经费: key -> (预算数, 决算数); 小计 and 合计 are computed
SANGONG = {
    "abroad": (d("12.50"), d("8.36")),
    "car_purchase": (d("25.00"), d("23.58")),
    "car_operation": (d("18.60"), d("15.27")),
    "reception": (d("6.50"), d("3.94")),
}

#: 表6 left column: 工资福利支出 given here; 30108/30109/30110/30113 and 303 follow from the
#: 社会保障/医疗/住房 项 so the two tables tell the same story
WAGES = {
    "30101": d("386.52"),
    "30102": d("412.87"),
    "30103": d("96.34"),
    "30107": d("458.21"),
    "30112": d("21.68"),
    "30199": d("63.45"),
}
#: 303: 退休费 is what the 事业单位离退休 项 leaves after this
OTHER_FAMILY_AID = d("7.16")  # 30399 其他对个人和家庭的补助
#: 表6 right column; 30212/30217/30231/31013 are the 三公 决算数, 30299 takes the remainder
PUBLIC = {
    "30201": d("68.35"),
    "30202": d("24.17"),
    "30205": d("31.62"),
    "30206": d("186.43"),
    "30207": d("18.76"),
    "30209": d("612.58"),
    "30211": d("14.29"),
    "30213": d("238.71"),
    "30214": d("96.40"),
    "30215": d("4.85"),
    "30216": d("9.63"),
    "30226": d("142.37"),
    "30227": d("276.85"),
    "30228": d("38.92"),
    "30229": d("26.14"),
    "30239": d("52.68"),
    "31002": d("47.36"),
    "31003": d("86.21"),
    "31007": d("58.93"),
}

# fmt: off
#: 表6 rows exactly as the template prints them: (code, name), left and right column
ECONOMIC_LEFT = (
    ("301", "工资福利支出"), ("30101", "基本工资"), ("30102", "津贴补贴"), ("30103", "奖金"),
    ("30106", "伙食补助费"), ("30107", "绩效工资"), ("30108", "机关事业单位基本养老保险缴费"),
    ("30109", "职业年金缴费"), ("30110", "职工基本医疗保险缴费"),
    ("30111", "公务员医疗补助缴费"), ("30112", "其他社会保障缴费"), ("30113", "住房公积金"),
    ("30114", "医疗费"), ("30199", "其他工资福利支出"), ("303", "对个人和家庭的补助"),
    ("30301", "离休费"), ("30302", "退休费"), ("30303", "退职（役）费"), ("30304", "抚恤金"),
    ("30305", "生活补助"), ("30306", "救济费"), ("30307", "医疗费补助"), ("30308", "助学金"),
    ("30309", "奖励金"), ("30310", "个人农业生产补贴"), ("30311", "代缴社会保险费"),
    ("30399", "其他对个人和家庭的补助"),
)
ECONOMIC_RIGHT = (
    ("302", "商品和服务支出"), ("30201", "办公费"), ("30202", "印刷费"), ("30203", "咨询费"),
    ("30204", "手续费"), ("30205", "水费"), ("30206", "电费"), ("30207", "邮电费"),
    ("30208", "取暖费"), ("30209", "物业管理费"), ("30211", "差旅费"),
    ("30212", "因公出国（境）费用"), ("30213", "维修（护）费"), ("30214", "租赁费"),
    ("30215", "会议费"), ("30216", "培训费"), ("30217", "公务接待费"), ("30218", "专用材料费"),
    ("30224", "被装购置费"), ("30225", "专用燃料费"), ("30226", "劳务费"),
    ("30227", "委托业务费"), ("30228", "工会经费"), ("30229", "福利费"),
    ("30231", "公务用车运行维护费"), ("30239", "其他交通费用"), ("30240", "税金及附加费用"),
    ("30299", "其他商品和服务支出"), ("310", "资本性支出"), ("31001", "房屋建筑物购建"),
    ("31002", "办公设备购置"), ("31003", "专用设备购置"), ("31007", "信息网络及软件购置更新"),
    ("31013", "公务用车购置"), ("31019", "其他交通工具购置"), ("31021", "文物和陈列品购置"),
    ("31022", "无形资产购置"), ("31099", "其他资本性支出"),
)

#: 表1 and 表4 print every 类 of the template with its ordinal
CLASSES = (
    ("201", "一般公共服务支出"), ("202", "外交支出"), ("203", "国防支出"),
    ("204", "公共安全支出"), ("205", "教育支出"), ("206", "科学技术支出"),
    ("207", "文化旅游体育与传媒支出"), ("208", "社会保障和就业支出"), ("210", "卫生健康支出"),
    ("211", "节能环保支出"), ("212", "城乡社区支出"), ("213", "农林水支出"),
    ("214", "交通运输支出"), ("215", "资源勘探工业信息等支出"), ("216", "商业服务业等支出"),
    ("217", "金融支出"), ("219", "援助其他地区支出"), ("220", "自然资源海洋气象等支出"),
    ("221", "住房保障支出"), ("222", "粮油物资储备支出"), ("223", "国有资本经营预算支出"),
    ("224", "灾害防治及应急管理支出"), ("229", "其他支出"), ("234", "抗疫特别国债安排的支出"),
)
ORDINALS = (
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
    "十五", "十六", "十七", "十八", "十九", "二十", "二十一", "二十二", "二十三", "二十四",
)

#: header cells (row, col, text, rowspan, colspan) of the tables that have no codes
T01_HEAD = (
    (0, 0, "收入", 1, 2), (0, 2, "支出", 1, 2),
    (1, 0, "项目", 1, 1), (1, 1, "决算数", 1, 1), (1, 2, "项目", 1, 1), (1, 3, "决算数", 1, 1),
)
T04_HEAD = (
    (0, 0, "收入", 1, 2), (0, 2, "支出", 1, 5),
    (1, 0, "项目", 1, 1), (1, 1, "决算数", 1, 1), (1, 2, "项目", 1, 1), (1, 3, "合计", 1, 1),
    (1, 4, "一般公共预算财政拨款", 1, 1), (1, 5, "政府性基金预算财政拨款", 1, 1),
    (1, 6, "国有资本经营预算财政拨款", 1, 1),
)
T06_HEAD = (
    (0, 0, "经济分类科目编码", 1, 1), (0, 1, "科目名称", 1, 1), (0, 2, "决算数", 1, 1),
    (0, 3, "经济分类科目编码", 1, 1), (0, 4, "科目名称", 1, 1), (0, 5, "决算数", 1, 1),
)
T07_HEAD = (
    (0, 0, "财政拨款“三公”经费", 1, 12),
    (1, 0, "合计", 2, 2), (1, 2, "因公出国（境）费", 2, 2),
    (1, 4, "公务用车购置及运行维护费", 1, 6), (1, 10, "公务接待费", 2, 2),
    (2, 4, "小计", 1, 2), (2, 6, "公务用车购置费", 1, 2), (2, 8, "公务用车运行维护费", 1, 2),
    *((3, c, "决算数" if c % 2 else "预算数", 1, 1) for c in range(12)),
)
# fmt: on

#: 机关运行经费: the 公用经费 of the 行政单位 (本级), a part of 表6 公用经费合计
ADMIN_COST = d("318.64")

UNITS = (
    (f"{DEPARTMENT}（本级）", "行政单位"),
    ("上海市某某区文化馆", "公益一类事业单位"),
    ("上海市某某区图书馆", "公益一类事业单位"),
    ("上海市某某区文物保护管理所", "公益二类事业单位"),
)


# --- figures computed from the source ---------------------------------------------------


def total(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def fund_items(fund: str) -> list[Item]:
    return [it for it in ITEMS if it.fund == fund]


def economic() -> dict[str, Decimal]:
    """表6 决算数 by 经济分类 code (万元), 类 rows included; zero codes left out."""
    by = {it.code: it.basic for it in ITEMS if it.fund == "gpb"}
    out = dict(WAGES)
    out["30108"] = by["2080505"]
    out["30109"] = by["2080506"]
    out["30110"] = by["2101101"] + by["2101102"]
    out["30113"] = by["2210201"]
    out["30399"] = OTHER_FAMILY_AID
    out["30302"] = by["2080502"] - OTHER_FAMILY_AID
    out.update(PUBLIC)
    out["30212"] = SANGONG["abroad"][1]
    out["30217"] = SANGONG["reception"][1]
    out["30231"] = SANGONG["car_operation"][1]
    out["31013"] = SANGONG["car_purchase"][1]
    basic = total(it.basic for it in fund_items("gpb"))
    known = total(v for k, v in out.items() if k != "30299")
    out["30299"] = basic - known
    if not ZERO < out["30299"] < d("300"):
        raise ValueError(f"30299 其他商品和服务支出 = {out['30299']}: adjust PUBLIC")
    for head in ("301", "302", "303", "310"):
        out[head] = total(v for k, v in out.items() if len(k) == 5 and k.startswith(head))
    return out


def sangong() -> dict[str, tuple[Decimal, Decimal]]:
    """三公 pairs in the order of the table: 合计, 出国, 车小计, 购置, 运行, 接待."""
    p, o = SANGONG["car_purchase"], SANGONG["car_operation"]
    car = (p[0] + o[0], p[1] + o[1])
    parts = (SANGONG["abroad"], car, SANGONG["reception"])
    all_ = (total(x[0] for x in parts), total(x[1] for x in parts))
    return {
        "sg_total": all_,
        "abroad": SANGONG["abroad"],
        "car_total": car,
        "car_purchase": p,
        "car_operation": o,
        "reception": SANGONG["reception"],
    }


def _figures() -> dict[str, object]:
    """The key totals (万元), for the tests and the report."""
    gpb, fund = fund_items("gpb"), fund_items("gov_fund")
    eco = economic()
    business = total(it.business for it in ITEMS)
    other = total(it.other for it in ITEMS)
    gpb_income, fund_income = total(i.income for i in gpb), total(i.income for i in fund)
    income = gpb_income + fund_income + business + other
    nf_expense = total(it.nf_basic + it.nf_project for it in ITEMS)
    expense = total(it.expense for it in ITEMS) + nf_expense
    open_fiscal = total(it.open for it in ITEMS)
    open_all = open_fiscal + OPEN_NONFISCAL
    grand = income + USE_NONFISCAL_SURPLUS + open_all
    close_all = grand - expense - SURPLUS_DISTRIBUTION
    close_gpb, close_fund = total(i.close for i in gpb), total(i.close for i in fund)
    sg = sangong()
    return {
        "部门": DEPARTMENT,
        "年度": YEAR,
        "本年收入合计": income,
        "财政拨款收入": gpb_income + fund_income,
        "一般公共预算财政拨款收入": gpb_income,
        "政府性基金预算财政拨款收入": fund_income,
        "国有资本经营预算财政拨款收入": ZERO,
        "事业收入": business,
        "其他收入": other,
        "本年支出合计": expense,
        "基本支出": total(it.basic + it.nf_basic for it in ITEMS),
        "项目支出": total(it.project + it.nf_project for it in ITEMS),
        "使用非财政拨款结余": USE_NONFISCAL_SURPLUS,
        "年初结转和结余": open_all,
        "结余分配": SURPLUS_DISTRIBUTION,
        "年末结转和结余": close_all,
        "总计": grand,
        "年初财政拨款结转和结余": open_fiscal,
        "年末财政拨款结转和结余": close_gpb + close_fund,
        "年初一般公共预算财政拨款结转和结余": total(i.open for i in gpb),
        "年末一般公共预算财政拨款结转和结余": close_gpb,
        "年初政府性基金预算财政拨款结转和结余": total(i.open for i in fund),
        "年末政府性基金预算财政拨款结转和结余": close_fund,
        "财政拨款收入支出总计": gpb_income + fund_income + open_fiscal,
        "一般公共预算财政拨款支出合计": total(i.expense for i in gpb),
        "一般公共预算财政拨款基本支出": total(i.basic for i in gpb),
        "一般公共预算财政拨款项目支出": total(i.project for i in gpb),
        "一般公共预算财政拨款年初预算": total(i.budget for i in gpb),
        "政府性基金预算财政拨款支出": total(i.expense for i in fund),
        "人员经费合计": eco["301"] + eco["303"],
        "公用经费合计": eco["302"] + eco["310"],
        "机关运行经费": ADMIN_COST,
        "三公": {k: {"预算数": b, "决算数": a} for k, (b, a) in sg.items()},
    }


FIGURES: dict[str, object] = _figures()


# --- supplementary sheets (reportgen's kv format) ---------------------------------------

PRIOR = {
    "本年新成立单位": "否",
    "收入支出总计": d("11876.93"),
    "财政拨款收入支出总计": d("11264.05"),
    "一般公共预算财政拨款支出": d("9987.26"),
    "“三公”经费支出合计": d("54.58"),
    "因公出国（境）费": d("5.12"),
    "公务用车购置及运行维护费": d("44.85"),
    "公务接待费": d("4.61"),
    "机关运行经费": d("331.07"),
}

REASONS = {
    "收入支出总计变动原因": "上年安排的公共文化设施改造项目本年基本完成，政府性基金预算财政拨款收入减少",
    "财政拨款收入支出总计变动原因": "政府性基金预算安排的公共文化设施改造项目本年基本完成，相应财政拨款减少",
    "一般公共预算财政拨款支出变动原因": "区图书馆总分馆体系建设和区级群众文化节庆活动经费增加",
    "一般公共预算财政拨款支出决算与预算差异原因": "部分文献资源采购和文物修缮项目按合同进度结转下年",
    "“三公”经费决算与预算差异原因": "严格执行中央八项规定精神，压缩出访团组规模和公务接待支出",
    "“三公”经费变动原因": "公务用车购置数量减少，公务接待批次减少",
    "因公出国（境）费变动原因": "本年度恢复与友好城市的文化交流项目，出访团组增加",
    "公务用车购置及运行维护费变动原因": "上年更新2辆执法执勤用车，本年仅更新1辆",
    "公务接待费变动原因": "严格控制接待范围和标准，接待批次减少",
    "机关运行经费变动原因": "压减一般性支出，办公费和物业管理费减少",
}

SANGONG_EXTRA = {
    "因公出国（境）团组数": 2,
    "因公出国（境）人次数": 6,
    "因公出国（境）费开支内容": "赴友好城市开展非物质文化遗产交流展示和公共图书馆合作交流的国际旅费、住宿费、伙食费等",
    "公务用车购置数": 1,
    "公务用车购置用途": "更新1辆已达报废年限的文化市场执法执勤用车",
    "公务用车运行维护费用途": "文化市场执法检查、文物巡查和机要文件交换等所需的燃料费、维修费、过路过桥费、保险费",
    "公务用车保有量": 7,
    "国内公务接待批次": 26,
    "国内公务接待人次": 214,
    "外宾接待支出": d("0.62"),
    "外宾接待批次": 1,
    "外宾接待人次": 8,
    "公务接待费用途": "接待兄弟省市文化和旅游部门来访交流、考察调研和检查指导工作",
}

PROCUREMENT = {
    "政府采购货物支出": d("486.35"),
    "政府采购工程支出": d("612.80"),
    "政府采购服务支出": d("1854.27"),
    "面向中小企业预留项目预算金额": d("1962.40"),
    "面向小微企业预留项目预算金额": d("1185.66"),
    "预留项目中小企业中标金额": d("1874.53"),
    "预留项目小微企业中标金额": d("1102.18"),
    "其他项目中小企业中标金额": d("386.91"),
}

VEHICLES = {
    "部级领导干部用车": 0,
    "主要领导干部用车": 1,
    "机要通信用车": 1,
    "应急保障用车": 0,
    "执法执勤用车": 3,
    "特种专业技术用车": 1,
    "离退休干部用车": 0,
    "其他用车": 1,
}

PERFORMANCE = {
    "预算绩效管理制度": "《上海市某某区文化和旅游局预算绩效管理实施办法》、《上海市某某区文化和旅游局项目支出绩效自评工作规程》",
    "预算绩效管理工作机制": "“预算编制有目标、预算执行有监控、预算完成有评价、评价结果有反馈、反馈结果有应用”",
    "编报绩效目标项目数": 28,
    "编报绩效目标涉及金额": d("5386.42"),
    "绩效跟踪评价项目数": 12,
    "绩效跟踪评价涉及金额": d("2874.15"),
    "绩效自评项目数": 28,
    "绩效自评涉及金额": d("5386.42"),
    "绩效自评平均得分": Decimal("91.36"),
    "评级为优的项目数": 17,
    "评级为良的项目数": 9,
    "评级为合格的项目数": 2,
    "评级为不合格的项目数": 0,
    "绩效自评发现问题数": 11,
    "已完成整改问题数": 8,
    "正在整改问题数": 3,
}

GLOSSARY = {
    "事业收入主要内容": "文物保护技术咨询、文物建筑讲解服务",
    "经营收入主要内容": None,  # the department has no 经营收入
    "其他收入主要内容": "银行存款利息、社会捐赠",
}

UNIT_INFO = {
    "部门名称": DEPARTMENT,
    "年度": YEAR,
    "单位性质": "行政单位",
    "主要职能": (
        "贯彻落实党中央关于文化和旅游工作的方针政策和市委、区委的决策部署，拟订本区文化和旅游"
        "发展规划并组织实施；负责本区公共文化服务体系建设，指导群众文化、图书馆和非物质文化遗产"
        "保护工作；负责本区文物保护和文化旅游市场监督管理，推进文化和旅游融合发展。"
    ),
    "机构设置": (
        f"{DEPARTMENT}为区政府工作部门，内设办公室、公共文化科、文物保护科、产业发展科、"
        "市场管理科5个科室，下属区文化馆、区图书馆、区文物保护管理所3个事业单位。"
    ),
}


def _kv_sheets() -> list[tuple[str, str, str, list[tuple[str, object]]]]:
    """(sheet name, unit, purpose, [(label, value)]) of each kv sheet, in sheets.toml order."""
    vehicles = [("车辆总数", sum(VEHICLES.values())), *VEHICLES.items()]
    return [
        ("上年决算数", "万元", "上年度决算数，用于与上年的比较。", list(PRIOR.items())),
        ("变动原因", "", "各项变动和差异的主要原因。", list(REASONS.items())),
        ("三公经费补充", "万元", "“三公”经费的次数、车辆与用途。", list(SANGONG_EXTRA.items())),
        ("机关运行经费", "万元", "机关运行经费支出。", [("机关运行经费支出", ADMIN_COST)]),
        ("政府采购", "万元", "政府采购支出情况（以合同签订为准）。", list(PROCUREMENT.items())),
        (
            "国有资产",
            "",
            "国有资产占有使用情况（截至年末）。",
            [*vehicles, ("单价100万元（含）以上设备（不含车辆）", 2)],
        ),
        ("预算绩效管理", "万元", "预算绩效管理情况。", list(PERFORMANCE.items())),
        ("名词解释补充", "", "名词解释中收入的主要内容。", list(GLOSSARY.items())),
    ]


BUDGET_HEAD = (
    "资金性质",
    "科目编码",
    "科目名称",
    "主要用于",
    "年初预算数",
    "调整预算数",
    "决算数与预算数差异原因",
)
FUND_LABELS = {"gpb": "一般公共预算", "gov_fund": "政府性基金"}


def budget_rows() -> list[tuple[object, ...]]:
    """项目预算: one row per 项 with fiscal spending (表5 items, then 表8 items)."""
    rows = []
    for fund in ("gpb", "gov_fund"):
        for it in fund_items(fund):
            if it.expense:
                reason = it.reason if it.budget != it.expense else None
                rows.append(
                    (FUND_LABELS[fund], it.code, it.name, it.purpose, it.budget, None, reason)
                )
    return rows


# --- cell writing -----------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
AMOUNT_FORMAT = "#,##0.00"

#: a header cell: (row, col, text, rowspan, colspan), from 0 within the table's header
Head = tuple[int, int, str, int, int]


def _amount(value: Decimal | None) -> Decimal | None:
    """The cell value of an amount: 2 decimals, empty when zero (as the template prints)."""
    if value is None or value == 0:
        return None
    return value.quantize(CENT)


def put(ws: Worksheet, row: int, col: int, value: object, align: Alignment = _LEFT) -> None:
    """A bordered table cell (row, col from 1). Amounts get the 2-decimal format; codes
    and names are text."""
    cell = ws.cell(row=row, column=col, value=value)
    cell.border = _BORDER
    cell.alignment = align
    if isinstance(value, Decimal) or value is None:
        cell.number_format = AMOUNT_FORMAT
    if isinstance(value, Decimal):
        cell.alignment = _RIGHT
    if isinstance(value, str) and value.isdigit():
        cell.number_format = "@"


def put_amounts(ws: Worksheet, row: int, col: int, values: Iterable[Decimal | None]) -> None:
    for j, v in enumerate(values):
        put(ws, row, col + j, _amount(v))


def merge(ws: Worksheet, row: int, col: int, rows: int = 1, cols: int = 1) -> None:
    if rows > 1 or cols > 1:
        for r in range(row, row + rows):
            for c in range(col, col + cols):
                ws.cell(row=r, column=c).border = _BORDER
        ws.merge_cells(
            start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1
        )


def write_title(ws: Worksheet, top: int, title: str, width: int) -> int:
    """The title cell (merged over the table) and the 单位：万元 line; returns the header row."""
    cell = ws.cell(row=top, column=1, value=title)
    cell.alignment = _CENTER
    cell.font = Font(bold=True, size=14)
    ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=width)
    unit = ws.cell(row=top + 1, column=width, value=UNIT_LINE)
    unit.alignment = _RIGHT
    return top + 2


def write_header(ws: Worksheet, top: int, header: Iterable[Head]) -> int:
    """The header cells with their merges; returns the first row under the header."""
    bottom = top
    for r, c, text, rs, cs in header:
        put(ws, top + r, c + 1, text, _CENTER)
        ws.cell(row=top + r, column=c + 1).font = Font(bold=True)
        merge(ws, top + r, c + 1, rs, cs)
        bottom = max(bottom, top + r + rs)
    return bottom


def write_note(ws: Worksheet, row: int, *lines: str) -> int:
    """The 注 (and 说明) lines under a table; returns the row after them."""
    for line in lines:
        ws.cell(row=row, column=1, value=line)
        row += 1
    return row


# --- 功能分类 tables (表2 表3 表5 表8 表9) --------------------------------------------------


def coded_rows(
    items: Iterable[Item], values: Callable[[Item], tuple[Decimal, ...]]
) -> tuple[list[tuple[str, str, tuple[Decimal, ...]]], tuple[Decimal, ...]]:
    """(code, name, amounts) for every 类, 款 and 项 in code order, and the 合计 amounts.

    The 类 and 款 rows are the sums of their 项; 合计 is the sum of the 类. Items whose
    amounts are all zero are left out (a table lists the codes it has figures for)."""
    leaves = {it.code: (it.name, values(it)) for it in items if any(values(it))}
    width = len(next(iter(leaves.values()))[1]) if leaves else 0
    sums: dict[str, list[Decimal]] = {}
    for code, (_name, vals) in leaves.items():
        for parent in (code[:3], code[:5]):
            acc = sums.setdefault(parent, [ZERO] * width)
            for i, v in enumerate(vals):
                acc[i] += v
    rows = []
    for code in sorted({*leaves, *sums}):
        if code in leaves:
            rows.append((code, leaves[code][0], leaves[code][1]))
        else:
            rows.append((code, PARENT_NAMES[code], tuple(sums[code])))
    totals = tuple(
        total(vals[i] for code, _n, vals in rows if len(code) == 3) for i in range(width)
    )
    return rows, totals


def coded_header(amount_heads: list[Head], codes: str) -> list[Head]:
    """The 项目 block plus the amount headings, whole codes or split over 类/款/项.

    ``amount_heads`` are given as the template prints them with whole codes (the amount
    columns from col 2, two header rows). Split codes add a third header row: the amount
    headings that reach the bottom grow by one row and move right by two columns."""
    if codes == "whole":
        return [
            (0, 0, "项目", 1, 2),
            (1, 0, "功能分类科目编码", 1, 1),
            (1, 1, "科目名称", 1, 1),
            *amount_heads,
        ]
    out: list[Head] = [
        (0, 0, "项目", 1, 4),
        (1, 0, "功能分类科目编码", 1, 3),
        (1, 3, "科目名称", 2, 1),
        (2, 0, "类", 1, 1),
        (2, 1, "款", 1, 1),
        (2, 2, "项", 1, 1),
    ]
    for r, c, text, rs, cs in amount_heads:
        out.append((r, c + 2, text, rs + 1 if r + rs == 2 else rs, cs))
    return out


def code_cells(code: str, codes: str) -> tuple[str | None, ...]:
    """The code cells of a row: the whole code, or 类 | 款 | 项 in full."""
    if codes == "whole":
        return (code,)
    return (code[:3], code[3:5] or None, code[5:7] or None)


def write_coded(
    ws: Worksheet,
    top: int,
    title: str,
    amount_heads: list[Head],
    rows: list[tuple[str, str, tuple[Decimal, ...]]],
    totals: tuple[Decimal | None, ...],
    note: str,
    codes: str,
    total_at: str = "top",
    empty_note: str = "",
) -> int:
    """A 功能分类 table; returns the row after its last line."""
    n_code = 1 if codes == "whole" else 3
    width = n_code + 1 + len(totals)
    row = write_header(ws, write_title(ws, top, title, width), coded_header(amount_heads, codes))

    def total_row(r: int) -> None:
        put(ws, r, 1, "合计", _CENTER)
        merge(ws, r, 1, 1, n_code + 1)
        put_amounts(ws, r, n_code + 2, totals)

    if total_at == "top":
        total_row(row)
        row += 1
    for code, name, vals in rows:
        for j, part in enumerate(code_cells(code, codes)):
            put(ws, row, 1 + j, part)
        put(ws, row, n_code + 1, name)
        put_amounts(ws, row, n_code + 2, vals)
        row += 1
    if total_at == "bottom":
        total_row(row)
        row += 1
    return write_note(ws, row, note, *([empty_note] if empty_note else []))


# fmt: off
T02_HEADS: list[Head] = [
    (0, 2, "本年收入合计", 2, 1), (0, 3, "财政拨款收入", 2, 1), (0, 4, "上级补助收入", 2, 1),
    (0, 5, "事业收入", 2, 1), (0, 6, "经营收入", 2, 1), (0, 7, "附属单位上缴收入", 2, 1),
    (0, 8, "其他收入", 2, 1),
]
T03_HEADS: list[Head] = [
    (0, 2, "本年支出合计", 2, 1), (0, 3, "基本支出", 2, 1), (0, 4, "项目支出", 2, 1),
    (0, 5, "上缴上级支出", 2, 1), (0, 6, "经营支出", 2, 1), (0, 7, "对附属单位补助支出", 2, 1),
]
T05_HEADS: list[Head] = [(0, 2, "合计", 2, 1), (0, 3, "基本支出", 2, 1), (0, 4, "项目支出", 2, 1)]
#: 表8/表9: the template prints 合计/基本支出/项目支出 under 本年支出 on the line of the
#: 合计 row; they are header cells, so they stand in the second header row here
FUND_HEADS: list[Head] = [
    (0, 2, "年初结转和结余", 2, 1), (0, 3, "本年收入", 2, 1), (0, 4, "本年支出", 1, 3),
    (1, 4, "合计", 1, 1), (1, 5, "基本支出", 1, 1), (1, 6, "项目支出", 1, 1),
    (0, 7, "年末结转和结余", 2, 1),
]
# fmt: on


def _income(it: Item) -> tuple[Decimal, ...]:
    fiscal = it.income
    return (fiscal + it.business + it.other, fiscal, ZERO, it.business, ZERO, ZERO, it.other)


def _expense(it: Item) -> tuple[Decimal, ...]:
    basic, project = it.basic + it.nf_basic, it.project + it.nf_project
    return (basic + project, basic, project, ZERO, ZERO, ZERO)


def _gpb(it: Item) -> tuple[Decimal, ...]:
    return (it.expense, it.basic, it.project)


def _fund(it: Item) -> tuple[Decimal, ...]:
    return (it.open, it.income, it.expense, it.basic, it.project, it.close)


def write_t02(ws: Worksheet, top: int, codes: str) -> int:
    rows, totals = coded_rows(ITEMS, _income)
    return write_coded(
        ws,
        top,
        "收入决算表",
        T02_HEADS,
        rows,
        totals,
        "注：本表反映部门本年度取得的各项收入情况。",
        codes,
    )


def write_t03(ws: Worksheet, top: int, codes: str) -> int:
    rows, totals = coded_rows(ITEMS, _expense)
    return write_coded(
        ws,
        top,
        "支出决算表",
        T03_HEADS,
        rows,
        totals,
        "注：本表反映部门本年度各项支出情况。",
        codes,
    )


def write_t05(ws: Worksheet, top: int, codes: str) -> int:
    rows, totals = coded_rows(fund_items("gpb"), _gpb)
    return write_coded(
        ws,
        top,
        "一般公共预算财政拨款支出决算表",
        T05_HEADS,
        rows,
        totals,
        "注：本表反映部门本年度一般公共预算财政拨款支出情况。",
        codes,
        total_at="bottom",
    )


def write_t08(ws: Worksheet, top: int, codes: str) -> int:
    rows, totals = coded_rows(fund_items("gov_fund"), _fund)
    return write_coded(
        ws,
        top,
        "政府性基金预算财政拨款收入支出决算表",
        FUND_HEADS,
        rows,
        totals,
        "注：本表反映部门本年度政府性基金预算财政拨款收入支出及结转和结余情况。",
        codes,
    )


def write_t09(ws: Worksheet, top: int, codes: str) -> int:
    """国有资本经营: no figures, so the header, an empty 合计 row, the 注 and the 说明."""
    return write_coded(
        ws,
        top,
        "国有资本经营预算财政拨款收入支出决算表",
        FUND_HEADS,
        [],
        (None,) * 6,
        "注：本表反映部门本年度国有资本经营预算财政拨款收入支出及结转和结余情况。",
        codes,
        empty_note=f"说明：{DEPARTMENT}本年度没有国有资本经营预算财政拨款收入和支出，故本表无数据。",
    )


# --- 表1 and 表4 (two-sided summaries) -----------------------------------------------------


def class_totals(values: Callable[[Item], tuple[Decimal, ...]]) -> dict[str, tuple]:
    rows, _ = coded_rows(ITEMS, values)
    return {code: vals for code, _n, vals in rows if len(code) == 3}


def write_t01(ws: Worksheet, top: int, codes: str) -> int:
    f = FIGURES
    row = write_title(ws, top, "收入支出决算总表", 4)
    row = write_header(ws, row, T01_HEAD)
    left = [
        ("一、一般公共预算财政拨款收入", f["一般公共预算财政拨款收入"]),
        ("二、政府性基金预算财政拨款收入", f["政府性基金预算财政拨款收入"]),
        ("三、国有资本经营预算财政拨款收入", ZERO),
        ("四、上级补助收入", ZERO),
        ("五、事业收入", f["事业收入"]),
        ("六、经营收入", ZERO),
        ("七、附属单位上缴收入", ZERO),
        ("八、其他收入", f["其他收入"]),
    ]
    classes = class_totals(_expense)
    for i, (code, name) in enumerate(CLASSES):
        label, amount = left[i] if i < len(left) else (None, None)
        put(ws, row, 1, label)
        put(ws, row, 2, _amount(amount))
        put(ws, row, 3, f"{ORDINALS[i]}、{name}")
        put(ws, row, 4, _amount(classes.get(code, (ZERO,))[0]))
        row += 1
    tail = [
        ("本年收入合计", f["本年收入合计"], "本年支出合计", f["本年支出合计"]),
        ("使用非财政拨款结余", f["使用非财政拨款结余"], "结余分配", f["结余分配"]),
        ("年初结转和结余", f["年初结转和结余"], "年末结转和结余", f["年末结转和结余"]),
        ("总计", f["总计"], "总计", f["总计"]),
    ]
    for llabel, lval, rlabel, rval in tail:
        centre = _CENTER if llabel in ("本年收入合计", "总计") else _LEFT
        put(ws, row, 1, llabel, centre)
        put(ws, row, 2, _amount(lval))
        put(ws, row, 3, rlabel, _CENTER if rlabel in ("本年支出合计", "总计") else _LEFT)
        put(ws, row, 4, _amount(rval))
        row += 1
    return write_note(ws, row, "注：本表反映部门本年度的总收支和年末结转结余情况。")


def write_t04(ws: Worksheet, top: int, codes: str) -> int:
    f = FIGURES
    row = write_title(ws, top, "财政拨款收入支出决算总表", 7)
    row = write_header(ws, row, T04_HEAD)
    gpb_income = f["一般公共预算财政拨款收入"]
    fund_income = f["政府性基金预算财政拨款收入"]
    left = [
        ("一、一般公共预算财政拨款", gpb_income),
        ("二、政府性基金预算财政拨款", fund_income),
        ("三、国有资本经营预算财政拨款", ZERO),
    ]

    def by_fund(it: Item) -> tuple[Decimal, ...]:
        gpb = it.expense if it.fund == "gpb" else ZERO
        fund = it.expense if it.fund == "gov_fund" else ZERO
        return (gpb + fund, gpb, fund, ZERO)

    classes = class_totals(by_fund)
    for i, (code, name) in enumerate(CLASSES):
        label, amount = left[i] if i < len(left) else (None, None)
        put(ws, row, 1, label)
        put(ws, row, 2, _amount(amount))
        put(ws, row, 3, f"{ORDINALS[i]}、{name}")
        put_amounts(ws, row, 4, classes.get(code, (ZERO,) * 4))
        row += 1
    gpb_exp, fund_exp = f["一般公共预算财政拨款支出合计"], f["政府性基金预算财政拨款支出"]
    open_gpb, open_fund = (
        f["年初一般公共预算财政拨款结转和结余"],
        f["年初政府性基金预算财政拨款结转和结余"],
    )
    close_gpb, close_fund = (
        f["年末一般公共预算财政拨款结转和结余"],
        f["年末政府性基金预算财政拨款结转和结余"],
    )
    grand_gpb, grand_fund = gpb_income + open_gpb, fund_income + open_fund
    tail = [
        (
            "本年收入合计",
            f["财政拨款收入"],
            "本年支出合计",
            (gpb_exp + fund_exp, gpb_exp, fund_exp, ZERO),
        ),
        (
            "年初财政拨款结转和结余",
            f["年初财政拨款结转和结余"],
            "年末财政拨款结转和结余",
            (close_gpb + close_fund, close_gpb, close_fund, ZERO),
        ),
        ("一、一般公共预算财政拨款", open_gpb, None, (None,) * 4),
        ("二、政府性基金预算财政拨款", open_fund, None, (None,) * 4),
        ("三、国有资本经营预算财政拨款", ZERO, None, (None,) * 4),
        (
            "总计",
            f["财政拨款收入支出总计"],
            "总计",
            (grand_gpb + grand_fund, grand_gpb, grand_fund, ZERO),
        ),
    ]
    for llabel, lval, rlabel, rvals in tail:
        put(ws, row, 1, llabel, _CENTER if llabel == "总计" else _LEFT)
        put(ws, row, 2, _amount(lval))
        put(ws, row, 3, rlabel, _CENTER if rlabel == "总计" else _LEFT)
        put_amounts(ws, row, 4, rvals)
        row += 1
    return write_note(ws, row, "注：本表反映部门本年度财政拨款总收支和结转结余情况。")


# --- 表6 and 表7 --------------------------------------------------------------------------


def write_t06(ws: Worksheet, top: int, codes: str) -> int:
    eco = economic()
    row = write_title(ws, top, "一般公共预算财政拨款基本支出决算表", 6)
    row = write_header(ws, row, T06_HEAD)
    for i in range(len(ECONOMIC_RIGHT)):
        for col, group in ((1, ECONOMIC_LEFT), (4, ECONOMIC_RIGHT)):
            code, name = group[i] if i < len(group) else (None, None)
            put(ws, row, col, code)
            put(ws, row, col + 1, name)
            put(ws, row, col + 2, _amount(eco.get(code)) if code else None)
        row += 1
    put(ws, row, 1, "人员经费合计", _CENTER)
    merge(ws, row, 1, 1, 2)
    put(ws, row, 3, _amount(FIGURES["人员经费合计"]))
    put(ws, row, 4, "公用经费合计", _CENTER)
    merge(ws, row, 4, 1, 2)
    put(ws, row, 6, _amount(FIGURES["公用经费合计"]))
    return write_note(ws, row + 1, "注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。")


def write_t07(ws: Worksheet, top: int, codes: str) -> int:
    row = write_title(ws, top, "财政拨款“三公”经费支出决算表", 12)
    row = write_header(ws, row, T07_HEAD)
    values = [v for pair in sangong().values() for v in pair]
    put_amounts(ws, row, 1, values)
    return write_note(ws, row + 1, "注：本表反映部门本年度“三公”经费支出预决算情况。")


#: the nine tables in the order of the template's 第二部分 (表1 … 表9), with their widths
TABLES: tuple[tuple[str, Callable[[Worksheet, int, str], int]], ...] = (
    ("表1", write_t01),
    ("表2", write_t02),
    ("表3", write_t03),
    ("表4", write_t04),
    ("表5", write_t05),
    ("表6", write_t06),
    ("表7", write_t07),
    ("表8", write_t08),
    ("表9", write_t09),
)


# --- supplementary sheets -----------------------------------------------------------------


def _sheet_title(ws: Worksheet, name: str, unit: str, purpose: str) -> None:
    title = name + (f"（金额单位：{unit}）" if unit else "")
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=purpose)


def write_kv(wb: Workbook, name: str, unit: str, purpose: str, rows) -> None:
    """reportgen's kv format: title, purpose, 项目 | 内容, then label | value per field."""
    ws = wb.create_sheet(name)
    _sheet_title(ws, name, unit, purpose)
    put(ws, 3, 1, "项目", _CENTER)
    put(ws, 3, 2, "内容", _CENTER)
    for i, (label, value) in enumerate(rows):
        put(ws, 4 + i, 1, label)
        put(ws, 4 + i, 2, value.quantize(CENT) if isinstance(value, Decimal) else value)
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 80


def write_list(wb: Workbook, name: str, unit: str, purpose: str, head, rows) -> None:
    """A list sheet (决算单位构成, 项目预算): header row, one row per entry."""
    ws = wb.create_sheet(name)
    _sheet_title(ws, name, unit, purpose)
    for j, h in enumerate(head):
        put(ws, 3, 1 + j, h, _CENTER)
        ws.column_dimensions[get_column_letter(1 + j)].width = 18
    for i, values in enumerate(rows):
        for j, v in enumerate(values):
            put(ws, 4 + i, 1 + j, v)


def write_supplements(wb: Workbook) -> None:
    """The sheets of templates/shanghai-2024/sheets.toml, in its order."""
    write_kv(wb, "单位基本情况", "", "部门名称、年度与部门概况的文字。", list(UNIT_INFO.items()))
    write_list(
        wb,
        "决算单位构成",
        "",
        "纳入本部门决算编制范围的各单位及其单位性质。",
        ("单位名称", "单位性质"),
        UNITS,
    )
    sheets = _kv_sheets()
    write_kv(wb, *sheets[0])
    write_list(
        wb,
        "项目预算",
        "万元",
        "每个有支出的“项”的年初预算数、主要用途与差异原因。",
        BUDGET_HEAD,
        budget_rows(),
    )
    for spec in sheets[1:]:
        write_kv(wb, *spec)


# --- the workbook -------------------------------------------------------------------------


def _widths(ws: Worksheet) -> None:
    ws.column_dimensions["A"].width = 30
    for c in range(2, 14):
        ws.column_dimensions[get_column_letter(c)].width = 16


def build(path: Path, codes: str = "whole", tables_per_sheet: bool = False) -> Path:
    """Write the workbook at ``path`` and return it.

    ``codes``: "whole" (one 功能分类科目编码 column, as the template) or "split" (类 | 款 | 项).
    ``tables_per_sheet``: all nine tables on one sheet, one below another with a blank row,
    as some exports do; otherwise one sheet per table (表1 … 表9).
    """
    if codes not in ("whole", "split"):
        raise ValueError(f"codes must be 'whole' or 'split', not {codes!r}")
    wb = Workbook()
    wb.remove(wb.active)
    if tables_per_sheet:
        ws = wb.create_sheet("部门决算表")
        _widths(ws)
        ws.cell(row=1, column=1, value=HEADING).font = Font(bold=True, size=16)
        row = 2
        for _name, writer in TABLES:
            row = writer(ws, row, codes) + 1
    else:
        for name, writer in TABLES:
            ws = wb.create_sheet(name)
            _widths(ws)
            top = 1
            if name == "表1":  # the template prints the heading once, above 表1
                ws.cell(row=1, column=1, value=HEADING).font = Font(bold=True, size=16)
                top = 2
            writer(ws, top, codes)
    write_supplements(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT_DIR
    for codes in ("whole", "split"):
        print(build(out / f"shanghai-2024-{codes}.xlsx", codes=codes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
