"""The bare baseline: Litestar + asyncpg + redis-py, no Piccolo, no middleware, no auth layer.

It answers the benchmarked routes of the real app at the same paths, with the same SQL, the same
Redis command and response bodies of the same shape, so the gap between the two is what the real
app adds on top of the framework: Piccolo's query building, the JWT auth middleware, request ids,
access logs, Prometheus metrics, problem documents. The citizen routes (catalogue item, my cases,
case detail, submit, upload) live in ``bench.baseline_citizen``. It reads the same environment
variables (``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``, ``DB_POOL_MIN``, ``DB_POOL_MAX``,
``ARQ_QUEUE``, ``STORAGE_DIR``, ``UPLOAD_MAX_BYTES``, ``UPLOAD_MAX_PER_DAY``, the cache
durations) and is served the same way::

    uvicorn bench.baseline_app:create_app --factory --workers N

Only the bench starts it; it is not part of the product.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import jwt
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from arq.connections import ArqRedis
from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from redis.asyncio import ConnectionPool

from backend.identity.roles import LABELS
from bench import baseline_citizen

ALGORITHM = "HS256"
HASHER = PasswordHasher()

STAFF_BY_ID = (
    'SELECT "staff_user"."id", "staff_user"."username", "staff_user"."display_name",'
    ' "staff_user"."role", "staff_user"."area", "staff_user$area"."name" AS "area.name",'
    ' "staff_user"."department" FROM "staff_user"'
    ' LEFT JOIN "area" "staff_user$area" ON ("staff_user"."area" = "staff_user$area"."code")'
    ' WHERE ("staff_user"."id" = $1 AND "staff_user"."active" = True) LIMIT 1'
)
AREAS = (
    'SELECT "area"."code", "area"."name", "area"."level", "area"."parent", "area"."lat",'
    ' "area"."lng" FROM "area" WHERE "area"."level" = $1 ORDER BY "area"."code" ASC'
    " LIMIT $2 OFFSET $3"
)
AREA_COUNT = 'SELECT COUNT(*) AS "count" FROM "area" WHERE "area"."level" = $1'
LOGIN_ROW = (
    'SELECT "id", "password_hash", "active", "failed_logins", "locked_until" FROM "staff_user"'
    ' WHERE "username" = $1 LIMIT 1 FOR UPDATE'
)
LOGIN_OK = (
    'UPDATE "staff_user" SET "failed_logins" = 0, "locked_until" = NULL, "last_login_at" = $2'
    ' WHERE "id" = $1'
)


class Check(msgspec.Struct):
    ok: bool
    ms: float


class Health(msgspec.Struct):
    status: str
    checks: dict[str, Check] = {}


class StaffMe(msgspec.Struct):
    id: str
    username: str
    display_name: str
    role: str
    role_label: str
    area_code: str
    area_name: str
    department_code: str | None


class AreaOut(msgspec.Struct):
    code: str
    name: str
    level: str
    parent_code: str | None
    lat: float | None
    lng: float | None


class AreaPage(msgspec.Struct):
    items: list[AreaOut]
    total: int


class LoginRequest(msgspec.Struct):
    username: str
    password: str


class LoginResponse(msgspec.Struct):
    access_token: str
    expires_in: int
    staff: dict[str, str | None]
    token_type: str = "Bearer"  # noqa: S105 - a token type, not a secret


@get("/healthz")
async def healthz() -> Health:
    return Health(status="ok")


@get("/readyz")
async def readyz(state: State) -> Health:
    await state.pool.fetchval("SELECT 1")
    await state.redis.ping()
    return Health(status="ok", checks={"postgres": Check(True, 0.0), "redis": Check(True, 0.0)})


@get("/api/v1/staff/me")
async def staff_me(request: Request[Any, Any, Any], state: State) -> StaffMe:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise NotAuthorizedException()
    try:
        claims = jwt.decode(token, state.secret, algorithms=[ALGORITHM])
    except jwt.InvalidTokenError as exc:
        raise NotAuthorizedException() from exc
    kind, _, ident = str(claims.get("sub", "")).partition(":")
    if kind != "staff":
        raise NotAuthorizedException()
    row = await state.pool.fetchrow(STAFF_BY_ID, uuid.UUID(ident))
    if row is None:
        raise NotAuthorizedException()
    return StaffMe(
        id=str(row["id"]),
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        role_label=LABELS.get(row["role"], row["role"]),
        area_code=row["area"],
        area_name=row["area.name"],
        department_code=row["department"],
    )


@get("/api/v1/areas")
async def areas(state: State, level: str, page: int = 1, page_size: int = 100) -> AreaPage:
    rows = await state.pool.fetch(AREAS, level, page_size, (page - 1) * page_size)
    total = await state.pool.fetchval(AREA_COUNT, level)
    return AreaPage(
        items=[
            AreaOut(r["code"], r["name"], r["level"], r["parent"], r["lat"], r["lng"]) for r in rows
        ],
        total=total,
    )


@post("/api/v1/auth/staff/login", status_code=200)
async def staff_login(state: State, data: LoginRequest) -> Response[LoginResponse]:
    """The same row lock, argon2 check (in the event loop, as the app does) and update."""
    async with state.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(LOGIN_ROW, data.username.strip().lower())
        try:
            valid = row is not None and HASHER.verify(row["password_hash"], data.password)
        except (VerificationError, InvalidHashError):
            valid = False
        if not valid or row is None or not row["active"]:
            raise NotAuthorizedException()
        now = datetime.now(UTC)
        await conn.execute(LOGIN_OK, row["id"], now)
        account = await conn.fetchrow(STAFF_BY_ID, row["id"])
    ttl = 8 * 3600
    token = jwt.encode(
        {
            "exp": int((now + timedelta(seconds=ttl)).timestamp()),
            "iat": int(now.timestamp()),
            "sub": f"staff:{account['id']}",
            "extras": {"kind": "staff", "role": account["role"]},
        },
        state.secret,
        algorithm=ALGORITHM,
    )
    staff = {
        "id": str(account["id"]),
        "role": account["role"],
        "area_code": account["area"],
        "department_code": account["department"],
    }
    return Response(LoginResponse(access_token=token, expires_in=ttl, staff=staff))


def create_app() -> Litestar:
    """Factory for uvicorn; settings come from the same environment variables as the app's."""
    env = os.environ

    async def startup(app: Litestar) -> None:
        app.state.pool = await asyncpg.create_pool(
            env["DATABASE_URL"],
            min_size=int(env.get("DB_POOL_MIN") or 1),
            max_size=int(env.get("DB_POOL_MAX") or 10),
            reset=baseline_citizen.keep_session,  # as the app's pool: no reset query on release
        )
        app.state.redis = ArqRedis(
            connection_pool=ConnectionPool.from_url(
                env["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
            )
        )
        app.state.secret = env["SECRET_KEY"]
        baseline_citizen.configure(app.state, dict(env))

    async def shutdown(app: Litestar) -> None:
        await app.state.redis.aclose()
        await app.state.pool.close()

    return Litestar(
        route_handlers=[healthz, readyz, staff_me, areas, staff_login, *baseline_citizen.ROUTES],
        on_startup=[startup],
        on_shutdown=[shutdown],
        openapi_config=None,
        debug=False,
    )
