"""Schemathesis over the whole API: every answer conforms to the OpenAPI document.

Each operation gets at least ``MIN_EXAMPLES`` requests (its access rule's rightful request,
negative and positive examples, part of them on real objects of the seeded world), each checked
for status code, content type, response headers and body against the document, no server error,
and the rejection of invalid data. The run prints the status counts per operation; every failed
check is listed with the operation, the check and a curl reproduction.
"""

from __future__ import annotations

import asyncio
import warnings

import httpx
import pytest
import schemathesis

from backend.app import create_app
from backend.fakes.elicense_server import FakeElicense
from backend.fakes.idverify_server import FakeIdVerify
from backend.fakes.platform_server import FakePlatform
from backend.fakes.sms_server import FakeSms
from backend.fakes.wechat_server import FakeWeChat
from backend.http.openapi import document
from backend.settings import Settings
from tests.access.rules import RULES
from tests.access.world import build
from tests.conftest import FIXTURES, ROOT
from tests.schemathesis import run as conformance
from tests.schemathesis.callers import AUDIENCES, Tokens, plans

pytestmark = [pytest.mark.api, pytest.mark.timeout(900)]

REPORT = ROOT / "test-artifacts" / "schemathesis-report.txt"
CONFIG = {
    # the bearer token is not a parameter to fuzz: each call gets its audience's real token
    "generation": {"with-security-parameters": False},
    # curl reproductions name the caller (`Bearer $WINDOW_A_TOKEN`) instead of hiding it
    "output": {"sanitization": {"enabled": False}},
}


async def test_every_answer_conforms_to_the_openapi_document(
    conformance_server: str,
    conformance_platform: FakePlatform,
    conformance_sms: FakeSms,
    settings: Settings,
    fake_wechat: FakeWeChat,
    fake_elicense: FakeElicense,
    fake_idverify: FakeIdVerify,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from backend.clock import today
    from backend.imports.service import import_batch, read_file

    for fake in (fake_wechat, fake_elicense, fake_idverify):
        fake.reset()
    await import_batch(read_file(FIXTURES), effective_from=today())
    with warnings.catch_warnings():  # the app's own deprecation notices, seen elsewhere
        warnings.simplefilter("ignore", DeprecationWarning)
        app = create_app(settings, configure_logs=False)
        described = document(app)
    schema = schemathesis.openapi.from_dict(described, config=schemathesis.Config.from_dict(CONFIG))
    async with httpx.AsyncClient(base_url=conformance_server, timeout=30.0) as api:
        world = await build(api, settings)
        world.settings, world.idverify = settings, fake_idverify
        world.objects["fake_sms"] = conformance_sms
        world.objects["bundle"] = (await api.get("/api/v1/bundles")).json()["items"][0]["code"]
        world.objects["platform_url"] = conformance_platform.url + "api"
        tokens = Tokens(settings, world)
        driver = conformance.Driver(
            schema=schema,
            base_url=conformance_server,
            plans=plans(app, RULES),
            rules=RULES,
            world=world,
            tokens=tokens,
            loop=asyncio.get_running_loop(),
        )
        outcome = await asyncio.to_thread(driver.run)
        # no operation spoiled a principal: each one is still let in (not disabled, no reset
        # password pending), with a token of its current version
        still_in = {}
        for name in AUDIENCES.values():
            path = "/api/v1/me" if name == "citizen_a" else "/api/v1/staff/notices"
            answer = await api.get(path, headers=await tokens.fresh(name))
            still_in[name] = answer.status_code
    report = "\n\n".join(
        [
            conformance.table(outcome),
            conformance.summary(outcome),
            conformance.failures(outcome),
            "\n".join(outcome.setup_errors),
        ]
    )
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(report, encoding="utf-8")
    with capsys.disabled():
        print("\n" + conformance.table(outcome) + "\n\n" + conformance.summary(outcome))
        print(f"(every failure with its reproduction: {REPORT.relative_to(ROOT)})")

    short = [t.key for t in outcome.tallies if t.examples < conformance.MIN_EXAMPLES]
    assert not short, f"operations with fewer than {conformance.MIN_EXAMPLES} examples: {short}"
    assert all(s == 200 for s in still_in.values()), still_in
    assert not outcome.setup_errors, "\n".join(outcome.setup_errors)
    assert not outcome.failures, conformance.failures(outcome)
