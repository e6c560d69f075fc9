"""Every error path answers a problem document, never a bare 500."""

import pytest

from tests.api.test_login import assert_problem
from tests.factories import DEFAULT_PASSWORD, make_staff

pytestmark = pytest.mark.api


async def test_unknown_route_and_method(api):
    assert_problem(await api.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_problem(await api.delete("/healthz"), 405, "method_not_allowed")


async def test_malformed_json_and_invalid_fields(api):
    malformed = await api.post(
        "/api/v1/auth/staff/login",
        content=b'{"username": ',
        headers={"content-type": "application/json"},
    )
    assert_problem(malformed, 400, "malformed_json")
    wrong_type = await api.post("/api/v1/auth/staff/login", json={"username": 12, "password": "x"})
    body = assert_problem(wrong_type, 422, "validation_failed")
    assert body["errors"][0]["field"] == "username"
    missing = await api.post("/api/v1/auth/wechat/login", json={})
    assert_problem(missing, 422, "validation_failed")
    empty = await api.post("/api/v1/auth/wechat/login", json={"code": ""})
    assert_problem(empty, 422, "validation_failed")


async def test_bodies_are_decoded_as_strictly_as_the_document_says(api):
    """A number where text is asked for, or 1 for true, is refused, not converted."""
    body = assert_problem(
        await api.post("/api/v1/auth/staff/login", json={"username": "a", "password": 12345}),
        422,
        "validation_failed",
    )
    assert body["errors"] == [{"field": "password", "message": "类型不对，应为文本"}]
    assert "password" in body["detail"]
    missing = assert_problem(
        await api.post("/api/v1/auth/staff/login", json={"username": "a"}),
        422,
        "validation_failed",
    )
    assert missing["errors"] == [{"field": "password", "message": "此项为必填项"}]


async def test_only_the_bearer_scheme_carries_a_token(api):
    await make_staff(role="window", username="window-scheme")
    login = await api.post(
        "/api/v1/auth/staff/login", json={"username": "window-scheme", "password": DEFAULT_PASSWORD}
    )
    token = login.json()["access_token"]
    assert (
        await api.get("/api/v1/staff/me", headers={"Authorization": f"Bearer {token}"})
    ).is_success
    for scheme in ("Token", "Basic", "JWT"):
        refused = await api.get("/api/v1/staff/me", headers={"Authorization": f"{scheme} {token}"})
        assert_problem(refused, 401, "token_invalid")


async def test_pagination_limits_are_checked(api):
    assert_problem(
        await api.get("/api/v1/areas", params={"page_size": 101}), 422, "validation_failed"
    )
    assert_problem(await api.get("/api/v1/areas", params={"page": 0}), 422, "validation_failed")
    assert_problem(
        await api.get("/api/v1/areas", params={"level": "planet"}), 422, "validation_failed"
    )


async def test_health_readiness_and_request_id(api):
    assert (await api.get("/healthz")).json()["status"] == "ok"
    ready = await api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["postgres"]["ok"]
    assert ready.json()["checks"]["redis"]["ok"]
    echoed = await api.get("/healthz", headers={"X-Request-ID": "abcdef123456"})
    assert echoed.headers["x-request-id"] == "abcdef123456"
    made_up = await api.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert made_up.headers["x-request-id"] != "bad id with spaces"


async def test_openapi_and_metrics(api):
    schema = (await api.get("/schema/openapi.json")).json()
    for path in ("/api/v1/auth/wechat/login", "/api/v1/auth/staff/login", "/api/v1/me", "/readyz"):
        assert path in schema["paths"]
    await api.get("/api/v1/areas/", params={"page": 3})
    await api.get("/api/v1/no-such-thing/123")
    metrics = (await api.get("/metrics")).text
    assert "litestar_requests_total" in metrics
    assert "no-such-thing" not in metrics  # unknown paths are not recorded
    await api.get("/api/v1/items/NO-SUCH-ITEM")
    metrics = (await api.get("/metrics")).text
    lines = [line for line in metrics.splitlines() if line.startswith("litestar_requests_total{")]
    assert any(
        'path="/api/v1/items/{code}"' in line and 'status_code="404"' in line for line in lines
    ), lines  # the route's template, not the item code
    assert 'path="/metrics"' not in metrics
    assert "litestar_request_duration_seconds_bucket" in metrics


async def test_input_postgresql_or_the_decoders_cannot_hold_is_a_4xx(api):
    """Each of these once answered 500 with a traceback (tests/access sweeps every route)."""
    login = "/api/v1/auth/staff/login"
    nul = await api.post(login, json={"username": "clerk\x00", "password": "x"})
    assert_problem(nul, 400, "invalid_characters")
    assert_problem(
        await api.get("/api/v1/areas", params={"parent": "33\x00"}), 400, "invalid_characters"
    )
    assert_problem(await api.get("/api/v1/items/GA%00CSDJ"), 400, "invalid_characters")
    as_json = {"content-type": "application/json"}
    deep = await api.post(login, content=b"[" * 1000 + b"]" * 1000, headers=as_json)
    assert_problem(deep, 400, "json_too_deep")
    bad_utf8 = await api.post(login, content=b'{"username": "\xff\xfe"}', headers=as_json)
    assert_problem(bad_utf8, 400, "invalid_characters")
    escaped = await api.post(login, json={"username": "a\\u0000", "password": "x"})
    assert_problem(escaped, 401, "credentials_invalid")  # a backslash, then "u0000": no NUL


async def test_a_multipart_file_named_backslash_and_a_date_of_year_one(api, small_catalogue):
    from tests.support import citizen
    from tests.window.support import staff

    me = await citizen(api, "errors-upload")
    upload = await me.post(
        "/api/v1/uploads",
        files={"file": ("\\", b"\x89PNG\r\n\x1a\n\xff", "image/png")},
        data={"material_type": "照片"},
    )
    assert 400 <= upload.status_code < 500, upload.text
    admin = await staff(api, role="admin", username="admin-errors", area_code="330109")
    for query in ({"from": "0001-01-01"}, {"to": "9999-12-31"}):
        far = await admin.get("/api/v1/supervision/audit", params=query)
        assert_problem(far, 422, "value_out_of_range")
    rule = await api.delete(
        "/api/v1/admin/routing-rules/99999999999999999999", headers=admin.headers
    )
    assert 400 <= rule.status_code < 500, rule.text
