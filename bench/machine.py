"""What the figures were measured on: CPU, memory, Python, PostgreSQL, Redis, load."""

from __future__ import annotations

import asyncio
import os
import platform
from pathlib import Path
from typing import Any

import asyncpg
import redis


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _postgres_version(database_url: str) -> str:
    async def ask() -> str:
        conn = await asyncpg.connect(database_url, timeout=10)
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    return asyncio.run(ask())


def _redis_version(redis_url: str) -> str:
    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        info: dict[str, Any] = client.info("server")  # type: ignore[assignment]
        return str(info.get("redis_version", "?"))
    finally:
        client.close()  # type: ignore[no-untyped-call]


def cores() -> int:
    return os.cpu_count() or 1


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def describe(*, database_url: str, redis_url: str) -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": cores(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": _postgres_version(database_url),
        "redis": _redis_version(redis_url),
    }
