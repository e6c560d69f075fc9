"""The two ``FileStore`` adapters — a local directory and S3-compatible object storage — and
``build_store``, which picks one from settings."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx

from backend.settings import Settings
from backend.uploads import sigv4
from backend.uploads.keys import UnsafeKey, check_key
from backend.uploads.ports import FileStore, ObjectMissing, StoreError


class LocalFileStore:
    """Files under ``root`` (mode 0600, directories 0700), written to a temporary file and renamed
    into place, so a reader never sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def path_of(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise UnsafeKey(f"unsafe storage key {key!r}")
        return path

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self.path_of(key), data)

    async def get(self, key: str) -> bytes:
        path = self.path_of(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path_of(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path_of(key).is_file)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # created 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


class S3FileStore:
    """Objects in one bucket of an S3-compatible service, signed with SigV4.

    ``endpoint`` is ``https://host[:port]`` for path-style addressing (``/bucket/key``); an
    endpoint containing ``{bucket}`` (``https://{bucket}.oss-cn-hangzhou.aliyuncs.com``) selects
    virtual-hosted style. The HTTP client is created on first use; call :meth:`aclose` at
    shutdown.
    """

    def __init__(
        self,
        *,
        endpoint: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        timeout_s: float = 30.0,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.bucket = bucket
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.timeout_s = timeout_s
        self._client: httpx.AsyncClient | None = None

    def url_of(self, key: str) -> str:
        path = quote(check_key(key), safe="/-_.~")
        if "{bucket}" in self.endpoint:
            return f"{self.endpoint.replace('{bucket}', self.bucket)}/{path}"
        return f"{self.endpoint}/{quote(self.bucket, safe='')}/{path}"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await self._send("PUT", key, data, {"content-type": content_type}, ok={200})

    async def get(self, key: str) -> bytes:
        response = await self._send("GET", key, ok={200, 404})
        if response.status_code == 404:
            raise ObjectMissing(key)
        return response.content

    async def delete(self, key: str) -> None:
        await self._send("DELETE", key, ok={200, 204, 404})

    async def exists(self, key: str) -> bool:
        return (await self._send("HEAD", key, ok={200, 404})).status_code == 200

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _send(
        self,
        method: str,
        key: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        ok: set[int],
    ) -> httpx.Response:
        url = self.url_of(key)
        signed = sigv4.sign(
            method=method,
            url=url,
            payload_hash=hashlib.sha256(body).hexdigest(),
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.region,
            now=datetime.now(UTC),
            extra_headers=headers,
        )
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout_s)
        try:
            response = await self._client.request(method, url, content=body or None, headers=signed)
        except httpx.HTTPError as exc:
            raise StoreError(f"{method} {key}: {type(exc).__name__}") from exc
        if response.status_code not in ok:
            raise StoreError(f"{method} {key}: HTTP {response.status_code}")
        return response


def build_store(settings: Settings) -> FileStore:
    """The adapter ``STORAGE`` names, configured from settings."""
    if settings.storage_backend == "s3":
        return S3FileStore(
            endpoint=settings.s3_endpoint,
            bucket=settings.s3_bucket,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
        )
    return LocalFileStore(Path(settings.storage_dir))


async def close_store(store: FileStore) -> None:
    """Release the store's connections, if it holds any (call at shutdown)."""
    if isinstance(store, S3FileStore):
        await store.aclose()
