"""The 上海 2024 document follows the blank template's outline and wording (issue 15, items 2, 6).

Three kinds of test, all on documents built from the fixture workbook
tests/fixtures/shanghai-2024/shanghai-2024-whole.xlsx (tools/shanghai_fixture.py) and read
back from the .docx with python-docx:

1. golden text of 第一部分, 第三部分 and 第四部分, every figure checked by hand against the
   fixture's tables (the arithmetic is written beside each paragraph);
2. the outline and the fixed wording of the official blank template
   (/work/shared/references/shanghai-2024-template.txt): every heading in order, and every
   literal phrase of each section (the text between the XX placeholders, with the
   template's instructions and examples taken out) in the same section, in order;
3. the cases the template words separately (no 三公, no 政府性基金, no 机关运行经费, a 项
   whose 决算 equals its 年初预算, a department of one unit, last year equal), each built by
   changing a copy of the fixture workbook with openpyxl, each asserting the exact sentence.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from docx import Document

import reportgen

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "shanghai-2024" / "shanghai-2024-whole.xlsx"
TEMPLATE = Path("/work/shared/references/shanghai-2024-template.txt")
NAME = "上海市某某区文化和旅游局"
ROUNDING_NOTE = "因四舍五入，部分合计数与各分项数值之和可能存在尾差。"


# --- reading the generated document ---------------------------------------------------


@dataclass
class Section:
    """A heading of the document and the paragraphs under it (up to the next heading)."""

    heading: str
    level: int
    paras: list[str] = field(default_factory=list)


def read_sections(path: Path) -> list[Section]:
    """The body of the .docx as headings with their paragraphs (the 目录 and the title
    before the first heading are left out; table titles and notes are paragraphs of the
    heading they follow)."""
    out: list[Section] = []
    for p in Document(str(path)).paragraphs:
        text = p.text.strip()
        style = p.style.name if p.style is not None else ""
        if not text:
            continue
        m = re.fullmatch(r"Heading (\d)", style)
        if m:
            out.append(Section(text, int(m.group(1))))
        elif out:
            out[-1].paras.append(text)
    return out


def part(sections: list[Section], start: str) -> list[str]:
    """The 部分 whose heading starts with ``start`` as lines: headings as "#"×level + text,
    then its paragraphs."""
    lines: list[str] = []
    inside = False
    for s in sections:
        if s.level == 1:
            inside = s.heading.startswith(start)
        if inside:
            lines.append("#" * s.level + " " + s.heading)
            lines.extend(s.paras)
    return lines


def under(sections: list[Section], heading: str) -> list[str]:
    """The paragraphs under ``heading`` and under its subheadings (headings as "#" lines)."""
    lines: list[str] = []
    level = None
    for s in sections:
        if level is not None and s.level <= level:
            break
        if s.heading == heading:
            level = s.level
            lines.extend(s.paras)
        elif level is not None:
            lines.append("#" * s.level + " " + s.heading)
            lines.extend(s.paras)
    assert level is not None, f"文档中没有标题“{heading}”"
    return lines


def build(workbook: Path, out: Path) -> list[Section]:
    result = reportgen.build(workbook, out)
    return read_sections(result.path)


@pytest.fixture(scope="module")
def doc(tmp_path_factory) -> list[Section]:
    return build(FIXTURE, tmp_path_factory.mktemp("sh"))


# --- 1. golden text --------------------------------------------------------------------

PART1 = [
    f"# 第一部分 {NAME}概况",
    "## 一、主要职能",
    "贯彻落实党中央关于文化和旅游工作的方针政策和市委、区委的决策部署，拟订本区文化和旅游"
    "发展规划并组织实施；负责本区公共文化服务体系建设，指导群众文化、图书馆和非物质文化遗产"
    "保护工作；负责本区文物保护和文化旅游市场监督管理，推进文化和旅游融合发展。",
    "## 二、部门决算单位构成",
    f"从预算单位构成看，{NAME}部门决算包括：{NAME}本级决算、下属行政事业单位决算。",
    f"纳入{NAME}2024年度部门决算编制范围的单位包括：",
    f"1.{NAME}（本级）",
    "2.上海市某某区文化馆",
    "3.上海市某某区图书馆",
    "4.上海市某某区文物保护管理所",
]

# 第三部分. Figures (万元) as read from the fixture's tables and sheets:
#   表1 总计 11596.74; 上年决算数 收入支出总计 11876.93: 11596.74 − 11876.93 = −280.19,
#     280.19 / 11876.93 = 2.3591% → 2.36%.
#   表1 本年收入合计 11090.31 = 一般公共预算 10041.73 + 政府性基金 620.95 + 事业收入 385.46
#     + 其他收入 42.17; 财政拨款收入 10041.73 + 620.95 = 10662.68, 10662.68 / 11090.31 =
#     96.144% → 96.14%; 385.46 / 11090.31 = 3.4756% → 3.48%; 42.17 / 11090.31 = 0.3802% →
#     0.38% (96.14 + 3.48 + 0.38 = 100.00: no rounding note).
#     财政拨款收入 is one figure, its own exact ratio: the parts' shares would print 90.55%
#     (10041.73) and 5.60% (620.95), summing to 96.15, not 96.14.
#   表3 合计: 本年支出合计 11195.16, 基本支出 5155.99 (46.0555% → 46.06%), 项目支出 6039.17
#     (53.9445% → 53.94%).
#   表4 总计 10964.41; 上年 11264.05: −299.64, 299.64 / 11264.05 = 2.6601% → 2.66%.
#   表5 合计 10145.33 (= 表4 一般公共预算 本年支出合计); 10145.33 / 11195.16 = 90.6225% →
#     90.62%; 上年 9987.26: +158.07, 158.07 / 9987.26 = 1.5827% → 1.58%.
#   表5 类: 207 8816.07 (86.898% → 86.90%), 208 722.69 (7.1234% → 7.12%), 210 278.91
#     (2.7491% → 2.75%), 221 327.66 (3.2297% → 3.23%); sum 100.00, amounts sum 10145.33.
#   项目预算 年初预算数 of the twelve 一般公共预算 项: 1248.60 + 2587.30 + 2106.45 + 372.00 +
#     1362.80 + 1215.60 + 71.35 + 428.76 + 214.38 + 94.10 + 181.92 + 327.66 = 10210.92;
#     10145.33 / 10210.92 = 99.358% → 99.36%. Each 项's 支出决算 is its 表5 合计
#     (2070104 图书馆: 1053.62 + 1471.83 = 2525.45); 2210201 住房公积金 327.66 = 327.66: no
#     reason sentence.
#   表5 基本支出 5029.61 = 表6 人员经费合计 2768.33 + 公用经费合计 2261.28.
#   表7 (三公): 预算 62.60 / 决算 51.15 → 81.709% → 81.71%; 出国 8.36 / 12.50 = 66.88%;
#     车 38.85 / 43.60 = 89.106% → 89.11%; 接待 3.94 / 6.50 = 60.615% → 60.62%.
#     上年 54.58: −3.43, 3.43 / 54.58 = 6.2844% → 6.28%; 出国 5.12 → 8.36: +3.24,
#     3.24 / 5.12 = 63.28125% → 63.28%; 车 44.85 → 38.85: −6.00, 13.378% → 13.38%;
#     接待 4.61 → 3.94: −0.67, 14.534% → 14.53%.
#     shares of 51.15: 16.344% → 16.34%, 75.953% → 75.95%, 7.7028% → 7.70%; they sum to
#     99.99, so the rounding note stands there. 车 23.58 + 15.27 = 38.85.
#   表8: 本年收入 620.95, 本年支出 646.16 = 548.91 + 97.25; 年初预算 598.00 and 108.60.
#   表9 empty: the template's sentence for a department without 国有资本经营.
#   机关运行经费 318.64, 上年 331.07: −12.43, 12.43 / 331.07 = 3.7545% → 3.75%.
#   政府采购 486.35 + 612.80 + 1854.27 = 2953.42. 车辆 0+1+1+0+3+1+0+1 = 7.
PART3 = [
    f"# 第三部分 {NAME}2024年度部门决算情况说明",
    "## 一、收入支出决算总体情况说明",
    f"{NAME}2024年度收入支出总计11596.74万元。与2023年度相比，收入支出总计减少280.19万元，"
    "下降2.36%。主要原因：上年安排的公共文化设施改造项目本年基本完成，政府性基金预算财政拨款"
    "收入减少。",
    "## 二、收入决算情况说明",
    "本年收入合计11090.31万元，其中：财政拨款收入10662.68万元，占96.14%；事业收入385.46万元，"
    "占3.48%；其他收入42.17万元，占0.38%。",
    "## 三、支出决算情况说明",
    "本年支出合计11195.16万元，其中：基本支出5155.99万元，占46.06%；项目支出6039.17万元，"
    "占53.94%。",
    "## 四、财政拨款收入支出决算总体情况说明",
    f"{NAME}2024年度财政拨款收入支出总计10964.41万元。与2023年度相比，财政拨款收入支出总计"
    "减少299.64万元，下降2.66%。主要原因：政府性基金预算安排的公共文化设施改造项目本年基本"
    "完成，相应财政拨款减少。",
    "## 五、一般公共预算财政拨款支出决算情况说明",
    "### （一）一般公共预算财政拨款支出决算总体情况",
    "一般公共预算财政拨款支出10145.33万元，占本年支出合计的90.62%。与2023年度相比，一般公共"
    "预算财政拨款支出增加158.07万元，增长1.58%。主要原因：区图书馆总分馆体系建设和区级群众"
    "文化节庆活动经费增加。",
    "### （二）一般公共预算财政拨款支出决算结构情况",
    "一般公共预算财政拨款支出10145.33万元，主要用于以下方面：文化旅游体育与传媒支出（类）"
    "8816.07万元，占86.90%；社会保障和就业支出（类）722.69万元，占7.12%；卫生健康支出（类）"
    "278.91万元，占2.75%；住房保障支出（类）327.66万元，占3.23%。",
    "### （三）一般公共预算财政拨款支出决算具体情况",
    "一般公共预算财政拨款支出年初预算为10210.92万元，支出决算为10145.33万元，完成年初预算的"
    "99.36%。决算数小于预算数的主要原因：部分文献资源采购和文物修缮项目按合同进度结转下年。"
    "其中：",
    "1、文化旅游体育与传媒支出（类）文化和旅游（款）行政运行（项）。主要用于：局机关（本级）"
    "在职人员工资福利和保障机关正常运转的日常公用支出。年初预算为1248.60万元，支出决算为"
    "1286.47万元。决算数大于预算数的主要原因：年中新增公务员招录人员及绩效工资调整，相应增加"
    "人员经费。",
    "2、文化旅游体育与传媒支出（类）文化和旅游（款）图书馆（项）。主要用于：区图书馆人员经费、"
    "日常运转及文献资源购置、数字阅读推广和总分馆体系运行。年初预算为2587.30万元，支出决算为"
    "2525.45万元。决算数小于预算数的主要原因：部分数字资源采购项目按合同进度付款，剩余资金结转"
    "下年使用。",
    "3、文化旅游体育与传媒支出（类）文化和旅游（款）群众文化（项）。主要用于：区文化馆人员经费、"
    "日常运转及群众文化活动、公共文化配送和非遗传承展示。年初预算为2106.45万元，支出决算为"
    "2181.01万元。决算数大于预算数的主要原因：年中追加区级群众文化节庆活动经费。",
    "4、文化旅游体育与传媒支出（类）文化和旅游（款）文化和旅游市场管理（项）。主要用于：文化和"
    "旅游市场综合执法、演出和网络文化市场监管、旅游安全检查。年初预算为372.00万元，支出决算为"
    "356.84万元。决算数小于预算数的主要原因：执法装备政府采购价格低于预算，形成节约。",
    "5、文化旅游体育与传媒支出（类）文物（款）文物保护（项）。主要用于：区文物保护管理所人员经费、"
    "日常运转及不可移动文物巡查、修缮和安全防护。年初预算为1362.80万元，支出决算为1339.77万元。"
    "决算数小于预算数的主要原因：部分文物建筑修缮工程尚未完成竣工结算，资金结转下年支付。",
    "6、文化旅游体育与传媒支出（类）其他文化旅游体育与传媒支出（款）其他文化旅游体育与传媒支出"
    "（项）。主要用于：文旅产业发展扶持、区级重大文旅节庆活动和旅游宣传推广。年初预算为1215.60"
    "万元，支出决算为1126.53万元。决算数小于预算数的主要原因：文旅产业扶持资金按企业实际申报"
    "情况核定拨付。",
    "7、社会保障和就业支出（类）行政事业单位养老支出（款）事业单位离退休（项）。主要用于：所属"
    "事业单位离退休人员的退休费和各项补贴。年初预算为71.35万元，支出决算为68.42万元。决算数"
    "小于预算数的主要原因：本年度部分退休人员去世，退休费支出减少。",
    "8、社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位基本养老保险缴费支出（项）。"
    "主要用于：按规定为在职职工缴纳的基本养老保险费。年初预算为428.76万元，支出决算为436.18"
    "万元。决算数大于预算数的主要原因：缴费基数按年度调整，单位缴费相应增加。",
    "9、社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项）。"
    "主要用于：按规定为在职职工缴纳的职业年金。年初预算为214.38万元，支出决算为218.09万元。"
    "决算数大于预算数的主要原因：缴费基数按年度调整，单位缴费相应增加。",
    "10、卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）。主要用于：局机关（本级）"
    "职工基本医疗保险缴费。年初预算为94.10万元，支出决算为92.37万元。决算数小于预算数的主要"
    "原因：年中人员调出，缴费人数减少。",
    "11、卫生健康支出（类）行政事业单位医疗（款）事业单位医疗（项）。主要用于：所属事业单位职工"
    "基本医疗保险缴费。年初预算为181.92万元，支出决算为186.54万元。决算数大于预算数的主要原因："
    "缴费基数按年度调整，单位缴费相应增加。",
    "12、住房保障支出（类）住房改革支出（款）住房公积金（项）。主要用于：按规定为在职职工缴纳的"
    "住房公积金。年初预算为327.66万元，支出决算为327.66万元。",
    "## 六、一般公共预算财政拨款基本支出决算情况说明",
    "一般公共预算财政拨款基本支出5029.61万元。其中：人员经费2768.33万元，主要包括：基本工资、"
    "津贴补贴、奖金、绩效工资、机关事业单位基本养老保险缴费、职业年金缴费、职工基本医疗保险缴费、"
    "其他社会保障缴费、住房公积金、其他工资福利支出、退休费、其他对个人和家庭的补助；公用经费"
    "2261.28万元，主要包括：办公费、印刷费、水费、电费、邮电费、物业管理费、差旅费、因公出国"
    "（境）费用、维修（护）费、租赁费、会议费、培训费、公务接待费、劳务费、委托业务费、工会经费、"
    "福利费、公务用车运行维护费、其他交通费用、其他商品和服务支出、办公设备购置、专用设备购置、"
    "信息网络及软件购置更新、公务用车购置。",
    "## 七、财政拨款“三公”经费支出决算情况说明",
    "### （一）“三公”经费财政拨款支出决算总体情况说明。",
    "“三公”经费财政拨款支出年初预算为62.60万元，支出决算为51.15万元，完成预算的81.71%，其中："
    "因公出国（境）费决算为8.36万元，完成预算的66.88%；公务用车购置及运行维护费支出决算为"
    "38.85万元，完成预算的89.11%；公务接待费支出决算为3.94万元，完成预算的60.62%。2024年度"
    "“三公”经费支出决算数小于预算数的主要原因：严格执行中央八项规定精神，压缩出访团组规模和"
    "公务接待支出。",
    "2024年度“三公”经费财政拨款支出决算数比2023年度减少3.43万元，下降6.28%，其中：因公出国"
    "（境）费支出决算增加3.24万元，增长63.28%；公务用车购置及运行维护费支出决算减少6.00万元，"
    "下降13.38%；公务接待费支出决算减少0.67万元，下降14.53%。因公出国（境）费支出增加的主要"
    "原因是本年度恢复与友好城市的文化交流项目，出访团组增加。公务用车购置及运行维护费支出减少的"
    "主要原因是上年更新2辆执法执勤用车，本年仅更新1辆。公务接待费支出减少的主要原因是严格控制"
    "接待范围和标准，接待批次减少。",
    "### （二）“三公”经费财政拨款支出决算具体情况说明。",
    "“三公”经费财政拨款支出决算中，因公出国（境）费支出决算8.36万元，占16.34%；公务用车购置及"
    f"运行维护费支出决算38.85万元，占75.95%；公务接待费支出决算3.94万元，占7.70%。{ROUNDING_NOTE}"
    "具体情况如下：",
    "1、因公出国（境）费支出8.36万元。全年安排因公出国（境）团组2个、累计6人次。开支内容包括："
    "赴友好城市开展非物质文化遗产交流展示和公共图书馆合作交流的国际旅费、住宿费、伙食费等。",
    "2、公务用车购置及运行维护费支出38.85万元。其中：",
    "公务用车购置支出为23.58万元。主要用于更新1辆已达报废年限的文化市场执法执勤用车，购置公务"
    "用车1辆。",
    "公务用车运行维护支出15.27万元。主要用于文化市场执法检查、文物巡查和机要文件交换等所需的"
    f"燃料费、维修费、过路过桥费、保险费。2024年，{NAME}所属各预算单位开支财政拨款的公务用车"
    "保有量为7辆。",
    "3、公务接待费支出3.94万元。其中：",
    "国内公务接待支出3.94万元（含外宾接待支出0.62万元）。主要用于接待兄弟省市文化和旅游部门"
    "来访交流、考察调研和检查指导工作，国内公务接待26批次、214人次，其中：接待外宾1批次、8人次。",
    "## 八、政府性基金预算财政拨款收入支出决算情况说明",
    "政府性基金预算财政拨款收入620.95万元，支出646.16万元，支出具体情况如下：",
    "1、城乡社区支出（类）国有土地使用权出让收入安排的支出（款）城市建设支出（项）。主要用于："
    "区级公共文化设施和历史风貌保护区环境改造工程。年初预算为598.00万元，支出决算为548.91万元。"
    "决算数小于预算数的主要原因：部分改造工程按施工进度结算，剩余资金结转下年使用。",
    "2、城乡社区支出（类）国有土地使用权出让收入安排的支出（款）其他国有土地使用权出让收入安排的"
    "支出（项）。主要用于：文物建筑周边配套设施建设。年初预算为108.60万元，支出决算为97.25万元。"
    "决算数小于预算数的主要原因：工程结算经审价审减。",
    "## 九、国有资本经营预算财政拨款收入支出决算情况说明",
    f"{NAME}2024年度无国有资本经营预算财政拨款收入和支出。",
    "## 十、预算绩效管理情况",
    f"{NAME}2024年度预算绩效管理工作开展情况如下：本部门建立了如下预算绩效管理制度：《{NAME}"
    f"预算绩效管理实施办法》、《{NAME}项目支出绩效自评工作规程》，建立了“预算编制有目标、预算"
    "执行有监控、预算完成有评价、评价结果有反馈、反馈结果有应用”的预算绩效管理工作机制；全过程"
    "绩效管理实施情况：编报绩效目标的2024年度项目28个，涉及预算金额5386.42万元；绩效跟踪评价的"
    "2024年度项目12个，涉及预算金额2874.15万元；绩效自评的2024年度项目28个，涉及预算金额"
    "5386.42万元，平均得分91.36分（其中，绩效评级为“优”的项目17个；绩效评级为“良”的项目9个；"
    "绩效评级为“合格”的项目2个；绩效评级为“不合格”的项目0个。绩效自评中共发现问题11个，已经"
    "完成整改的8个，正在整改的3个）。",
    "## 十一、其他重要事项的情况说明",
    "### （一）机关运行经费支出情况",
    "机关运行经费支出318.64万元，比2023年度减少12.43万元，下降3.75%。主要原因是压减一般性支出，"
    "办公费和物业管理费减少。",
    "### （二）政府采购支出情况",
    f"{NAME}2024年度政府采购金额（以合同签订为准）为2953.42万元，其中：货物采购金额486.35万元、"
    "工程采购金额612.80万元、服务采购金额1854.27万元。",
    "2024年度本部门面向中小企业预留政府采购项目预算金额1962.40万元，面向小微企业预留政府采购"
    "项目预算金额1185.66万元。在面向中小企业预留的政府采购项目中，由中小企业供应商中标或成交的，"
    "采购金额1874.53万元；在面向小微企业预留政府采购项目中，由小微企业供应商中标或成交的，采购"
    "金额1102.18万元；在其他政府采购项目中，由中小企业供应商中标或成交的，采购金额386.91万元。",
    "### （三）国有资产占有使用情况说明",
    f"截至2024年12月31日，{NAME}共有车辆7辆，其中：部级领导干部用车0辆、主要领导干部用车1辆、"
    "机要通信用车1辆、应急保障用车0辆、执法执勤用车3辆、特种专业技术用车1辆、离退休干部用车0辆、"
    "其他用车1辆。单价100万元（含）以上设备（不含车辆）2台（套）。",
]

#: 第四部分: the template's eleven terms word for word; 事业收入 and 其他收入 name what the
#: 名词解释补充 sheet gives, 经营收入 (none in the fixture) keeps its explanation alone
PART4 = [
    "# 第四部分 名词解释",
    "一、财政拨款收入：指单位本年度从本级财政部门取得的财政拨款，包括一般公共预算财政拨款、"
    "政府性基金预算财政拨款和国有资本经营预算财政拨款。",
    "二、事业收入：指事业单位开展专业业务活动及其辅助活动取得的收入。主要是：文物保护技术咨询、"
    "文物建筑讲解服务收入等。",
    "三、经营收入：指事业单位在专业业务活动及其辅助活动之外开展非独立核算经营活动取得的收入。",
    "四、其他收入：指单位取得的除“财政拨款收入”、“事业收入”、“经营收入”等以外的收入。主要是："
    "银行存款利息、社会捐赠收入等。",
    "五、年初结转和结余：指以前年度尚未完成、结转到本年按有关规定继续使用的资金。",
    "六、年末结转和结余：指本年度或以前年度预算安排、因客观条件发生变化无法按原计划实施，需延迟"
    "到以后年度按有关规定继续使用的资金。",
    "七、基本支出：指单位为保障机构正常运转、完成日常工作任务而发生的各项支出。",
    "八、项目支出：指单位为完成特定的行政工作任务或事业发展目标，在基本支出之外发生的各项支出。",
    "九、经营支出：指事业单位在专业活动及辅助活动之外开展非独立核算经营活动发生的支出。",
    "十、“三公”经费：指单位使用本级财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和"
    "公务接待费。其中：因公出国（境）费反映单位参加国际合作交流、重大项目洽谈、境外培训研修等的"
    "国际旅费、国外城市间交通费、住宿费、伙食费、培训费、公杂费等支出；公务接待费反映全国性专业"
    "会议、国家重大政策调研、专项检查以及外事团组接待交流等执行公务或开展业务所需住宿费、交通费、"
    "伙食费等支出；公务用车购置及运行维护费反映编制内公务车辆的报废更新，以及用于安排市内因公"
    "出差、公务文件交换、日常工作开展等所需公务用车燃料费、维修费、过路过桥费、保险费等支出。",
    "十一、机关运行经费：指行政单位和参照公务员法管理的事业单位使用一般公共预算财政拨款安排的"
    "基本支出中的日常公用经费支出。",
]


def test_part1_golden(doc):
    assert part(doc, "第一部分") == PART1


def test_part3_golden(doc):
    assert part(doc, "第三部分") == PART3


def test_part4_golden(doc):
    assert part(doc, "第四部分") == PART4


def test_part2_headings_and_tables_in_template_order(doc):
    """第二部分: 一、…九、 in the template's order (七 is the 三公 table), each heading
    followed by its table's title, unit line and 注."""
    lines = part(doc, "第二部分")
    assert lines[0] == f"# 第二部分 {NAME}2024年度部门决算表"
    headings = [x for x in lines if x.startswith("## ")]
    titles = [
        "收入支出决算总表",
        "收入决算表",
        "支出决算表",
        "财政拨款收入支出决算总表",
        "一般公共预算财政拨款支出决算表",
        "一般公共预算财政拨款基本支出决算表",
        "财政拨款“三公”经费支出决算表",
        "政府性基金预算财政拨款收入支出决算表",
        "国有资本经营预算财政拨款收入支出决算表",
    ]
    ordinals = "一二三四五六七八九"
    assert headings == [f"## {o}、{t}" for o, t in zip(ordinals, titles, strict=True)]
    for h, t in zip(headings, titles, strict=True):
        i = lines.index(h)
        assert lines[i + 1] == t, (h, lines[i + 1])


# --- 2. the template's outline and fixed wording --------------------------------------

#: the template's instructions to the person filling it in: never printed
INSTRUCTIONS = (
    "（如持平作持平表述）",
    "（不涉及的不列）",
    "（制度名称）",
    "（仅有一个单位的部门，本部分内容为“机构设置”）",
    "（无事业收入的单位保留事业收入的名词解释，但不列举主要内容，以下同）",
    "按上述格式依次说明到各项级科目，预决算持平的不用说明变动原因。",
)
#: the template's examples and "列明…" requests: what a unit writes there is its own
#: data, so they count as placeholders (XX)
EXAMPLES = (
    ("由主管部门根据三定方案等相关规定中有关主要职能填写。", "XX"),
    ("事业收入XXX万元，占XX%；经营收入XXX万元，占XX%……", "XX"),
    ("项目支出XXX万元，占XX%；经营支出XXX万元，占XX%……", "XX"),
    ("一般公共服务支出（类）", "XX（类）"),
    ("教育支出（类）XXX万元", "XX（类）XXX万元"),
    ("教育支出（类）普通教育（款）初中教育（项）", "XX（类）XX（款）XX（项）"),
    ("教育支出（类）普通教育（款）高等教育（项）", "XX（类）XX（款）XX（项）"),
    ("基本工资、津贴补贴、奖金……其他对个人和家庭的补助", "XX"),
    ("办公费、印刷费……其他资本性支出", "XX"),
    ("，列明公务用车购置数量", "XX"),
    ("，列明公务接待批次、人次，其中：接待外宾批次、人次", "XX"),
    ("XXXX、XXXX……", "XX"),
    ("XX部门（单位）", "上海市XX局"),
)
#: the example 单位构成 table of 第一部分 (序号 | 单位名称 | 备注, rows 1…8): the units are data
UNITS_TABLE = re.compile(r"序号单位名称备注.*")
#: the template's typing errors, corrected as its parallel sentences read: 八 "支出收入"
#: (九: "支出 XXX 万元"), "XX 万（含外宾" (every other amount is "万元"), "其中:" (ASCII colon)
TYPOS = (
    ("，支出收入XXX万元，", "，支出XXX万元，"),
    ("XX万（含外宾接待支出", "XX万元（含外宾接待支出"),
    ("其中:", "其中："),
)
#: what is not a fixed phrase: the amounts, rates and texts (X…), an example list (……)
#: and the alternatives the document decides (增加（减少） …)
PLACEHOLDER = re.compile(
    r"X+|……|增加（减少）|减少（增加）|增长（下降）|下降（增长）|大于（小于）|小于（大于）"
)
#: the sentence a department in the absent case writes instead of the section
ALTERNATIVE = re.compile(r"无[^。：]*的部门，作下述说明：")
CN_NUM = "一二三四五六七八九十"


@dataclass
class TemplateSection:
    heading: str  # normalized, XX placeholders as in the template
    level: int
    text: str = ""  # normalized (no whitespace) body text


def squash(text: str) -> str:
    """Whitespace is layout in the template text (pdftotext wraps lines): drop it."""
    return re.sub(r"\s+", "", text)


def _heading_level(line: str, part_no: int) -> int:
    """1 for 第N部分, 2 for 一、…, 3 for （一）…, 0 for body text. In 第四部分 the
    “一、财政拨款收入：…” lines are the terms, not headings."""
    s = squash(line)
    if re.match(r"^第[一二三四]部分", s):
        return 1
    if part_no != 4 and re.match(rf"^[{CN_NUM}]+、", s) and "：" not in s and len(s) < 40:
        return 2
    if re.match(rf"^（[{CN_NUM}]+）", s) and len(s) < 40:
        return 3
    return 0


def template_toc(text: str) -> list[str]:
    """The template's 目录 entries (normalized), from “目录” up to the body."""
    lines = [squash(x) for x in text.splitlines()]
    start = lines.index("目录")
    body = next(i for i in range(start + 1, len(lines)) if lines[i] == "第四部分名词解释")
    return [x for x in lines[start + 1 : body + 1] if x]


def template_body(text: str) -> list[TemplateSection]:
    """The body after the 目录 as headings with their text. 第二部分's body is the tables
    (it starts at the line “…年度部门决算表” and has no headings of its own): it is left
    out, its headings are those of the 目录."""
    raw = text.splitlines()
    toc_end = next(i for i, x in enumerate(raw) if squash(x) == "第四部分名词解释")
    lines = raw[toc_end + 1 :]
    out: list[TemplateSection] = []
    part_no = 0
    i = 0
    while i < len(lines):
        line = squash(lines[i])
        i += 1
        if not line:
            continue
        if part_no == 1 and line.endswith("年度部门决算表"):
            part_no = 2  # the tables: skipped up to 第三部分
            continue
        level = _heading_level(line, part_no)
        if part_no == 2 and level != 1:
            continue
        if level:
            # a heading wrapped over lines: “（一）” alone, or an open bracket
            while i < len(lines) and (
                re.fullmatch(rf"（[{CN_NUM}]+）", line) or line.count("（") > line.count("）")
            ):
                line += squash(lines[i])
                i += 1
            if level == 1:
                part_no = CN_NUM.index(line[1]) + 1
            for instruction in INSTRUCTIONS:
                line = line.replace(instruction, "")
            out.append(TemplateSection(line, level))
        elif out:
            out[-1].text += line
    return out


def clean(text: str) -> str:
    """A section's text with the instructions, examples and typos dealt with."""
    for bad, good in TYPOS:
        text = text.replace(bad, good)
    for instruction in INSTRUCTIONS:
        text = text.replace(instruction, "")
    for example, placeholder in EXAMPLES:
        text = text.replace(example, placeholder)
    return UNITS_TABLE.sub("XX", text)


def variants(text: str) -> tuple[str, str]:
    """(the section as written, the absent-case sentence or "")."""
    m = ALTERNATIVE.search(text)
    return (text[: m.start()], text[m.end() :]) if m else (text, "")


def fill(text: str, name: str, year: int) -> str:
    """The template's 上海市XX局, 2024 and 2023 as the document states them."""
    return (
        text.replace("上海市XX局", name).replace("2024", str(year)).replace("2023", str(year - 1))
    )


def phrases(text: str, name: str, year: int) -> list[str]:
    """The fixed phrases of a template paragraph or section, in order."""
    return [p for p in PLACEHOLDER.split(fill(clean(text), name, year)) if p]


def assert_in_order(found: str, wanted: list[str], where: str) -> None:
    pos = 0
    for phrase in wanted:
        at = found.find(phrase, pos)
        assert at >= 0, f"{where}：模板的固定表述“{phrase}”没有在前文之后出现：\n{found[pos:]}"
        pos = at + len(phrase)


def read_template() -> str:
    if not TEMPLATE.exists():
        pytest.fail(
            f"上海 2024 空白模板 {TEMPLATE} 不存在：本测试按模板逐节核对文档的结构与措辞，"
            "须在挂载 /work/shared 的环境中运行。"
        )
    return TEMPLATE.read_text(encoding="utf-8")


def test_extraction_of_known_lines():
    """The extraction itself, on lines of the template."""
    line = (
        "上海市 XX 局 2024 年度收入支出总计 XXX 万元。与 2023 年\n\n度相比，收入支出总计增加"
        "（减少）XXX 万元，增长（下降）XX%。\n\n主要原因：XXXXXXXX。\n             （如持平作持平表述）"
    )
    assert phrases(squash(line), "某局", 2030) == [
        "某局2030年度收入支出总计",
        "万元。与2029年度相比，收入支出总计",
        "万元，",
        "%。主要原因：",
        "。",
    ]
    item = "1、教育支出（类）普通教育（款）初中教育（项）。主要用于：XXXXXXXX。年初预算为XXX万元"
    assert phrases(item, "某局", 2024) == [
        "1、",
        "（类）",
        "（款）",
        "（项）。主要用于：",
        "。年初预算为",
        "万元",
    ]
    fund = (
        "政府性基金预算财政拨款收入XXX万元，支出收入XXX万元，支出具体情况如下：无政府性基金预算"
        "财政拨款收入支出的部门，作下述说明：上海市XX局2024年度无政府性基金预算财政拨款收入和支出。"
    )
    normal, absent = variants(clean(fund))
    assert phrases(normal, "某局", 2024) == [
        "政府性基金预算财政拨款收入",
        "万元，支出",
        "万元，支出具体情况如下：",
    ]
    assert fill(absent, "某局", 2024) == "某局2024年度无政府性基金预算财政拨款收入和支出。"
    wrapped = (
        "  （一）\n    “三公”经费财政拨款支出决算总体情况说明。\n\n  “三公”经费财政拨款支出年初"
    )
    sections = template_body("第四部分 名词解释\n第三部分 标题\n" + wrapped)
    assert [(s.heading, s.level) for s in sections] == [
        ("第三部分标题", 1),
        ("（一）“三公”经费财政拨款支出决算总体情况说明。", 3),
    ]
    assert sections[1].text == "“三公”经费财政拨款支出年初"


def test_template_outline_extracted():
    """The template's headings as extracted: four parts, 二 of 第一部分 without its
    instruction, nine tables, eleven 情况说明 with their （一）…, and the one place where
    the 目录 and the body disagree (the body's wording is followed)."""
    text = read_template()
    body = template_body(text)
    headings = [s.heading for s in body]
    assert headings[:3] == ["第一部分上海市XX局概况", "一、主要职能", "二、部门决算单位构成"]
    assert sum(1 for s in body if s.level == 1) == 3  # 第二部分 is tables only
    assert [s.heading for s in body if s.level == 3] == [
        "（一）一般公共预算财政拨款支出决算总体情况",
        "（二）一般公共预算财政拨款支出决算结构情况",
        "（三）一般公共预算财政拨款支出决算具体情况",
        "（一）“三公”经费财政拨款支出决算总体情况说明。",
        "（二）“三公”经费财政拨款支出决算具体情况说明。",
        "（一）机关运行经费支出情况",
        "（二）政府采购支出情况",
        "（三）国有资产占有使用情况说明",
    ]
    toc = template_toc(text)
    assert len(toc) == 4 + 2 + 9 + 11
    start = toc.index("第二部分上海市XX局2024年度部门决算表")
    end = toc.index("第三部分上海市XX局2024年度部门决算情况说明")
    assert len(toc[start + 1 : end]) == 9
    outside = toc[:start] + toc[end:]
    top = [s.heading for s in body if s.level <= 2]
    assert len(outside) == len(top)
    differ = [(t, b) for t, b in zip(outside, top, strict=True) if t != b]
    assert differ == [("十一、其他重要事项说明", "十一、其他重要事项的情况说明")]


def expected_headings(text: str, name: str, year: int) -> list[str]:
    """Every heading of the document, in order: the body's (第一、三、四部分 with their
    （一）…) and 第二部分's from the 目录."""
    body = template_body(text)
    toc = template_toc(text)
    start = toc.index("第二部分上海市XX局2024年度部门决算表")
    end = toc.index("第三部分上海市XX局2024年度部门决算情况说明")
    part3 = next(i for i, s in enumerate(body) if s.heading.startswith("第三部分"))
    heads = [s.heading for s in body[:part3]] + toc[start:end] + [s.heading for s in body[part3:]]
    return [fill(h, name, year) for h in heads]


def test_every_template_heading_in_order(doc):
    text = read_template()
    assert [squash(s.heading) for s in doc] == expected_headings(text, NAME, 2024)


#: sections the fixture's department writes in the template's absent-case wording
ABSENT_IN_FIXTURE = {"九、国有资本经营预算财政拨款收入支出决算情况说明"}
#: template clauses the fixture's department has nothing for (no 经营收入 to name)
OMITTED_IN_FIXTURE = (("经营活动取得的收入。主要是：XXXXXXXX收入等。", "经营活动取得的收入。"),)


def test_every_template_phrase_in_its_section_in_order(doc):
    """Each section of the template (parts 1, 3 and 4) against the section of the document
    under the same heading: every fixed phrase, in order. Where the template gives an
    absent-case sentence, the document has the section's wording and not that sentence
    (九: the other way round, since the fixture has no 国有资本经营)."""
    text = read_template()
    by_heading = {squash(s.heading): s for s in doc}
    checked = 0
    for ts in template_body(text):
        heading = fill(ts.heading, NAME, 2024)
        section = by_heading.get(heading)
        assert section is not None, f"文档中没有模板的标题“{heading}”"
        found = squash("".join(section.paras)).replace(ROUNDING_NOTE, "")
        body = clean(ts.text)
        for bad, good in OMITTED_IN_FIXTURE:
            body = body.replace(bad, good)
        normal, absent = variants(body)
        if ts.heading in ABSENT_IN_FIXTURE:
            assert found == fill(absent, NAME, 2024), heading
        else:
            assert_in_order(found, phrases(normal, NAME, 2024), heading)
            if absent:
                assert fill(absent, NAME, 2024) not in found, heading
        checked += bool(phrases(normal, NAME, 2024))
    # sections with wording of their own: 第一部分 二; 第三部分 一–四, 五（一）–（三）, 六,
    # 七（一）（二）, 八, 九, 十, 十一（一）–（三）; 第四部分
    assert checked == 18


def test_no_instruction_or_placeholder_printed(doc):
    """Nothing of the template's machinery reaches the document."""
    text = "".join(s.heading + "".join(s.paras) for s in doc)
    for leftover in (
        *INSTRUCTIONS,
        "XX",
        "……",
        "（减少）",
        "（下降）",
        "（小于）",
        "（大于）",
        "（增加）",
        "（增长）",
        "列明",
        "作下述说明",
        "None",
    ):
        assert leftover not in text, leftover


# --- 3. the cases the template words separately ----------------------------------------


def _row_of(ws, label: str, col: int = 1) -> int:
    for row in ws.iter_rows():
        cell = row[col - 1]
        if cell.value is not None and str(cell.value).strip() == label:
            return cell.row
    raise KeyError(f"{ws.title}: {label}")


def _dec(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def set_kv(wb, sheet: str, label: str, value) -> None:
    """A kv sheet's value (column B) for the field labelled ``label`` (column A)."""
    ws = wb[sheet]
    ws.cell(row=_row_of(ws, label), column=2).value = value


def drop_coded_rows(ws, prefix: str, first_col: int) -> None:
    """Delete a 功能分类 table's rows whose code starts with ``prefix`` and take the class
    row's amounts off the 合计 row."""
    total = _row_of(ws, "合计")
    rows = [
        r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith(prefix)
    ]
    klass = next(r for r in rows if str(ws.cell(r, 1).value) == prefix)
    for col in range(first_col, ws.max_column + 1):
        amount = ws.cell(klass, col).value
        if isinstance(amount, (int, float, Decimal)):
            left = _dec(ws.cell(total, col).value) - _dec(amount)
            ws.cell(total, col).value = left or None
    for r in reversed(rows):
        ws.delete_rows(r)


def minus(ws, ref: str, amount: str) -> None:
    left = _dec(ws[ref].value) - Decimal(amount)
    ws[ref] = left or None


def variant(tmp_path: Path, change) -> list[Section]:
    """Build the document of a copy of the fixture changed by ``change(workbook)``."""
    path = tmp_path / "variant.xlsx"
    shutil.copy(FIXTURE, path)
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return build(path, tmp_path / "out")


def no_sangong(wb) -> None:
    """No 三公 at all: 表7 empty; the 三公 经济分类 of 表6 moved to the 其他 codes of
    their classes (302 and 310 keep their totals); no counts."""
    for cell in wb["表7"][7]:
        cell.value = None
    ws = wb["表6"]
    moved = {"30299": Decimal(0), "31099": Decimal(0)}
    for code, into in (
        ("30212", "30299"),
        ("30217", "30299"),
        ("30231", "30299"),
        ("31013", "31099"),
    ):
        r = _row_of(ws, code, col=4)
        moved[into] += _dec(ws.cell(r, 6).value)
        ws.cell(r, 6).value = None
    for code, amount in moved.items():
        r = _row_of(ws, code, col=4)
        ws.cell(r, 6, value=_dec(ws.cell(r, 6).value) + amount)
    for label in (
        "因公出国（境）团组数",
        "因公出国（境）人次数",
        "公务用车购置数",
        "公务用车保有量",
        "国内公务接待批次",
        "国内公务接待人次",
        "外宾接待批次",
        "外宾接待人次",
    ):
        set_kv(wb, "三公经费补充", label, 0)
    set_kv(wb, "三公经费补充", "外宾接待支出", 0)


def test_no_sangong(tmp_path):
    doc = variant(tmp_path, no_sangong)
    assert under(doc, "七、财政拨款“三公”经费支出决算情况说明") == [
        f"{NAME}2024年度无“三公”经费财政拨款支出。"
    ]


def no_gov_fund(wb) -> None:
    """No 政府性基金: 表8 empty, and its 620.95 income, 646.16 spending, 86.40 年初 and 61.19
    年末结转 (707.35 总计) taken out of 表1–表4 and the 项目预算 sheet."""
    for sheet in ("表2", "表3"):
        drop_coded_rows(wb[sheet], "212", 3)
    ws = wb["表8"]
    drop_coded_rows(ws, "212", 3)
    t1 = wb["表1"]
    t1["B7"] = t1["D16"] = None
    minus(t1, "B30", "620.95")
    minus(t1, "D30", "646.16")
    minus(t1, "B32", "86.40")
    minus(t1, "D32", "61.19")
    minus(t1, "B33", "707.35")
    minus(t1, "D33", "707.35")
    t4 = wb["表4"]
    for ref in ("B6", "D15", "F15", "F29", "F30", "B32", "F34"):
        t4[ref] = None
    minus(t4, "B29", "620.95")
    minus(t4, "D29", "646.16")
    minus(t4, "B30", "86.40")
    minus(t4, "D30", "61.19")
    minus(t4, "B34", "707.35")
    minus(t4, "D34", "707.35")
    budget = wb["项目预算"]
    for r in reversed(range(1, budget.max_row + 1)):
        if budget.cell(r, 1).value == "政府性基金":
            budget.delete_rows(r)


def test_no_gov_fund(tmp_path):
    doc = variant(tmp_path, no_gov_fund)
    assert under(doc, "八、政府性基金预算财政拨款收入支出决算情况说明") == [
        f"{NAME}2024年度无政府性基金预算财政拨款收入和支出。"
    ]
    # 二: 财政拨款收入 is now the 一般公共预算 alone: 10041.73 / 10469.36 = 95.915% → 95.92%
    assert under(doc, "二、收入决算情况说明") == [
        "本年收入合计10469.36万元，其中：财政拨款收入10041.73万元，占95.92%；事业收入385.46万元，"
        "占3.68%；其他收入42.17万元，占0.40%。"
    ]


def test_no_admin_cost(tmp_path):
    doc = variant(tmp_path, lambda wb: set_kv(wb, "机关运行经费", "机关运行经费支出", 0))
    assert under(doc, "（一）机关运行经费支出情况") == [f"{NAME}2024年度无机关运行经费支出。"]


def item_equals_budget(wb) -> None:
    """行政运行 spent exactly its 年初预算 (1286.47), no reason given."""
    ws = wb["项目预算"]
    r = _row_of(ws, "2070101", col=2)
    ws.cell(r, 5, value=Decimal("1286.47"))
    ws.cell(r, 7).value = None  # openpyxl's cell(value=None) would leave it


def test_item_equal_to_its_budget_has_no_reason(tmp_path):
    doc = variant(tmp_path, item_equals_budget)
    lines = under(doc, "（三）一般公共预算财政拨款支出决算具体情况")
    # 年初预算 10210.92 − 1248.60 + 1286.47 = 10248.79; 10145.33 / 10248.79 = 98.9905% → 98.99%
    assert lines[0] == (
        "一般公共预算财政拨款支出年初预算为10248.79万元，支出决算为10145.33万元，完成年初预算的"
        "98.99%。决算数小于预算数的主要原因：部分文献资源采购和文物修缮项目按合同进度结转下年。其中："
    )
    assert lines[1] == (
        "1、文化旅游体育与传媒支出（类）文化和旅游（款）行政运行（项）。主要用于：局机关（本级）"
        "在职人员工资福利和保障机关正常运转的日常公用支出。年初预算为1286.47万元，支出决算为"
        "1286.47万元。"
    )


def one_unit(wb) -> None:
    ws = wb["决算单位构成"]
    first = _row_of(ws, f"{NAME}（本级）")
    ws.delete_rows(first + 1, ws.max_row - first)


def test_department_of_one_unit_has_organisation(tmp_path):
    doc = variant(tmp_path, one_unit)
    lines = part(doc, "第一部分")
    assert lines[3:] == [
        "## 二、机构设置",
        f"{NAME}为区政府工作部门，内设办公室、公共文化科、文物保护科、产业发展科、市场管理科"
        "5个科室，下属区文化馆、区图书馆、区文物保护管理所3个事业单位。",
    ]


def last_year_equal(wb) -> None:
    """上年决算数 equal to this year's figures."""
    for label, value in (
        ("收入支出总计", "11596.74"),
        ("财政拨款收入支出总计", "10964.41"),
        ("一般公共预算财政拨款支出", "10145.33"),
        ("“三公”经费支出合计", "51.15"),
        ("因公出国（境）费", "8.36"),
        ("公务用车购置及运行维护费", "38.85"),
        ("公务接待费", "3.94"),
        ("机关运行经费", "318.64"),
    ):
        set_kv(wb, "上年决算数", label, Decimal(value))


def test_last_year_equal_is_stated_as_flat(tmp_path):
    doc = variant(tmp_path, last_year_equal)
    assert under(doc, "一、收入支出决算总体情况说明") == [
        f"{NAME}2024年度收入支出总计11596.74万元。与2023年度相比，收入支出总计持平。"
    ]
    assert under(doc, "四、财政拨款收入支出决算总体情况说明") == [
        f"{NAME}2024年度财政拨款收入支出总计10964.41万元。与2023年度相比，财政拨款收入支出总计持平。"
    ]
    assert under(doc, "（一）一般公共预算财政拨款支出决算总体情况") == [
        "一般公共预算财政拨款支出10145.33万元，占本年支出合计的90.62%。与2023年度相比，一般公共"
        "预算财政拨款支出持平。"
    ]
    assert under(doc, "（一）“三公”经费财政拨款支出决算总体情况说明。")[1] == (
        "2024年度“三公”经费财政拨款支出决算数与2023年度持平，其中：因公出国（境）费支出决算持平；"
        "公务用车购置及运行维护费支出决算持平；公务接待费支出决算持平。"
    )
    assert under(doc, "（一）机关运行经费支出情况") == [
        "机关运行经费支出318.64万元，与2023年度持平。"
    ]
