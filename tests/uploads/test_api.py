"""Uploads end to end: the real app over HTTP, real PostgreSQL, the configured local store."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image

from backend.fakes.wechat_server import FakeWeChat
from backend.settings import Settings
from backend.uploads import service
from backend.uploads.tables import Upload
from tests.api.test_login import assert_problem
from tests.factories import DEFAULT_PASSWORD, make_staff
from tests.uploads import images

pytestmark = pytest.mark.api

Headers = dict[str, str]


@pytest.fixture
async def alice(api: httpx.AsyncClient, wechat: FakeWeChat) -> Headers:
    return await citizen_login(api, "openid-alice")


async def citizen_login(api: httpx.AsyncClient, openid: str) -> Headers:
    login = await api.post("/api/v1/auth/wechat/login", json={"code": f"test:{openid}"})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def upload(
    api: httpx.AsyncClient,
    headers: Headers,
    data: bytes,
    *,
    name: str = "IMG_0001.jpg",
    material_type: str | None = "身份证",
    mime: str = "image/jpeg",
) -> httpx.Response:
    form = {} if material_type is None else {"material_type": material_type}
    return await api.post(
        "/api/v1/uploads", headers=headers, files={"file": (name, data, mime)}, data=form
    )


async def fetch(api: httpx.AsyncClient, upload_id: str, settings: Settings) -> httpx.Response:
    link = await service.signed_link(upload_id=upload_id, settings=settings)
    return await api.get(link)


async def test_a_citizen_uploads_a_photo_and_its_gps_is_gone(
    api: httpx.AsyncClient, alice: Headers, settings: Settings
):
    original = images.photo_with_gps()
    response = await upload(api, alice, original)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "sha256", "size", "content_type", "material_type"}
    assert body["content_type"] == "image/jpeg"
    assert body["material_type"] == "身份证"

    served = await fetch(api, body["id"], settings)
    assert served.status_code == 200, served.text
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["content-disposition"] == "inline"
    assert served.headers["cache-control"] == "private, no-store"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert len(served.content) == body["size"]
    photo = Image.open(io.BytesIO(served.content))
    assert not photo.getexif()
    assert 0x8825 not in photo.getexif()
    assert b"Xiaomi" not in served.content
    assert photo.size == (1250, 1600)  # as the phone showed it: orientation applied

    detail = await api.get(f"/api/v1/uploads/{body['id']}", headers=alice)
    assert detail.status_code == 200, detail.text
    assert detail.json() | {"created_at": None} == {
        **body,
        "original_name": "IMG_0001.jpg",
        "attached": False,
        "created_at": None,
    }


async def test_staff_upload_png_and_pdf(api: httpx.AsyncClient, settings: Settings):
    await make_staff(role="agent", username="agent-1")
    login = await api.post(
        "/api/v1/auth/staff/login", json={"username": "agent-1", "password": DEFAULT_PASSWORD}
    )
    staff = {"Authorization": f"Bearer {login.json()['access_token']}"}

    png = await upload(api, staff, images.png_with_text(), name="委托书.png", mime="image/png")
    assert png.status_code == 201, png.text
    assert png.json()["content_type"] == "image/png"

    pdf = await upload(api, staff, images.PDF, name="scan.pdf", material_type="委托书")
    assert pdf.status_code == 201, pdf.text
    assert pdf.json()["content_type"] == "application/pdf"
    served = await fetch(api, pdf.json()["id"], settings)
    assert served.content == images.PDF
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert served.headers["content-disposition"] == "inline"


async def test_the_type_comes_from_the_bytes_not_the_name(api: httpx.AsyncClient, alice: Headers):
    body = assert_problem(
        await upload(api, alice, b"this is not a photo", name="photo.jpg"),
        422,
        "upload_type_unsupported",
    )
    assert "PDF" in body["detail"]
    assert_problem(
        await upload(api, alice, images.zip_file(), name="a.zip", mime="application/zip"),
        422,
        "upload_type_unsupported",
    )
    assert_problem(await upload(api, alice, b""), 422, "upload_empty")
    assert await Upload.count().run() == 0


async def test_missing_parts_are_422(api: httpx.AsyncClient, alice: Headers):
    assert_problem(
        await upload(api, alice, images.PDF, material_type=None), 422, "validation_failed"
    )
    no_file = await api.post(
        "/api/v1/uploads", headers=alice, files={"material_type": (None, "身份证")}
    )
    assert_problem(no_file, 422, "validation_failed")
    not_a_file = await api.post(
        "/api/v1/uploads",
        headers=alice,
        files={"material_type": (None, "身份证"), "file": (None, "text")},
    )
    assert_problem(not_a_file, 422, "validation_failed")
    form = await api.post("/api/v1/uploads", headers=alice, data={"material_type": "身份证"})
    assert_problem(form, 400, "upload_form_invalid")
    assert_problem(
        await api.post("/api/v1/uploads", headers=alice, json={"material_type": "身份证"}),
        400,
        "upload_form_invalid",
    )
    assert_problem(
        await upload(api, alice, images.PDF, material_type="材" * 21), 422, "validation_failed"
    )
    assert_problem(
        await upload(api, alice, images.PDF, material_type="   "), 422, "material_type_invalid"
    )


async def test_oversize_uploads_are_refused(
    api: httpx.AsyncClient, alice: Headers, settings: Settings
):
    just_over = images.PDF + b"\n" * (settings.upload_max_bytes + 1 - len(images.PDF))
    assert_problem(await upload(api, alice, just_over), 422, "upload_too_large")
    huge = images.PDF + b"\n" * (settings.upload_max_bytes + 256 * 1024)
    assert_problem(await upload(api, alice, huge), 413, "upload_too_large")
    assert await Upload.count().run() == 0


async def test_the_daily_limit_is_429(api: httpx.AsyncClient, alice: Headers, settings: Settings):
    me = await api.get("/api/v1/me", headers=alice)
    owner = me.json()["id"]
    now = datetime.now(UTC)
    await Upload.insert(
        *[
            Upload(
                id=f"up_limit{n:014d}",
                owner_kind="citizen",
                owner_id=owner,
                material_type="身份证",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                storage_key="00/00/" + "0" * 64,
                created_at=now,
            )
            for n in range(settings.upload_max_per_day)
        ]
    ).run()
    response = await upload(api, alice, images.PDF)
    assert_problem(response, 429, "upload_limit_reached")
    assert int(response.headers["retry-after"]) > 0


async def test_an_upload_is_visible_to_its_owner_only(
    api: httpx.AsyncClient, alice: Headers, wechat: FakeWeChat
):
    created = (await upload(api, alice, images.PDF)).json()
    bob = await citizen_login(api, "openid-bob")
    assert_problem(
        await api.get(f"/api/v1/uploads/{created['id']}", headers=bob), 404, "upload_not_found"
    )
    assert_problem(
        await api.get("/api/v1/uploads/up_doesnotexist0000000000", headers=bob),
        404,
        "upload_not_found",
    )
    assert_problem(await api.get(f"/api/v1/uploads/{created['id']}"), 401, "token_missing")
    assert_problem(await upload(api, {}, images.PDF), 401, "token_missing")


async def test_signed_links_expire_and_cannot_be_forged(
    api: httpx.AsyncClient, alice: Headers, settings: Settings
):
    created = (await upload(api, alice, images.PDF)).json()
    past = datetime.now(UTC) - timedelta(seconds=settings.signed_url_ttl_s + 1)
    expired = await service.signed_link(upload_id=created["id"], settings=settings, now=past)
    assert_problem(await api.get(expired), 410, "link_expired")

    good = await service.signed_link(upload_id=created["id"], settings=settings)
    assert (await api.get(good)).status_code == 200
    forged = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    assert_problem(await api.get(forged), 404, "link_invalid")
    assert_problem(await api.get("/api/v1/files/nonsense"), 404, "link_invalid")
