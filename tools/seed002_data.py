"""Seed 002 (眉山市政府信息技术中心, 2021 决算公开, 四川 template) rebuilt as input data.

Source: ``shared/seeds/002_9d2c51ba6ae1c49f.txt``, text taken from the published web page.
The page lists 第五部分 附表 by title only. The tables themselves were in an attached .xls
that is not in the seed, so every figure here comes from the narrative (第一部分–第四部分).
The golden-text tests use :func:`seed002_data` to generate the document and compare it
with :data:`PUBLISHED`, which lists the published sentences of 第二部分 一–十 that carry
a figure.

Amounts and rounding
--------------------
Amounts are in 元 (``Decimal``). The workbook is written in 万元, like the seed. The seed
prints 万元 with 2 decimals, and its rounded figures do not add up exactly: 本年收入
356.49 + 104.69 = 461.18 against a total of 461.19, 基本支出 212.94 + 项目支出 248.24 =
461.18, and the 一般公共预算 classes 336.16 + 7.23 + 4.88 + 8.23 = 356.50 against 356.49.
So each held amount is a value inside the rounding interval of the published figure
(published ± 0.005 万元, i.e. ± 50 元). These values are chosen so that every total equals
the sum of its parts exactly, and each one still prints as the published figure
(half-up, see ``reportgen.money.wan``). The sub-cent digits are derived, not published:

* 2010350 事业运行 1,241,055 元 (prints 124.11), 2210201 住房公积金 82,285 元 (8.23). The
  other 项 are the published figures × 10000. Then 201 类 = 3,361,555 元 (336.16),
  一般公共预算 total = 3,564,940 元 (356.49), 基本支出 = 3,564,940 − 1,435,500 =
  2,129,440 元 (212.94).
* 政府性基金 1,046,920 元 (104.69). Then 本年收入/支出合计 = 4,611,860 元 (461.19) and
  项目支出 = 1,435,500 + 1,046,920 = 2,482,420 元 (248.24).
* The published shares fix these choices. The four 一般公共预算 class shares
  (94.29 + 2.03 + 1.37 + 2.31) add to exactly 100.00. Rounded half-up one by one, they
  need 336.16/356.49 < 94.295 %. The published figures allow 94.2945 %–94.2999 %; the
  data takes 94.2949 %. Every other published share, change and rate comes out the same
  from these amounts (see the statuses in PUBLISHED).

Figures derived (not published)
-------------------------------
* Structure. The seed never says which 项 is 基本 or 项目. 项目支出 248.24 =
  2010399 其他政府办公厅（室）及相关机构事务支出 143.55 + 政府性基金 104.69 exactly. So
  2010399 is all 项目支出, the 政府性基金 spending is all 项目支出, and every other 项
  is 基本支出 (Σ = 212.95 ≈ 212.94). There is no 年初/年末 结转结余: 收入总计 =
  本年收入合计 = 461.19, and the text mentions none. All income is 财政拨款 (公开02表: 财政拨款).
* 政府性基金 科目. The seed gives only the 类 (第四部分: 城乡社区支出 104.69). 款/项 are
  assumed to be 21208 国有土地使用权出让收入安排的支出 / 2120899 其他国有土地使用权出让收入
  安排的支出. This is the usual 科目 for a fund-financed IT project (seed 001 uses it too).
* 基本支出 inconsistency (shared/README.md): 基本支出 212.94, but 人员经费 180.44 +
  公用经费 32.41 = 212.85. **The data keeps 基本支出 = 212.94.** The seed supports it in five
  places: 三、 and 第四部分 (212.94), 六、 (212.94), 一般公共预算 356.49 − 项目 143.55 = 212.94,
  本年支出 461.19 − 项目支出 248.24 = 212.95 ≈, and Σ of the basic 项 = 212.95 ≈. 基本支出
  212.85 would make 项目支出 248.34, which contradicts 248.24 (printed twice) and
  143.55 + 104.69. The 附表 that could show the 人员/公用 split are not in the seed (only
  their titles are), so they cannot be checked. Nothing in the seed says which of
  180.44 / 32.41 is wrong. The data keeps 公用经费 32.41 with the twelve items the text
  names, and takes 人员经费 = 212.944 − 32.41 = 180.534 (prints 180.53). That figure
  replaces 180.44, so the 人员经费 sentence is marked wrong.
* 公开05表 人员/公用 split of 行政运行 and 事业运行. Not published. 公用经费 32.41 is split pro
  rata to the two 项 (11.53 / 20.88), and 人员经费 is the rest. 2080506 / 2101101 / 2210201
  are all 人员经费.
* 公开06表 经济分类 amounts. The text names the items but gives no amounts. 30109
  职业年金缴费 = 2080506 (7.23), 30110 职工基本医疗保险缴费 = 2101101 (4.88), 30113 住房公积金 =
  2210201 (8.23): each 项 is assumed to fund exactly that item. 30101 基本工资 48.00 and
  30102 津贴补贴 72.00 are assumed, and 30103 奖金 is the rest (40.1955). 31002 办公设备购置 =
  the 0.82 政府采购 of 十、（二） (an air conditioner and a dot-matrix printer), assumed to
  be paid from 公用经费. The other eleven 公用经费 items are illustrative amounts that add
  up to 32.41 − 0.82 = 31.59. No 对个人和家庭的补助 (303) and no 基本养老保险缴费: the text
  names neither.
* 公开09表 “三公”经费: budget 0.80, the whole of it for 公务接待费 (七、（二）3.). 因公出国（境）
  and 公务用车 budgets are 0 (“与预算一致” with zero spending). Every 决算 figure and count is 0.
  The unit has no vehicles (十、（三）). 机关运行经费 is 0: the unit is a 事业单位, “不适用”.
* 上年决算数. Derived from the published changes, with 元 values chosen so that the
  printed change and rate come out exactly:
  收入总计 / 财政拨款收入总计 7,995,360 (461.19 + 338.35 = 799.54),
  支出总计 / 财政拨款支出总计 7,554,760 (461.19 + 294.29 = 755.48),
  一般公共预算财政拨款支出 3,473,940 (356.49 − 9.10 = 347.39), 公务接待费 0
  (“与2020年一致,均为零”).
  A real 2020 收入总计 must equal its 支出总计. The seed's 799.54 ≠ 755.48 means its
  “收入/支出” were probably 本年收入合计/本年支出合计, with a 2020 年末结转 of 44.06 that
  does not reappear as 2021 年初结转. Data kept as the text words it (总计), so 一、 and 四、
  reproduce the published comparison; 本年收入合计/本年支出合计 are left empty.
* 项目预算. Every 项 “完成预算100%,决算数等于预算数”, so 年初预算数 = 调整预算数 = 决算数.
  The seed prints no budget amounts.

Left out (cannot be expressed as data)
--------------------------------------
* 第四部分 附件1/附件2 (the 项目支出绩效自评报告 of 电子政务外网升级改造 and its 绩效目标
  自评表): there is no sheet for a project self-evaluation. Its 2021 budget (48万元; 附件2:
  预算数/执行数 480000 元) is also not entered as 开展绩效自评涉及金额, because 十、（四） prints no
  amount. The seed is itself inconsistent here: it pays 6 + 42.48 = 48.48 万元 in 2021.
* “单位性质” is 公益一类事业单位 in the seed; the schema only offers 事业单位. The 绩效报告's
  “参公人员12名” and the 行政运行 spending suggest 参公 staff, but the seed treats the unit as
  a 事业单位 (机关运行经费 不适用), and so does the data.
* Wording that is not data: “基本持平” for +2.62 % (五、（一）), and names printed
  differently from the code table. The seed prints 一般公共服务(类)支出 for 201
  一般公共服务支出, 其他交通费 for 30239 其他交通费用, and 因公出国(境)经费 for 因公出国（境）费.
  The data uses the code table names.

Text in the supplementary sheets is the seed's own text, half-width punctuation and all,
as it was extracted.
"""

from __future__ import annotations

from decimal import Decimal as D

from reportgen import codes
from reportgen.workbook import CodedData, WorkbookData

DEPARTMENT = "眉山市政府信息技术中心"
YEAR = 2021

# --- 一般公共预算财政拨款, per 项 (元) ------------------------------------------------
# code -> (amount, 基本/项目, 公用经费 part of a basic 项). Published figure in the comment.
GPB_ITEMS: dict[str, tuple[D, str, D]] = {
    # 68.50; 公用 11.53 derived (pro rata share of 32.41)
    "2010301": (D("685000"), "basic", D("115300")),
    # 124.11 (held 124.1055, see docstring); 公用 20.88 derived (32.41 − 11.53)
    "2010350": (D("1241055"), "basic", D("208800")),
    # 143.55, all 项目支出 (248.24 − 104.69)
    "2010399": (D("1435500"), "project", D("0")),
    "2080506": (D("72300"), "basic", D("0")),  # 7.23, 人员经费
    "2101101": (D("48800"), "basic", D("0")),  # 4.88, 人员经费
    "2210201": (D("82285"), "basic", D("0")),  # 8.23 (held 8.2285), 人员经费
}
#: 政府性基金预算财政拨款: 104.69 (held 104.692). 款/项 assumed (only the 类 is published)
GOV_FUND_ITEM = "2120899"
GOV_FUND = D("1046920")

# 公开06表 (元). Only the names are published; amounts derived, see the docstring.
ECONOMIC: dict[str, D] = {
    "30101": D("480000"),  # 基本工资: assumed
    "30102": D("720000"),  # 津贴补贴: assumed
    "30103": D("401955"),  # 奖金: the rest of 人员经费 180.534
    "30109": D("72300"),  # 职业年金缴费 = 2080506
    "30110": D("48800"),  # 职工基本医疗保险缴费 = 2101101
    "30113": D("82285"),  # 住房公积金 = 2210201
    # 公用经费 32.41: illustrative split of 31.59 over the 302 items the text names
    "30201": D("32000"),  # 办公费
    "30202": D("6000"),  # 印刷费
    "30207": D("18000"),  # 邮电费
    "30211": D("15000"),  # 差旅费
    "30213": D("24000"),  # 维修（护）费
    "30215": D("3000"),  # 会议费
    "30226": D("42000"),  # 劳务费 (one 临时用工, 第四部分)
    "30228": D("29000"),  # 工会经费
    "30229": D("18000"),  # 福利费
    "30239": D("86400"),  # 其他交通费用 (seed: 其他交通费)
    "30299": D("42500"),  # 其他商品和服务支出
    "31002": D("8200"),  # 办公设备购置 = 政府采购 0.82 (十、（二）), assumed from 公用经费
}
PUBLIC_TOTAL = D("324100")  # 公用经费 32.41 as published

# 上年决算数 (元), derived from the published changes (see the docstring)
PRIOR_INCOME_GRAND = D("7995360")  # 461.19 + 338.35 = 799.54; −42.32 %
PRIOR_EXPENSE_GRAND = D("7554760")  # 461.19 + 294.29 = 755.48; −38.95 %
PRIOR_GPB_EXPENSE = D("3473940")  # 356.49 − 9.10 = 347.39; +2.62 %

SANGONG_BUDGET = D("8000")  # 0.80 万元, all 公务接待费


def _name(code: str) -> str:
    """The code table's name for a 功能分类 code in 2021."""
    entry = codes.function(code, YEAR)
    if entry is None:  # pragma: no cover - every code here is in the table
        raise KeyError(code)
    return entry.name


def _add(acc: dict[str, dict[str, D]], code: str, vals: dict[str, D]) -> None:
    row = acc.setdefault(code, {})
    for k, v in vals.items():
        row[k] = row.get(k, D(0)) + v


def _rollup(items: dict[str, dict[str, D]]) -> list[tuple[str, str, dict[str, D | None]]]:
    """类, 款 and 项 rows (in code order) from 项 rows: every parent is the sum of its children."""
    acc: dict[str, dict[str, D]] = {}
    for code, vals in items.items():
        for n in (3, 5, 7):
            _add(acc, code[:n], vals)
    return [
        (code, _name(code), {k: (v or None) for k, v in acc[code].items()})
        for code in sorted(acc, key=lambda c: (c[:3], c[:5], len(c), c))
    ]


def _total(rows) -> dict[str, D]:
    out: dict[str, D] = {}
    for code, _n, vals in rows:
        if len(code) == 3:
            for k, v in vals.items():
                out[k] = out.get(k, D(0)) + (v or D(0))
    return out


def seed002_data() -> WorkbookData:
    data = WorkbookData(department=DEPARTMENT, year=YEAR, unit="万元")

    # per-项 columns of every coded table, then rolled up to 款/类/合计
    t02, t03, t05 = {}, {}, {}
    for code, (amount, kind, public) in GPB_ITEMS.items():
        basic = amount if kind == "basic" else D(0)
        project = amount - basic
        t02[code] = {"total": amount, "fiscal": amount}
        t03[code] = {"total": amount, "basic": basic, "project": project}
        t05[code] = {
            "income_total": amount,
            "income_basic": basic,
            "income_project": project,
            "exp_total": amount,
            "exp_basic": basic,
            "exp_personnel": basic - public,
            "exp_public": public,
            "exp_project": project,
        }
    fund = {
        "income_total": GOV_FUND,
        "income_project": GOV_FUND,
        "exp_total": GOV_FUND,
        "exp_project": GOV_FUND,
    }
    t02[GOV_FUND_ITEM] = {"total": GOV_FUND, "fiscal": GOV_FUND}
    t03[GOV_FUND_ITEM] = {"total": GOV_FUND, "basic": D(0), "project": GOV_FUND}

    coded = {"t02": t02, "t03": t03, "t05": t05, "t07": {GOV_FUND_ITEM: fund}}
    data.coded = {key: CodedData(_rollup(items)) for key, items in coded.items()}
    data.coded["t08"] = CodedData()  # 九、: 无国有资本经营预算
    for cd in data.coded.values():
        cd.total = _total(cd.rows)

    t05_total = data.coded["t05"].total
    gpb = t05_total["exp_total"]  # 356.494
    assert t05_total["exp_public"] == PUBLIC_TOTAL
    personnel = t05_total["exp_personnel"]  # 180.534 (published 180.44, see docstring)
    income_total = gpb + GOV_FUND  # 461.186
    classes = {code: vals for code, _n, vals in data.coded["t03"].rows if len(code) == 3}

    # 公开01表: no 年初/年末 结转结余, so 总计 = 本年收入合计 = 本年支出合计
    one = {"amount": income_total}
    data.summary_items["t01"] = {
        "gpb": {"amount": gpb},
        "gov_fund": {"amount": GOV_FUND},
        "income_total": one,
        "grand_total": one,
        "R:expense_total": one,
        "R:grand_total": one,
    }
    data.summary_classes["t01"] = {c: {"amount": v["total"]} for c, v in classes.items()}
    # 公开04表: all income is 财政拨款
    split = {"total": income_total, "gpb": gpb, "gov_fund": GOV_FUND}
    data.summary_items["t04"] = {
        "gpb": {"amount": gpb},
        "gov_fund": {"amount": GOV_FUND},
        "income_total": {"amount": income_total},
        "grand_total": {"amount": income_total},
        "R:expense_total": split,
        "R:grand_total": split,
    }
    data.summary_classes["t04"] = {
        c: {
            "total": v["total"],
            "gpb": v["total"] if c != GOV_FUND_ITEM[:3] else None,
            "gov_fund": v["total"] if c == GOV_FUND_ITEM[:3] else None,
        }
        for c, v in classes.items()
    }

    # 公开06表: class rows are the sums of their items
    economic = dict(ECONOMIC)
    for code, amount in ECONOMIC.items():
        economic[code[:3]] = economic.get(code[:3], D(0)) + amount
    data.economic = economic
    data.personnel_total = economic["301"] + economic.get("303", D(0))
    data.public_total = economic["302"] + economic["310"]
    assert data.personnel_total == personnel and data.public_total == PUBLIC_TOTAL

    # 公开09表: (预算数, 决算统计数)
    zero = D(0)
    data.sangong = {
        "sg_total": (SANGONG_BUDGET, zero),
        "abroad": (zero, zero),
        "car_total": (zero, zero),
        "car_purchase": (zero, zero),
        "car_operation": (zero, zero),
        "reception": (SANGONG_BUDGET, zero),
        "reception_domestic": (None, zero),
        "cars_held": (None, 0),
        "admin_cost": (None, zero),  # 事业单位: 不适用
    }

    data.kv["单位基本情况"] = {
        "部门名称": DEPARTMENT,
        "年度": YEAR,
        # seed: “公益一类事业单位”, which the schema files under 事业单位
        "单位性质": "事业单位",
        "主要职能": (
            "市政府信息技术中心负责市本级电子政务外网、市委市政府门户网站、电子政务外网协同办公平台"
            "(以下简称OA系统)、市政府无纸化会议系统(以下简称会议系统)建设和运行维护等工作。"
        ),
        "重点工作完成情况": "\n".join(MAIN_WORK),
        "机构设置": "市政府信息技术中心为市政府办公室下属事业单位,内设3个科室,2021年全年无变动。",
    }
    data.kv["上年决算数"] = {
        # the text says 收入/支出总计; see the docstring on 799.54 ≠ 755.48
        "收入总计": PRIOR_INCOME_GRAND,
        "支出总计": PRIOR_EXPENSE_GRAND,
        "财政拨款收入总计": PRIOR_INCOME_GRAND,  # 四、 gives the same figures as 一、
        "财政拨款支出总计": PRIOR_EXPENSE_GRAND,
        "一般公共预算财政拨款支出": PRIOR_GPB_EXPENSE,
        "公务接待费": zero,  # 七、（二）3. “与2020年一致,均为零”
    }
    data.kv["变动原因"] = {
        "收支总计变动原因": ("2021年有2名职工退休,且负责建设的项目减少,故总收入、支出均有大幅下降"),
        "财政拨款收支总计变动原因": "2021年负责建设的项目减少,故总收入、支出均有大幅下降",
        "“三公”经费决算与预算差异原因": (
            "2021年全年无因公出国(境)任务、无公务用车、无公务接待任务"
        ),
    }
    data.kv["三公经费补充"] = {"保有轿车数量": 0, "保有越野车数量": 0, "保有载客汽车数量": 0}
    data.kv["政府采购"] = {
        "政府采购货物支出": D("8200"),  # 0.82, 均为货物
        "政府采购工程支出": zero,
        "政府采购服务支出": zero,
        "授予中小企业合同金额": D("8200"),
        "其中：授予小微企业合同金额": D("8200"),
        "主要用途": "主要用于采购办公室空调一台、针式打印机一台",
    }
    data.kv["国有资产"] = {
        "车辆总数": 0,
        "主要领导干部用车": 0,
        "机要通信用车": 0,
        "应急保障用车": 0,
        "执法执勤用车": 0,
        "特种专业技术用车": 0,
        "离退休干部用车": 0,
        "其他用车": 0,
        "单价50万元以上通用设备": 0,
        "单价100万元以上专用设备": 0,
    }
    data.kv["预算绩效管理"] = {
        "编制绩效目标项目数": 11,
        "开展绩效监控项目数": 11,
        "开展绩效自评项目数": 1,
        "部门整体绩效自评": "是",
    }
    # 五、（三）: every 项 “完成预算100%,决算数等于预算数”, so budget = 决算数 on both bases
    data.budgets = [
        (code, _name(code), amount, amount, "") for code, (amount, _k, _p) in GPB_ITEMS.items()
    ]
    data.sections = list(OVERALL_PERFORMANCE)
    data.illustrative = {
        "上年决算数": "seed 002 一、四、五（一）的增减额倒推（元）。",
        "项目预算": "seed 002 五、（三）：各项完成预算100%，预算数取决算数。",
        "三公经费补充": "seed 002 十、（三）：无公务用车。",
    }
    return data


# 第一部分 一、（二） 2021年重点工作完成情况, four paragraphs as published
MAIN_WORK = (
    "一是持续推动电子政务外网网络建设,依托电子政务外网资源管理系统,实现全市电子政务外网用户IP地址"
    "申请—审核—实施—备案全程电子化,实现市、县(区)、乡(镇)全覆盖。编制具有可操作性的应急预案,"
    "并组织县(区)电子政务外网建设管理单位和各线路运营商开展全域骨干链路应急演练工作,"
    "全年骨干网络未出现中断情况。",
    "二是深化电子政务应用系统功能升级,按照中央、省委、市委统一安排部署,聚焦全市OA系统和会议系统"
    "运行实际,制定完善信创适配改造升级方案和实施计划,经信创环境搭建和新版系统严格全面测试,"
    "分别于2021年2月1日和2021年8月1日正式上线运行,同时对全市用户和各级运维人员进行操作使用培训,"
    "提升用户使用体验,有效保障了全市840余万件公文流转交换和100余次无纸化会议召开,上传下达、政令畅通。",
    "三是切实做好安全管理工作,完成了电子政务外网网络、市委市政府网站集约化平台、OA系统、会议系统的"
    "三级等保安全加固和测评工作,有效提升网络与应用系统抵御网络安全风险能力,积极利用安全监管平台"
    "加强日常安全监测,保障了省政府视频会议系统和承载的市级自建信息系统正常运行。",
    "四是完成市委市政府网站集约化建设,实现统一后台运维、统一管理、统一技术标准、统一安全防护,"
    "不断优化网站服务功能,强化日常管理保障运行安全,组织开展7次在线访谈,开展错别字专项整治,"
    "无重大网络安全事故。",
)

# 第四部分: 2021年眉山市政府信息技术中心整体支出绩效评价报告 (附件1/附件2 not expressible)
OVERALL_PERFORMANCE = (
    (
        "一、部门概况",
        "(一)机构组成。\n"
        "市政府信息技术中心为市政府办公室下属事业单位,内设3个科室(综合科、外网技术科、网站技术科)。\n"
        "(二)机构职能。\n"
        "市政府信息技术中心负责市本级电子政务外网、市委市政府门户网站、电子政务外网协同办公平台"
        "(以下简称OA系统)、市政府无纸化会议系统(以下简称会议系统)建设和运行维护等工作。\n"
        "(三)人员概况。\n"
        "市政府信息技术中心2021年年末在职职工共13名,其中:参公人员12名,"
        "服务性辅助性岗位临时用工控制数1名;退休人员5名。",
    ),
    (
        "二、部门财政资金收支情况",
        "(一)部门财政资金收入情况。\n"
        "2021年市政府信息技术中心收入总计461.19万元,其中一般公共预算财政拨款收入356.49万元,"
        "政府性基金预算财政拨款收入104.69万元。按功能分类,一般公共服务支出收入336.16万元,"
        "社会保障和就业支出收入7.23万元,卫生健康支出收入4.88万元,城乡社区支出收入104.69万元,"
        "住房保障支出收入8.23万元。\n"
        "(二)部门财政资金支出情况。\n"
        "2021年市政府信息技术中心支出总计461.19万元,其中基本支出212.94万元,项目支出248.24万元。"
        "按功能分类,一般公共服务支出336.16万元,社会保障和就业支出7.23万元,卫生健康支出4.88万元,"
        "城乡社区支出104.69万元,住房保障支出8.23万元。",
    ),
    (
        "三、部门整体预算绩效管理情况",
        "(一)部门预算项目绩效管理。\n"
        "市政府信息技术中心根据单位职责和具体负责的业务,制定了2021年部门绩效目标。2021年部门总体目标为:"
        "做好眉山市政府网站与政务新媒体运维管理、OA系统和会议系统运维管理、眉山市电子政务外网运维管理工作。\n"
        "2021年人员类项目目标实现情况:严格执行工资、津贴补贴发放标准相关政策,保障了工资按时、足额发放,"
        "预算编制科学合理。\n"
        "2021年运转类项目目标实现情况:后勤物业管理专项经费项目保障了市政府信息技术中心后勤物管工作顺利开展,"
        "工作环境整洁卫生,办公设备得到了及时维修维护,未发生安全问题。定额公用经费项目保障了单位日常运转,"
        "预算编制较准确。\n"
        "2021年特定目标类项目目标实现情况:\n" + "\n".join(MAIN_WORK) + "\n"
        "2021年市政府信息技术中心收入预算总计461.19万元,实际支出总计461.19万元,预算支出完成率100.00%,"
        "高效使用财政资金,预算编制准确,支出控制有效,预算支出执行有力,无违规记录。\n"
        "(二)结果应用情况。\n"
        "市政府信息技术中心根据2021年度部门绩效目标及实际工作开展情况,按照预算绩效评价体系进行了自评,"
        "评价质量较好,与2021年度部门决算一并公开。\n"
        "(三)自评质量。\n"
        "市政府信息技术中心2021年度部门整体支出绩效评价较好,自评准确。",
    ),
    (
        "四、评价结论及建议",
        "(一)评价结论。\n"
        "2021年度市政府信息技术中心部门整体支出绩效情况良好。\n"
        "(二)存在问题。\n"
        "公用经费执行过程中调剂次数较多,但部门整体支出绩效考核体系不够细化充分,不能体现此项问题。\n"
        "(三)改进建议。\n"
        "按照实际需要合理分配公用经费预算,进一步提高预算编制准确率,提升预算编制质量。"
        "细化考核打分,加强绩效评价结果运用。",
    ),
)

_ITEM_OK = "right"  # every 项 in 五、（三）: budget = 决算数, 100 %

#: (section, sentence, status) for every sentence of 第二部分 一–十 that carries a figure
#: (amounts, percentages, counts, and “为零/无” statements of zero), copied from the seed.
#: Percentages were recomputed from the amounts above (half-up, 2 decimals).
PUBLISHED: list[tuple[str, str, str]] = [
    ("一", "2021年市政府信息技术中心收入、支出总计461.19万元。", "right"),
    # 338.35/799.536 = 42.318 %, 294.29/755.476 = 38.954 %. A 2020 收入总计 799.54 ≠ 支出总计
    # 755.48 is impossible for 总计 (see the docstring). The data follows the text's wording.
    (
        "一",
        "与2020年相比,收入减少338.35万元,下降42.32%,支出减少294.29万元,下降38.95%,"
        "收入、支出主要变动原因是2021年有2名职工退休,且负责建设的项目减少,故总收入、支出均有大幅下降。",
        "right",
    ),
    # 356.494/461.186 = 77.2994 %, 104.692/461.186 = 22.7006 %
    (
        "二",
        "2021年本年收入合计461.19万元,其中:一般公共预算财政拨款收入356.49万元,占77.30%;"
        "政府性基金预算财政拨款收入104.69万元,占22.70%。",
        "right",
    ),
    # 212.944/461.186 = 46.1731 %, 248.242/461.186 = 53.8269 %
    (
        "三",
        "2021年本年支出合计461.19万元,其中:基本支出212.94万元,占46.17%;项目支出248.24万元,占53.83%。",
        "right",
    ),
    ("四", "2021年财政拨款收入、支出总计461.19万元。", "right"),
    (
        "四",
        "与2020年相比,财政拨款收入减少338.35万元,下降42.32%,支出减少294.29万元,下降38.95%,"
        "收入、支出主要变动原因是2021年负责建设的项目减少,故总收入、支出均有大幅下降。",
        "right",
    ),
    # 356.494/461.186 = 77.2994 %
    ("五（一）", "2021年一般公共预算财政拨款支出356.49万元,占本年支出合计的77.30%。", "right"),
    # 9.10/347.394 = 2.6195 %; “基本持平” is the seed's wording for +2.62 %
    (
        "五（一）",
        "与2020年相比,一般公共预算财政拨款支出增加9.10万元,增长2.62%,基本持平。",
        "right",
    ),
    # 336.1555/356.494 = 94.2949 %, 7.23/356.494 = 2.0281 %, 4.88/356.494 = 1.3689 %,
    # 8.2285/356.494 = 2.3082 %. With the published 2-decimal figures 336.16/356.49 would be
    # 94.2972 %, but those classes add to 356.50, and the unrounded share lies in
    # 94.2945 %–94.2999 %. The data's value is in that range and makes the four shares add up
    # to 100.00, as published. (The seed prints 一般公共服务(类)支出; the code table name is
    # 一般公共服务支出.)
    (
        "五（二）",
        "2021年一般公共预算财政拨款支出356.49万元,主要用于以下方面:一般公共服务(类)支出336.16万元,"
        "占94.29%;社会保障和就业支出7.23万元,占2.03%;卫生健康支出4.88万元,占1.37%;"
        "住房保障支出8.23万元,占2.31%。",
        "right",
    ),
    ("五（三）", "2021年一般公共预算支出决算数为356.49万元,完成预算100%。", "right"),
    (
        "五（三）",
        "1.一般公共服务支出(类)政府办公厅(室)及相关机构事务(款)行政运行(项):支出决算为68.50万元,"
        "完成预算100%,决算数等于预算数。",
        _ITEM_OK,
    ),
    (
        "五（三）",
        "一般公共服务支出(类)政府办公厅(室)及相关机构事务(款)事业运行(项):支出决算为124.11万元,"
        "完成预算100%,决算数等于预算数。",
        _ITEM_OK,
    ),
    (
        "五（三）",
        "一般公共服务支出(类)政府办公厅(室)及相关机构事务(款)其他政府办公厅(室)及相关机构事务支出(项):"
        "支出决算为143.55万元,完成预算100%,决算数等于预算数。",
        _ITEM_OK,
    ),
    (
        "五（三）",
        "2.社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位职业年金缴费支出(项):"
        "支出决算为7.23万元,完成预算100%,决算数等于预算数。",
        _ITEM_OK,
    ),
    (
        "五（三）",
        "3.卫生健康支出(类)行政事业单位医疗(款)行政单位医疗(项):支出决算为4.88万元,完成预算100%,"
        "决算数等于预算数。",
        _ITEM_OK,
    ),
    (
        "五（三）",
        "4.住房保障支出(类)住房改革支出(款)住房公积金(项):支出决算为8.23万元,完成预算100%,"
        "决算数等于预算数。",
        _ITEM_OK,
    ),
    ("六", "2021年一般公共预算财政拨款基本支出212.94万元,其中:", "right"),
    (
        "六",
        "人员经费180.44万元,主要包括:基本工资、津贴补贴、奖金、职业年金缴费、职工基本医疗保险缴费、"
        "住房公积金。",
        "wrong: 人员经费180.44 + 公用经费32.41 = 212.85 ≠ 基本支出212.94 (printed in 三、六 and "
        "第四部分; = 356.49 − 项目支出143.55; = Σ basic 项 212.95 within rounding). The data "
        "keeps 基本支出 and 公用经费, so 人员经费 = 212.944 − 32.41 = 180.534 → 180.53万元",
    ),
    # kept as published; one of 180.44 / 32.41 must be wrong and the seed cannot say which
    # (the data chose 人员经费). The seed prints 其他交通费 for 30239 其他交通费用.
    (
        "六",
        "公用经费32.41万元,主要包括:办公费、印刷费、邮电费、差旅费、维修(护)费、会议费、劳务费、工会经费、"
        "福利费、其他交通费、其他商品和服务支出、办公设备购置。",
        "right",
    ),
    (
        "七（一）",
        "2021年“三公”经费财政拨款支出决算为零,预算数为0.80万元,决算数小于预算数的主要原因是"
        "2021年全年无因公出国(境)任务、无公务用车、无公务接待任务。",
        "right",
    ),
    (
        "七（二）",
        "2021年“三公”经费财政拨款支出决算中,因公出国(境)费、公务用车购置及运行维护费、公务接待费"
        "支出决算均为零。",
        "right",
    ),
    ("七（二）", "1.因公出国(境)经费支出为零,与预算一致。", "right"),
    ("七（二）", "2.公务用车购置及运行维护费支出为零,与预算一致。", "right"),
    ("七（二）", "3.公务接待费支出为零,预算数0.80万元,未完成预算。", "right"),
    ("七（二）", "公务接待费支出决算与2020年一致,均为零。", "right"),
    ("八", "2021年政府性基金预算财政拨款支出104.69万元。", "right"),
    ("九", "市政府信息技术中心2021年无国有资本经营预算。", "right"),
    (
        "十（二）",
        "2021年,市政府信息技术中心政府采购支出总额0.82万元,均为政府采购货物支出,"
        "主要用于采购办公室空调一台、针式打印机一台。",
        "right",
    ),
    (
        "十（二）",
        "授予中小企业合同金额0.82万元,占政府采购支出总额的100%,其中:授予小微企业合同金额0.82万元,"
        "占政府采购支出总额的100%。",
        "right",
    ),
    ("十（三）", "截至2021年12月31日,市政府信息技术中心无公务用车。", "right"),
    ("十（三）", "无单价50万元以上的通用设备,无单价100万元以上的专用设备。", "right"),
    (
        "十（四）",
        "根据预算绩效管理要求,市政府信息技术中心在2021年度预算编制阶段,组织对11个项目编制了绩效目标,"
        "预算执行过程中,对11个项目全部开展了绩效监控,年终执行完毕后,对1个项目开展了绩效自评,同时,"
        "对2021年市政府信息技术中心整体开展了绩效自评,形成了《2021年市政府信息技术中心整体绩效评价报告》,"
        "见第四部分。",
        "right",
    ),
]


#: For each published sentence of PUBLISHED (every right one, and the wrong ones the
#: generator writes differently), the whole sentence or sentences the generator writes in
#: the same section, word for word: the golden tests find it there as whole sentences, and
#: check that it carries the published sentence's figures and its 增加/减少/增长/下降 in order
#: (tests/test_golden.py). Rounding: every share and rate half-up from the unrounded
#: amounts, every change the difference of the printed amounts; the rounding note is
#: tested separately, where printed parts and whole disagree.
GENERATED: dict[str, str] = {
    "2021年市政府信息技术中心收入、支出总计461.19万元。": "2021年度收、支总计均为461.19万元。",
    (
        "与2020年相比,收入减少338.35万元,下降42.32%,"
        "支出减少294.29万元,下降38.95%,收入、"
        "支出主要变动原因是2021年有2名职工退休,且负责建设的项目减少,故总收入、"
        "支出均有大幅下降。"
    ): (
        "与2020年度相比，收入总计减少338.35万元，下降42.32%；"
        "支出总计减少294.29万元，下降38.95%。"
        "主要变动原因是2021年有2名职工退休,且负责建设的项目减少,故总收入、"
        "支出均有大幅下降。"
    ),
    (
        "2021年本年收入合计461.19万元,其中:"
        "一般公共预算财政拨款收入356.49万元,占77.30%;"
        "政府性基金预算财政拨款收入104.69万元,占22.70%。"
    ): (
        "2021年度本年收入合计461.19万元，其中："
        "一般公共预算财政拨款收入356.49万元，占77.30%；"
        "政府性基金预算财政拨款收入104.69万元，占22.70%。"
    ),
    (
        "2021年本年支出合计461.19万元,其中:基本支出212.94万元,"
        "占46.17%;项目支出248.24万元,占53.83%。"
    ): (
        "2021年度本年支出合计461.19万元，其中：基本支出212.94万元，"
        "占46.17%；项目支出248.24万元，占53.83%。"
    ),
    "2021年财政拨款收入、支出总计461.19万元。": "2021年度财政拨款收、支总计均为461.19万元。",
    (
        "与2020年相比,财政拨款收入减少338.35万元,下降42.32%,"
        "支出减少294.29万元,下降38.95%,收入、"
        "支出主要变动原因是2021年负责建设的项目减少,故总收入、支出均有大幅下降。"
    ): (
        "与2020年度相比，财政拨款收入总计减少338.35万元，下降42.32%；"
        "财政拨款支出总计减少294.29万元，下降38.95%。"
        "主要变动原因是2021年负责建设的项目减少,故总收入、支出均有大幅下降。"
    ),
    ("2021年一般公共预算财政拨款支出356.49万元,占本年支出合计的77.30%。"): (
        "2021年度一般公共预算财政拨款支出356.49万元，占本年支出合计的77.30%。"
    ),
    (
        "与2020年相比,一般公共预算财政拨款支出增加9.10万元,增长2.62%,基本持平。"
    ): "与2020年度相比，一般公共预算财政拨款支出增加9.10万元，增长2.62%。",
    (
        "2021年一般公共预算财政拨款支出356.49万元,主要用于以下方面:"
        "一般公共服务(类)支出336.16万元,占94.29%;"
        "社会保障和就业支出7.23万元,占2.03%;卫生健康支出4.88万元,占1.37%;"
        "住房保障支出8.23万元,占2.31%。"
    ): (
        "2021年度一般公共预算财政拨款支出356.49万元，主要用于以下方面："
        "一般公共服务支出336.16万元，占94.29%；社会保障和就业支出7.23万元，"
        "占2.03%；卫生健康支出4.88万元，占1.37%；住房保障支出8.23万元，"
        "占2.31%。"
    ),
    "2021年一般公共预算支出决算数为356.49万元,完成预算100%。": (
        "2021年度一般公共预算财政拨款支出全年预算为356.49万元，"
        "支出决算为356.49万元，完成全年预算的100.00%，决算数等于预算数。"
    ),
    (
        "1.一般公共服务支出(类)政府办公厅(室)及相关机构事务(款)行政运行(项):"
        "支出决算为68.50万元,完成预算100%,决算数等于预算数。"
    ): (
        "1.一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）行政运行（项）："
        "全年预算为68.50万元，支出决算为68.50万元，完成全年预算的100.00%，"
        "决算数等于预算数。"
    ),
    (
        "一般公共服务支出(类)政府办公厅(室)及相关机构事务(款)事业运行(项):"
        "支出决算为124.11万元,完成预算100%,决算数等于预算数。"
    ): (
        "2.一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）事业运行（项）："
        "全年预算为124.11万元，支出决算为124.11万元，完成全年预算的100.00%，"
        "决算数等于预算数。"
    ),
    (
        "一般公共服务支出(类)政府办公厅(室)及相关机构事务(款)其他政府办公厅(室)及相关机构"
        "事务支出(项):支出决算为143.55万元,完成预算100%,决算数等于预算数。"
    ): (
        "3.一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）其他政府办公厅（室）"
        "及相关机构事务支出（项）：全年预算为143.55万元，支出决算为143.55万元，"
        "完成全年预算的100.00%，决算数等于预算数。"
    ),
    (
        "2.社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位职业年金缴费支出(项)"
        ":支出决算为7.23万元,完成预算100%,决算数等于预算数。"
    ): (
        "4.社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（"
        "项）：全年预算为7.23万元，支出决算为7.23万元，完成全年预算的100.00%，"
        "决算数等于预算数。"
    ),
    (
        "3.卫生健康支出(类)行政事业单位医疗(款)行政单位医疗(项):"
        "支出决算为4.88万元,完成预算100%,决算数等于预算数。"
    ): (
        "5.卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）："
        "全年预算为4.88万元，支出决算为4.88万元，完成全年预算的100.00%，"
        "决算数等于预算数。"
    ),
    (
        "4.住房保障支出(类)住房改革支出(款)住房公积金(项):支出决算为8.23万元,"
        "完成预算100%,决算数等于预算数。"
    ): (
        "6.住房保障支出（类）住房改革支出（款）住房公积金（项）：全年预算为8.23万元，"
        "支出决算为8.23万元，完成全年预算的100.00%，决算数等于预算数。"
    ),
    "2021年一般公共预算财政拨款基本支出212.94万元,其中:": "2021年度一般公共预算财政拨款基本支出212.94万元，其中：",
    (
        "人员经费180.44万元,主要包括:基本工资、津贴补贴、奖金、职业年金缴费、"
        "职工基本医疗保险缴费、住房公积金。"
    ): (
        "人员经费180.53万元，主要包括：基本工资48.00万元、津贴补贴72.00万元、"
        "奖金40.20万元、职业年金缴费7.23万元、职工基本医疗保险缴费4.88万元、"
        "住房公积金8.23万元。"
    ),
    (
        "公用经费32.41万元,主要包括:办公费、印刷费、邮电费、差旅费、维修(护)费、"
        "会议费、劳务费、工会经费、福利费、其他交通费、其他商品和服务支出、办公设备购置。"
    ): (
        "公用经费32.41万元，主要包括：办公费3.20万元、印刷费0.60万元、"
        "邮电费1.80万元、差旅费1.50万元、维修（护）费2.40万元、会议费0.30万元、"
        "劳务费4.20万元、工会经费2.90万元、福利费1.80万元、"
        "其他交通费用8.64万元、其他商品和服务支出4.25万元、办公设备购置0.82万元。"
    ),
    (
        "2021年“三公”经费财政拨款支出决算为零,预算数为0.80万元,"
        "决算数小于预算数的主要原因是2021年全年无因公出国(境)任务、无公务用车、"
        "无公务接待任务。"
    ): (
        "2021年度“三公”经费财政拨款支出决算为零，预算数为0.80万元，"
        "决算数小于预算数的主要原因是2021年全年无因公出国(境)任务、无公务用车、"
        "无公务接待任务。"
    ),
    (
        "2021年“三公”经费财政拨款支出决算中,因公出国(境)费、公务用车购置及运行维护费、"
        "公务接待费支出决算均为零。"
    ): ("2021年度因公出国（境）费、公务用车购置及运行维护费、公务接待费支出决算均为零。"),
    "1.因公出国(境)经费支出为零,与预算一致。": "1.因公出国（境）费支出为零，未安排预算。",
    "2.公务用车购置及运行维护费支出为零,与预算一致。": "2.公务用车购置及运行维护费支出为零，未安排预算。",
    "3.公务接待费支出为零,预算数0.80万元,未完成预算。": "3.公务接待费支出为零，预算数为0.80万元，未发生支出。",
    "公务接待费支出决算与2020年一致,均为零。": "公务接待费支出决算与上年一致，均为零。",
    "2021年政府性基金预算财政拨款支出104.69万元。": (
        "2021年度政府性基金预算财政拨款支出104.69万元，主要用于：城乡社区支出（类）"
        "国有土地使用权出让收入安排的支出（款）其他国有土地使用权出让收入安排的支出（项）"
        "104.69万元。"
    ),
    "市政府信息技术中心2021年无国有资本经营预算。": "2021年度本部门无国有资本经营预算财政拨款收入、支出。",
    (
        "2021年,市政府信息技术中心政府采购支出总额0.82万元,均为政府采购货物支出,"
        "主要用于采购办公室空调一台、针式打印机一台。"
    ): (
        "2021年度，眉山市政府信息技术中心政府采购支出总额0.82万元，其中："
        "政府采购货物支出0.82万元、政府采购工程支出0.00万元、"
        "政府采购服务支出0.00万元。主要用于采购办公室空调一台、针式打印机一台。"
    ),
    (
        "授予中小企业合同金额0.82万元,占政府采购支出总额的100%,其中:"
        "授予小微企业合同金额0.82万元,占政府采购支出总额的100%。"
    ): (
        "授予中小企业合同金额0.82万元，占政府采购支出总额的100.00%，其中："
        "授予小微企业合同金额0.82万元，占政府采购支出总额的100.00%。"
    ),
    "截至2021年12月31日,市政府信息技术中心无公务用车。": "截至2021年12月31日，眉山市政府信息技术中心共有车辆0辆。",
    "无单价50万元以上的通用设备,无单价100万元以上的专用设备。": "无单价50万元以上通用设备，无单价100万元以上专用设备。",
    (
        "根据预算绩效管理要求,市政府信息技术中心在2021年度预算编制阶段,"
        "组织对11个项目编制了绩效目标,预算执行过程中,对11个项目全部开展了绩效监控,"
        "年终执行完毕后,对1个项目开展了绩效自评,同时,"
        "对2021年市政府信息技术中心整体开展了绩效自评,"
        "形成了《2021年市政府信息技术中心整体绩效评价报告》,见第四部分。"
    ): (
        "根据预算绩效管理要求，眉山市政府信息技术中心在2021年度预算编制阶段，"
        "组织对11个项目编制了绩效目标；预算执行过程中，对11个项目开展了绩效监控；年度终了，"
        "对1个项目开展了绩效自评；同时，对部门整体支出开展了绩效自评，"
        "形成了《2021年度眉山市政府信息技术中心部门整体支出绩效评价报告》，见第四部分。"
    ),
}


def main() -> None:  # pragma: no cover - convenience for inspecting the workbook
    import sys
    from pathlib import Path

    from reportgen.workbook import write_workbook

    out = Path(sys.argv[1] if len(sys.argv) > 1 else f"{YEAR}年度{DEPARTMENT}.xlsx")
    write_workbook(out, seed002_data(), names=codes.economic_name_map(YEAR))
    print(out)


if __name__ == "__main__":
    main()
