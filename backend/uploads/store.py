"""Uploads (``upload``): the uploads context's only SQL, returning typed rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from backend import db
from backend.uploads.tables import Upload


@dataclass(frozen=True, slots=True)
class UploadView:
    id: str
    sha256: str
    size: int
    content_type: str
    material_type: str
    original_name: str
    created_at: datetime
    attached_kind: str | None
    attached_id: str | None


@dataclass(frozen=True, slots=True)
class NewUpload:
    id: str
    owner_kind: str
    owner_id: str
    material_type: str
    content_type: str
    size: int
    sha256: str
    storage_key: str
    original_name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredObject:
    """Where an upload's bytes are kept (content-addressed: rows may share one)."""

    sha256: str
    storage_key: str


@dataclass(frozen=True, slots=True)
class ExportedUpload:
    id: str
    material_type: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    attached_kind: str | None
    attached_id: str | None


_VIEW: Final = (
    "SELECT id, sha256, size, content_type, material_type, original_name, created_at,"
    " attached_kind, attached_id"
)
_OWNED: Final = (
    _VIEW + " FROM upload WHERE id = ANY($1::text[]) AND owner_kind = $2"
    " AND owner_id = $3 AND deleted_at IS NULL"
)
_OWNED_LOCKED: Final = _OWNED + " FOR UPDATE"
_ATTACH: Final = (
    "UPDATE upload SET attached_kind = $1, attached_id = $2, attached_at = COALESCE(attached_at,"
    " $3) WHERE id = ANY($4::text[]) AND deleted_at IS NULL"
    " AND (attached_id IS NULL OR (attached_kind = $1 AND attached_id = $2)) RETURNING id"
)


async def lock(name: str) -> None:
    """A transaction-scoped advisory lock on ``name``."""
    await db.fetch("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", name)


async def count_since(*, owner_kind: str, owner_id: str, since: datetime) -> int:
    """How many uploads the owner made since ``since``."""
    row = await db.fetchrow(
        "SELECT count(*) AS n FROM upload WHERE owner_kind = $1 AND owner_id = $2"
        " AND created_at >= $3",
        owner_kind,
        owner_id,
        since,
    )
    return 0 if row is None else int(row["n"])


async def insert(new: NewUpload) -> None:
    await (
        Upload(
            id=new.id,
            owner_kind=new.owner_kind,
            owner_id=new.owner_id,
            material_type=new.material_type,
            content_type=new.content_type,
            size=new.size,
            sha256=new.sha256,
            storage_key=new.storage_key,
            original_name=new.original_name,
            created_at=new.created_at,
        )
        .save()
        .run()
    )


async def owned_one(*, upload_id: str, owner_kind: str, owner_id: str) -> UploadView | None:
    """The owner's (not deleted) upload ``upload_id``, or None."""
    row = await db.fetchrow(
        _VIEW + " FROM upload WHERE id = $1 AND owner_kind = $2 AND owner_id = $3"
        " AND deleted_at IS NULL",
        upload_id,
        owner_kind,
        owner_id,
    )
    return None if row is None else UploadView(**dict(row))


async def attached_to(*, kind: str, target_id: str) -> list[UploadView]:
    """The uploads attached to one case or mandate, oldest first."""
    rows = await db.fetch(
        _VIEW + " FROM upload WHERE attached_kind = $1 AND attached_id = $2"
        " AND deleted_at IS NULL ORDER BY attached_at, created_at, id",
        kind,
        target_id,
    )
    return [UploadView(**dict(r)) for r in rows]


async def owned(
    *, upload_ids: list[str], owner_kind: str, owner_id: str, lock_rows: bool
) -> list[UploadView]:
    """The owner's (not deleted) uploads among ``upload_ids`` (``lock_rows``: ``FOR UPDATE``)."""
    rows = await db.fetch(_OWNED_LOCKED if lock_rows else _OWNED, upload_ids, owner_kind, owner_id)
    return [UploadView(**dict(r)) for r in rows]


async def attach(*, upload_ids: list[str], kind: str, target_id: str, at: datetime) -> set[str]:
    """Attach the uploads not attached elsewhere (nor deleted); the ids attached."""
    rows = await db.fetch(_ATTACH, kind, target_id, at, upload_ids)
    return {r["id"] for r in rows}


async def exported(*, citizen_id: str) -> list[ExportedUpload]:
    """A citizen's (not deleted) uploads, oldest first, for their data export."""
    rows = await db.fetch(
        "SELECT id, material_type, content_type, size, sha256, created_at, attached_kind,"
        " attached_id FROM upload WHERE owner_kind = 'citizen' AND owner_id = $1"
        " AND deleted_at IS NULL ORDER BY created_at",
        citizen_id,
    )
    return [ExportedUpload(**dict(r)) for r in rows]


async def live(*, upload_id: str) -> bool:
    """Whether the upload exists and is not deleted."""
    return bool(
        await Upload.exists().where((Upload.id == upload_id) & Upload.deleted_at.is_null()).run()
    )


async def with_object(*, upload_id: str) -> tuple[UploadView, str] | None:
    """The (not deleted) upload and the storage key of its bytes, or None."""
    row = await db.fetchrow(
        _VIEW + ", storage_key FROM upload WHERE id = $1 AND deleted_at IS NULL", upload_id
    )
    if row is None:
        return None
    values = dict(row)
    key = values.pop("storage_key")
    return UploadView(**values), str(key)


async def delete_unattached(*, created_before: datetime, limit: int) -> list[StoredObject]:
    """Delete up to ``limit`` never-attached uploads created before ``created_before``
    (skipping locked rows); the objects they used."""
    rows = await db.fetch(
        "DELETE FROM upload WHERE id IN (SELECT id FROM upload WHERE attached_id IS NULL"
        " AND created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
        " RETURNING sha256, storage_key",
        created_before,
        limit,
    )
    return [StoredObject(r["sha256"], r["storage_key"]) for r in rows]


async def object_in_use(*, sha256: str) -> bool:
    """Whether any row still uses the stored object of ``sha256``."""
    return bool(await Upload.exists().where(Upload.sha256 == sha256).run())


async def cut_off_mandate_evidence(
    *, citizen_id: str, kept_mandates: list[str], erased_owner: str
) -> None:
    """Cut the evidence of the citizen's mandates (but ``kept_mandates``) off from them."""
    await db.fetch(
        "UPDATE upload SET owner_id = $1, original_name = '',"
        " attached_kind = NULL, attached_id = NULL, attached_at = NULL, deleted_at = now()"
        " WHERE attached_kind = 'mandate' AND attached_id IN (SELECT id::text FROM mandate"
        "  WHERE citizen = $2::uuid AND NOT (id::text = ANY($3::text[])))",
        erased_owner,
        citizen_id,
        kept_mandates,
    )


async def cut_off_own(*, citizen_id: str, kept_cases: list[str], erased_owner: str) -> None:
    """Cut the citizen's own uploads (but those of ``kept_cases``) off from them."""
    await db.fetch(
        "UPDATE upload SET owner_id = $1, original_name = '',"
        " attached_kind = NULL, attached_id = NULL, attached_at = NULL, deleted_at = now()"
        " WHERE owner_kind = 'citizen' AND owner_id = $2"
        " AND NOT COALESCE(attached_kind = 'case' AND attached_id = ANY($3::text[]), false)",
        erased_owner,
        citizen_id,
        kept_cases,
    )


async def delete_cut_off(*, erased_owner: str) -> list[StoredObject]:
    """Delete the rows cut off from their person; the objects they used."""
    rows = await db.fetch(
        "DELETE FROM upload WHERE owner_id = $1 AND deleted_at IS NOT NULL"
        " RETURNING sha256, storage_key",
        erased_owner,
    )
    return [StoredObject(r["sha256"], r["storage_key"]) for r in rows]


async def move_owner(*, from_citizen: str, into_citizen: str) -> None:
    """A citizen's uploads follow their record into the account that took it over."""
    await (
        Upload.update({Upload.owner_id: into_citizen})
        .where((Upload.owner_kind == "citizen") & (Upload.owner_id == from_citizen))
        .run()
    )
