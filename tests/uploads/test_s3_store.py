"""The S3 adapter (hand-written SigV4 over httpx) against the local fake S3 server."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator

import pytest

from backend.fakes.s3_server import FakeS3
from backend.settings import Settings
from backend.uploads.keys import key_for
from backend.uploads.ports import ObjectMissing, StoreError
from backend.uploads.storage import S3FileStore, build_store
from tests.uploads import images

pytestmark = pytest.mark.integration

BUCKET = "jjb-materials"


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """A fake HTTP server only: no database."""


@pytest.fixture(scope="module")
def s3() -> Iterator[FakeS3]:
    with FakeS3() as fake:
        yield fake


@pytest.fixture
async def store(s3: FakeS3) -> AsyncIterator[S3FileStore]:
    s3.objects.clear()
    s3.requests.clear()
    adapter = S3FileStore(
        endpoint=s3.url, bucket=BUCKET, access_key=s3.access_key, secret_key=s3.secret_key
    )
    yield adapter
    await adapter.aclose()


async def test_put_get_exists_delete(store: S3FileStore, s3: FakeS3):
    data = images.photo_with_gps()
    key = key_for(hashlib.sha256(data).hexdigest())
    assert not await store.exists(key)
    await store.put(key, data, "image/jpeg")
    assert s3.objects[f"{BUCKET}/{key}"] == (data, "image/jpeg")
    assert await store.exists(key)
    assert await store.get(key) == data
    await store.delete(key)
    assert f"{BUCKET}/{key}" not in s3.objects
    assert not await store.exists(key)
    with pytest.raises(ObjectMissing):
        await store.get(key)
    await store.delete(key)  # missing is fine
    assert [(m, status) for m, _, status in s3.requests] == [
        ("HEAD", 404),
        ("PUT", 200),
        ("HEAD", 200),
        ("GET", 200),
        ("DELETE", 204),
        ("HEAD", 404),
        ("GET", 404),
        ("DELETE", 204),
    ]
    assert all(path.startswith(f"/{BUCKET}/") for _, path, _ in s3.requests)


async def test_every_request_is_signed_and_a_wrong_secret_is_refused(s3: FakeS3):
    wrong = S3FileStore(
        endpoint=s3.url, bucket=BUCKET, access_key=s3.access_key, secret_key="not-the-secret"
    )
    try:
        with pytest.raises(StoreError, match="403"):
            await wrong.put(key_for("0" * 64), b"data", "application/pdf")
        with pytest.raises(StoreError, match="403"):
            await wrong.exists(key_for("0" * 64))
    finally:
        await wrong.aclose()
    assert not s3.objects


def test_the_fake_refuses_a_request_without_authorization(s3: FakeS3):
    import httpx

    response = httpx.put(f"{s3.url}/{BUCKET}/ab/cd/x", content=b"data")
    assert response.status_code == 403
    assert b"AccessDenied" in response.content


async def test_an_unreachable_store_is_a_store_error():
    store = S3FileStore(
        endpoint="http://127.0.0.1:9", bucket=BUCKET, access_key="a", secret_key="b", timeout_s=2
    )
    try:
        with pytest.raises(StoreError):
            await store.put(key_for("1" * 64), b"data", "image/png")
    finally:
        await store.aclose()


def test_build_store_follows_settings(tmp_path):
    local = build_store(Settings(storage_dir=str(tmp_path)))
    assert type(local).__name__ == "LocalFileStore"
    s3 = build_store(
        Settings(storage_backend="s3", s3_endpoint="http://127.0.0.1:9000", s3_bucket="b")
    )
    assert isinstance(s3, S3FileStore)
    assert s3.url_of("ab/cd/ef") == "http://127.0.0.1:9000/b/ab/cd/ef"
    hosted = S3FileStore(
        endpoint="https://{bucket}.oss-cn-hangzhou.aliyuncs.com",
        bucket="jjb",
        access_key="a",
        secret_key="b",
    )
    assert hosted.url_of("ab/cd/ef") == "https://jjb.oss-cn-hangzhou.aliyuncs.com/ab/cd/ef"
