"""Build inputs/example/ from seed 001's figures (tools/example_data.py).

Run from the repository root: ``python tools/build_example.py``. The 公开表 carry the
published figures exactly; the supplementary sheets hold facts the seed does not give,
filled plausibly and marked 示例数据 in each sheet.
"""

from __future__ import annotations

import sys
from decimal import Decimal as D
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import example_data as ex  # noqa: E402
import seed001_performance as perf  # noqa: E402

from reportgen import codes  # noqa: E402
from reportgen.layouts import BY_KEY  # noqa: E402
from reportgen.workbook import CodedData, WorkbookData, write_workbook  # noqa: E402

ILLUSTRATIVE = "示例数据：seed 001 未公开此项，数值为演示用的合理虚构值。"


def _rows(block: str) -> list[list[str]]:
    """The "a|b|c" lines of a transcribed table as lists of fields."""
    return [line.split("|") for line in block.strip().splitlines()]


def _d(text: str | None) -> D | None:
    return D(text) if text else None


def example_data() -> WorkbookData:
    names = {}
    t03 = CodedData()
    t02 = CodedData()
    for code, name, total, basic, project in _rows(ex.T03):
        names[code] = name
        t03.rows.append(
            (code, name, {"total": _d(total), "basic": _d(basic), "project": _d(project)})
        )
        t02.rows.append((code, name, {"total": _d(total), "fiscal": _d(total)}))
    t05 = CodedData()
    keys05 = BY_KEY["t05"].column_keys[3:11]  # 本年收入 (3) and 本年支出 (5) columns
    for parts in _rows(ex.T05):
        code, vals = parts[0], parts[1:]
        t05.rows.append((code, names[code], dict(zip(keys05, map(_d, vals), strict=True))))
    t07 = CodedData()
    for code in ("212", "21208", "2120899"):
        v = D("5000000.00")
        t07.rows.append(
            (
                code,
                names[code],
                {"income_total": v, "income_project": v, "exp_total": v, "exp_project": v},
            )
        )
    data = WorkbookData(department=ex.DEPARTMENT, year=ex.YEAR, unit="元")
    data.coded = {"t02": t02, "t03": t03, "t05": t05, "t07": t07, "t08": CodedData()}

    class_totals = {code: D(t) for code, _n, t, _b, _p in _rows(ex.T03) if len(code) == 3}
    gpb_classes = {p[0]: D(p[4]) for p in _rows(ex.T05) if len(p[0]) == 3}
    data.summary_items["t01"] = {k: {"amount": D(v)} for k, v in ex.T01_INCOME.items()}
    data.summary_items["t01"].update(
        {"R:" + k: {"amount": D(v)} for k, v in ex.T01_RIGHT_TAIL.items()}
    )
    data.summary_classes["t01"] = {c: {"amount": v} for c, v in class_totals.items()}
    data.summary_items["t04"] = {k: {"amount": D(v)} for k, v in ex.T04_INCOME.items()}
    data.summary_items["t04"].update(
        {"R:" + k: {c: D(x) for c, x in v.items()} for k, v in ex.T04_RIGHT_TAIL.items()}
    )
    data.summary_classes["t04"] = {
        c: {"total": v, "gpb": gpb_classes.get(c), "gov_fund": v if c == "212" else None}
        for c, v in class_totals.items()
    }
    data.economic = {code: D(a) for code, a in _rows(ex.T06)}
    data.personnel_total = D(ex.PERSONNEL_TOTAL)
    data.public_total = D(ex.PUBLIC_TOTAL)
    data.sangong = {k: (_d(b), a if isinstance(a, int) else _d(a)) for k, (b, a) in ex.T09.items()}

    data.kv["单位基本情况"] = {
        "部门名称": ex.DEPARTMENT,
        "年度": ex.YEAR,
        "单位性质": "行政单位",
        "主要职能": (
            "玉溪市互联网信息办公室（中共玉溪市委网络安全和信息化委员会办公室）的主要职能：贯彻落实"
            "中央和省关于网络安全和信息化工作的方针政策及市委、市政府的部署，组织研究拟订全市网络安全"
            "和信息化发展规划、政策和计划并负责组织实施，牵头制定相关行业网络安全规划及保障评价指标体系，"
            "指导推进党政部门、重点行业做好网络安全保障和信息化等工作。"
        ),
        "重点工作完成情况": (
            "一是继续推进“网络安全示范市”和网络安全服务基地建设，完成面向南亚东南亚网络安全国际合作"
            "和培训基地顶层规划，完成全市舆情监测分析平台的全市推广。\n"
            "二是完成全市电子政务基础网络运维、智慧政务系统上线运行、“一站式”惠民信息服务平台全市推广、"
            "市级电子政务视频会议系统升级和政府门户网站运维。\n"
            "三是开展“数字玉溪”建设系列新闻发布会，建成数字玉溪展厅，接待参观学习3051人次。"
        ),
        "机构设置": (
            "玉溪市互联网信息办公室为行政单位，内设综合科、网络安全协调科、网络舆情和网络传播科、"
            "信息化发展科4个科室（示例数据）。纳入2021年度部门决算编制范围的单位共1个。"
        ),
        "决算单位构成": "玉溪市互联网信息办公室（本级）",
    }
    data.kv["上年决算数"] = {
        "收入总计": D("18562337.41"),
        "支出总计": D("18562337.41"),
        "本年收入合计": D("18561507.41"),
        "本年支出合计": D("18561507.41"),
        "财政拨款收入总计": D("18561507.41"),
        "财政拨款支出总计": D("18561507.41"),
        "一般公共预算财政拨款支出": D("14216830.55"),
        "一般公共预算财政拨款基本支出": D("6981204.12"),
        "一般公共预算财政拨款项目支出": D("7235626.43"),
        # 三公: chosen so that seed 001's published changes (公开10表) come out exactly:
        # 公务用车运行维护费 比上年减少0.05万元，下降2.29%; 公务接待费 增加1.45万元，增长178.45%
        "“三公”经费支出合计": D("28809.98"),
        "因公出国（境）费": D("0"),
        "公务用车购置费": D("0"),
        "公务用车运行维护费": D("20668.12"),
        "公务接待费": D("8141.86"),
        "机关运行经费": D("1198655.30"),
    }
    data.kv["变动原因"] = {
        "收支总计变动原因": "政府性基金预算安排的信息化建设项目增加",
        "财政拨款收支总计变动原因": "政府性基金预算财政拨款安排的信息化建设项目增加",
        "一般公共预算财政拨款支出变动原因": "网络安全和信息化专项业务支出增加",
        "“三公”经费决算与预算差异原因": "严格执行中央八项规定精神，厉行节约，压减公务接待和公务用车支出",
        "“三公”经费变动原因": "2021年疫情好转，招商引资活动增加，公务接待批次和人数增加",
        "公务用车购置及运行维护费变动原因": "加强公务用车管理，压减车辆运行维护支出",
        "公务接待费变动原因": (
            "2021年疫情好转招商引资活动增加，接待批次和人数增加，但严格执行中央八项规定，"
            "严格控制接待标准和陪同人员"
        ),
        "机关运行经费变动原因": "人员增加，办公费、培训费等日常公用支出相应增加",
    }
    data.kv["三公经费补充"] = {"保有轿车数量": 1, "保有越野车数量": 0, "保有载客汽车数量": 0}
    data.kv["政府采购"] = {
        "政府采购货物支出": D("34029.00"),
        "政府采购工程支出": D("0"),
        "政府采购服务支出": D("1415500.00"),
        "授予中小企业合同金额": D("1449529.00"),
        "其中：授予小微企业合同金额": D("1415500.00"),
        "主要用途": "主要用于办公设备购置和电子政务基础网络运维服务",
    }
    data.kv["国有资产"] = {
        "车辆总数": 1,
        "主要领导干部用车": 0,
        "机要通信用车": 1,
        "应急保障用车": 0,
        "执法执勤用车": 0,
        "特种专业技术用车": 0,
        "离退休干部用车": 0,
        "其他用车": 0,
        "单价50万元以上通用设备": 0,
        "单价100万元以上专用设备": 0,
    }
    # 公开10–12表 exactly as seed 001 publishes them (its first 项目支出绩效自评表 does not
    # add up: the document prints the unit's scores and the 审核结果 names each cell)
    data.overall_text = perf.OVERALL_TEXT
    data.overall_table = perf.OVERALL_TABLE
    data.projects = perf.PROJECTS
    budget = sum(D(p["funds"][0][2] or "0") for p in perf.PROJECTS) * 10000
    data.kv["预算绩效管理"] = {
        "编制绩效目标项目数": len(perf.PROJECTS),
        "编制绩效目标涉及金额": budget,
        "开展绩效监控项目数": len(perf.PROJECTS),
        "开展绩效自评项目数": len(perf.PROJECTS),
        "开展绩效自评涉及金额": budget,
        "部门整体绩效自评": "是",
    }
    budgets = {
        "2013701": ("2419331.27", "2419331.27", ""),
        "2013702": ("700000.00", "720467.69", ""),
        "2013750": ("2734431.87", "2734431.87", ""),
        "2013799": ("650000.00", "650000.00", "部分专项业务费因合同尚未履行完毕，未在年内支付"),
        "2059999": ("6120880.00", "6120880.00", ""),
        "2069999": ("88200.00", "88200.00", ""),
        "2080505": ("407808.48", "407808.48", ""),
        "2080506": ("64680.19", "64680.19", ""),
        "2101101": ("92394.22", "92394.22", ""),
        "2101102": ("127243.74", "127243.74", ""),
        "2101103": ("127892.80", "127892.80", ""),
        "2150516": ("1415500.00", "1415500.00", ""),
        "2210201": ("475645.00", "475645.00", ""),
        "2210203": ("48178.00", "48178.00", ""),
    }
    data.budgets = [(c, names[c], D(i), D(a), r) for c, (i, a, r) in budgets.items()]
    for sheet in (
        "上年决算数",
        "项目预算",
        "变动原因",
        "三公经费补充",
        "政府采购",
        "国有资产",
        "预算绩效管理",
    ):
        data.illustrative[sheet] = ILLUSTRATIVE
    data.illustrative["单位基本情况"] = "主要职能取自 seed 001 公开10表；机构设置含示例数据。"
    return data


def main() -> None:
    out = ROOT / "inputs" / "example" / f"{ex.YEAR}年度{ex.DEPARTMENT}.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(out, example_data(), names=codes.economic_name_map(ex.YEAR))
    print(out)


if __name__ == "__main__":
    main()
