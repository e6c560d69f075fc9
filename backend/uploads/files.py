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
from backend.uploads import links
from backend.uploads import messages as M
from backend.uploads.model import COLUMNS, UploadView, lock, to_view
from backend.uploads.ports import FileStore, ObjectMissing, StoreError
from backend.uploads.tables import Upload

log = structlog.get_logger(__name__)

# --- signed links ---------------------------------------------------------------------------


async def signed_link(*, upload_id: str, settings: Settings, now: datetime | None = None) -> str:
    """``/api/v1/files/<token>``, valid for ``SIGNED_URL_TTL`` seconds.

    The caller must already have checked that the viewer may see this file, and writes the
    audit-log entry; the link is the capability.
    """
    exists = (
        await Upload.exists().where((Upload.id == upload_id) & Upload.deleted_at.is_null()).run()
    )
    if not exists:
        raise NotFound(M.UPLOAD_NOT_FOUND, code="upload_not_found")
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
    row = (
        await Upload.select(*COLUMNS, Upload.storage_key)
        .where((Upload.id == upload_id) & Upload.deleted_at.is_null())
        .first()
        .run()
    )
    if row is None:
        raise NotFound(M.UPLOAD_NOT_FOUND, code="upload_not_found")
    try:
        data = await store.get(row["storage_key"])
    except ObjectMissing as exc:
        log.error("upload_object_missing", upload_id=upload_id)
        raise NotFound(M.UPLOAD_NOT_FOUND, code="upload_not_found") from exc
    except StoreError as exc:
        log.error("upload_store_failed", error=str(exc))
        raise ServiceUnavailable(M.STORE_UNAVAILABLE, code="storage_unavailable") from exc
    view = to_view(row)
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
            rows = await Upload.raw(
                "DELETE FROM upload WHERE id IN (SELECT id FROM upload WHERE attached_id IS NULL"
                " AND created_at < {} ORDER BY created_at LIMIT {} FOR UPDATE SKIP LOCKED)"
                " RETURNING sha256, storage_key",
                cutoff,
                batch,
            ).run()
        total += len(rows)
        for sha256, key in sorted({(r["sha256"], r["storage_key"]) for r in rows}):
            await _drop_object_if_unreferenced(store, sha256, key)
        if len(rows) < batch:
            break
    if total:
        log.info("uploads_purged", count=total, older_than_days=older_than_days)
    return total


async def _drop_object_if_unreferenced(store: FileStore, sha256: str, key: str) -> None:
    try:
        async with db.engine().transaction():
            await lock(f"upload-object:{sha256}")
            if await Upload.exists().where(Upload.sha256 == sha256).run():
                return
            await store.delete(key)  # under the lock on purpose: see service.save_upload
    except StoreError as exc:
        log.warning("upload_object_orphaned", storage_key=key, error=str(exc))
