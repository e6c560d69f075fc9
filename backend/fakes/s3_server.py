"""A local fake of S3-compatible object storage, over real HTTP on 127.0.0.1.

Path-style only (``/bucket/key``); PUT, GET, HEAD and DELETE of whole objects, kept in memory.
Every request must carry a valid SigV4 ``Authorization`` header for the configured key pair and
a matching ``x-amz-content-sha256``; anything else is refused as S3 would (403 / 400).

In tests::

    with FakeS3() as s3:
        store = S3FileStore(endpoint=s3.url, bucket="materials",
                            access_key=s3.access_key, secret_key=s3.secret_key)
"""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from backend.fakes.base import ServedInThread
from backend.uploads import sigv4

_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$"
)
MAX_BODY = 64 * 1024 * 1024
MAX_SKEW = timedelta(minutes=15)


class FakeS3(ServedInThread):
    """A local S3-compatible object store checking SigV4, for the S3 file store's tests."""

    name = "fake S3 server"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_key: str = "fake-access-key",
        secret_key: str = "fake-secret-key-0123456789",  # noqa: S107 - a fake, for tests
        region: str = "us-east-1",
    ) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.objects: dict[str, tuple[bytes, str]] = {}
        """``bucket/key`` → (bytes, content type)."""
        self.requests: list[tuple[str, str, int]] = []
        """(method, path, status answered), in order."""
        self.lock = threading.Lock()
        self._serve_at(host, port)

    @property
    def url(self) -> str:
        return self.base_url

    def _new_server(self) -> ThreadingHTTPServer:
        return _Server(self._address, self)

    def check_auth(self, method: str, path: str, headers: dict[str, str], body: bytes) -> str:
        """An S3 error code, or "" when the request is properly signed."""
        match = _AUTH.match(headers.get("authorization", ""))
        if match is None:
            return "AccessDenied"
        access_key, day, region, signed_names, sent = match.groups()
        if access_key != self.access_key:
            return "InvalidAccessKeyId"
        amz_date = headers.get("x-amz-date", "")
        try:
            at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return "AccessDenied"
        if abs(datetime.now(UTC) - at) > MAX_SKEW:
            return "RequestTimeTooSkewed"
        payload_hash = headers.get("x-amz-content-sha256", "")
        if payload_hash != hashlib.sha256(body).hexdigest():
            return "XAmzContentSHA256Mismatch"
        names = signed_names.split(";")
        if not {"host", "x-amz-date", "x-amz-content-sha256"} <= set(names):
            return "AccessDenied"
        expected, _, _ = sigv4.signature(
            method=method,
            url=f"http://{headers.get('host', '')}{path}",
            headers={name: headers.get(name, "") for name in names},
            payload_hash=payload_hash,
            secret_key=self.secret_key,
            region=region,
            amz_date=amz_date,
        )
        if day != amz_date[:8] or region != self.region or sent != expected:
            return "SignatureDoesNotMatch"
        return ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeS3) -> None:
        super().__init__(address, _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeS3/1.0"

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self, method: str) -> None:
        fake = self.server.fake
        path = urlsplit(self.path).path
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        error = fake.check_auth(method, path, headers, body)
        bucket, _, key = unquote(path).lstrip("/").partition("/")
        name = f"{bucket}/{key}"
        with fake.lock:
            if error:
                status = 400 if error == "XAmzContentSHA256Mismatch" else 403
            elif not key:
                status, error = 400, "InvalidRequest"
            elif method == "PUT":
                fake.objects[name] = (body, headers.get("content-type", ""))
                status = 200
            elif method == "DELETE":
                fake.objects.pop(name, None)
                status = 204
            elif name in fake.objects:
                status = 200
            else:
                status, error = 404, "NoSuchKey"
            found = fake.objects.get(name) if status == 200 and method in {"GET", "HEAD"} else None
            fake.requests.append((method, path, status))
        if error:
            xml = f"<Error><Code>{error}</Code></Error>".encode()
            self._send(status, xml if method != "HEAD" else b"", "application/xml", len(xml))
        elif found is not None:
            data, content_type = found
            self._send(200, data if method == "GET" else b"", content_type, len(data))
        else:
            self._send(status, b"", "application/xml", 0)

    def _send(self, status: int, payload: bytes, content_type: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status != 204:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if payload:
            self.wfile.write(payload)
