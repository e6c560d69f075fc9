"""The agents' workload list: sorted, filtered (township, a part of the name, wildcards taken
literally) and paged in SQL; overdue errands counted as the overdue list counts them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent_portal.supervision.workload_view import Query
from backend.cases.store.workload_list import WorkloadFilter
from backend.cases.tables import Case
from backend.clock import today
from backend.supervision import service
from backend.supervision.scope import Scope
from tests.factories import DISTRICT, TOWNSHIP, VILLAGE, make_staff
from tests.supervision.support import OTHER_TOWNSHIP, OTHER_VILLAGE, make_area, make_case

pytestmark = pytest.mark.integration

DISTRICT_SCOPE = Scope("00000000-0000-0000-0000-000000000001", "supervisor", DISTRICT, None)


async def names(where: WorkloadFilter, scope: Scope = DISTRICT_SCOPE, **kw: int) -> list[str]:
    found, total = await service.agent_workloads(
        scope=scope, page=kw.get("page", 1), page_size=kw.get("size", 20), where=where
    )
    if kw.get("page", 1) == 1:
        assert total == len(found) or kw.get("size")
    return [w.name for w in found]


async def world() -> dict[str, str]:
    await make_area(OTHER_VILLAGE)
    agents = {}
    for name, village in (
        ("张三", VILLAGE),
        ("李四", VILLAGE),
        ("王_五", OTHER_VILLAGE),
        ("赵100%", OTHER_VILLAGE),
    ):
        staff = await make_staff(
            role="agent", area_code=village, username=f"ag-{len(agents)}", display_name=name
        )
        agents[name] = staff.id
    day = today()
    # 李四: three open, one of them far late; 张三: one open, on time; 王_五: one closed
    for i, (agent, late) in enumerate((("李四", True), ("李四", False), ("李四", False))):
        number = f"XS2026120700020{i}"
        await make_case(number, accepted_on=day, agent=agents[agent])
        if late:
            await Case.raw(
                "UPDATE case_record SET deadline = {} WHERE number = {}",
                day - timedelta(days=30),
                number,
            ).run()
    await make_case("XS20261207000210", accepted_on=day, agent=agents["张三"])
    await make_case(
        "XS20261207000211",
        accepted_on=day - timedelta(days=40),
        agent=agents["王_五"],
        township=OTHER_TOWNSHIP,
        status="delivered",
        closed_at=None,
    )
    await Case.raw(
        "UPDATE case_record SET closed_at = now() WHERE number = 'XS20261207000211'"
    ).run()
    return agents


async def test_the_workload_sorts_filters_and_pages_in_sql():
    await world()
    assert await names(WorkloadFilter(sort="name")) == sorted(["张三", "李四", "王_五", "赵100%"])
    assert await names(WorkloadFilter(sort="name", descending=True)) == sorted(
        ["张三", "李四", "王_五", "赵100%"], reverse=True
    )
    by_open = await names(WorkloadFilter(sort="open", descending=True))
    assert by_open[:2] == ["李四", "张三"]
    assert (await names(WorkloadFilter(sort="open")))[-2:] == ["张三", "李四"]
    found, _ = await service.agent_workloads(
        scope=DISTRICT_SCOPE,
        page=1,
        page_size=20,
        where=WorkloadFilter(sort="overdue", descending=True),
    )
    assert [(w.name, w.overdue, w.open_errands) for w in found][:2] == [
        ("李四", 1, 3),
        ("张三", 0, 1),
    ]
    assert await names(WorkloadFilter(township=OTHER_TOWNSHIP, sort="name")) == sorted(
        ["王_五", "赵100%"]
    )
    # the township filter and the township sort
    by_town = await names(WorkloadFilter(sort="township"))  # 330109105 before 330109110
    assert set(by_town[:2]) == {"王_五", "赵100%"}
    assert set((await names(WorkloadFilter(sort="township", descending=True)))[:2]) == {
        "张三",
        "李四",
    }
    # a part of the name, its LIKE wildcards taken literally
    assert await names(WorkloadFilter(name="_")) == ["王_五"]
    assert await names(WorkloadFilter(name="%")) == ["赵100%"]
    assert await names(WorkloadFilter(name="四")) == ["李四"]
    assert await names(WorkloadFilter(name="无此人")) == []
    # pages
    first = await names(WorkloadFilter(sort="name"), page=1, size=3)
    second = await names(WorkloadFilter(sort="name"), page=2, size=3)
    assert len(first) == 3 and len(second) == 1 and not set(first) & set(second)
    past, total = await service.agent_workloads(
        scope=DISTRICT_SCOPE, page=9, page_size=3, where=WorkloadFilter()
    )
    assert past == [] and total == 4
    # a township supervisor: their township only, never another's
    mine = Scope("00000000-0000-0000-0000-000000000002", "supervisor", TOWNSHIP, TOWNSHIP)
    assert sorted(await names(WorkloadFilter(), scope=mine)) == sorted(["张三", "李四"])
    assert await names(WorkloadFilter(township=OTHER_TOWNSHIP), scope=mine) == []


def test_the_query_string_keeps_its_filters_in_every_link():
    query = Query.parse({"township": OTHER_TOWNSHIP, "q": "王", "sort": "open", "page": "2"})
    assert query.where == WorkloadFilter(OTHER_TOWNSHIP, "王", "open", True)
    flipped = query.sort_link("open")
    assert (
        "sort=open" in flipped and "dir=asc" in flipped and f"township={OTHER_TOWNSHIP}" in flipped
    )
    assert "q=%E7%8E%8B" in query.sort_link("name") and "dir=asc" in query.sort_link("name")
    assert query.arrow("open") == "↓" and query.arrow("name") == ""
    odd = Query.parse({"sort": "salary; DROP", "dir": "sideways", "page": "x"})
    assert (odd.where.sort, odd.where.descending, odd.page) == ("township", False, 1)
