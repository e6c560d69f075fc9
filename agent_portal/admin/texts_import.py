"""The Chinese words of the administrator's catalogue import and export pages."""

from __future__ import annotations

from typing import Final

from backend.imports.sheets import SHEETS

SHEET_LABELS: Final = {name: sheet.label for name, sheet in SHEETS.items()}
STATUS_LABELS: Final = (
    ("created", "新增"),
    ("updated", "更新"),
    ("unchanged", "未变"),
    ("removed", "移除"),
)
SIZE_LABELS: Final = {
    "departments": "部门",
    "items": "事项",
    "bundles": "一件事",
    "service_points": "办事点",
}
ITEM_LISTS: Final = (
    ("created", "新增的事项"),
    ("updated", "将新增一个版本的事项"),
)
ITEMS_SHOWN: Final = 50
"""Each list of items on the preview shows this many, with their changes; the rest are counted."""
MORE_ITEMS: Final = "另有 {count} 项未列出（导入时一并写入，审计日志记下每项的编码和改动的字段）。"
NO_FIELD_CHANGE: Final = "内容未变，仅生效日期不同。"
ERRORS_SHOWN: Final = 1000
"""The preview lists this many errors; the rest are counted."""

FILE_MISSING: Final = "请选择要导入的文件（.xlsx 或 .csv）。"
HAS_ERRORS: Final = "文件有 {count} 处错误，未写入任何数据。请在表格中改正后重新上传。"
NO_CHANGE: Final = "文件与现有事项目录完全一致，导入不会改变任何内容。"
READY: Final = "检查通过，尚未写入。核对下面的变化后点“确认导入”；预览保留 {minutes} 分钟。"
APPLIED: Final = "导入完成，已记入审计日志。"
REJECTED_ON_CONFIRM: Final = "确认时重新检查发现错误，未写入任何数据。"
MORE_ERRORS: Final = "另有 {count} 处错误未列出，请先改正上面的错误。"


def tally_text(tally: object) -> str:
    """``新增 2 · 更新 1 · 未变 40`` (and ``移除 n`` when some were removed)."""
    parts = [
        f"{label} {getattr(tally, key)}"
        for key, label in STATUS_LABELS
        if key != "removed" or getattr(tally, key)
    ]
    return " · ".join(parts)


def export_ascii_name(day: str) -> str:
    return f"catalogue-{day}.xlsx"
