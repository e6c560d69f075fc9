"""Composition root of the arq worker: ``worker_settings(settings, ...)`` and ``run_worker``.

PostgreSQL (the outbox) is the source of truth; arq is only the doorbell. The worker runs
outbox rows (``run_outbox_event``) and, beside arq's polling, a sweeper that re-enqueues rows whose
doorbell was lost (Redis flushed) or whose lease ran out (worker killed).

A Redis that goes away for a while (restarted, failed over) is waited for, not fatal
(``backend.outbox.arqworker``): the worker pauses and carries on when Redis answers again, and
the sweeper re-enqueues every due row into the new, possibly empty, Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

import structlog
from arq import cron
from arq.worker import func

from backend import db
from backend.audit.service import AuditLog
from backend.cases import erase as cases_erase
from backend.clock import SHANGHAI, today
from backend.delegation import erase as delegation_erase
from backend.geo.travel import StraightLineEstimator
from backend.http.outbound import OutboundPolicy
from backend.idempotency.service import purge_expired
from backend.identity import erasure
from backend.identity import events as identity_events
from backend.logging import configure_logging
from backend.notices import jobs as notice_jobs
from backend.outbox import erase as outbox_erase
from backend.outbox.arqworker import SteadyWorker, redis_settings
from backend.outbox.doorbell import JOB_NAME, ArqDoorbell
from backend.outbox.runner import (
    Handler,
    HandlerContext,
    OutboxRunner,
    RunnerConfig,
    sweep_forever,
)
from backend.platform import forward as platform_forward
from backend.platform.client import PlatformClients
from backend.platform.config import PlatformConfig
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from backend.stats import jobs as stats_jobs
from backend.supervision import callbacks as supervision_callbacks
from backend.supervision import jobs as supervision_jobs
from backend.uploads import erase as uploads_erase
from backend.uploads.storage import build_store, close_store
from notifications import delegation as notify_delegation
from notifications import deliver as notify_deliver
from notifications import erase as notify_erase
from notifications import planner as notify_planner
from notifications import privacy as notify_privacy
from notifications import reminders as notify_reminders
from notifications import supervision as notify_supervision
from notifications import wecom as notify_wecom
from notifications.ratelimit import SendRate
from notifications.sms import HttpSmsSender
from notifications.templates import parse_config
from notifications.wecom import WeComSender

log = structlog.get_logger(__name__)


def register_erasers() -> None:
    """Each context's step of a deletion (``identity.erasure``), in the order they must run:
    cases first (it says which files are kept), delegation after uploads (mandate evidence)."""
    erasure.register_case_keeper(cases_erase.cases_of)
    for eraser in (
        cases_erase.erase_person,
        uploads_erase.erase_person,
        notify_erase.erase_person,
        delegation_erase.erase_person,
        outbox_erase.erase_person,
    ):
        erasure.register_eraser(eraser)


async def erase_person(ctx: HandlerContext, payload: dict[str, Any]) -> None:
    """``privacy.erase``: carry out the approved request, then delete the erased files."""
    event = identity_events.read_erase(payload)
    await erasure.erase_person(request_id=event.request_id, audit=ctx.services["audit"])
    await uploads_erase.purge_erased(store=ctx.services["file_store"])


def domain_handlers() -> dict[str, Handler]:
    """Outbox handlers of every package, by event kind."""
    return {
        erasure.ERASE_EVENT: erase_person,
        **notify_privacy.HANDLERS,
        **platform_forward.HANDLERS,
        **notify_planner.HANDLERS,
        **notify_deliver.HANDLERS,
        **supervision_jobs.HANDLERS,
        **notice_jobs.HANDLERS,
        **notify_supervision.HANDLERS,
        **notify_delegation.HANDLERS,
    }


def worker_settings(
    settings: Settings,
    *,
    handlers: Mapping[str, Handler] | None = None,
    services: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for ``arq.Worker``; ``handlers`` adds or replaces outbox handlers."""
    register_erasers()
    all_handlers = {**domain_handlers(), **(handlers or {})}
    audit = AuditLog(settings.audit_key)
    config = RunnerConfig(
        lease_s=settings.outbox_lease_s,
        handler_timeout_s=settings.job_timeout_s,
        max_attempts=settings.outbox_max_attempts,
        base_backoff_s=settings.outbox_backoff_s,
    )
    templates = parse_config(settings.wechat_templates)
    platform_config = PlatformConfig.from_values(
        settings.platform_secrets,
        connect_timeout_s=settings.platform_connect_timeout_s,
        read_timeout_s=settings.platform_read_timeout_s,
        outbound=OutboundPolicy.from_settings(settings),
    )

    async def startup(ctx: dict[str, Any]) -> None:
        engine = db.bind_engine(settings.database_url)
        await engine.start_connection_pool(
            min_size=1, max_size=max(2, settings.worker_max_jobs // 2)
        )
        doorbell = ArqDoorbell(ctx["redis"], queue_name=settings.arq_queue)
        ctx["doorbell"] = doorbell
        ctx["platform"] = PlatformClients(platform_config)
        ctx["file_store"] = build_store(settings)
        given = dict(services or {})
        if "wechat" not in given:
            from backend.wechat.client import WeChatApi

            given["wechat"] = ctx["wechat"] = WeChatApi.from_settings(settings)
        if "sms" not in given and settings.sms_url:
            given["sms"] = ctx["sms"] = HttpSmsSender(
                url=settings.sms_url,
                secret=settings.sms_secret,
                cipher=FieldCipher(settings.field_key_ring()),
                outbound=OutboundPolicy.from_settings(settings),
            )
        ctx["runner"] = OutboxRunner(
            handlers=all_handlers,
            config=config,
            doorbell=doorbell,
            services={
                "platform": ctx["platform"],
                "doorbell": doorbell,
                "templates": templates,
                "audit": audit,
                "file_store": ctx["file_store"],
                "send_rate": SendRate(
                    ctx["redis"],
                    per_second=settings.notify_send_rate,
                    key=f"{settings.redis_prefix}:notify:rate",
                ),
                **given,
            },
        )
        ctx["sweeper"] = asyncio.create_task(
            sweep_forever(doorbell=doorbell, every_s=max(1, settings.outbox_sweep_every_s))
        )
        log.info("worker_started", queue=settings.arq_queue, handlers=sorted(all_handlers))

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "sweeper" in ctx:
            ctx["sweeper"].cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ctx["sweeper"]
        if "platform" in ctx:
            await ctx["platform"].aclose()
        if "file_store" in ctx:
            await close_store(ctx["file_store"])
        if "wechat" in ctx:
            await ctx["wechat"].close()
        if "sms" in ctx:
            await ctx["sms"].aclose()
        await db.engine().close_connection_pool()

    async def run_outbox_event(ctx: dict[str, Any], event_id: int) -> str:
        runner: OutboxRunner = ctx["runner"]
        return await runner.run(event_id)

    async def purge_idempotency_keys(ctx: dict[str, Any]) -> int:
        return await purge_expired()

    async def send_reminders(ctx: dict[str, Any]) -> int:
        # arq's cron job id is unique per run time, so one worker of many runs it; the notices'
        # unique keys make a second run (a retry, a manual one) write nothing new.
        return (await notify_reminders.remind(day=today())).total

    wecom = (
        WeComSender(
            settings.wecom_corp_id,
            settings.wecom_secret,
            settings.wecom_agent_id,
            settings.wecom_api_base,
            outbound=OutboundPolicy.from_settings(settings),
        )
        if settings.wecom_corp_id
        else None
    )

    async def push_notices_to_wecom(ctx: dict[str, Any]) -> int:
        return await notify_wecom.send_pending(wecom) if wecom is not None else 0

    async def refresh_stats(ctx: dict[str, Any]) -> str:
        # Two workers may both run it: the watermark row is taken with SKIP LOCKED.
        done = await stats_jobs.refresh_stats(travel=StraightLineEstimator.from_settings(settings))
        return "skipped" if done.skipped else f"{done.cases} cases, {done.days} days"

    async def escalate_overdue(ctx: dict[str, Any]) -> int:
        # The unique (case, level) escalation makes a second run, or a second worker, a no-op.
        done = await supervision_jobs.escalate_overdue(
            settings=settings, today=today(), doorbell=ctx["doorbell"]
        )
        return done.total

    async def draw_callback_sample(ctx: dict[str, Any]) -> int:
        week = supervision_callbacks.last_week(today())
        return (await supervision_jobs.draw_callback_sample(settings=settings, week=week)).total

    async def purge_restricted_cases(ctx: dict[str, Any]) -> int:
        # Restricted case files whose RETENTION_CASE_YEARS ran out (rows locked: one run wins).
        return await cases_erase.purge_expired(
            retention_years=settings.retention_case_years, audit=audit
        )

    return {
        "functions": [
            func(
                run_outbox_event,
                name=JOB_NAME,
                keep_result=0,
                timeout=settings.job_timeout_s + 5,
                max_tries=1000,
            )
        ],
        "cron_jobs": [
            cron(purge_idempotency_keys, minute={17}, second={0}, timeout=300),
            cron(refresh_stats, second={30}, timeout=600),
            cron(push_notices_to_wecom, second={45}, timeout=300),
            cron(
                send_reminders,
                hour={settings.reminder_hour},
                minute={0},
                second={0},
                timeout=300,
            ),
            cron(
                escalate_overdue,
                hour={settings.reminder_hour},
                minute={10},
                second={0},
                timeout=600,
            ),
            cron(purge_restricted_cases, hour={3}, minute={40}, second={0}, timeout=600),
            cron(
                draw_callback_sample,
                weekday={0},
                hour={settings.reminder_hour},
                minute={20},
                second={0},
                timeout=600,
            ),
        ],
        "timezone": SHANGHAI,  # cron hours are Asia/Shanghai hours (REMINDER_HOUR)
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": redis_settings(settings.redis_url),
        "queue_name": settings.arq_queue,
        "poll_delay": settings.worker_poll_delay_s,
        "max_jobs": settings.worker_max_jobs,
        "job_timeout": settings.job_timeout_s + 5,
        "keep_result": 0,
        "health_check_interval": 10,
        "handle_signals": True,
    }


def run_worker(
    settings: Settings, *, handlers: Mapping[str, Handler] | None = None, burst: bool = False
) -> None:
    """Run a worker in this process until SIGINT/SIGTERM (or, with ``burst``, until idle)."""
    configure_logging(level=settings.log_level, json=settings.log_json)
    asyncio.set_event_loop(asyncio.new_event_loop())
    worker = SteadyWorker(**worker_settings(settings, handlers=handlers), burst=burst)
    worker.run()
