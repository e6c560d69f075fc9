"""The Xiaoshan demo data: a few townships and villages, departments and staff accounts.

Everything here is demo data and says so (area notes, display names). Coordinates are rough
estimates of each unit's centre, not survey data. Loading is idempotent: rows are keyed by code
or username, and a second load changes nothing.
"""

from __future__ import annotations

from backend import db
from backend.catalogue.tables import Department
from backend.geo.tables import Area
from backend.identity import roles as R
from backend.identity.tables import StaffUser
from backend.security.passwords import hash_password

DEMO_NOTE = "演示数据（坐标为估算值，非测绘数据）"

DISTRICT = ("330109", "萧山区", 30.18, 120.27, 2_010_000)

# township code, name, lat, lng, villages [(code suffix, name, lat, lng, population)]
TOWNSHIPS: list[tuple[str, str, float, float, list[tuple[str, str, float, float, int]]]] = [
    (
        "330109001",
        "城厢街道",
        30.16,
        120.27,
        [
            ("001", "高桥社区", 30.158, 120.262, 9_800),
            ("002", "湘湖社区", 30.150, 120.255, 7_600),
            ("003", "城河社区", 30.165, 120.275, 8_900),
        ],
    ),
    (
        "330109105",
        "瓜沥镇",
        30.20,
        120.50,
        [
            ("001", "航民村", 30.205, 120.488, 4_300),
            ("002", "八里桥村", 30.192, 120.512, 3_100),
            ("003", "坎山村", 30.214, 120.471, 3_900),
        ],
    ),
    (
        "330109110",
        "益农镇",
        30.22,
        120.63,
        [
            ("001", "群围村", 30.226, 120.622, 2_700),
            ("002", "兆丰村", 30.214, 120.641, 2_300),
            ("003", "东沙村", 30.233, 120.648, 2_100),
        ],
    ),
]

DEPARTMENTS = [
    ("GA", "区公安分局"),
    ("MZ", "区民政局"),
    ("RS", "区人力社保局"),
    ("YB", "区医疗保障分局"),
    ("WJ", "区卫生健康局"),
    ("CL", "区残疾人联合会"),
]


def demo_accounts() -> list[tuple[str, str, str, str | None, str]]:
    """(username, role, area code, department code, display name) of every demo account."""
    district = DISTRICT[0]
    accounts: list[tuple[str, str, str, str | None, str]] = [
        ("admin", R.ADMIN, district, None, "演示管理员"),
        ("supervisor", R.SUPERVISOR, district, None, "演示区跑改办"),
    ]
    for code, name, _, _, villages in TOWNSHIPS:
        accounts.append((f"window-{code}", R.WINDOW, code, None, f"演示{name}窗口"))
        for suffix, village, *_ in villages:
            accounts.append(
                (f"agent-{code}{suffix}", R.AGENT, f"{code}{suffix}", None, f"演示{village}代办员")
            )
    for dept_code, dept_name in DEPARTMENTS:
        accounts.append(
            (
                f"approver-{dept_code.lower()}",
                R.APPROVER,
                district,
                dept_code,
                f"演示{dept_name}审批",
            )
        )
    return accounts


async def load_demo(*, password: str) -> dict[str, int]:
    """Insert what is missing; returns how many rows of each kind were added."""
    added = {"areas": 0, "departments": 0, "accounts": 0}
    async with db.engine().transaction():
        code, name, lat, lng, population = DISTRICT
        added["areas"] += await _upsert_area(code, name, "district", None, lat, lng, population)
        for t_code, t_name, t_lat, t_lng, villages in TOWNSHIPS:
            added["areas"] += await _upsert_area(
                t_code, t_name, "township", code, t_lat, t_lng, None
            )
            for suffix, v_name, v_lat, v_lng, v_pop in villages:
                added["areas"] += await _upsert_area(
                    t_code + suffix, v_name, "village", t_code, v_lat, v_lng, v_pop
                )
        for dept_code, dept_name in DEPARTMENTS:
            rows = await Department.raw(
                "INSERT INTO department (code, name, created_at) VALUES ({}, {}, now())"
                " ON CONFLICT (code) DO NOTHING RETURNING code",
                dept_code,
                dept_name,
            ).run()
            added["departments"] += len(rows)
        existing = {r["username"] for r in await StaffUser.select(StaffUser.username).run()}
        missing = [a for a in demo_accounts() if a[0] not in existing]
        if missing:
            shared_hash = hash_password(password)  # hashed once: argon2 is slow on purpose
            for username, role, area, department, display in missing:
                await (
                    StaffUser(
                        username=username,
                        display_name=display,
                        password_hash=shared_hash,
                        role=role,
                        area=area,
                        department=department,
                    )
                    .save()
                    .run()
                )
            added["accounts"] = len(missing)
    return added


async def _upsert_area(
    code: str,
    name: str,
    level: str,
    parent: str | None,
    lat: float,
    lng: float,
    population: int | None,
) -> int:
    rows = await Area.raw(
        "INSERT INTO area (code, name, level, parent, lat, lng, population, note, created_at)"
        " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, now())"
        " ON CONFLICT (code) DO NOTHING RETURNING code",
        code,
        name,
        level,
        parent,
        lat,
        lng,
        population,
        DEMO_NOTE,
    ).run()
    return len(rows)
