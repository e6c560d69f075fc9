"""Reading a file through a signed link, and purging uploads nobody claimed.

Re-exported by :mod:`backend.uploads.service`, the package's one entry point.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog

from backend import db
from backend.clock import now_utc
from backend.errors import NotFound, ServiceUnavailable
from backend.settings import Settings
from backend.uploads import links, messages
from backend.uploads import store as upload_store
from backend.uploads.ports import FileStore, ObjectMissing, StoreError
from backend.uploads.store import UploadView

log = structlog.get_logger(__name__)

# --- signed links ---------------------------------------------------------------------------


async def signed_link(*, upload_id: str, settings: Settings, now: datetime | None = None) -> str:
    """``/api/v1/files/<token>``, valid for ``SIGNED_URL_TTL`` seconds.

    The caller must already have checked that the viewer may see this file, and writes the
    audit-log entry; the link is the capability.
    """
    if not await upload_store.live(upload_id=upload_id):
        raise NotFound(messages.UPLOAD_NOT_FOUND, code="upload_not_found")
    expires = int((now or now_utc()).timestamp()) + settings.signed_url_ttl_s
    return links.FILES_PATH + links.make_token(settings.secret_key, upload_id, expires)


async def open_signed(
    *, token: str, settings: Settings, store: FileStore, now: datetime | None = None
) -> tuple[bytes, str, UploadView]:
    """The bytes, content type and metadata behind a signed link.

    A token that was not issued by us (tampered, truncated, signed with another key) is 404
    ``link_invalid``; a genuine one past its expiry is 410 ``link_expired``.
    """
    upload_id = links.check_token(settings.secret_key, token, now=now or now_utc())
    found = await upload_store.with_object(upload_id=upload_id)
    if found is None:
        raise NotFound(messages.UPLOAD_NOT_FOUND, code="upload_not_found")
    view, storage_key = found
    try:
        data = await store.get(storage_key)
    except ObjectMissing as exc:
        log.error("upload_object_missing", upload_id=upload_id)
        raise NotFound(messages.UPLOAD_NOT_FOUND, code="upload_not_found") from exc
    except StoreError as exc:
        log.error("upload_store_failed", error=str(exc))
        raise ServiceUnavailable(messages.STORE_UNAVAILABLE, code="storage_unavailable") from exc
    return data, view.content_type, view


# --- retention ------------------------------------------------------------------------------


async def purge_unattached(
    *, store: FileStore, older_than_days: int, now: datetime | None = None, batch: int = 500
) -> int:
    """Delete uploads never attached and older than ``older_than_days``; returns how many.

    Rows go first (committed), then each stored object that no remaining row references. An
    object whose deletion fails is left behind and logged (an orphan costs space, never data);
    the advisory lock per object keeps a concurrent :func:`save_upload` of the same content
    from losing its file.
    """
    cutoff = (now or now_utc()) - timedelta(days=older_than_days)
    total = 0
    while True:
        async with db.engine().transaction():
            rows = await upload_store.delete_unattached(created_before=cutoff, limit=batch)
        total += len(rows)
        for sha256, key in sorted({(r.sha256, r.storage_key) for r in rows}):
            await _drop_object_if_unreferenced(store, sha256, key)
        if len(rows) < batch:
            break
    if total:
        log.info("uploads_purged", count=total, older_than_days=older_than_days)
    return total


async def _drop_object_if_unreferenced(store: FileStore, sha256: str, key: str) -> None:
    try:
        async with db.engine().transaction():
            await upload_store.lock(f"upload-object:{sha256}")
            if await upload_store.object_in_use(sha256=sha256):
                return
            await store.delete(key)  # under the lock on purpose: see service.save_upload
    except StoreError as exc:
        log.warning("upload_object_orphaned", storage_key=key, error=str(exc))
