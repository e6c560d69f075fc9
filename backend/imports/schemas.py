"""The body and the answer of ``POST /api/v1/admin/catalogue/import``."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import msgspec
from litestar.datastructures import UploadFile
from msgspec import Meta

SHEET_NAMES = "departments、areas、items、materials、forms、bundles、service_points、handles"
Count: TypeAlias = Annotated[int, Meta(ge=0)]


class ImportForm(msgspec.Struct):
    """导入事项目录的表单（multipart/form-data）。"""

    file: Annotated[
        UploadFile,
        Meta(
            description=(
                "要导入的文件：.csv（一张表，按文件名或表头识别）或 .xlsx（每个工作表一张表），"
                "不超过 10 MB。"
            ),
            examples=["catalogue.xlsx"],
        ),
    ]
    dry_run: Annotated[
        bool, Meta(description="只检查不写入：true 时全部检查后回滚，答复照常。", examples=[True])
    ] = False
    effective_from: (
        Annotated[
            str,
            Meta(
                pattern=r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
                description="事项新版本的生效日期（YYYY-MM-DD）；不填或留空为今天。",
                examples=["2027-01-01"],
            ),
        ]
        | None
    ) = None


class TallyOut(msgspec.Struct):
    """一张表导入的结果：各有多少行新增、更新、未变、移除。"""

    created: Annotated[Count, Meta(description="新增的条数。", examples=[2])]
    updated: Annotated[Count, Meta(description="更新的条数（事项为新增一个版本）。", examples=[1])]
    unchanged: Annotated[Count, Meta(description="内容未变的条数。", examples=[40])]
    removed: Annotated[
        Count, Meta(description="移除的条数（仅办理事项清单：文件中不再列出的）。", examples=[0])
    ]


class ImportOut(msgspec.Struct):
    """导入（或只检查）的结果，按表统计。"""

    dry_run: Annotated[bool, Meta(description="是否只检查未写入。", examples=[True])]
    sheets: Annotated[
        dict[str, TallyOut],
        Meta(
            description=f"表名 → 该表的统计；只列文件中有的表。表名为 {SHEET_NAMES}。",
            examples=[{"departments": {"created": 2, "updated": 0, "unchanged": 0, "removed": 0}}],
        ),
    ]
