"""Serve the citizens' H5 build (``miniprogram/dist/h5``) at ``/m/`` and ``/kiosk/``.

The build is one page (hash routing) whose scripts and styles live under ``/m/js`` and
``/m/css`` with content hashes in their names: those are cached for a year, the page itself is
never cached so a new build is seen at once. The kiosk is the same page; it learns from its
path that it runs on a terminal, and from a ``<meta>`` the address of the terminal's ID-card
reader bridge, which its Content-Security-Policy also allows (with the blob frame it prints from).
"""

from __future__ import annotations

import gzip
import html
import mimetypes
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Final

from litestar import HttpMethod, Request, Response, Router, route
from litestar.exceptions import NotFoundException

from backend.http.auth import PUBLIC
from backend.settings import Settings

ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_DIR: Final = ROOT / "miniprogram" / "dist" / "h5"
NOT_BUILT: Final = "市民端（H5）尚未构建：在项目目录运行 make setup 后刷新本页。"
IMMUTABLE: Final = "public, max-age=31536000, immutable"
ASSET_DIRS: Final = ("js", "css", "static")
MAX_ASSET_NAME: Final = 200
"""The build's asset names are short (``js/app.<hash>.js``); anything longer is not ours."""
COMPRESSIBLE: Final = frozenset({".js", ".css", ".svg", ".json", ".txt"})


@lru_cache(maxsize=256)
def _gzipped(path: str, mtime_ns: int) -> bytes:
    """A script or sheet compressed once per build (its name carries its content hash): on a
    slow mobile link the H5's first screen depends on it (about a third of the bytes)."""
    del mtime_ns  # part of the cache key only: a rebuilt file is compressed again
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def _policy(*, kiosk: bool, reader_url: str) -> str:
    # blob: — on the H5, Taro.uploadFile reads the (compressed) photo back from its blob: URL
    # and Taro.downloadFile hands a notice's PDF over as one; neither leaves the page.
    connect = "'self' blob:" + (f" {reader_url}" if reader_url else "")
    # The kiosk prints a notice's PDF from a hidden frame holding it as a blob: that frame, and
    # the browser's PDF viewer inside it (which the frame's document inherits this policy for),
    # must be allowed there; the citizens' page frames and embeds nothing.
    frames = "frame-src 'self' blob:; object-src 'self' blob:" if kiosk else "object-src 'none'"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; "
        f"connect-src {connect}; frame-ancestors 'none'; "
        f"base-uri 'self'; {frames}; form-action 'self'"
    )


public_file = partial(
    route,
    http_method=[HttpMethod.GET, HttpMethod.HEAD],
    include_in_schema=False,
    sync_to_thread=False,
    opt=PUBLIC,
)
"""A route of the build's files: GET and HEAD, no token, not in the API document."""


def h5_router(settings: Settings) -> Router:
    """``/m/``, ``/kiosk/`` and the build's assets, from ``H5_DIR`` (or this checkout's build)."""
    folder = Path(settings.h5_dir) if settings.h5_dir else DEFAULT_DIR
    reader = settings.kiosk_reader_url.rstrip("/")

    def page(kiosk: bool) -> Response[bytes]:
        index = folder / "index.html"
        if not index.is_file():
            return Response(NOT_BUILT.encode(), status_code=404, media_type="text/plain")
        text = index.read_text(encoding="utf-8")
        if kiosk and reader:
            meta = f'<meta name="jjb-reader" content="{html.escape(reader, quote=True)}">'
            text = text.replace("</head>", f"{meta}</head>", 1)
        return Response(
            text.encode(),
            media_type="text/html",
            headers={
                "Cache-Control": "no-cache",
                "Content-Security-Policy": _policy(kiosk=kiosk, reader_url=reader if kiosk else ""),
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin",
            },
        )

    @public_file(["/m", "/m/"])
    def citizen_page() -> Response[bytes]:
        return page(kiosk=False)

    @public_file(["/kiosk", "/kiosk/"])
    def kiosk_page() -> Response[bytes]:
        return page(kiosk=True)

    @public_file("/m/{kind:str}/{name:path}")
    def asset(kind: str, name: str, request: Request[Any, Any, Any]) -> Response[bytes]:
        target = _asset_file(folder, kind, name)
        gzip_ok = "gzip" in request.headers.get("accept-encoding", "")
        return _asset_response(target, gzip_ok=gzip_ok)

    return Router(path="/", route_handlers=[citizen_page, kiosk_page, asset])


def _asset_file(folder: Path, kind: str, name: str) -> Path:
    """The build's file ``<kind>/<name>``, or 404 for anything else (outside it, too long …)."""
    if kind not in ASSET_DIRS or len(name) > MAX_ASSET_NAME:
        raise NotFoundException()
    base = (folder / kind).resolve()
    try:
        target = (base / name.lstrip("/")).resolve()
        found = target.is_relative_to(base) and target.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte …
        found = False
    if not found:
        raise NotFoundException()
    return target


def _asset_response(target: Path, *, gzip_ok: bool) -> Response[bytes]:
    media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"}
    body = target.read_bytes()
    if target.suffix in COMPRESSIBLE:
        headers["Vary"] = "Accept-Encoding"
        if gzip_ok:
            body = _gzipped(str(target), target.stat().st_mtime_ns)
            headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=media, headers=headers)
