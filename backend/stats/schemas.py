"""What the statistics routes answer (the dashboard reads the same Structs).

Shares are fractions 0–1 rounded to 4 places, averages are rounded to 2; ``null`` means there
was nothing to count (no cases, no ratings).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

import msgspec
from msgspec import Meta

from backend.http.fields import TownshipCode, VillageCode

DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
ON_TIME = "按时办结率（0–1）：已作出决定或已超期的办件中，在期限内作出决定的占比；都没有时为 null。"
OnTimeRate: TypeAlias = (
    Annotated[float, Meta(ge=0, le=1, description=ON_TIME, examples=[0.95])] | None
)
LOCAL = (
    "在镇街或村社就近办理（事项下沉到镇街或村社，且未转区级部门审批）的占比（0–1）；"
    "没有办件时为 null。"
)
COVERED = "各村（社区）骑电动车 30 分钟内可办的个人事项占比的平均值（0–1）；尚未计算时为 null。"


def example(kind: type[msgspec.Struct]) -> dict[str, Any]:
    """An example of ``kind`` built from its fields' own examples (a Struct-typed field with a
    description of its own needs one of its own too)."""
    found: dict[str, Any] = {}
    for field in msgspec.structs.fields(kind):
        info = msgspec.inspect.type_info(field.type)
        if isinstance(info, msgspec.inspect.UnionType):
            info = next(t for t in info.types if not isinstance(t, msgspec.inspect.NoneType))
        if isinstance(info, msgspec.inspect.Metadata):
            examples = (info.extra_json_schema or {}).get("examples")
            if examples:
                found[field.encode_name] = examples[0]
    return found


Cases: TypeAlias = Annotated[int, Meta(ge=0, description="办件数。", examples=[128])]
IsoDay: TypeAlias = Annotated[str, Meta(pattern=DAY_PATTERN)]


Items: TypeAlias = Annotated[
    int,
    Meta(
        ge=0,
        description="事项数：单事项办件数加上一件事所含的事项数（一件事的每个事项各计一项）。",
        examples=[140],
    ),
]


class CaseTotals(msgspec.Struct):
    """区间内提交的办件总数（一件事计为一件），其中在办和已办结的件数，以及事项数。"""

    cases: Annotated[
        int, Meta(ge=0, description="提交的办件总数（一件事计为一件）。", examples=[128])
    ]
    open: Annotated[int, Meta(ge=0, description="其中仍在办理的件数。", examples=[23])]
    closed: Annotated[
        int,
        Meta(
            ge=0,
            description="其中已办结（不予许可、不予受理、已送达、已撤回）的件数。",
            examples=[105],
        ),
    ]
    bundles: Annotated[int, Meta(ge=0, description="其中一件事的件数。", examples=[4])]
    items: Items
    bundle_items: Annotated[int, Meta(ge=0, description="一件事所含的事项数。", examples=[16])]


class StatusCounts(msgspec.Struct, omit_defaults=True):
    """按办件当前状态统计的件数；没有办件的状态不出现（即为 0）。"""

    submitted: Annotated[int, Meta(ge=0, description="已提交。", examples=[2])] = 0
    queued: Annotated[int, Meta(ge=0, description="待窗口受理。", examples=[5])] = 0
    awaiting_supplement: Annotated[int, Meta(ge=0, description="待补正。", examples=[3])] = 0
    accepted: Annotated[int, Meta(ge=0, description="已受理。", examples=[8])] = 0
    in_review: Annotated[int, Meta(ge=0, description="审批中。", examples=[4])] = 0
    approved: Annotated[int, Meta(ge=0, description="已批准。", examples=[1])] = 0
    denied: Annotated[int, Meta(ge=0, description="不予许可。", examples=[1])] = 0
    rejected: Annotated[int, Meta(ge=0, description="不予受理。", examples=[2])] = 0
    result_ready: Annotated[int, Meta(ge=0, description="结果待领取。", examples=[3])] = 0
    delivered: Annotated[int, Meta(ge=0, description="已送达。", examples=[96])] = 0
    withdrawn: Annotated[int, Meta(ge=0, description="已撤回。", examples=[3])] = 0


class ChannelCounts(msgspec.Struct, omit_defaults=True):
    """按申请渠道统计的件数；没有办件的渠道不出现（即为 0）。"""

    miniprogram: Annotated[int, Meta(ge=0, description="小程序。", examples=[52])] = 0
    agent: Annotated[int, Meta(ge=0, description="村社代办员。", examples=[19])] = 0
    window: Annotated[int, Meta(ge=0, description="窗口。", examples=[38])] = 0
    bank: Annotated[int, Meta(ge=0, description="银行网点。", examples=[10])] = 0
    self_service: Annotated[int, Meta(ge=0, description="自助终端。", examples=[9])] = 0


class FiledByCounts(msgspec.Struct, omit_defaults=True):
    """按提交人统计的件数；没有办件的一项不出现（即为 0）。"""

    self: Annotated[int, Meta(ge=0, description="申请人本人提交。", examples=[61])] = 0
    agent: Annotated[int, Meta(ge=0, description="代办员代为提交。", examples=[19])] = 0
    window: Annotated[int, Meta(ge=0, description="窗口代录。", examples=[38])] = 0
    bank: Annotated[int, Meta(ge=0, description="银行网点代为提交。", examples=[10])] = 0


class SatisfactionFigures(msgspec.Struct):
    """群众评价（好差评）：评价数、平均分和差评（2 分及以下）占比。"""

    count: Annotated[int, Meta(ge=0, description="评价数。", examples=[64])]
    average: (
        Annotated[
            float,
            Meta(
                ge=1,
                le=5,
                description="平均分（1–5，保留 2 位小数）；没有评价时为 null。",
                examples=[4.52],
            ),
        ]
        | None
    )
    bad_share: (
        Annotated[
            float,
            Meta(ge=0, le=1, description="差评占比（0–1）；没有评价时为 null。", examples=[0.0313]),
        ]
        | None
    )


class TownshipFigures(msgspec.Struct):
    """一个镇街的办件数、按时办结率、满意度和代办、就近办理的占比。"""

    code: TownshipCode
    name: Annotated[str, Meta(description="镇街名称。", examples=["城厢街道"])]
    cases: Cases
    on_time_rate: OnTimeRate
    satisfaction: (
        Annotated[
            float,
            Meta(ge=1, le=5, description="评价平均分（1–5）；没有评价时为 null。", examples=[4.6]),
        ]
        | None
    )
    delegated_share: (
        Annotated[
            float,
            Meta(
                ge=0,
                le=1,
                description="代办员或银行网点代为提交的占比（0–1）；没有办件时为 null。",
                examples=[0.15],
            ),
        ]
        | None
    )
    local_share: (
        Annotated[
            float,
            Meta(
                ge=0,
                le=1,
                description=LOCAL,
                examples=[0.82],
            ),
        ]
        | None
    )
    ratings: Annotated[int, Meta(ge=0, description="评价数。", examples=[30])]
    items: Items
    urges: Annotated[
        int, Meta(ge=0, description="统计区间内督办人员对该镇街办件的催办次数。", examples=[2])
    ] = 0
    rectifications: Annotated[
        int,
        Meta(ge=0, description="统计区间内下发给该镇街的整改通知数。", examples=[1]),
    ] = 0
    rectifications_overdue: Annotated[
        int,
        Meta(
            ge=0,
            description="其中逾期的整改通知数：已过整改期限仍未办结的，和过了期限才办结的。",
            examples=[0],
        ),
    ] = 0


class ItemFigures(msgspec.Struct):
    """一个事项的办件数（一件事中的该事项各计一件）、按时办结率和满意度。"""

    code: Annotated[str, Meta(description="事项编码。", examples=["GA-SFZ-HL"])]
    name: Annotated[str, Meta(description="事项名称。", examples=["居民身份证换领"])]
    cases: Cases
    on_time_rate: OnTimeRate
    satisfaction: Annotated[
        SatisfactionFigures,
        Meta(description="该事项的群众评价。", examples=[example(SatisfactionFigures)]),
    ]


class DepartmentFigures(msgspec.Struct):
    """一个部门的办件数（按事项计：一件事中该部门的每个事项各计一件）。"""

    code: Annotated[str, Meta(description="部门编码。", examples=["GA"])]
    name: Annotated[str, Meta(description="部门名称。", examples=["区公安分局"])]
    cases: Cases


class VillageFigures(msgspec.Struct):
    """申请人住在一个村（社区）的办件数。"""

    code: VillageCode
    name: Annotated[str, Meta(description="村（社区）名称。", examples=["高桥社区"])]
    township_code: Annotated[
        str,
        Meta(description="所属镇街区划代码（未知时为空字符串）。", examples=["330109001"]),
    ]
    cases: Cases


class DayFigures(msgspec.Struct):
    """一天提交和办结的件数。"""

    date: Annotated[
        IsoDay, Meta(description="日期（YYYY-MM-DD，上海时间）。", examples=["2026-12-07"])
    ]
    submitted: Annotated[int, Meta(ge=0, description="当天提交的件数。", examples=[6])]
    closed: Annotated[int, Meta(ge=0, description="当天办结的件数（不论何时提交）。", examples=[4])]


class WorkingDayFigures(msgspec.Struct):
    """所用工作日（按工作日历计算）：平均值和第 90 百分位数（就近秩法）。"""

    avg: (
        Annotated[
            float,
            Meta(
                ge=0,
                description="平均工作日数（保留 2 位小数）；没有办件时为 null。",
                examples=[2.35],
            ),
        ]
        | None
    )
    p90: Annotated[
        int | None,
        Meta(
            description="第 90 百分位的工作日数（超过 120 记为 121）；没有办件时为 null。",
            examples=[5],
        ),
    ]
    count: Annotated[int, Meta(ge=0, description="计入的办件数。", examples=[96])]


class TripFigures(msgspec.Struct):
    """群众为办件跑了几次：平均次数和“最多跑一次”的占比。"""

    avg: (
        Annotated[
            float,
            Meta(
                ge=0,
                description="已办结办件平均的到场次数（保留 2 位小数）；没有办结的办件时为 null。",
                examples=[0.84],
            ),
        ]
        | None
    )
    at_most_one_share: (
        Annotated[
            float,
            Meta(
                ge=0,
                le=1,
                description="最多跑一次的占比（0–1）；没有办结的办件时为 null。",
                examples=[0.9524],
            ),
        ]
        | None
    )
    cases: Annotated[int, Meta(ge=0, description="计入的已办结办件数。", examples=[105])]


class CoverageFigures(msgspec.Struct):
    """30 分钟办事圈：各村（社区）30 分钟内能办的个人事项占比（由统计任务定期计算）。"""

    share: (
        Annotated[
            float,
            Meta(
                ge=0,
                le=1,
                description=COVERED,
                examples=[0.8731],
            ),
        ]
        | None
    )
    villages: Annotated[int, Meta(ge=0, description="计入的村（社区）数。", examples=[12])]
    villages_fully_covered: Annotated[
        int,
        Meta(ge=0, description="30 分钟内所有个人事项都能办的村（社区）数。", examples=[7]),
    ]
    computed_at: Annotated[
        str | None,
        Meta(
            description="最近一次计算的时间（ISO 8601）；尚未计算时为 null。",
            examples=["2026-12-07T02:00:00+00:00"],
        ),
    ]


class Overview(msgspec.Struct, rename={"date_from": "from", "date_to": "to"}):
    """统计概览：区间内提交的办件的各项指标（读统计汇总表，最多滞后约一分钟）。

    ``GET /api/v1/stats/overview`` — figures of the cases submitted in ``from..to``.
    """

    date_from: Annotated[
        IsoDay, Meta(description="统计区间的第一天（含，YYYY-MM-DD）。", examples=["2026-11-08"])
    ]
    date_to: Annotated[
        IsoDay, Meta(description="统计区间的最后一天（含，YYYY-MM-DD）。", examples=["2026-12-07"])
    ]
    township: Annotated[
        TownshipCode | None,
        Meta(description="统计的镇街；全区时为 null。", examples=["330109001"]),
    ]
    totals: Annotated[CaseTotals, Meta(description="办件总数。", examples=[example(CaseTotals)])]
    by_status: Annotated[
        StatusCounts,
        Meta(description="按当前状态统计的件数。", examples=[example(StatusCounts)]),
    ]
    by_channel: Annotated[
        ChannelCounts,
        Meta(description="按申请渠道统计的件数。", examples=[example(ChannelCounts)]),
    ]
    by_filed_by: Annotated[
        FiledByCounts,
        Meta(description="按提交人统计的件数。", examples=[example(FiledByCounts)]),
    ]
    by_township: Annotated[
        list[TownshipFigures], Meta(description="各镇街的指标，按区划代码排序。")
    ]
    by_item: Annotated[list[ItemFigures], Meta(description="各事项的指标，办件多的在前。")]
    by_department: Annotated[
        list[DepartmentFigures], Meta(description="各部门的办件数，多的在前。")
    ]
    by_village: Annotated[
        list[VillageFigures], Meta(description="各村（社区）申请人的办件数，多的在前。")
    ]
    by_day: Annotated[
        list[DayFigures], Meta(description="区间内每一天的提交和办结件数（每天一条）。")
    ]
    delegated_share: (
        Annotated[
            float,
            Meta(
                ge=0,
                le=1,
                description="代办员或银行网点代为提交的占比（0–1）；没有办件时为 null。",
                examples=[0.1484],
            ),
        ]
        | None
    )
    local_share: (
        Annotated[
            float,
            Meta(
                ge=0,
                le=1,
                description=LOCAL,
                examples=[0.8125],
            ),
        ]
        | None
    )
    on_time_rate: OnTimeRate
    working_days_to_accept: Annotated[
        WorkingDayFigures,
        Meta(description="从提交到受理所用的工作日。", examples=[example(WorkingDayFigures)]),
    ]
    working_days_to_deliver: Annotated[
        WorkingDayFigures,
        Meta(description="从提交到送达所用的工作日。", examples=[example(WorkingDayFigures)]),
    ]
    trips_per_case: Annotated[
        TripFigures, Meta(description="每件办件群众跑动的次数。", examples=[example(TripFigures)])
    ]
    satisfaction: Annotated[
        SatisfactionFigures, Meta(description="群众评价。", examples=[example(SatisfactionFigures)])
    ]
    coverage_30min: Annotated[
        CoverageFigures,
        Meta(description="30 分钟办事圈的覆盖情况。", examples=[example(CoverageFigures)]),
    ]
    refreshed_at: Annotated[
        str | None,
        Meta(
            description="统计汇总表最近一次刷新的时间（ISO 8601）；尚未刷新时为 null。",
            examples=["2026-12-07T01:55:00.123456+00:00"],
        ),
    ]
