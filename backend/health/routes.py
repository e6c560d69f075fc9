"""``/healthz`` (the process runs) and ``/readyz`` (PostgreSQL and Redis answer)."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State

from backend.health import service
from backend.http.auth import PUBLIC


class Check(msgspec.Struct):
    ok: bool
    ms: float


class Health(msgspec.Struct):
    status: str
    checks: dict[str, Check] = {}


class HealthController(Controller):
    opt = PUBLIC
    include_in_schema = True
    tags = ["health"]

    @get("/healthz", summary="Liveness")
    async def healthz(self) -> Health:
        return Health(status="ok")

    @get("/readyz", summary="Readiness: PostgreSQL and Redis answer")
    async def readyz(self, state: State) -> Response[Health]:
        pg_ok, pg_s = await service.check_postgres()
        redis_ok, redis_s = await service.check_redis(state.redis)
        checks = {
            "postgres": Check(ok=pg_ok, ms=round(pg_s * 1000, 1)),
            "redis": Check(ok=redis_ok, ms=round(redis_s * 1000, 1)),
        }
        ready = pg_ok and redis_ok
        return Response(
            Health(status="ok" if ready else "unavailable", checks=checks),
            status_code=200 if ready else 503,
        )
