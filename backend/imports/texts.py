"""The Chinese words of the catalogue import (what the administrator reads)."""

from __future__ import annotations

from typing import Final

FILE_TYPE: Final = "只支持 .xlsx 和 .csv 文件。"
FILE_MISSING: Final = "请选择要导入的文件（.xlsx 或 .csv）。"
FILE_EMPTY: Final = "文件是空的。"
DATE_INVALID: Final = "生效日期应写作 YYYY-MM-DD。"
PREVIEW_GONE: Final = (
    "这份预览已失效（超过 {minutes} 分钟、已经导入过或不是你上传的），请重新上传文件。"
)
PREVIEW_STALE: Final = "预览之后事项目录已被修改，请重新上传文件，核对新的预览后再确认。"
REJECTED: Final = "导入被拒绝，未写入任何数据：共 {count} 处错误。"
AUDIT_NOTE: Final = "导入事项目录文件 {filename}"
FILE_NAME_INVALID: Final = (
    "文件名无效：去掉路径、控制字符和不可见字符后什么也不剩，请把文件改名后重新上传。"
)
BLANK: Final = "（空）"
NONE: Final = "无"
ADDED: Final = "新增"
REMOVED: Final = "删除"
MODIFIED: Final = "修改"
REORDERED: Final = "调整顺序"
LIST_LABELS: Final = {"materials": "材料", "forms": "表单字段"}


def too_large(limit_mb: int) -> str:
    return f"文件超过 {limit_mb} MB，请分成几个文件导入。"
