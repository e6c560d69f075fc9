"""Every page of the citizens' H5 (``miniprogram/src/app.config.ts``) opened with a signed-in
citizen's real data, in normal mode and in 长辈模式, and the two self-service terminal pages on
a 1080 × 1920 screen: no serious or critical axe-core violation, every touch target at least
44 × 44 px (60 × 60 in 长辈模式, with the whole 长辈模式 audit of ``elder_audit.py``), and a
full-page picture of each. The axe figures are summed up in ``test-artifacts/axe-summary.txt``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from backend.fakes.idcard_reader_server import FakeIdCardReader
from tests.browser.h5.axe import axe_all
from tests.browser.h5.conftest import sign_in
from tests.browser.h5.elder_audit import audit_elder, audit_targets
from tests.browser.h5.test_case_journeys import shot
from tests.browser.h5.test_catalogue_journeys import QUNWEI, screen
from tests.browser.h5.test_kiosk import (  # noqa: F401 (fixtures used by the kiosk tests)
    card_on,
    kiosk_api,
    kiosk_server,
    reader,
    set_up,
)
from tests.browser.h5.test_kiosk import screen as kiosk_screen  # noqa: F401
from tests.browser.h5.test_me_journeys import _ask
from tests.delegation.support import agent
from tests.support import CitizenClient
from tests.terminals.support import issued, kiosk_catalogue
from tests.window.support import clerk, ok, queued

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
SUMMARY = ROOT / "test-artifacts" / "axe-summary.txt"
IMPACTS = ("critical", "serious", "moderate", "minor")
MODES = ["normal", "elder"]

Prepare = Callable[[pytest.FixtureRequest, Page, CitizenClient], Awaitable[str]]


async def _case(request: pytest.FixtureRequest, page: Page, me: CitizenClient) -> str:
    """One of the citizen's cases, accepted at the window."""
    request.getfixturevalue("elicense")
    request.getfixturevalue("wechat")
    api: httpx.AsyncClient = request.getfixturevalue("api")
    number = await queued(me)
    await ok(await clerk(api), number, "accept")
    return number


async def _prepare_case(request: pytest.FixtureRequest, page: Page, me: CitizenClient) -> str:
    return f"case/index?number={await _case(request, page, me)}"


async def _prepare_cases(request: pytest.FixtureRequest, page: Page, me: CitizenClient) -> str:
    await _case(request, page, me)
    return "cases/index"


async def _prepare_nearby(request: pytest.FixtureRequest, page: Page, me: CitizenClient) -> str:
    await page.context.grant_permissions(["geolocation"])
    await page.context.set_geolocation(QUNWEI)
    return "nearby/index?item=GA-CSDJ"


async def _prepare_mandates(request: pytest.FixtureRequest, page: Page, me: CitizenClient) -> str:
    api: httpx.AsyncClient = request.getfixturevalue("api")
    helper = await agent(api, username="agent-every", name="陈代办")
    await _ask(helper, me.id, "GA-CSDJ", 30)
    return "mandates/index"


def _fixed(path: str) -> Prepare:
    async def prepare(request: pytest.FixtureRequest, page: Page, me: CitizenClient) -> str:
        return path

    return prepare


# page → (how to reach it with data, whether the citizen has a bound identity)
PAGES: dict[str, tuple[Prepare, bool]] = {
    "index": (_fixed("index/index"), True),
    "search": (_fixed("search/index?q=出生"), True),
    "item": (_fixed("item/index?code=GA-CSDJ"), True),
    "bundle": (_fixed("bundle/index?code=CSYJS"), True),
    "nearby": (_prepare_nearby, True),
    "apply": (_fixed("apply/index?item=GA-CSDJ"), True),
    "cases": (_prepare_cases, True),
    "case": (_prepare_case, True),
    "me": (_fixed("me/index"), True),
    "bind": (_fixed("bind/index"), False),
    "phone": (_fixed("phone/index"), True),
    "mandates": (_prepare_mandates, True),
    "messages": (_fixed("messages/index"), True),
    "privacy": (_fixed("privacy/index"), True),
}


ORDER = [*PAGES, "kiosk-setup", "kiosk"]
ROWS: dict[tuple[str, str], Counter[str]] = {}


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Iterator[None]:
    """Writes the axe figures of the pages this module opened, in app.config.ts's order."""
    ROWS.clear()
    yield
    lines = [
        "axe-core violations per page (WCAG 2.1 A/AA + best practice), by impact",
        f"{'page':<14}{'mode':<8}" + "".join(f"{i:>10}" for i in IMPACTS),
    ]
    for (name, mode), counts in sorted(
        ROWS.items(), key=lambda r: (ORDER.index(r[0][0]), [*MODES, "kiosk"].index(r[0][1]))
    ):
        lines.append(f"{name:<14}{mode:<8}" + "".join(f"{counts[i]:>10}" for i in IMPACTS))
    SUMMARY.parent.mkdir(exist_ok=True)
    SUMMARY.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def _axe(page: Page, name: str, mode: str) -> list[dict[str, Any]]:
    found = await axe_all(page, f"every-{name}-{mode}")
    ROWS[(name, mode)] = Counter(v["impact"] for v in found)
    return [v for v in found if v["impact"] in ("serious", "critical")]


async def _loaded(page: Page) -> None:
    """The page on show has its title and has finished loading its data."""
    await expect(screen(page).locator(".title").first).to_be_visible()
    await page.wait_for_load_state("networkidle")
    await expect(screen(page).get_by_text("正在加载", exact=False)).to_have_count(0)
    await page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(PAGES))
async def test_every_page_is_accessible(
    h5: Page,
    api: httpx.AsyncClient,
    small_catalogue: Path,
    request: pytest.FixtureRequest,
    name: str,
    mode: str,
) -> None:
    prepare, bound = PAGES[name]
    me = await sign_in(h5, api, f"every-{name}-{mode}", bind=bound)
    path = await prepare(request, h5, me)
    await expect(screen(h5).get_by_text("就近办 · 家门口办事")).to_be_visible()
    if mode == "elder":
        await screen(h5).get_by_role("switch").click()
        await h5.wait_for_function("document.querySelector('.page.elder') !== null")
    if name != "index":
        await h5.goto(f"/m/#/pages/{path}")
        await h5.reload()  # a fresh page stack: only this page in the document
    await _loaded(h5)
    if mode == "elder":
        await expect(screen(h5).locator(".page.elder")).to_have_count(1)

    await shot(h5, f"every-{name}-{mode}")
    assert await _axe(h5, name, mode) == []
    if mode == "elder":
        assert (await audit_elder(h5)).problems == []
    else:
        assert await audit_targets(h5, minimum=44) == []


@pytest.mark.parametrize("name", ["kiosk-setup", "kiosk"])
async def test_the_kiosk_pages_are_accessible(
    kiosk_screen: Page,  # noqa: F811
    reader: FakeIdCardReader,  # noqa: F811
    small_catalogue: Path,
    settings: Any,
    tmp_path: Path,
    name: str,
) -> None:
    page = kiosk_screen
    reader.take_card()
    if name == "kiosk-setup":
        await page.goto("/kiosk/")
        await page.get_by_text("由管理员操作").wait_for()
    else:
        await kiosk_catalogue(small_catalogue, tmp_path)
        await set_up(page, await issued(settings.audit_key))
        await card_on(page, reader)
    await page.wait_for_load_state("networkidle")

    await shot(page, f"every-{name}-kiosk")
    assert await _axe(page, name, "kiosk") == []
    assert (await audit_elder(page)).problems == []
    reader.take_card()


async def test_a_button_is_reached_with_tab_and_pressed_with_enter(
    h5: Page, small_catalogue: Path
) -> None:
    await h5.goto("/m/#/pages/item/index?code=GA-CSDJ")
    await h5.reload()
    await _loaded(h5)
    nearby = screen(h5).get_by_role("button", name="附近哪里能办")
    for _ in range(30):
        if await nearby.evaluate("e => e === document.activeElement"):
            break
        await h5.keyboard.press("Tab")
    else:
        raise AssertionError("Tab never reached 「附近哪里能办」")
    await h5.keyboard.press("Enter")
    await expect(screen(h5).locator(".title")).to_have_text("附近哪里能办")
