"""The staff portal (HTML, cookie session + CSRF) under the same rules as the JSON API.

Its routes come from the app's own route table (the portal is not in the OpenAPI document).
HOW TO ADD A ROUTE: an entry in ``PORTAL_RULES`` keyed ``"METHOD /portal/..."`` as the route
table spells it without converters (``/portal/window/cases/{number}``), with the same ``Rule``
fields as ``rules.py`` (``form`` goes in ``body``; ``extra={"username": ...}`` signs in the
account a ``prepare`` step made, for a rule that changes its own account or ends its sessions).
Refused here means: not signed in → 303 to the login page (401 for HTMX), another role → 403,
another township's/department's/village's object → 404; a rightful call answers 200, or 303
anywhere but the login page.
A route without an entry fails the test.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
from litestar import Litestar

from backend.clock import today
from tests.access import rules as api_rules
from tests.access.rules import PUBLIC, Rule, number, o, store
from tests.access.sweep import Sweep
from tests.access.world import PRINCIPALS, World, changed, checksum
from tests.delegation.support import BIRTH_FORM
from tests.factories import DEFAULT_PASSWORD, make_id_number
from tests.support import VILLAGE
from tests.window.support import BIRTH as WINDOW_BIRTH

STAFF_PRINCIPALS = tuple(
    p for p in PRINCIPALS if not p.startswith("citizen") and not p.startswith("terminal")
)
CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')
ALL_STAFF_BUT = api_rules.ALL_STAFF_BUT
SUPERVISION = {"peers": ("supervisor_b",), "wider": ("admin",)}


def portal_routes(app: Litestar) -> list[str]:
    found = set()
    for route in app.routes:
        if not route.path.startswith("/portal"):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for method in getattr(route, "methods", set()):
            if method in ("GET", "POST"):
                found.add(f"{method} {path}")
    return sorted(found)


async def _portal_terminal(w: World) -> None:
    """A fresh terminal registered at the catalogue's terminal point, for the admin to act on."""
    from backend.audit.service import Actor, AuditLog
    from backend.terminals import service as terminals

    made = await terminals.issue(
        audit=AuditLog(w.settings.audit_key),
        actor=Actor("system", "cli:access"),
        point_code="TERM-330109105",
        name="门户测试自助机",
    )
    w.objects["portal_terminal"] = made.terminal.id


async def _fresh_notice(w: World) -> None:
    await api_rules._notice(w, key="portal")


async def _fresh_follow_up(w: World) -> None:
    await api_rules._follow_up(w)


async def _fresh_call(w: World) -> None:
    listed = await w.client("supervisor_a").get(
        "/api/v1/supervision/callbacks", params={"week": w.objects["week"]}
    )
    open_calls = [c["id"] for c in listed.json()["items"] if c.get("called_at") is None]
    assert open_calls, listed.text
    w.objects["portal_call"] = open_calls[0]


async def _catalogue_preview(w: World) -> None:
    """A preview of the (unchanged) departments file, kept for the administrator to confirm."""
    from redis.asyncio import Redis

    from backend.imports.service import preview_upload

    me = await w.client("admin").api.get("/api/v1/staff/me", headers=w.headers("admin"))
    redis = Redis.from_url(w.settings.redis_url)
    try:
        preview = await preview_upload(
            redis=redis,
            prefix=w.settings.redis_prefix,
            staff_id=me.json()["id"],
            filename="departments.csv",
            content=api_rules._catalogue_file(w)["file"][1],
            effective_from=None,
        )
    finally:
        await redis.aclose()
    w.objects["catalogue_preview"] = preview.token


async def _fresh_batch_up(w: World) -> None:
    await api_rules._sent_to_township(w)


POINT_FORM = {
    "kind": "village_station",
    "name": "群围村便民服务站",
    "area_code": "330109110001",
    "lat": "30.226",
    "lng": "120.622",
    "address": "群围村村委会一楼",
    "hours": "周一至周五 08:30-11:30,14:00-17:00",
    "items": "YB-CBDJ",
    "active": "on",
}


async def _portal_deletion_request(w: World) -> None:
    """A pending deletion request of a citizen who is not among the callers."""
    w.who["portal_leaver"] = await api_rules.citizen(
        w.api, "access-portal-leaver", seq=93, name="钱远"
    )
    asked = await w.client("portal_leaver").post(
        "/api/v1/me/deletion-request", json={"reason": "不再使用"}
    )
    assert asked.status_code == 202, asked.text
    w.objects["portal_deletion"] = asked.json()["id"]


ORDER_TEXT = "窗口一次性告知材料不到位，请整改"


async def _staff_id(w: World, name: str) -> str:
    me = await w.client(name).api.get("/api/v1/staff/me", headers=w.headers(name))
    assert me.status_code == 200, me.text
    return str(me.json()["id"])


async def _order_deadline() -> str:
    from backend.workdays.service import load_calendar

    return (await load_calendar()).add_working_days(today(), 5).isoformat()


async def _portal_order(w: World, *, respond: bool = False) -> None:
    """A rectification order of supervisor A to township A (responded by window A)."""
    from backend.supervision import service as supervision
    from backend.supervision.rectification import OrderDraft
    from backend.supervision.scope import Scope
    from tests.window.support import TOWNSHIP

    scope = Scope(await _staff_id(w, "supervisor_a"), "supervisor", TOWNSHIP, TOWNSHIP)
    draft = OrderDraft(f"township:{TOWNSHIP}", ORDER_TEXT, await _order_deadline())
    order_id = await supervision.issue_order(scope=scope, draft=draft, doorbell=None, audit=None)
    if respond:
        desk = await supervision.desk_of(
            staff_id=await _staff_id(w, "window_a"),
            role="window",
            area_code=TOWNSHIP,
            department=None,
        )
        await supervision.respond_order(
            desk=desk, order_id=order_id, text="已整改", doorbell=None, audit=None
        )
    w.objects["portal_order"] = order_id


async def _portal_responded_order(w: World) -> None:
    await _portal_order(w, respond=True)


async def _order_day(w: World) -> None:
    w.objects["order_deadline"] = await _order_deadline()


def _order_form(w: World) -> dict[str, str]:
    from tests.window.support import TOWNSHIP

    return {
        "target": f"township:{TOWNSHIP}",
        "requirement": ORDER_TEXT,
        "deadline": w.objects["order_deadline"],
    }


PORTAL_RULES: dict[str, Rule] = {
    "GET /portal/login": PUBLIC(),
    "POST /portal/login": PUBLIC(body={"username": "window-b", "password": DEFAULT_PASSWORD}),
    "POST /portal/logout": PUBLIC(extra={"success_to": "/portal/login?bye=1"}),
    "GET /portal": Rule(who="window_a", peers=ALL_STAFF_BUT("window_a")),
    "GET /portal/password": Rule(
        who="portal_changer",
        prepare=lambda w: api_rules._throwaway_staff(w, "portal_changer", "window-pw"),
        peers=api_rules.STAFF,  # each sees their own account's page
        marker=lambda w: "window-pw",
        extra={"username": "window-pw"},
    ),
    "POST /portal/password": Rule(
        who="portal_changer",
        body={
            "current_password": DEFAULT_PASSWORD,
            "new_password": api_rules.NEW_PASSWORD,
            "confirm_password": api_rules.NEW_PASSWORD,
        },
        peers=api_rules.STAFF,  # each would change their own password
    ),
    "GET /portal/partials/whoami": Rule(
        who="window_a", peers=ALL_STAFF_BUT("window_a"), marker=lambda w: "window-a"
    ),
    "GET /portal/notices": Rule(
        who="window_a", peers=ALL_STAFF_BUT("window_a"), marker=lambda w: "请告知群众领取结果"
    ),
    "GET /portal/notices/bell": Rule(who="window_a", peers=ALL_STAFF_BUT("window_a")),
    "POST /portal/notices/{notice_id}/read": Rule(
        who="window_a", prepare=_fresh_notice, path=lambda w: {"notice_id": w.objects["notice"]}
    ),
    # window
    "GET /portal/window/queue": Rule(
        who="window_a",
        prepare=store("p_queued", World.queued),
        peers=("window_b",),
        marker=o("p_queued"),
    ),
    "GET /portal/window/cases": Rule(who="window_a", peers=("window_b",), marker=o("p_queued")),
    "GET /portal/window/cases/{number}": Rule(who="window_a", path=number("p_queued")),
    "GET /portal/window/cases/{number}/notices/{notice}": Rule(
        who="window_a", prepare=api_rules._noticed, path=o("noticed")
    ),
    "POST /portal/window/cases/{number}/{action}": Rule(
        who="window_a", path=lambda w: {"number": w.objects["p_queued"], "action": "accept"}
    ),
    "POST /portal/window/queue/claim": Rule(
        who="window_a", prepare=store("p_claimable", World.queued), peers=("window_b",)
    ),
    "POST /portal/window/cases/{number}/release": Rule(
        who="window_a", prepare=api_rules._claimed, path=number("claimed")
    ),
    "POST /portal/window/cases/{number}/form/{field}/reveal": Rule(
        who="window_a",
        path=lambda w: {"number": w.objects["sealed_queued"], "field": "guardian_id"},
        body={"reason": "核对监护人身份"},
    ),
    "POST /portal/window/cases/{number}/materials/{upload_id}/link": Rule(
        who="window_a",
        path=lambda w: {"number": w.objects["mat_case"], "upload_id": w.objects["mat_upload"]},
    ),
    "GET /portal/window/walk-in": Rule(who="window_a", peers=("window_b",)),
    "POST /portal/window/walk-in": Rule(
        who="window_a",
        peers=("window_b",),
        body={
            "item_code": "GA-CSDJ",
            "delivery_method": "window",
            "applicant.name": "周阿婆",
            "applicant.id_number": make_id_number(seq=88, birth="19410101", male=False),
            "applicant.village_code": VILLAGE,
            **{"form." + k: v for k, v in WINDOW_BIRTH["form"].items()},
        },
    ),
    "GET /portal/window/walk-in/fields": Rule(
        who="window_a", query={"item_code": "GA-CSDJ"}, peers=("window_b",)
    ),
    "GET /portal/window/handovers": Rule(
        who="window_a", prepare=_fresh_batch_up, peers=("window_b",), marker=o("batch_up")
    ),
    "GET /portal/window/handovers/{handover_id}": Rule(
        who="window_a", path=lambda w: {"handover_id": w.objects["batch_up"]}
    ),
    "POST /portal/window/handovers/{handover_id}/receive": Rule(
        who="window_a", path=lambda w: {"handover_id": w.objects["batch_up"]}
    ),
    "GET /portal/window/handovers/results": Rule(who="window_a", peers=("window_b",)),
    "POST /portal/window/handovers/results": Rule(
        who="window_a",
        prepare=api_rules._result_at_township,
        body=lambda w: {"numbers": w.objects["errand_sent"]},
        peers=("window_b",),
        extra={"keep_location": "p_batch_down"},
    ),
    # review
    "GET /portal/review": Rule(
        who="approver_a",
        prepare=store("p_review", World.transferred),
        peers=("approver_b",),
        marker=o("p_review"),
    ),
    "GET /portal/review/cases/{number}": Rule(who="approver_a", path=number("p_review")),
    "GET /portal/review/cases/{number}/notices/{notice}": Rule(
        who="approver_a", prepare=api_rules._noticed_review, path=o("noticed_review")
    ),
    "POST /portal/review/cases/{number}/form/{field}/reveal": Rule(
        who="approver_a",
        path=lambda w: {"number": w.objects["sealed_review"], "field": "guardian_id"},
        body={"reason": "核对监护人身份"},
    ),
    "POST /portal/review/cases/{number}/materials/{upload_id}/link": Rule(
        who="approver_a",
        path=lambda w: {"number": w.objects["mat_case"], "upload_id": w.objects["mat_upload"]},
    ),
    "POST /portal/review/cases/{number}/{action}": Rule(
        who="approver_a",
        path=lambda w: {"number": w.objects["p_review"], "action": "approve"},
        body={"note": "符合条件"},
    ),
    # agents
    "GET /portal/agent/villagers": Rule(who="agent_a", peers=("agent_b",), marker=o("villager")),
    "GET /portal/agent/villagers/{citizen_id}": Rule(
        who="agent_a", path=lambda w: {"citizen_id": w.objects["villager"]}
    ),
    "GET /portal/agent/villagers/{citizen_id}/mandate": Rule(
        who="agent_a", path=lambda w: {"citizen_id": w.objects["villager"]}
    ),
    "GET /portal/agent/mandate-items": Rule(who="agent_a", peers=("agent_b",)),
    "GET /portal/agent/file": Rule(
        who="agent_a", query=lambda w: {"mandate": w.objects["mandate"]}
    ),
    "POST /portal/agent/file": Rule(
        who="agent_a",
        body=lambda w: {
            "mandate_id": w.objects["mandate"],
            "item_code": "GA-CSDJ",
            "delivery_method": "agent",
            **{"form." + k: v for k, v in BIRTH_FORM.items()},
        },
    ),
    "GET /portal/agent/cases/{number}": Rule(who="agent_a", path=number("errand")),
    "GET /portal/agent/cases/{number}/notices/{notice}": Rule(
        who="agent_a", prepare=api_rules._noticed_errand, path=o("noticed_errand")
    ),
    "GET /portal/agent/handovers": Rule(who="agent_a", peers=("agent_b",), marker=o("batch_up")),
    "GET /portal/agent/handovers/{handover_id}": Rule(
        who="agent_a", path=lambda w: {"handover_id": w.objects["batch_up"]}
    ),
    "POST /portal/agent/handovers": Rule(
        who="agent_a",
        prepare=store("p_errand", api_rules._errand),
        body=lambda w: {"numbers": w.objects["p_errand"]},
        peers=("agent_b",),
    ),
    "POST /portal/agent/handovers/{handover_id}/receive": Rule(
        who="agent_a", path=lambda w: {"handover_id": w.objects["p_batch_down"]}
    ),
    "POST /portal/agent/cases/{number}/hand-over": Rule(
        who="agent_a",
        path=number("errand_sent"),
        files=lambda w: {"photo": api_rules._png(w)["file"]},
    ),
    "POST /portal/agent/cases/{number}/supply": Rule(
        who="agent_a",
        prepare=api_rules._asked_errand,
        path=number("asked_errand"),
        body={"types": "户口簿", "note": "补户口簿"},
        files=lambda w: {"sup-0-file": api_rules._png(w)["file"]},
    ),
    "POST /portal/agent/villagers/{citizen_id}/mandate": Rule(
        who="agent_a",
        path=lambda w: {"citizen_id": w.objects["villager"]},
        body=lambda w: {
            "item_codes": "GA-CSDJ",
            "expires_on": (today() + dt.timedelta(days=30)).isoformat(),
            "mode": "paper",
        },
        files=lambda w: {
            "evidence-0-file": api_rules._png(w)["file"],
            "evidence-1-file": api_rules._png(w)["file"],
        },
    ),
    "POST /portal/agent/villagers": Rule(
        who="agent_a",
        body={
            "name": "孙阿公",
            "id_number": make_id_number(seq=87, birth="19390909"),
            "village_code": VILLAGE,
        },
        peers=("agent_b",),
    ),
    # supervision and the dashboard
    "GET /portal/supervision": Rule(who="supervisor_a", **SUPERVISION),
    "GET /portal/supervision/overdue": Rule(who="supervisor_a", **SUPERVISION),
    "GET /portal/supervision/overdue/export": Rule(who="supervisor_a", **SUPERVISION),
    "GET /portal/supervision/cases/{number}": Rule(
        who="supervisor_a",
        prepare=store("sup_case", World.transferred),
        path=number("sup_case"),
        wider=("admin",),
    ),
    "POST /portal/supervision/cases/{number}/urge": Rule(
        who="supervisor_a",
        prepare=store("sup_urged", World.transferred),
        path=number("sup_urged"),
        body={"note": "请尽快审批"},
        wider=("admin",),
    ),
    "GET /portal/supervision/rectifications": Rule(
        who="supervisor_a", prepare=_portal_order, marker=lambda w: ORDER_TEXT, **SUPERVISION
    ),
    "GET /portal/supervision/rectifications/new": Rule(who="supervisor_a", **SUPERVISION),
    "POST /portal/supervision/rectifications": Rule(
        who="supervisor_a", prepare=_order_day, body=_order_form, **SUPERVISION
    ),
    "GET /portal/supervision/rectifications/{order_id}": Rule(
        who="supervisor_a", path=lambda w: {"order_id": w.objects["portal_order"]}, wider=("admin",)
    ),
    "POST /portal/supervision/rectifications/{order_id}/{action}": Rule(
        who="supervisor_a",
        prepare=_portal_responded_order,
        path=lambda w: {"order_id": w.objects["portal_order"], "action": "close"},
        body={"note": "已核实整改到位"},
        wider=("admin",),
    ),
    "GET /portal/rectifications": Rule(
        who="window_a",
        prepare=_portal_order,
        peers=("window_b", "approver_a", "approver_b"),
        marker=lambda w: ORDER_TEXT,
    ),
    "GET /portal/rectifications/{order_id}": Rule(
        who="window_a", path=lambda w: {"order_id": w.objects["portal_order"]}
    ),
    "POST /portal/rectifications/{order_id}/respond": Rule(
        who="window_a",
        prepare=_portal_order,
        path=lambda w: {"order_id": w.objects["portal_order"]},
        body={"text": "已组织窗口人员学习一次性告知制度"},
    ),
    "GET /portal/supervision/agents": Rule(
        who="supervisor_a", marker=lambda w: "李代办", **SUPERVISION
    ),
    "GET /portal/supervision/audit": Rule(who="admin"),
    "GET /portal/supervision/follow-ups": Rule(
        who="supervisor_a", prepare=_fresh_follow_up, **SUPERVISION
    ),
    "POST /portal/supervision/follow-ups/{follow_up_id}/{action}": Rule(
        who="supervisor_a",
        path=lambda w: {"follow_up_id": w.objects["follow_up"], "action": "contact"},
        body={"note": "已电话联系群众"},
        wider=("admin",),
    ),
    "GET /portal/supervision/callbacks": Rule(
        who="supervisor_a", query=lambda w: {"week": w.objects["week"]}, **SUPERVISION
    ),
    "POST /portal/supervision/callbacks/{call_id}": Rule(
        who="supervisor_a",
        prepare=_fresh_call,
        path=lambda w: {"call_id": w.objects["portal_call"]},
        body={"reached": "yes", "satisfied": "5", "trips": "1"},
        wider=("admin",),
    ),
    # the administrator's service points
    "GET /portal/admin/points": Rule(who="admin", marker=lambda w: "HALL-330109110"),
    "GET /portal/admin/points/new": Rule(who="admin"),
    "POST /portal/admin/points/new": Rule(who="admin", body=POINT_FORM),
    "GET /portal/admin/points/{code}/edit": Rule(who="admin", path={"code": "HALL-330109110"}),
    "POST /portal/admin/points/{code}/edit": Rule(
        who="admin", path={"code": "STN-330109110001"}, body=POINT_FORM
    ),
    "GET /portal/admin/points/outlets": Rule(who="admin"),
    "GET /portal/admin/points/coverage": Rule(who="admin"),
    "GET /portal/dashboard": Rule(who="supervisor_a", **SUPERVISION),
    "GET /portal/dashboard/export/{table}/{fmt}": Rule(
        who="supervisor_a", path={"table": "townships", "fmt": "csv"}, **SUPERVISION
    ),
    "GET /portal/admin/catalogue-import": Rule(who="admin"),
    "GET /portal/admin/catalogue-import/export": Rule(who="admin"),
    "POST /portal/admin/catalogue-import/preview": Rule(
        who="admin", files=api_rules._catalogue_file
    ),
    "POST /portal/admin/catalogue-import/confirm": Rule(
        who="admin",
        prepare=_catalogue_preview,
        body=lambda w: {"token": w.objects["catalogue_preview"]},
    ),
    # the administrator's settings: calendar, routing rules, external platforms
    "GET /portal/admin/calendar": Rule(who="admin", query={"year": "2027"}),
    "POST /portal/admin/calendar/days": Rule(
        who="admin", body={"day": "2027-03-04", "kind": "holiday", "source": "测试通知"}
    ),
    "POST /portal/admin/calendar/days/{day}/delete": Rule(
        who="admin",
        prepare=api_rules._calendar_day,
        path=lambda w: {"day": w.objects["calendar_day"]},
    ),
    "POST /portal/admin/calendar/years/{year}/confirm": Rule(
        who="admin", path={"year": 2027}, body={"note": "已核对国务院通知"}
    ),
    "GET /portal/admin/routing": Rule(who="admin"),
    "POST /portal/admin/routing": Rule(
        who="admin",
        body={
            "township": api_rules.TOWNSHIP,
            "item": "GA-CSDJ",
            "department": "GA",
            "send_method": "builtin",
        },
    ),
    "POST /portal/admin/routing/{rule_id}/delete": Rule(
        who="admin",
        prepare=api_rules._routing_rule,
        path=lambda w: {"rule_id": w.objects["routing_rule"]},
    ),
    "GET /portal/admin/platforms": Rule(who="admin"),
    "POST /portal/admin/platforms": Rule(
        who="admin",
        body=lambda w: {
            "township": api_rules.TOWNSHIP,
            "base_url": w.objects["platform_url"],
            "app_id": "xs-platform-test",
        },
    ),
    "GET /portal/admin/platforms/failures": Rule(who="admin"),
    "POST /portal/admin/platforms/failures/{number}/retry": Rule(
        who="admin", prepare=api_rules._failed_push, path=number("failed_push")
    ),
    # --- 事项目录 (the administrator's catalogue) ----------------------------------------------
    "GET /portal/admin/catalogue": Rule(who="admin"),
    "GET /portal/admin/catalogue/items/{code}": Rule(who="admin", path={"code": "GA-SFZ-BL"}),
    "POST /portal/admin/catalogue/items/{code}": Rule(
        who="admin",
        path={"code": "GA-SFZ-BL"},  # an item no other rule files a case for
        body=lambda w: {
            "name": "居民身份证补领",
            "department": "GA",
            "kind": "public_service",
            "fee": "40元",
            "legal_days": "60",
            "committed_days": "20",
            "channels": "window",
            "delivery_methods": ["window", "mail"],
            "m-0-type": "户口簿",
            "m-0-name": "居民户口簿",
            "m-0-required": "1",
            "m-0-original": "1",
            "m-0-copies": "0",
            "m-0-exempt": "1",
            "effective_from": today().isoformat(),
        },
    ),
    "GET /portal/admin/catalogue/new-item": Rule(who="admin"),
    "POST /portal/admin/catalogue/new-item": Rule(
        who="admin",
        body=lambda w: {
            "code": "GA-ACCESS-NEW",
            "name": "访问测试事项",
            "department": "GA",
            "kind": "public_service",
            "lowest_level": "township",
            "fee": "不收费",
            "legal_days": "5",
            "committed_days": "3",
            "channels": "window",
            "delivery_methods": "window",
            "m-0-type": "身份证",
            "m-0-name": "居民身份证",
            "m-0-required": "1",
            "m-0-original": "1",
            "m-0-copies": "0",
            "effective_from": today().isoformat(),
        },
    ),
    "GET /portal/admin/catalogue/new-bundle": Rule(who="admin"),
    "POST /portal/admin/catalogue/new-bundle": Rule(
        who="admin",
        body={"code": "ACCESS-BUNDLE", "name": "访问测试一件事", "items": ["GA-SWZX", "YB-CBDJ"]},
    ),
    "GET /portal/admin/catalogue/bundles": Rule(who="admin"),
    "GET /portal/admin/catalogue/bundles/{code}": Rule(who="admin", path={"code": "SHYJS"}),
    "POST /portal/admin/catalogue/bundles/{code}": Rule(
        who="admin",
        path={"code": "SHYJS"},
        body={"name": "身后一件事", "items": ["GA-SWZX", "YB-CBDJ"]},
    ),
    # the administrator's accounts and deletion requests
    "GET /portal/admin/accounts": Rule(who="admin"),
    "GET /portal/admin/accounts/new": Rule(who="admin"),
    "POST /portal/admin/accounts/new": Rule(
        who="admin",
        body={
            "username": "window-portal-new",
            "display_name": "新窗口人员",
            "role": "window",
            "area_code": api_rules.TOWNSHIP,
        },
    ),
    "GET /portal/admin/accounts/{staff_id}": Rule(
        who="admin",
        prepare=lambda w: api_rules._throwaway_staff(w, "portal_managed", "window-portal-managed"),
        path=lambda w: {"staff_id": w.objects["portal_managed"]},
    ),
    "POST /portal/admin/accounts/{staff_id}/{action}": Rule(
        who="admin",
        path=lambda w: {"staff_id": w.objects["portal_managed"], "action": "end-sessions"},
        body={"reason": "手机遗失"},
    ),
    "GET /portal/admin/terminals": Rule(who="admin"),
    "POST /portal/admin/terminals": Rule(
        who="admin", body={"point": "TERM-330109105", "name": "门户登记自助机"}
    ),
    "POST /portal/admin/terminals/{terminal_id}/reissue": Rule(
        who="admin",
        prepare=_portal_terminal,
        path=lambda w: {"terminal_id": w.objects["portal_terminal"]},
    ),
    "POST /portal/admin/terminals/{terminal_id}/disable": Rule(
        who="admin",
        prepare=_portal_terminal,
        path=lambda w: {"terminal_id": w.objects["portal_terminal"]},
    ),
    "GET /portal/admin/deletions": Rule(who="admin", prepare=_portal_deletion_request),
    "GET /portal/admin/deletions/{request_id}": Rule(
        who="admin", path=lambda w: {"request_id": w.objects["portal_deletion"]}
    ),
    "POST /portal/admin/deletions/{request_id}/{decision}": Rule(
        who="admin",
        path=lambda w: {"request_id": w.objects["portal_deletion"], "decision": "refuse"},
        body={"reason": "经核实，申请人仍在办理业务"},
    ),
}

# --- the pass -------------------------------------------------------------------------------


async def _portal_client(base_url: str, username: str | None) -> tuple[httpx.AsyncClient, str]:
    """A browser-like client, signed in as ``username`` (or not), and its CSRF token."""
    client = httpx.AsyncClient(base_url=base_url, timeout=30.0, follow_redirects=False)
    page = await client.get("/portal/login")
    token = CSRF_INPUT.search(page.text)
    assert token, page.text[:300]
    if username is None:
        return client, token.group(1)
    signed = await client.post(
        "/portal/login",
        data={"username": username, "password": DEFAULT_PASSWORD, "_csrf_token": token.group(1)},
    )
    assert signed.status_code == 303, signed.text[:300]
    home = await client.get("/portal")
    fresh = CSRF_INPUT.search(home.text)
    if fresh is None:
        home = await client.get("/portal/notices")
        fresh = CSRF_INPUT.search(home.text)
    assert fresh, home.text[:300]
    return client, fresh.group(1)


USERNAMES = {
    "agent_a": "agent-a",
    "agent_b": "agent-b",
    "window_a": "window-a",
    "window_b": "window-b",
    "approver_a": "approver-ga",
    "approver_b": "approver-yb",
    "supervisor_a": "sup-a",
    "supervisor_b": "sup-b",
    "admin": "admin-a",
}


def _refused(response: httpx.Response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code in (302, 303) and "/portal/login" in response.headers.get(
        "location", ""
    )


def _succeeded(response: httpx.Response) -> bool:
    if 200 <= response.status_code < 300:
        return True
    return response.status_code in (302, 303) and "/portal/login" not in response.headers.get(
        "location", ""
    )


async def run_portal(base_url: str, world: World, routes: list[str], sweep: Sweep) -> None:
    sweep.portal_missing = sorted(set(routes) - set(PORTAL_RULES))
    sweep.portal_stale = sorted(set(PORTAL_RULES) - set(routes))
    clients: dict[str, tuple[httpx.AsyncClient, str]] = {}
    try:
        clients["anonymous"] = await _portal_client(base_url, None)
        for name, username in USERNAMES.items():
            clients[name] = await _portal_client(base_url, username)
        for key, rule in PORTAL_RULES.items():
            if key not in routes:
                continue
            try:
                await _one(world, clients, key, rule, sweep)
            except Exception as failed:
                sweep.portal_failures.append(f"{key}: setup failed: {failed!r}"[:400])
    finally:
        for client, _ in clients.values():
            await client.aclose()


def _value(value: Any, world: World) -> Any:
    return value(world) if callable(value) else value


async def _call(
    clients: dict[str, tuple[httpx.AsyncClient, str]],
    caller: str,
    method: str,
    url: str,
    query: dict[str, Any],
    form: dict[str, Any],
    files: dict[str, Any] | None = None,
) -> httpx.Response:
    client, token = clients[caller]
    if method == "GET":
        return await client.get(url, params=query or None)
    return await client.post(
        url,
        params=query or None,
        data={**form, "_csrf_token": token},
        files=files,
        headers={"x-csrftoken": token},
    )


async def _one(
    world: World,
    clients: dict[str, tuple[httpx.AsyncClient, str]],
    key: str,
    rule: Rule,
    sweep: Sweep,
) -> None:
    method, template = key.split(" ", 1)
    if rule.prepare is not None:
        await rule.prepare(world)
    if rule.who not in clients and "username" in rule.extra:  # a throwaway account: sign in
        base_url = str(clients["anonymous"][0].base_url)
        clients[rule.who] = await _portal_client(base_url, rule.extra["username"])
    url = template.format(**{k: str(v) for k, v in (_value(rule.path, world) or {}).items()})
    query = dict(_value(rule.query, world) or {})
    form = dict(_value(rule.body, world) or {})
    files = _value(rule.files, world)
    if not rule.public:
        before = await checksum()
        for caller in STAFF_PRINCIPALS:
            if caller == rule.who or caller in rule.wider or caller in rule.peers:
                continue
            response = await _call(clients, caller, method, url, query, form, files)
            sweep.portal_calls += 1
            if not _refused(response):
                sweep.portal_failures.append(f"{key} as {caller}: {response.status_code}")
        if changed(before, await checksum()):
            sweep.portal_failures.append(
                f"{key}: refused calls changed {changed(before, await checksum())}"
            )
        for caller in rule.peers if method == "GET" else ():
            response = await _call(clients, caller, method, url, query, form, files)
            sweep.portal_calls += 1
            marker = rule.marker(world) if rule.marker else None
            if not _succeeded(response) or (marker and marker in response.text):
                sweep.portal_failures.append(
                    f"{key} as {caller}: {response.status_code}, saw the owner's {marker!r}"
                )
    if not rule.public:
        await _hostile(world, clients, key, rule.who, method, url, query, form, files, sweep)
    owner = rule.who
    if rule.public:  # a fresh browser: signing in or out must not touch the sweep's sessions
        clients["fresh"] = await _portal_client(str(clients["anonymous"][0].base_url), None)
        owner = "fresh"
    response = await _call(clients, owner, method, url, query, form, files)
    expected = rule.extra.get("success_to")
    if expected and response.headers.get("location") == expected:
        sweep.portal_positives += 1
    elif not _succeeded(response):
        sweep.portal_failures.append(
            f"{key} as {owner} (positive control): {response.status_code} {response.text[:200]}"
        )
    else:
        sweep.portal_positives += 1
        keep = rule.extra.get("keep_location")
        found = re.search(r"/handovers/([0-9A-Za-z-]+)", response.headers.get("location", ""))
        if keep and found:
            world.objects[keep] = found.group(1)


async def _hostile(
    world: World,
    clients: dict[str, tuple[httpx.AsyncClient, str]],
    key: str,
    owner: str,
    method: str,
    url: str,
    query: dict[str, Any],
    form: dict[str, Any],
    files: dict[str, Any] | None,
    sweep: Sweep,
) -> None:
    """NUL in the query, a path segment and every form field, as the rightful staff member."""
    variants: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
        ("nul-query", url, {**query, "q": "a\x00b"}, form),
    ]
    segments = url.split("/")
    for index, part in enumerate(key.split(" ", 1)[1].split("/")):
        if part.startswith("{"):
            hostile_url = "/".join([*segments[:index], "a%00b", *segments[index + 1 :]])
            variants.append((f"nul-path-{part}", hostile_url, query, form))
    if method == "POST" and (form or not files):  # a photo alone would do the real thing
        variants.append(("nul-form", url, query, {k: "a\x00b" for k in form} or {"note": "a\x00b"}))
    before = await checksum()
    refused_all = True
    for name, target, params, fields in variants:
        response = await _call(clients, owner, method, target, params, fields, files)
        sweep.portal_hostile_tried += 1
        if response.status_code >= 500 or response.status_code == 429:
            sweep.hostile_failures.append(f"{key} [portal {name}]: {response.status_code}")
        if response.status_code < 400:
            refused_all = False
    if refused_all and changed(before, await checksum()):
        sweep.hostile_failures.append(f"{key}: refused hostile portal input changed a table")
