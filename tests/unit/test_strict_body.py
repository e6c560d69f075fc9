"""JSON bodies are decoded strictly: what the API description calls invalid is refused."""

from __future__ import annotations

from typing import Annotated

import msgspec
import pytest
from litestar import Litestar, get, post
from litestar.testing import TestClient

from backend.http.problems import EXCEPTION_HANDLERS
from backend.http.strict_body import strict_json_body

pytestmark = pytest.mark.unit


class Probe(msgspec.Struct, forbid_unknown_fields=True):
    ok: bool
    score: Annotated[int, msgspec.Meta(ge=1, le=5)] = 3
    note: str = ""


@post("/check", status_code=200)
async def check(data: Probe) -> Probe:
    return data


@post("/optional", status_code=200)
async def optional(data: Probe | None = None) -> bool:
    return data is None


@get("/list")
async def listing(page: int = 1, q: str | None = None) -> int:
    return page


def _client() -> TestClient[Litestar]:
    app = Litestar(
        [check, optional, listing],
        before_request=strict_json_body,
        exception_handlers=EXCEPTION_HANDLERS,
    )
    return TestClient(app)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"ok": 0}, "ok", "类型不对，应为是非值（true 或 false）"),
        ({"ok": "true"}, "ok", "类型不对，应为是非值（true 或 false）"),
        ({"ok": True, "score": "5"}, "score", "类型不对，应为整数"),
        ({"ok": True, "note": 7}, "note", "类型不对，应为文本"),
    ],
)
def test_a_lenient_conversion_is_refused(body: object, field: str, message: str) -> None:
    with _client() as client:
        answer = client.post("/check", json=body)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": field, "message": message}]


def test_a_valid_body_and_a_left_out_optional_body_pass() -> None:
    with _client() as client:
        assert client.post("/check", json={"ok": False, "score": 5}).json()["score"] == 5
        assert client.post("/optional").json() is True
        malformed = client.post(
            "/check", content=b'{"ok": ', headers={"content-type": "application/json"}
        )
        assert malformed.status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        [("content-type", "text/plain")],
        [],
        [("content-type", "application/vnd.api+json")],
        [("content-type", "text/plain"), ("content-type", "application/json")],
    ],
)
def test_a_json_body_sent_as_anything_else_is_415(headers: list[tuple[str, str]]) -> None:
    with _client() as client:
        answer = client.post("/check", content=b'{"ok": 1}', headers=headers)
    assert answer.status_code == 415
    assert answer.json()["code"] == "unsupported_media_type"


def test_the_media_type_is_read_without_regard_to_case_or_parameters() -> None:
    with _client() as client:
        for kind in ("Application/JSON", "application/json; charset=utf-8"):
            answer = client.post("/check", content=b'{"ok": true}', headers={"content-type": kind})
            assert answer.status_code == 200, kind


@pytest.mark.parametrize("page", ["1.0", "1e3", " 1", "0x1"])
def test_an_integer_query_is_written_as_an_integer(page: str) -> None:
    with _client() as client:
        answer = client.get("/list", params={"page": page, "q": "1.0"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "page", "message": "类型不对，应为整数"}]


def test_integer_queries_pass() -> None:
    with _client() as client:
        assert client.get("/list", params={"page": "12"}).json() == 12
        assert client.get("/list").json() == 1
