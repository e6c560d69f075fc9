"""AWS Signature Version 4 for S3-compatible storage, by hand (no SDK).

Only what the store needs: header-based signing of a request whose payload hash is known.
Checked against the worked example in AWS's S3 SigV4 documentation (``tests/uploads``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote, unquote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def _uri_encode(text: str, *, keep_slash: bool) -> str:
    return quote(text, safe="/-_.~" if keep_slash else "-_.~")


def canonical_request(
    method: str, url: str, headers: Mapping[str, str], payload_hash: str
) -> tuple[str, str]:
    """The canonical request and the ``SignedHeaders`` list (all given headers are signed)."""
    parts = urlsplit(url)
    path = _uri_encode(unquote(parts.path or "/"), keep_slash=True)
    pairs = []
    for item in filter(None, parts.query.split("&")):
        name, _, value = item.partition("=")
        pairs.append(
            (
                _uri_encode(unquote(name), keep_slash=False),
                _uri_encode(unquote(value), keep_slash=False),
            )
        )
    query = "&".join(f"{n}={v}" for n, v in sorted(pairs))
    lowered = {k.lower().strip(): " ".join(v.strip().split()) for k, v in headers.items()}
    names = sorted(lowered)
    signed = ";".join(names)
    header_block = "".join(f"{n}:{lowered[n]}\n" for n in names)
    return "\n".join([method.upper(), path, query, header_block, signed, payload_hash]), signed


def signature(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    payload_hash: str,
    secret_key: str,
    region: str,
    amz_date: str,
    service: str = "s3",
) -> tuple[str, str, str]:
    """``(signature, credential scope, signed headers)`` for a request; ``headers`` must
    already hold ``host``, ``x-amz-date`` and ``x-amz-content-sha256``."""
    request, signed = canonical_request(method, url, headers, payload_hash)
    day = amz_date[:8]
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(request.encode()).hexdigest()])
    key = _hmac(f"AWS4{secret_key}".encode(), day)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), scope, signed


def sign(
    *,
    method: str,
    url: str,
    payload_hash: str,
    access_key: str,
    secret_key: str,
    region: str,
    now: datetime,
    extra_headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The headers to send: ``host``, ``x-amz-date``, ``x-amz-content-sha256``, the extra
    headers, and ``Authorization``. ``now`` must be timezone-aware (UTC)."""
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    headers = {
        "host": urlsplit(url).netloc,
        "x-amz-date": amz_date,
        "x-amz-content-sha256": payload_hash,
        **{k.lower(): v for k, v in (extra_headers or {}).items()},
    }
    sig, scope, signed = signature(
        method=method,
        url=url,
        headers=headers,
        payload_hash=payload_hash,
        secret_key=secret_key,
        region=region,
        amz_date=amz_date,
    )
    headers["authorization"] = (
        f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed}, Signature={sig}"
    )
    return headers
