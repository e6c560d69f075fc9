"""Helpers of the administrator's settings page tests: a signed-in portal client, the CSRF token
of a page, and the audit rows a change wrote."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from backend.audit.tables import AuditEvent
from tests.factories import DEFAULT_PASSWORD, make_staff

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def portal(api: httpx.AsyncClient, username: str, role: str = "admin") -> httpx.AsyncClient:
    """A browser-like client signed in to the portal as a new account of ``role``."""
    await make_staff(role=role, username=username)
    client = httpx.AsyncClient(base_url=str(api.base_url), timeout=30.0)
    page = await client.get("/portal/login")
    token = CSRF.search(page.text)
    assert token is not None, page.text
    login = await client.post(
        "/portal/login",
        data={"username": username, "password": DEFAULT_PASSWORD, "_csrf_token": token[1]},
    )
    assert login.status_code in (302, 303), login.text
    return client


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, str]
) -> httpx.Response:
    """Post ``data`` to ``action`` with the CSRF token of ``page``, as the form would."""
    shown = await client.get(page)
    token = CSRF.search(shown.text)
    assert token is not None, shown.text
    return await client.post(action, data={**data, "_csrf_token": token[1]})


async def audit_rows(action: str) -> list[dict[str, Any]]:
    """The audit rows of ``action``, oldest first, with their reason decoded."""
    rows = (
        await AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id).run()
    )
    return [{**r, "reason": json.loads(r["reason"])} for r in rows]
