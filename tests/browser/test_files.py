"""A material PDF opens in Chromium's PDF viewer although it is served with a sandboxing CSP
(so a script inside it runs, if at all, in an opaque origin, never in the portal's)."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.async_api import Browser

from backend.settings import Settings
from backend.uploads import service
from tests.factories import DEFAULT_PASSWORD, make_staff

pytestmark = pytest.mark.browser

PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"


def scanned_pdf() -> bytes:
    image = Image.new("RGB", (600, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 580, 280), outline="black", width=4)
    draw.text((60, 120), "HANDOVER MANIFEST SCAN 2026", fill="black")
    out = io.BytesIO()
    image.save(out, "PDF")
    return out.getvalue()


async def test_a_sandboxed_pdf_still_opens_in_the_viewer(
    browser: Browser, live_server: str, settings: Settings, artifacts_dir: Path
) -> None:
    await make_staff(role="agent", username="pdf-agent")
    async with httpx.AsyncClient(base_url=live_server, timeout=10.0) as api:
        login = await api.post(
            "/api/v1/auth/staff/login",
            json={"username": "pdf-agent", "password": DEFAULT_PASSWORD},
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        created = await api.post(
            "/api/v1/uploads",
            headers=headers,
            files={"file": ("scan.pdf", scanned_pdf(), "application/pdf")},
            data={"material_type": "委托书"},
        )
        assert created.status_code == 201, created.text
    link = await service.signed_link(upload_id=created.json()["id"], settings=settings)

    context = await browser.new_context(viewport={"width": 900, "height": 600})
    try:
        page = await context.new_page()
        response = await page.goto(live_server + link)
        assert response is not None and response.status == 200
        served = await response.all_headers()
        assert served["content-security-policy"] == "sandbox; default-src 'none'"
        assert served["content-type"] == "application/pdf"
        viewer = None
        for _ in range(100):  # the viewer is an extension frame inside the page
            viewer = next((f for f in page.frames if f.url.startswith(PDF_VIEWER)), None)
            if viewer is not None:
                break
            await page.wait_for_timeout(100)
        assert viewer is not None, [f.url for f in page.frames]
        await page.wait_for_timeout(1000)  # let it paint, for the screenshot a person looks at
        await page.screenshot(path=str(artifacts_dir / "sandboxed-pdf.png"))
    finally:
        await context.close()
