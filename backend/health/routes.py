"""``/healthz`` (the process runs) and ``/readyz`` (PostgreSQL and Redis answer)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from backend.deps import Deps
from backend.health import service
from backend.http.auth import PUBLIC
from backend.http.openapi import operation


class Check(msgspec.Struct):
    """一项依赖服务的检查结果。"""

    ok: Annotated[bool, msgspec.Meta(description="是否在时限内正常应答。")]
    ms: Annotated[
        float, msgspec.Meta(ge=0, description="检查用时（毫秒，保留一位小数）。", examples=[1.8])
    ]


class Health(msgspec.Struct):
    """服务的健康状态。"""

    status: Annotated[
        Literal["ok", "unavailable"],
        msgspec.Meta(description="ok 正常；unavailable 有依赖服务不可用（只在 /readyz 出现）。"),
    ]
    checks: Annotated[
        dict[str, Check],
        msgspec.Meta(
            description="各依赖服务的检查结果：postgres（数据库）和 redis；/healthz 不检查，为空。",
            examples=[{"postgres": {"ok": True, "ms": 1.8}, "redis": {"ok": True, "ms": 0.6}}],
        ),
    ] = {}


_UNREADY = {
    "status": "unavailable",
    "checks": {"postgres": {"ok": True, "ms": 1.8}, "redis": {"ok": False, "ms": 1000.4}},
}


class HealthController(Controller):
    opt = PUBLIC
    include_in_schema = True
    tags = ["系统"]

    @get(
        "/healthz",
        **operation(
            "存活检查",
            "进程在运行就答 200 和 status ok，不检查数据库和 Redis；供负载均衡和容器编排判断"
            "是否需要重启。",
            uses_database=False,
        ),
    )
    async def healthz(self) -> Health:
        return Health(status="ok")

    @get(
        "/readyz",
        responses={
            503: ResponseSpec(
                data_container=Health,
                generate_examples=False,
                description="有依赖服务不可用（status 为 unavailable，checks 标明哪一项）。",
                examples=[Example(value=_UNREADY)],
            )
        },
        **operation(
            "就绪检查",
            "检查 PostgreSQL 和 Redis 是否在时限内应答：都正常答 200，任一不可用答 503，"
            "答复中 checks 列出每一项的结果和用时；供负载均衡判断是否可以接收请求。",
            uses_database=False,
        ),
    )
    async def readyz(self, deps: Deps) -> Response[Health]:
        pg_ok, pg_s = await service.check_postgres()
        redis_ok, redis_s = await service.check_redis(deps.redis)
        checks = {
            "postgres": Check(ok=pg_ok, ms=round(pg_s * 1000, 1)),
            "redis": Check(ok=redis_ok, ms=round(redis_s * 1000, 1)),
        }
        ready = pg_ok and redis_ok
        return Response(
            Health(status="ok" if ready else "unavailable", checks=checks),
            status_code=200 if ready else 503,
        )
