"""The administrator's service-point use cases (``backend.geo.service``): create and edit a point
with its items, audited before and after, the point cache refreshed; refused drafts name every
wrong field and change nothing; the list filtered and paged in SQL; bank outlets and the
coverage by kind per township."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from backend.audit.service import Actor, AuditLog
from backend.audit.tables import AuditEvent
from backend.errors import InvalidInput, NotFound
from backend.geo import points, service
from backend.geo.hours import format_holiday, format_weekly, is_open, parse_hours
from backend.geo.service import PointDraft
from backend.settings import Settings

DISTRICT = "330109"
YINONG = "330109110"
GUALI = "330109105"
ADMIN = Actor("staff", "11111111-1111-1111-1111-111111111111")

OUTLET = PointDraft(
    kind="bank_outlet",
    name="萧山农商银行益农支行政银通",
    area_code=YINONG,
    address="益农镇农商银行营业部",
    phone="0571-82000009",
    lat="30.218",
    lng="120.634",
    hours="周一至周五 08:30-17:00；周六至周日 09:00-16:00",
    holiday_hours="09:00-12:00",
    items=("RS-SBK-SL",),
)


@pytest.fixture
def audit(settings: Settings) -> AuditLog:
    return AuditLog(settings.audit_key)


async def _save(audit: AuditLog, draft: PointDraft, code: str | None = None):
    return await service.save_point(
        audit=audit, actor=ADMIN, doorbell=None, district=DISTRICT, code=code, draft=draft
    )


async def _audit_rows() -> list[dict[str, object]]:
    return await AuditEvent.select().order_by(AuditEvent.id).run()


async def test_a_new_bank_outlet_is_saved_audited_and_reaches_the_point_cache(
    small_catalogue: Path, audit: AuditLog
) -> None:
    before = await points.snapshot()
    assert not any(p.kind == "bank_outlet" for p in before.points.values())

    saved = await _save(audit, OUTLET)

    assert saved.code.startswith(f"BANK-{YINONG}-")
    assert saved.township_code == YINONG
    assert saved.hours["6"] == [["09:00", "16:00"]]
    assert saved.hours["holiday"] == [["09:00", "12:00"]]
    assert saved.item_codes == ("RS-SBK-SL",)
    fresh = await points.snapshot()  # the cache was dropped: the outlet is there at once
    assert fresh.points[saved.code].name == OUTLET.name
    assert saved.code in fresh.handles["RS-SBK-SL"]

    [row] = await _audit_rows()
    assert (row["action"], row["subject_kind"], row["subject_id"]) == (
        "service_point_create",
        "service_point",
        saved.code,
    )
    reason = json.loads(str(row["reason"]))
    assert reason["before"] is None
    assert reason["after"]["name"] == OUTLET.name
    assert reason["after"]["item_codes"] == ["RS-SBK-SL"]


async def test_editing_a_point_records_before_and_after_and_refreshes_the_cache(
    small_catalogue: Path, audit: AuditLog
) -> None:
    await points.snapshot()  # cached
    code = "HALL-330109110"
    hall = await service.admin_point(district=DISTRICT, code=code)
    draft = PointDraft(
        kind=hall.kind,
        name="益农镇便民服务中心（新址）",
        area_code=hall.area_code,
        address="益农镇政务服务中心新楼",
        phone=hall.phone,
        lat="30.221",
        lng="120.631",
        hours=format_weekly(hall.hours),
        holiday_hours=format_holiday(hall.hours),
        items=("GA-CSDJ", "GA-SFZ-HL"),
        active=True,
    )

    saved = await _save(audit, draft, code)

    assert saved.item_codes == ("GA-CSDJ", "GA-SFZ-HL")
    assert saved.hours == hall.hours  # the form's text reads back to the same hours
    assert (saved.lat, saved.lng) == (30.221, 120.631)
    snap = await points.snapshot()
    assert snap.points[code].name == "益农镇便民服务中心（新址）"
    assert code not in snap.handles.get("YB-CBDJ", frozenset())
    [row] = await _audit_rows()
    reason = json.loads(str(row["reason"]))
    assert row["action"] == "service_point_update"
    assert reason["before"]["name"] == "益农镇便民服务中心"
    assert reason["after"]["name"] == "益农镇便民服务中心（新址）"
    assert reason["before"]["item_codes"] != reason["after"]["item_codes"]

    await _save(audit, replace(draft, active=False), code)  # 停用: gone from the citizens' map
    assert code not in (await points.snapshot()).points
    listed, _ = await service.admin_points_page(
        district=DISTRICT, township=YINONG, kind=None, search="新址", page=1, page_size=20
    )
    assert [(p.code, p.active) for p in listed] == [(code, False)]


async def test_a_bad_draft_names_every_wrong_field_and_changes_nothing(
    small_catalogue: Path, audit: AuditLog
) -> None:
    bad = replace(
        OUTLET,
        kind="bank",
        name="   ",
        area_code="330110001",
        lat="31.9",
        lng="东经120",
        hours="周一至周五 17:00-08:30",
        holiday_hours="上午",
        phone="1" * 41,
        items=("NO-SUCH-ITEM",),
    )
    with pytest.raises(InvalidInput) as refused:
        await _save(audit, bad)
    fields = refused.value.extra["fields"]
    assert set(fields) == {
        "kind",
        "name",
        "area_code",
        "lat",
        "lng",
        "hours",
        "holiday_hours",
        "phone",
        "items",
    }
    assert "不在本区范围内" in fields["lat"]
    assert "时段" in fields["hours"]
    assert "NO-SUCH-ITEM" in fields["items"]
    for label in ("类型", "名称", "纬度", "经度", "开放时间", "节假日开放时间", "可办事项"):
        assert label in refused.value.detail
    too_long = replace(OUTLET, name="长" * 101)
    with pytest.raises(InvalidInput) as long_name:
        await _save(audit, too_long)
    assert long_name.value.extra["fields"] == {"name": "不能超过 100 个字。"}

    code = "HALL-330109105"
    hall = await service.admin_point(district=DISTRICT, code=code)
    with pytest.raises(InvalidInput):
        await _save(audit, replace(bad, kind="township_hall", area_code=GUALI), code)
    assert await service.admin_point(district=DISTRICT, code=code) == hall
    assert await _audit_rows() == []
    _, total = await service.admin_points_page(
        district=DISTRICT, township=None, kind=None, search=None, page=1, page_size=20
    )
    assert total == 5


async def test_a_point_of_another_district_is_not_found(
    small_catalogue: Path, audit: AuditLog
) -> None:
    with pytest.raises(NotFound):
        await service.admin_point(district="330110", code="HALL-330109110")
    with pytest.raises(NotFound):
        await _save(audit, OUTLET, "NO-SUCH-POINT")


async def test_the_list_is_filtered_and_paged_in_sql(small_catalogue: Path) -> None:
    async def page(**kw: object) -> tuple[list[str], int]:
        args: dict[str, object] = {"township": None, "kind": None, "search": None, "page": 1}
        args.update(kw)
        rows, total = await service.admin_points_page(district=DISTRICT, page_size=2, **args)  # type: ignore[arg-type]
        return [r.code for r in rows], total

    assert await page() == (["HALL-330109105", "STN-330109105001"], 5)
    assert await page(page=3) == (["STN-330109110001"], 5)
    assert await page(kind="village_station") == (
        ["STN-330109105001", "STN-330109110001"],
        2,
    )
    assert await page(township=YINONG) == (["HALL-330109110", "STN-330109110001"], 2)
    assert await page(search="群围") == (["STN-330109110001"], 1)
    assert await page(search="100%") == ([], 0)
    assert await page(page=9) == ([], 5)
    with pytest.raises(InvalidInput):
        await page(kind="bank")
    with pytest.raises(InvalidInput):
        await page(township="330110001")


async def test_bank_outlets_and_the_coverage_by_kind_per_township(
    small_catalogue: Path, audit: AuditLog
) -> None:
    outlets = {t.code: t.outlets for t in await service.bank_outlets(district=DISTRICT)}
    assert outlets == {GUALI: (), YINONG: ()}
    report = await service.coverage_by_kind(district=DISTRICT)
    assert report.meeting == 0
    by_code = {t.code: t for t in report.townships}
    assert by_code[GUALI].counts == {
        "township_hall": 1,
        "village_station": 1,
        "self_service_terminal": 1,
    }
    assert report.totals["village_station"] == 2
    assert report.totals["bank_outlet"] == 0

    saved = await _save(audit, OUTLET)

    outlets = {t.code: t.outlets for t in await service.bank_outlets(district=DISTRICT)}
    assert [o.code for o in outlets[YINONG]] == [saved.code]
    assert outlets[GUALI] == ()
    report = await service.coverage_by_kind(district=DISTRICT)
    assert [(t.code, t.meets_target) for t in report.townships] == [(GUALI, False), (YINONG, True)]
    assert report.meeting == 1


def test_holiday_hours_open_a_point_on_a_statutory_holiday() -> None:
    hours = {**parse_hours("周一至周五 08:30-17:00"), "holiday": [["09:00", "12:00"]]}
    national_day = datetime(2026, 10, 1, 10, 0)  # a Thursday, a statutory holiday
    assert is_open(hours, national_day, working_day=False, holiday=True)
    assert not is_open(hours, national_day.replace(hour=14), working_day=False, holiday=True)
    plain = parse_hours("周一至周五 08:30-17:00")
    assert not is_open(plain, national_day, working_day=False, holiday=True)
    assert format_weekly(hours) == "周一至周五 08:30-17:00"
    assert format_holiday(hours) == "09:00-12:00"


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("name", "益农政银通\u202e网点", "名称"),
        ("name", "益农政银通\x07", "名称"),
        ("address", "地址\x1b[0m", "地址"),
        ("address", "益农镇\u200b营业部", "地址"),
        ("phone", "0571-82000009\ufeff", "联系电话"),
        ("hours", "周一至周五 08:30-17:00\u2066", "开放时间"),
        ("holiday_hours", "09:00-12:00\x85", "节假日开放时间"),
        ("name", "益农\u200f网点", "名称"),
        ("address", "益农\u2069镇", "地址"),
        ("lat", "30.218\x1f", "纬度"),
    ],
)
async def test_control_bidi_and_zero_width_characters_are_refused_in_every_field(
    small_catalogue: Path, audit: AuditLog, field: str, value: str, label: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await _save(audit, replace(OUTLET, **{field: value}))
    assert refused.value.status == 422
    assert refused.value.extra["fields"] == {field: f"“{label}”含有不能使用的字符。"}
    assert label in refused.value.detail
    assert await _audit_rows() == []
    assert not any(p.kind == "bank_outlet" for p in (await points.snapshot()).points.values())


@pytest.mark.parametrize(
    "phone",
    [
        "0571-82345678",
        "13812345678",
        "0571-8234 5678 转 801",
        "+86 571 8234 5678",
        "(0571)82345678",
        "",
    ],
)
async def test_telephone_numbers_as_written_in_china_are_kept(
    small_catalogue: Path, audit: AuditLog, phone: str
) -> None:
    saved = await _save(audit, replace(OUTLET, phone=phone))
    assert saved.phone == phone


@pytest.mark.parametrize(
    "phone", ["abc", "=cmd|' /C calc'!A0", "1234", "-82345678", "0571-82345678;drop", "1" * 31]
)
async def test_a_phone_that_is_not_a_telephone_number_is_refused(
    small_catalogue: Path, audit: AuditLog, phone: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await _save(audit, replace(OUTLET, phone=phone))
    assert set(refused.value.extra["fields"]) == {"phone"}
    assert "联系电话" in refused.value.detail
    assert "0571-82345678" in refused.value.extra["fields"]["phone"]
    assert await _audit_rows() == []


async def test_every_missing_required_field_is_reported_at_once(
    small_catalogue: Path, audit: AuditLog
) -> None:
    """名称, 地址 and 开放时间 are all required: a point without hours would always show as
    closed in the citizens' nearby list, and without an address nobody finds it."""
    empty = replace(OUTLET, name=" ", address="", hours="  ", holiday_hours="", phone="")
    with pytest.raises(InvalidInput) as refused:
        await _save(audit, empty)
    fields = refused.value.extra["fields"]
    assert fields == {
        "name": "请填写办事点名称。",
        "address": "请填写地址，群众按地址找到办事点。",
        "hours": "请填写开放时间，不填的话群众查附近办事点时会一直显示为不开放；全天开放写“全天”。",
    }
    for label in ("名称", "地址", "开放时间"):
        assert label in refused.value.detail
    assert await _audit_rows() == []
