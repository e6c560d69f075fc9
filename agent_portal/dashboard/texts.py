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
    "totals.cases": "在办 {open} 件，已办结 {closed} 件",
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
    "on_time_rate": "按时办结率",
    "satisfaction": "满意度",
    "ratings": "评价数",
    "bad_share": "差评占比",
    "delegated_share": "代办占比",
    "local_share": "就近办结占比",
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
}
