"""Response bodies of the public geo routes: the area tree, nearby service points, coverage."""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

import msgspec
from msgspec import Meta

from backend.http.fields import AreaCode, ItemCode, Total, TownshipCode, VillageCode

Level: TypeAlias = Literal["district", "township", "village"]
Mode: TypeAlias = Literal["walk", "ebike", "car"]
PointKind: TypeAlias = Literal[
    "township_hall", "village_station", "bank_outlet", "self_service_terminal", "dept_station"
]

MODE_TEXT = "出行方式：walk 步行、ebike 电动车、car 汽车。"
SHARE_TEXT = "所统计的事项中 30 分钟内可达的比例（0–1）"


class AreaOut(msgspec.Struct):
    """一个区划：区、镇街或村（社区）。"""

    code: AreaCode
    name: Annotated[str, Meta(description="名称。", examples=["城厢街道"])]
    level: Annotated[
        Level,
        Meta(
            description="层级：district 区、township 镇街、village 村（社区）。",
            examples=["township"],
        ),
    ]
    parent_code: Annotated[
        str | None,
        Meta(description="上级区划代码；区为 null。", examples=["330109"]),
    ]
    lat: Annotated[
        float | None, Meta(description="中心点纬度（WGS-84）；未登记为 null。", examples=[30.16])
    ]
    lng: Annotated[
        float | None, Meta(description="中心点经度（WGS-84）；未登记为 null。", examples=[120.27])
    ]


class AreaPage(msgspec.Struct):
    """区划，一页，按区划代码排序。"""

    items: Annotated[list[AreaOut], Meta(description="本页的区划。")]
    total: Total


class NearbyOut(msgspec.Struct):
    """附近一个能办理该事项的办事点。"""

    id: Annotated[str, Meta(description="办事点编码。", examples=["STN-330109001001"])]
    name: Annotated[str, Meta(description="办事点名称。", examples=["高桥社区便民服务站"])]
    kind: Annotated[
        PointKind,
        Meta(
            description=(
                "类型：township_hall 镇街便民服务中心、village_station 村社便民服务站、"
                "bank_outlet 政银通网点、self_service_terminal 自助服务终端、"
                "dept_station 基层站所。"
            ),
            examples=["village_station"],
        ),
    ]
    kind_label: Annotated[str, Meta(description="类型的中文名称。", examples=["村社便民服务站"])]
    township_code: TownshipCode
    distance_m: Annotated[int, Meta(ge=0, description="直线距离（米）。", examples=[850])]
    travel_minutes: Annotated[
        float, Meta(ge=0, description="按所选出行方式估算的路上时间（分钟）。", examples=[5.4])
    ]
    open_now: Annotated[
        bool, Meta(description="at 所指的时间（默认现在）是否在开放时间内。", examples=[True])
    ]
    address: Annotated[
        str, Meta(description="地址。", examples=["杭州市萧山区城厢街道高桥社区（演示地址）"])
    ]
    phone: Annotated[
        str, Meta(description="联系电话；未登记为空字符串。", examples=["0571-82345678"])
    ]
    hours: Annotated[
        str,
        Meta(
            description="开放时间；全天开放或未登记为空字符串。",
            examples=["周一 08:30-11:30,14:00-17:00；周二 08:30-11:30,14:00-17:00"],
        ),
    ]


class NearbyPage(msgspec.Struct):
    """附近能办理该事项的办事点，路上时间最短的在前。"""

    items: Annotated[list[NearbyOut], Meta(description="办事点，最多 page_size 个。")]
    total: Annotated[int, Meta(ge=0, description="本次列出的办事点个数。", examples=[3])]


class VillageCoverageOut(msgspec.Struct):
    """一个村（社区）到各事项最近办理点的路上时间。"""

    code: VillageCode
    name: Annotated[str, Meta(description="村（社区）名称。", examples=["高桥社区"])]
    township_code: TownshipCode
    township_name: Annotated[str, Meta(description="所属镇街名称。", examples=["城厢街道"])]
    minutes: Annotated[
        dict[str, float | None],
        Meta(
            description=(
                "事项编码 → 到最近办理点的路上时间（分钟）；全区都没有办理点的事项为 null。"
            ),
            examples=[{"GA-SFZ-HL": 6.2, "MZ-DB-SQ": 18.5, "GA-LSSFZ": None}],
        ),
    ]
    share_within_30: Annotated[
        float, Meta(ge=0, le=1, description=SHARE_TEXT + "。", examples=[0.9333])
    ]
    gaps: Annotated[
        list[ItemCode],
        Meta(
            description="30 分钟内到不了（或没有办理点）的事项编码。",
            examples=[["GA-LSSFZ"]],
        ),
    ]


class CoverageOut(msgspec.Struct):
    """30 分钟便民服务圈的覆盖情况：每个村（社区）到各事项最近办理点的时间。"""

    mode: Annotated[Mode, Meta(description=MODE_TEXT, examples=["ebike"])]
    target_minutes: Annotated[int, Meta(description="目标时间（分钟）。", examples=[30])]
    item_codes: Annotated[
        list[ItemCode],
        Meta(
            description="统计的事项：指定 item 时只有它，否则为全部个人事项。",
            examples=[["GA-SFZ-HL", "MZ-DB-SQ"]],
        ),
    ]
    district_share_within_30: Annotated[
        float,
        Meta(
            ge=0,
            le=1,
            description="全区各村（社区）" + SHARE_TEXT + "的平均值。",
            examples=[0.9512],
        ),
    ]
    villages_with_gaps: Annotated[
        int,
        Meta(ge=0, description="全区有事项 30 分钟内到不了的村（社区）个数。", examples=[12]),
    ]
    items: Annotated[list[VillageCoverageOut], Meta(description="本页的村（社区）。")]
    total: Total
