"""Every error path answers a problem document, never a bare 500."""

import pytest

from tests.api.test_login import assert_problem

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


async def test_pagination_limits_are_checked(api):
    assert_problem(
        await api.get("/api/v1/areas", params={"page_size": 101}), 422, "validation_failed"
    )
    assert_problem(await api.get("/api/v1/areas", params={"page": 0}), 422, "validation_failed")
    assert_problem(
        await api.get("/api/v1/areas", params={"level": "planet"}), 422, "area_level_invalid"
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
