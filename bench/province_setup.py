"""Who ``province`` sends as, set up through the real API before the load.

- **Citizens**, spread over the demo district's townships (one village of each): logged in
  with the fake WeChat (``test:province-<n>``), each from an address of its own behind the
  load balancer (``phone_address``; the app trusts ``X-Forwarded-For`` from 127.0.0.1, as it
  trusts its load balancer in production), identity bound (a valid GB 11643 number, the
  name the window later checks when handing over the result). Enough of them that no one
  uploads more than ``UPLOAD_MAX_PER_DAY`` allows (3 photos a case): ``citizens_needed``.
- **The item** every case applies for: an online item with a time limit (so it goes through
  acceptance, the back office and the result), collected at the window, with exactly
  ``PHOTOS_PER_CASE`` required materials; its form filled with valid values.
- **Staff**: each township's window clerk (``window-<township>``), the back office of the
  item's department (``approver-<department>``, found by a first case through the whole chain:
  ``smoke_case``) and the district supervisor signed in to the portal (a session cookie) for
  the dashboard.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import asyncpg
import httpx

from bench.citizens import NAMES, _bounded, _check, form_values, multipart, small_photo
from bench.province_profile import NOTIFIED_EVENTS, PHOTOS_PER_CASE

PREFERRED_ITEMS = ("GA-SFZ-BL", "GA-SFZ-HL", "MZ-LSJZ", "RS-SYBX-SL")
SEARCH_TERMS = (
    "身份证",
    "户口",
    "低保",
    "社保卡",
    "医保",
    "居住证",
    "残疾人",
    "结婚",
    "生育",
    "退休",
)
MIN_CITIZENS = 400
UPLOADS_PER_CITIZEN_SHARE = 0.75
"""Of ``UPLOAD_MAX_PER_DAY``, the share one citizen may use in a run (setup photos included)."""
SETUP_CONCURRENCY = 8
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def citizens_needed(cases: int, uploads_per_day: int) -> int:
    """Citizens enough that none passes the daily upload limit with ``cases`` cases."""
    per_citizen = max(1, int(uploads_per_day * UPLOADS_PER_CITIZEN_SHARE) // PHOTOS_PER_CASE)
    return max(MIN_CITIZENS, math.ceil(cases / per_citizen))


def id_number(seq: int) -> str:
    """A valid resident ID number, distinct for every ``seq`` (the birth day moves every 500)."""
    day = 1 + seq // 500 % 28
    month = 1 + seq // (500 * 28) % 12
    body = f"330109{1970 + seq // (500 * 28 * 12):04d}{month:02d}{day:02d}"
    body += f"{(seq % 500 * 2 + seq % 2) % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


@dataclass(frozen=True, slots=True)
class Village:
    code: str
    township: str
    lat: float
    lng: float


@dataclass
class Cast:
    """Everything the load plan needs about who sends what."""

    citizens: list[dict[str, Any]]
    item: dict[str, Any]
    item_codes: list[str]
    clerks: dict[str, str]
    supervisor_cookie: str
    templates: list[str]
    approver: str = ""
    department: str = ""
    smoke: dict[str, Any] = field(default_factory=dict)

    def plan_part(self) -> dict[str, Any]:
        return {
            "citizens": self.citizens,
            "item": self.item,
            "item_codes": self.item_codes,
            "search_terms": list(SEARCH_TERMS),
            "clerks": self.clerks,
            "approver": self.approver,
            "templates": self.templates,
            "dashboard_cookie": self.supervisor_cookie,
        }


async def _villages(database_url: str) -> list[Village]:
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT ON (parent) code, parent, lat, lng FROM area"
            " WHERE level = 'village' AND lat IS NOT NULL ORDER BY parent, code"
        )
    finally:
        await conn.close()
    return [Village(r["code"], r["parent"], float(r["lat"]), float(r["lng"])) for r in rows]


def phone_address(n: int) -> str:
    """Citizen ``n``'s own address, as the load balancer forwards it (``X-Forwarded-For``):
    the per-address limits see a province of phones, not one bench on 127.0.0.1."""
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


async def _citizen(api: httpx.AsyncClient, n: int, village: Village) -> dict[str, Any]:
    forwarded = {"X-Forwarded-For": phone_address(n)}
    login = _check(
        await api.post(
            "/api/v1/auth/wechat/login", json={"code": f"test:province-{n}"}, headers=forwarded
        ),
        "wechat login",
    )
    token = login["access_token"]
    name, number = NAMES[n % len(NAMES)], id_number(n)
    _check(
        await api.put(
            "/api/v1/me/identity",
            json={
                "name": name,
                "id_number": number,
                "village_code": village.code,
                "consent_version": "2026-01",
            },
            headers={"Authorization": f"Bearer {token}", **forwarded},
        ),
        "identity binding",
    )
    return {
        "token": token,
        "name": name,
        "id_number": number,
        "township": village.township,
        "lat": village.lat,
        "lng": village.lng,
    }


async def _pick_item(api: httpx.AsyncClient) -> tuple[dict[str, Any], list[str]]:
    listed = _check(await api.get("/api/v1/items", params={"page_size": 100}), "GET /api/v1/items")
    codes = sorted(i["code"] for i in listed["items"])
    ordered = [c for c in PREFERRED_ITEMS if c in codes] + codes
    for code in ordered:
        detail = _check(await api.get(f"/api/v1/items/{code}"), f"GET /api/v1/items/{code}")
        required = [m for m in detail["materials"] if m["required"]]
        if (
            "online" in detail["channels"]
            and "window" in detail["delivery_methods"]
            and detail["committed_days"] > 0
            and len(required) == PHOTOS_PER_CASE
        ):
            return detail, codes
    raise RuntimeError(f"no demo item is online, timed and needs {PHOTOS_PER_CASE} photos")


async def _staff_token(api: httpx.AsyncClient, username: str, password: str) -> str:
    answer = _check(
        await api.post(
            "/api/v1/auth/staff/login", json={"username": username, "password": password}
        ),
        f"staff login {username}",
    )
    return str(answer["access_token"])


async def _portal_cookie(base_url: str, username: str, password: str) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        page = await client.get("/portal/login")
        token = CSRF.search(page.text)
        if token is None:
            raise RuntimeError("the portal's login page has no CSRF token")
        login = await client.post(
            "/portal/login",
            data={"username": username, "password": password, "_csrf_token": token[1]},
        )
        if login.status_code not in (302, 303):
            raise RuntimeError(f"portal login {username} answered {login.status_code}")
        dashboard = await client.get("/portal/dashboard")
        if dashboard.status_code != 200:
            raise RuntimeError(f"/portal/dashboard answered {dashboard.status_code}")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


async def _setup(
    app_url: str, database_url: str, citizens: int, password: str, templates: list[str]
) -> Cast:
    villages = await _villages(database_url)
    async with httpx.AsyncClient(base_url=app_url, timeout=60) as api:
        people = await _bounded(
            [partial(_citizen, api, n, villages[n % len(villages)]) for n in range(citizens)],
            SETUP_CONCURRENCY,
        )
        item, codes = await _pick_item(api)
        townships = sorted({v.township for v in villages})
        tokens = await _bounded(
            [partial(_staff_token, api, f"window-{t}", password) for t in townships], 2
        )
        cookie = await _portal_cookie(app_url, "supervisor", password)
    first = people[0]
    form = form_values(item["form"], id_number_value=first["id_number"])
    return Cast(
        citizens=people,
        item={
            "code": item["code"],
            "materials": [m["type"] for m in item["materials"] if m["required"]],
            "form": form,
            "department": item["department"],
        },
        item_codes=codes,
        clerks=dict(zip(townships, tokens, strict=True)),
        supervisor_cookie=cookie,
        templates=templates,
    )


def build(
    app_port: int, database_url: str, *, citizens: int, password: str, templates: list[str]
) -> Cast:
    return asyncio.run(
        _setup(f"http://127.0.0.1:{app_port}", database_url, citizens, password, templates)
    )


# --- one case through the whole chain ---------------------------------------------------------


async def _smoke(
    app_url: str, cast: Cast, password: str, received: Callable[[str], set[str]]
) -> dict[str, Any]:
    """One case as the load sends it, step by step, with the answers checked; the back office
    of its department is signed in on the way. Returns what it saw."""
    who = cast.citizens[-1]
    auth = {"Authorization": f"Bearer {who['token']}"}
    async with httpx.AsyncClient(base_url=app_url, timeout=60) as api:
        ids = []
        for k, material in enumerate(cast.item["materials"]):
            body, content_type = multipart(
                {"material_type": material},
                ("photo.jpg", small_photo(200 + k), "image/jpeg"),
                boundary=f"smoke{k}",
            )
            ids.append(
                _check(
                    await api.post(
                        "/api/v1/uploads",
                        content=body,
                        headers={**auth, "Content-Type": content_type},
                    ),
                    "upload",
                )["id"]
            )
        _check(
            await api.post(
                "/api/v1/notifications/subscriptions",
                json={"results": {t: "accept" for t in cast.templates}},
                headers=auth,
            ),
            "subscribe",
        )
        number = _check(
            await api.post(
                "/api/v1/cases",
                json={
                    "item_code": cast.item["code"],
                    "form": cast.item["form"],
                    "materials": [
                        {"type": t, "upload_id": u}
                        for t, u in zip(cast.item["materials"], ids, strict=True)
                    ],
                    "delivery": {"method": "window"},
                },
                headers=auth,
            ),
            "submit",
        )["number"]
        clerk = {"Authorization": f"Bearer {cast.clerks[who['township']]}"}
        deadline = time.monotonic() + 60
        while True:
            queue = _check(
                await api.get("/api/v1/window/queue", params={"number": number}, headers=clerk),
                "window queue",
            )
            if any(e["number"] == number for e in queue["items"]):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"case {number} not in its township's queue after 60 s")
            await asyncio.sleep(0.5)
        window = f"/api/v1/window/cases/{number}"
        _check(await api.post(f"{window}/accept", json={}, headers=clerk), "accept")
        moved = _check(await api.post(f"{window}/transfer", json={}, headers=clerk), "transfer")
        department = str(moved["department_code"])
        approver = await _staff_token(api, f"approver-{department.lower()}", password)
        _check(
            await api.post(
                f"/api/v1/review/cases/{number}/approve",
                json={"note": "材料齐全，同意"},
                headers={"Authorization": f"Bearer {approver}"},
            ),
            "approve",
        )
        _check(await api.post(f"{window}/result", json={}, headers=clerk), "result")
        _check(
            await api.post(
                f"{window}/deliver",
                json={
                    "method": "window",
                    "collector_name": who["name"],
                    "collector_id_number": who["id_number"],
                },
                headers=clerk,
            ),
            "deliver",
        )
        _check(await api.get(f"/api/v1/cases/{number}", headers=auth), "case detail")
    deadline = time.monotonic() + 60
    while len(got := received(number)) < len(NOTIFIED_EVENTS):
        if time.monotonic() > deadline:
            raise RuntimeError(f"case {number}: only {sorted(got)} reached the fake WeChat")
        await asyncio.sleep(0.5)
    cast.approver, cast.department = approver, department
    return {"number": number, "department": department, "notified": sorted(got)}


def smoke_case(
    app_port: int, cast: Cast, password: str, received: Callable[[str], set[str]]
) -> dict[str, Any]:
    cast.smoke = asyncio.run(_smoke(f"http://127.0.0.1:{app_port}", cast, password, received))
    return cast.smoke
