"""Every Chinese string of the supervisor dashboard (数据看板) and its exports, kept for review.

Page copy that never changes lives in ``templates/dashboard/``; this module holds the names of
figures, columns, tables and files that the handlers, the exports and the charts share.
"""

from __future__ import annotations

from typing import Final

DISTRICT_WIDE: Final = "全区"
DATE_INVALID: Final = "日期格式应为 YYYY-MM-DD，例如 2026-11-01。"
NO_DATA: Final = "—"

# Headline figures: (path in the Overview JSON, label, unit, kind), kind as in Column.kind.
FIGURES: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("totals.cases", "办件量", "件", "int"),
    ("totals.items", "事项数", "项", "int"),
    ("on_time_rate", "按时办结率", "", "share"),
    ("working_days_to_accept.avg", "受理平均用时", "个工作日", "avg"),
    ("working_days_to_accept.p90", "受理用时（90%的办件在此之内）", "个工作日", "int"),
    ("working_days_to_deliver.avg", "办结平均用时", "个工作日", "avg"),
    ("working_days_to_deliver.p90", "办结用时（90%的办件在此之内）", "个工作日", "int"),
    ("trips_per_case.avg", "平均跑动次数", "次/件", "avg"),
    ("trips_per_case.at_most_one_share", "最多跑一次占比", "", "share"),
    ("satisfaction.average", "满意度（5分制）", "分", "avg"),
    ("delegated_share", "代办占比", "", "share"),
    ("local_share", "就近办结占比", "", "share"),
    ("coverage_30min.share", "30分钟办事圈覆盖率", "", "share"),
)

FIGURE_NOTES: Final[dict[str, str]] = {
    "totals.cases": (
        "其中一件事 {bundles} 件（含事项 {bundle_items} 项）；在办 {open} 件，已办结 {closed} 件"
    ),
    "totals.items": "单事项办件 {singles} 项，一件事所含事项 {bundle_items} 项",
    "satisfaction.average": "共 {count} 条评价，差评占 {bad}",
    "trips_per_case.avg": "按已办结的 {count} 件计算",
    "coverage_30min.share": "{villages} 个村社，{covered} 个全部事项可达",
}

# Exportable tables: key -> (title, file name stem).
TABLES: Final[dict[str, tuple[str, str]]] = {
    "townships": ("镇街排行", "镇街排行"),
    "items": ("分事项统计", "分事项统计"),
    "departments": ("分部门统计", "分部门统计"),
    "days": ("每日办件量", "每日办件量"),
}

COLUMNS: Final[dict[str, str]] = {
    "township": "镇街",
    "township_code": "镇街代码",
    "item": "事项",
    "item_code": "事项编码",
    "department": "部门",
    "department_code": "部门代码",
    "date": "日期",
    "cases": "办件量",
    "items": "事项数",
    "item_cases": "办理件数（按事项）",
    "on_time_rate": "按时办结率",
    "satisfaction": "满意度",
    "ratings": "评价数",
    "bad_share": "差评占比",
    "delegated_share": "代办占比",
    "local_share": "就近办结占比",
    "urges": "催办次数",
    "rectifications": "整改通知",
    "rectifications_overdue": "逾期整改",
    "submitted": "提交",
    "closed": "办结",
}

SORT_ASC: Final = "升序"
SORT_DESC: Final = "降序"

# Labels the chart script draws (it holds no Chinese of its own).
CHART_LABELS: Final[dict[str, str]] = {
    "submitted": "提交",
    "closed": "办结",
    "coverage": "30分钟覆盖率",
    "low": "低",
    "high": "高",
    "cases": "件",
    "empty": "该区间没有办件",
    "no_villages": "没有村社坐标",
    "schematic": "示意图 · 非真实边界",
    "township_cases": "办件",
    "no_coverage": "未计算",
}

TOWNSHIP_SUFFIXES: Final = ("街道", "镇", "乡")
"""Dropped from a township's name on the map when the full names would not fit (北干街道 → 北干);
the tooltip and the tables keep the full name."""

DEFINITION: Final = "口径"
"""The label of the control that opens a figure's definition."""
DEFINITION_OF: Final = "{label}的统计口径"

_COHORT: Final = "统计区间内提交的办件（按提交日期，上海时间），计入办件现在所属的镇街"
_PER_ITEM: Final = "按事项计（单事项办件 1 项，一件事所含的每个事项各 1 项）"

# What each headline figure counts (docs/dashboard.md and docs/statistics.md say the same).
DEFINITIONS: Final[dict[str, str]] = {
    "totals.cases": (
        f"{_COHORT}。一件事（几个事项一起申请）计为 1 件，它所含的事项不另计办件；"
        "单事项办件计 1 件。在办、已办结按办件现在的状态："
        "不予许可、不予受理、已送达、已撤回为已办结。"
    ),
    "totals.items": (
        f"{_COHORT}所含的事项：单事项办件 1 项，一件事所含的每个事项各 1 项"
        "（如含 4 个事项的一件事计 4 项）。"
        "分事项、分部门统计、按时办结率、受理和办结用时、就近办结占比都按事项计。"
    ),
    "on_time_rate": (
        f"{_PER_ITEM}。分母：已作出决定（批准或不予许可）的事项，加上已受理、尚未决定且已过办理期限的事项"
        "（算作超期）；分子：在办理期限（工作日，补正期间顺延）内作出决定的事项。"
        "受理前被退回或撤回的、还在期限内或在补正中的事项不计入。"
    ),
    "working_days_to_accept.avg": (
        f"{_PER_ITEM}，已受理的事项：从提交日到受理日的工作日数（提交当天不算，按工作日历）的平均值。"
    ),
    "working_days_to_accept.p90": (
        f"{_PER_ITEM}，已受理的事项：90% 的事项在这么多个工作日内受理（就近秩法第 90 百分位）。"
    ),
    "working_days_to_deliver.avg": (
        f"{_PER_ITEM}，已送达结果的事项：从提交日到送达日的工作日数（提交当天不算）的平均值。"
    ),
    "working_days_to_deliver.p90": (
        f"{_PER_ITEM}，已送达结果的事项：90% 的事项在这么多个工作日内送达（就近秩法第 90 百分位）。"
    ),
    "trips_per_case.avg": (
        "按办件计，只算已办结的办件：群众本人到场的次数——窗口现场申请、窗口递交补正材料、窗口领取结果、"
        "在银行网点申请各算 1 次；村社代办员代办的办件群众跑 0 次。"
        "一件事的次数是它和所含事项到场次数之和。"
    ),
    "trips_per_case.at_most_one_share": (
        "按办件计：已办结的办件中，群众到场 0 次或 1 次（最多跑一次）的占比。"
    ),
    "satisfaction.average": (
        f"{_COHORT}（一件事和它的事项）收到的全部好差评（两轮都算）的平均分，5 分制；"
        "差评为 2 分及以下。"
    ),
    "delegated_share": "按办件计：由村社代办员或银行网点代为提交的办件占全部办件的比例。",
    "local_share": (
        f"{_PER_ITEM}：事项下沉到镇街或村社办理、且没有转区级部门审批的事项占全部事项的比例。"
    ),
    "coverage_30min.share": (
        "各村（社区）骑电动车 30 分钟内能到达可办理该事项的办事点的个人事项占比，再对村社取平均；"
        "统计任务每小时按当前办事点计算，与办件无关，不随日期筛选变化。"
    ),
}

# What each table column counts (the tables' 口径).
COLUMN_DEFINITIONS: Final[dict[str, str]] = {
    "township": "办件现在所属的镇街；没有办件的镇街也列出，各项为 0 或“—”。",
    "cases": "办件数，一件事计 1 件（同“办件量”）。",
    "items": "事项数，一件事所含的每个事项各计 1 项（同“事项数”）。",
    "item_cases": "该事项（部门）办理的件数：单事项办件 1 件，一件事中的该事项也计 1 件。",
    "on_time_rate": "按事项计的按时办结率（同“按时办结率”）。",
    "satisfaction": "全部好差评的平均分（5 分制）；没有评价时为“—”。",
    "ratings": "收到的好差评条数（两轮都算）。",
    "bad_share": "2 分及以下的评价占评价数的比例。",
    "delegated_share": "按办件计，代办员或银行网点代为提交的占比。",
    "local_share": "按事项计，在镇街或村社就近办结、没有转区级部门审批的占比。",
    "urges": "统计区间内督办人员对该镇街办件的催办次数（同一办件多次催办各计 1 次）。",
    "rectifications": "统计区间内（按下发日期）下发给该镇街的整改通知数，含已办结的。",
    "rectifications_overdue": (
        "其中逾期的：已过整改期限仍未办结的，和过了期限才办结的（整改期限为工作日）。"
    ),
    "date": "日期（上海时间）。",
    "submitted": "当天提交的办件数，一件事计 1 件。",
    "closed": "当天办结的办件数（不论何时提交）；一件事在它最后一个事项办结时办结。",
}

CHART_DEFINITIONS: Final[dict[str, str]] = {
    "trend": "每天提交的办件数和每天办结的办件数（一件事计 1 件），数字见下方“每日办件量明细”。",
    "map": (
        "镇街的颜色是其村（社区）30 分钟办事圈覆盖率的平均值，"
        "点是各村（社区），颜色是该村社的覆盖率"
        "（口径同“30分钟办事圈覆盖率”）。"
    ),
}

MAP_SCHEMATIC: Final = (
    "示意图：镇街形状由各镇街中心推算（泰森多边形），不是真实的行政区划边界，"
    "只表示相对位置和相邻关系。"
)
MAP_IMPORTED: Final = "镇街边界来自导入的区划边界文件。"
