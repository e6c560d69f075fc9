"""What the citizen's client reads of their notices."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

NoticeKind = Literal["acceptance", "rejection", "supplement", "denial", "completion"]


class NoticeForCitizen(msgspec.Struct, frozen=True, kw_only=True):
    """办件的一份正式文书（受理、不予受理、补正、不予许可或不予办理、办结），PDF 见 pdf_path。"""

    id: Annotated[int, Meta(description="文书的编号（下载 PDF 用）。", examples=[12])]
    kind: Annotated[
        NoticeKind,
        Meta(
            description="文书种类：acceptance 受理通知书，rejection 不予受理通知书，supplement "
            "补正材料通知书，denial 不予许可（办理）决定书，completion 办结通知书（送达回执）。",
            examples=["acceptance"],
        ),
    ]
    title: Annotated[str, Meta(description="文书标题。", examples=["受理通知书"])]
    number: Annotated[str, Meta(description="文号。", examples=["萧公受字〔2026〕第12号"])]
    department: Annotated[
        str, Meta(description="出具文书的主管部门。", examples=["萧山区公安分局"])
    ]
    item_name: Annotated[
        str, Meta(description="文书所针对的事项（一件事中的某一项）。", examples=["出生登记"])
    ]
    issued_at: Annotated[
        str,
        Meta(
            description="出具时间（ISO 8601，北京时间）。", examples=["2026-12-07T09:30:00+08:00"]
        ),
    ]
    case_number: Annotated[
        str,
        Meta(
            description="所查询的办件编号（一件事查其编号时列出各事项的文书，"
            "查子件编号时只列该事项的）；PDF 在此编号下下载。",
            examples=["XS20261207000123"],
        ),
    ]
    pdf_path: Annotated[
        str,
        Meta(
            description="下载 PDF 的地址（相对于 API 根地址，须带登录凭证）。",
            examples=["/api/v1/cases/XS20261207000123/notices/12.pdf"],
        ),
    ]
