"""Upload use cases: save a cleaned file, let a submission claim it, and hand it out by link.

Visibility: an upload is its owner's alone until a case or mandate claims it; after that, who may
see it is the claiming package's decision (it issues :func:`signed_link` after checking the
viewer, and writes the audit-log entry). The file route itself only checks the link.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import unicodedata
from dataclasses import asdict
from datetime import datetime, time, timedelta

import structlog

from backend import db
from backend.clock import SHANGHAI, now_utc
from backend.errors import Conflict, InvalidInput, NotFound, RateLimited, ServiceUnavailable
from backend.settings import Settings
from backend.uploads import messages
from backend.uploads import store as upload_store
from backend.uploads.files import open_signed, purge_unattached, signed_link
from backend.uploads.keys import key_for
from backend.uploads.ports import FileStore, StoreError
from backend.uploads.sniff import clean
from backend.uploads.store import UploadView

__all__ = [
    "UploadView",
    "attach",
    "check_uploads",
    "claim_uploads",
    "get_upload",
    "open_signed",
    "purge_unattached",
    "save_upload",
    "signed_link",
    "uploads_of",
]

log = structlog.get_logger(__name__)

OWNER_KINDS = frozenset({"citizen", "staff"})
MATERIAL_TYPE_MAX = 20
ORIGINAL_NAME_MAX = 100
_TARGET_KIND = re.compile(r"^[a-z_]{1,16}$")


def new_upload_id() -> str:
    """``up_`` and 22 URL-safe random characters (128 bits): unguessable, opaque."""
    return "up_" + secrets.token_urlsafe(16)


# --- saving ---------------------------------------------------------------------------------


async def save_upload(
    *,
    store: FileStore,
    owner_kind: str,
    owner_id: str,
    material_type: str,
    filename: str,
    data: bytes,
    settings: Settings,
    now: datetime | None = None,
) -> UploadView:
    """Check, clean and keep one file; returns what the uploader may see of it.

    Order matters: cheap checks first, then the CPU-heavy cleaning in a worker thread, then the
    object is written (keyed by the SHA-256 of the cleaned bytes, so identical content is stored
    once), and only then the row, in its own short transaction. The store is never called while
    that transaction is open.
    """
    _check_owner(owner_kind, owner_id)
    now = now or now_utc()
    if not data:
        raise InvalidInput(messages.EMPTY, code="upload_empty")
    if len(data) > settings.upload_max_bytes:
        raise InvalidInput(messages.too_large(settings.upload_max_bytes), code="upload_too_large")
    material_type = _material_type(material_type)
    day_start = _day_start(now)
    await _check_day_limit(owner_kind, owner_id, day_start, now, settings.upload_max_per_day)

    cleaned = await asyncio.to_thread(clean, data)
    key = key_for(cleaned.sha256)
    await _put(store, key, cleaned.data, cleaned.content_type)

    upload = upload_store.NewUpload(
        id=new_upload_id(),
        owner_kind=owner_kind,
        owner_id=owner_id,
        material_type=material_type,
        content_type=cleaned.content_type,
        size=len(cleaned.data),
        sha256=cleaned.sha256,
        storage_key=key,
        original_name=display_name(filename),
        created_at=now,
    )
    async with db.engine().transaction():
        await upload_store.lock(f"upload-owner:{owner_kind}:{owner_id}")
        await upload_store.lock(f"upload-object:{cleaned.sha256}")
        await _check_day_limit(owner_kind, owner_id, day_start, now, settings.upload_max_per_day)
        await upload_store.insert(upload)
    # A purge may have removed the object between our write and the row's commit (it holds the
    # same object lock, so it ran before we inserted): write it again.
    try:
        if not await store.exists(key):
            await store.put(key, cleaned.data, cleaned.content_type)
    except StoreError as exc:  # the object was written a moment ago; the row is kept
        log.warning("upload_recheck_failed", upload_id=upload.id, error=str(exc))
    log.info("upload_saved", upload_id=upload.id, size=upload.size, type=upload.content_type)
    return UploadView(
        id=upload.id,
        sha256=upload.sha256,
        size=upload.size,
        content_type=upload.content_type,
        material_type=upload.material_type,
        original_name=upload.original_name,
        created_at=now,
        attached_kind=None,
        attached_id=None,
    )


async def _put(store: FileStore, key: str, data: bytes, content_type: str) -> None:
    try:
        await store.put(key, data, content_type)
    except StoreError as exc:
        log.error("upload_store_failed", error=str(exc))
        raise ServiceUnavailable(messages.STORE_UNAVAILABLE, code="storage_unavailable") from exc


def _check_owner(owner_kind: str, owner_id: str) -> None:
    if owner_kind not in OWNER_KINDS or not owner_id:
        raise ValueError(f"bad upload owner {owner_kind!r}:{owner_id!r}")


def _material_type(raw: str) -> str:
    value = raw.strip()
    if not value or len(value) > MATERIAL_TYPE_MAX or not value.isprintable():
        raise InvalidInput(messages.MATERIAL_TYPE_INVALID, code="material_type_invalid")
    return value


def display_name(filename: str) -> str:
    """The client's file name, for display only: no path, no control characters, ≤ 100."""
    base = re.split(r"[/\\]", filename)[-1]
    text = "".join(ch for ch in base if not unicodedata.category(ch).startswith("C"))
    return text.strip()[:ORIGINAL_NAME_MAX]


def _day_start(now: datetime) -> datetime:
    """Midnight in Asia/Shanghai of the day ``now`` falls on."""
    return datetime.combine(now.astimezone(SHANGHAI).date(), time(), tzinfo=SHANGHAI)


async def _check_day_limit(
    owner_kind: str, owner_id: str, day_start: datetime, now: datetime, per_day: int
) -> None:
    made = await upload_store.count_since(owner_kind=owner_kind, owner_id=owner_id, since=day_start)
    if made >= per_day:
        wait = int((day_start + timedelta(days=1) - now).total_seconds()) + 1
        raise RateLimited(
            messages.limit_reached(per_day), code="upload_limit_reached", retry_after_s=max(wait, 1)
        )


# --- reading --------------------------------------------------------------------------------


async def get_upload(*, upload_id: str, owner_kind: str, owner_id: str) -> UploadView:
    """The upload, for its owner only; anyone else gets the same 404 as for a missing id."""
    view = await upload_store.owned_one(
        upload_id=upload_id, owner_kind=owner_kind, owner_id=owner_id
    )
    if view is None:
        raise NotFound(messages.UPLOAD_NOT_FOUND, code="upload_not_found")
    return view


async def uploads_of(*, kind: str, target_id: str) -> list[UploadView]:
    """The uploads attached to one case or mandate, oldest first."""
    return await upload_store.attached_to(kind=kind, target_id=target_id)


# --- claiming and attaching -----------------------------------------------------------------


async def check_uploads(
    *,
    upload_ids: list[str],
    owner_kind: str,
    owner_id: str,
    kind: str | None = None,
    target_id: str | None = None,
) -> list[UploadView]:
    """The uploads a submission references, checked by the rules of :func:`claim_uploads`.

    Locks nothing, so it may run before the transaction (to answer a bad request early); the
    claim that counts is :func:`attach`, which is atomic, in the transaction.
    """
    return await _owned(upload_ids, owner_kind, owner_id, kind, target_id, lock=False)


async def claim_uploads(
    *,
    upload_ids: list[str],
    owner_kind: str,
    owner_id: str,
    kind: str | None = None,
    target_id: str | None = None,
) -> list[UploadView]:
    """The uploads a submission references, checked and locked for :func:`attach`.

    Rules:

    - Every id must exist and belong to ``owner_kind``/``owner_id``; otherwise 404
      ``upload_not_found`` listing the ids the caller sent that it cannot use — whether an id
      is missing or someone else's is never told.
    - An upload not yet attached may be claimed by its owner for anything.
    - An upload already attached may be claimed again only for the same target (``kind`` and
      ``target_id``, e.g. the same case answering a supplement request); for any other target,
      or for a new one (``target_id`` None), 409 ``upload_already_attached``.

    Run it in the caller's transaction, just before :func:`attach`: the rows are locked
    (``FOR UPDATE``), so two submissions cannot claim the same upload. Outside a transaction
    such a lock would end with its statement, so none is taken there (as :func:`check_uploads`).
    """
    locked = db.engine().transaction_exists()
    return await _owned(upload_ids, owner_kind, owner_id, kind, target_id, lock=locked)


async def _owned(
    upload_ids: list[str],
    owner_kind: str,
    owner_id: str,
    kind: str | None,
    target_id: str | None,
    *,
    lock: bool,
) -> list[UploadView]:
    _check_owner(owner_kind, owner_id)
    ids = list(dict.fromkeys(upload_ids))
    if not ids:
        return []
    views = await upload_store.owned(
        upload_ids=ids, owner_kind=owner_kind, owner_id=owner_id, lock_rows=lock
    )
    found = {view.id: view for view in views}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(
            messages.UPLOAD_NOT_FOUND, code="upload_not_found", extra={"upload_ids": missing}
        )
    taken = [
        i
        for i in ids
        if found[i].attached_id is not None
        and (
            target_id is None or (found[i].attached_kind, found[i].attached_id) != (kind, target_id)
        )
    ]
    if taken:
        raise Conflict(
            messages.ALREADY_ATTACHED, code="upload_already_attached", extra={"upload_ids": taken}
        )
    return [found[i] for i in ids]


async def attach(*, upload_ids: list[str], kind: str, target_id: str) -> None:
    """Mark uploads as belonging to ``kind``/``target_id`` (``case``/``XS2026…``): the claim.

    Runs inside the caller's transaction (the one that creates the case or mandate). One
    conditional ``UPDATE``: an upload attached elsewhere meanwhile (or deleted) is left alone
    and the whole call fails with 409 ``upload_already_attached`` — of two concurrent claims
    the second waits for the first's row locks and then finds the rows taken. Attaching again
    to the same target is a no-op.
    """
    if not _TARGET_KIND.match(kind) or not 0 < len(target_id) <= 64:
        raise ValueError(f"bad attachment target {kind!r}:{target_id!r}")
    if not db.engine().transaction_exists():
        raise RuntimeError("uploads.attach must run inside the caller's transaction")
    ids = list(dict.fromkeys(upload_ids))
    if not ids:
        return
    done = await upload_store.attach(upload_ids=ids, kind=kind, target_id=target_id, at=now_utc())
    if len(done) != len(ids):
        taken = [i for i in ids if i not in done]
        raise Conflict(
            messages.ALREADY_ATTACHED, code="upload_already_attached", extra={"upload_ids": taken}
        )


async def export_uploads(citizen_id: str) -> tuple[str, object]:
    """A citizen's uploads for the PIPL export: what, when, attached to what (not the bytes)."""
    rows = await upload_store.exported(citizen_id=citizen_id)
    return "uploads", [{**asdict(r), "created_at": r.created_at.isoformat()} for r in rows]
