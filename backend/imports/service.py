"""The import use cases: read, check, apply whole in one transaction (or only check: dry run);
for the administrator's portal, a preview kept for a while and applied only when confirmed."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

from backend import db
from backend.audit.service import Actor, AuditLog
from backend.catalogue import service as catalogue
from backend.clock import today
from backend.errors import Conflict, InvalidInput
from backend.geo import points as geo
from backend.imports import texts
from backend.imports.apply import ImportRejected, ImportReport, apply_batch
from backend.imports.parse import Batch, parse
from backend.imports.reader import MAX_ROWS, ReadError, RowError, read_tables

if TYPE_CHECKING:
    from redis.asyncio import Redis

MAX_UPLOAD = 10 * 1024 * 1024
MAX_PREVIEW_BYTES: Final = 5 * 1024 * 1024
"""The portal's limit on an uploaded file (the preview keeps it in Redis until confirmed)."""
MAX_PREVIEW_ROWS: Final = 20_000
"""The portal's limit on data rows in one sheet."""
PREVIEW_TTL_S: Final = 30 * 60
AUDIT_ACTION: Final = "catalogue.import"
_TOKEN: Final = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
NAME_CHARS: Final = 100
"""An uploaded file's name is kept to this many characters (its suffix kept)."""
AUDIT_ITEMS: Final = 100
"""The audit reason names at most this many created and this many changed items."""
_HIDDEN: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Character categories an uploaded file's name loses: controls, format characters (the bidi
controls U+202A–U+202E, U+2066–U+2069, the zero-width U+200B–U+200F, U+FEFF …), surrogates,
private and unassigned ones, line and paragraph separators."""


def _key(prefix: str, token: str) -> str:
    return f"{prefix}:imports:preview:{token}"


def _latest_key(prefix: str, staff_id: str) -> str:
    return f"{prefix}:imports:latest-preview:{staff_id}"


def safe_filename(name: str) -> str:
    """An uploaded file's name fit to show and to audit: its base name only, without control,
    bidi or zero-width characters, at most ``NAME_CHARS`` long (its suffix kept); 422
    ``import_file_type`` (文件名无效…) when nothing is left."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in base if unicodedata.category(c) not in _HIDDEN).strip()
    if kept in {"", ".", ".."}:
        raise InvalidInput(texts.FILE_NAME_INVALID, code="import_file_type")
    if len(kept) > NAME_CHARS:
        suffix = Path(kept).suffix[:10]
        kept = kept[: NAME_CHARS - len(suffix)].rstrip() + suffix
    return kept


class Rejected(InvalidInput):
    """422 ``import_rejected``: the file breaks rules, nothing was written; ``errors`` names every
    row (the answer lists the first 500)."""

    def __init__(self, errors: list[RowError], *, filename: str = "") -> None:
        super().__init__(
            texts.REJECTED.format(count=len(errors)),
            code="import_rejected",
            extra={"errors": [str(e) for e in errors[:500]]},
        )
        self.errors = errors
        self.filename = filename


class _DryRunRollback(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


def read_file(path: Path, *, max_rows: int = MAX_ROWS) -> Batch:
    """Read and type-check ``path``; raises ImportRejected naming every bad row."""
    try:
        tables = read_tables(path, max_rows=max_rows)
    except ReadError as exc:
        raise ImportRejected(exc.errors) from exc
    batch = parse(tables)
    if batch.errors:
        raise ImportRejected(batch.errors)
    return batch


async def import_batch(
    batch: Batch, *, effective_from: date, dry_run: bool = False
) -> ImportReport:
    """Apply ``batch`` in one transaction; a dry run checks everything, then rolls back."""
    try:
        async with db.engine().transaction():
            report = await apply_batch(batch, effective_from=effective_from)
            if dry_run:
                raise _DryRunRollback(report)
    except _DryRunRollback as rolled_back:
        rolled_back.report.dry_run = True
        return rolled_back.report
    return report


async def import_file(path: Path, *, effective_from: date, dry_run: bool = False) -> ImportReport:
    return await import_batch(read_file(path), effective_from=effective_from, dry_run=dry_run)


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise InvalidInput(texts.FILE_TYPE, code="import_file_type")
    return suffix


def _read_upload(name: str, data: bytes, max_rows: int = MAX_ROWS) -> Batch:
    suffix = _suffix(name)
    with tempfile.TemporaryDirectory() as folder:
        # The file is named by its kind only: the uploaded name may hold anything.
        stem = Path(name).stem if re.fullmatch(r"[\w\-. ]{1,80}", Path(name).stem) else "upload"
        path = Path(folder) / f"{stem}{suffix}"
        path.write_bytes(data)
        return read_file(path, max_rows=max_rows)


async def import_upload(
    *,
    audit: AuditLog,
    staff_id: str,
    filename: str,
    content: bytes,
    effective_from: str | None,
    dry_run: bool,
) -> ImportReport:
    """An administrator's uploaded file imported whole (``effective_from`` YYYY-MM-DD, else
    today), audited like the portal's import; a rejected file is 422 ``import_rejected`` naming
    its first 500 errors."""
    filename = safe_filename(filename)
    _suffix(filename)
    if len(content) > MAX_UPLOAD:
        raise InvalidInput(
            texts.too_large(MAX_UPLOAD // (1024 * 1024)), code="import_file_too_large"
        )
    day = _day(effective_from)
    try:
        batch = await asyncio.to_thread(_read_upload, filename, content)
        if dry_run:
            return await import_batch(batch, effective_from=day, dry_run=True)
        applied = await _apply_audited(
            batch, day=day, audit=audit, staff_id=staff_id, filename=filename, content=content
        )
        return applied.report
    except ImportRejected as rejected:
        raise Rejected(rejected.errors) from rejected


# --- the portal: preview, then confirm ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Preview:
    """What importing a file would do, worked out and rolled back: its errors (then nothing can
    be applied) or its changes, with the ``token`` that confirms it."""

    filename: str
    effective_from: date
    errors: list[RowError]
    report: ImportReport | None
    token: str | None
    expires_in_s: int = PREVIEW_TTL_S


@dataclass(frozen=True, slots=True)
class Applied:
    """An import done: its changes and the catalogue's size before and after."""

    filename: str
    report: ImportReport
    before: dict[str, int]
    after: dict[str, int]


def _day(effective_from: str | None) -> date:
    try:
        return date.fromisoformat(effective_from) if effective_from else today()
    except ValueError as exc:
        raise InvalidInput(texts.DATE_INVALID, code="validation_failed") from exc


def _checked_upload(filename: str, content: bytes) -> str:
    filename = safe_filename(filename)
    _suffix(filename)
    if not content:
        raise InvalidInput(texts.FILE_EMPTY, code="import_file_empty")
    if len(content) > MAX_PREVIEW_BYTES:
        raise InvalidInput(
            texts.too_large(MAX_PREVIEW_BYTES // (1024 * 1024)), code="import_file_too_large"
        )
    return filename


async def _checked(filename: str, content: bytes, day: date) -> tuple[Batch, ImportReport]:
    """The file read and applied in a transaction that is rolled back; ImportRejected names
    every problem."""
    batch = await asyncio.to_thread(_read_upload, filename, content, MAX_PREVIEW_ROWS)
    return batch, await import_batch(batch, effective_from=day, dry_run=True)


async def preview_upload(
    *,
    redis: Redis,
    prefix: str,
    staff_id: str,
    filename: str,
    content: bytes,
    effective_from: str | None,
) -> Preview:
    """Check an uploaded catalogue file whole and say what importing it would change; nothing is
    written. A clean file is kept in Redis (under ``prefix``, the settings' ``redis_prefix``) for
    ``PREVIEW_TTL_S``, for its uploader to confirm."""
    filename = _checked_upload(filename, content)
    day = _day(effective_from)
    revision = await catalogue.revision()
    try:
        _, report = await _checked(filename, content, day)
    except ImportRejected as rejected:
        return Preview(filename, day, rejected.errors, None, None)
    token = secrets.token_urlsafe(24)
    key, latest = _key(prefix, token), _latest_key(prefix, staff_id)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(latest)
        (previous,) = await pipe.execute()
    async with redis.pipeline(transaction=True) as pipe:
        if previous:  # one preview an administrator at a time: a newer upload replaces it
            pipe.delete(_key(prefix, previous.decode()))
        pipe.set(latest, token, ex=PREVIEW_TTL_S)
        pipe.hset(
            key,
            mapping={
                "staff": staff_id,
                "filename": filename,
                "effective_from": day.isoformat(),
                "revision": revision,
                "content": content,
            },
        )
        pipe.expire(key, PREVIEW_TTL_S)
        await pipe.execute()
    return Preview(filename, day, [], report, token)


async def _take_preview(
    redis: Redis, *, prefix: str, staff_id: str, token: str
) -> dict[str, bytes]:
    """The kept file of ``token`` if ``staff_id`` uploaded it, taken once (a second confirm, a
    stale or someone else's preview is refused)."""
    gone = Conflict(
        texts.PREVIEW_GONE.format(minutes=PREVIEW_TTL_S // 60), code="import_preview_gone"
    )
    if not _TOKEN.match(token):
        raise gone
    key = _key(prefix, token)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hgetall(key)
        (kept,) = await pipe.execute()
    if not kept or kept.get(b"staff", b"").decode() != staff_id:
        raise gone
    if not await redis.delete(key):  # confirmed twice at once: the other one applies it
        raise gone
    return {k.decode(): v for k, v in kept.items()}


async def _sizes() -> dict[str, int]:
    departments, items, bundles = await catalogue.known_codes()
    return {
        "departments": len(departments),
        "items": len(items),
        "bundles": len(bundles),
        "service_points": len(await geo.point_codes()),
    }


async def confirm_upload(
    *, redis: Redis, prefix: str, audit: AuditLog, staff_id: str, token: str
) -> Applied:
    """Apply the file an administrator previewed, checked again whole; audited with the file's
    name and fingerprint, the changes (each item's code and changed fields), and the catalogue's
    size before and after."""
    kept = await _take_preview(redis, prefix=prefix, staff_id=staff_id, token=token)
    if kept["revision"].decode() != await catalogue.revision():
        raise Conflict(texts.PREVIEW_STALE, code="import_preview_stale")
    filename, content = kept["filename"].decode(), kept["content"]
    day = date.fromisoformat(kept["effective_from"].decode())
    try:
        batch = await asyncio.to_thread(_read_upload, filename, content, MAX_PREVIEW_ROWS)
        return await _apply_audited(
            batch, day=day, audit=audit, staff_id=staff_id, filename=filename, content=content
        )
    except ImportRejected as rejected:
        raise Rejected(rejected.errors, filename=filename) from rejected


async def _apply_audited(
    batch: Batch, *, day: date, audit: AuditLog, staff_id: str, filename: str, content: bytes
) -> Applied:
    async with db.engine().transaction():
        before = await _sizes()
        report = await apply_batch(batch, effective_from=day)
        after = await _sizes()
        await audit.record(
            actor=Actor("staff", staff_id),
            action=AUDIT_ACTION,
            subject_kind="catalogue_file",
            subject_id=hashlib.sha256(content).hexdigest(),
            reason=_audit_reason(filename, day, report, before, after),
        )
    return Applied(filename, report, before, after)


def _audit_reason(
    filename: str, day: date, report: ImportReport, before: dict[str, int], after: dict[str, int]
) -> str:
    return json.dumps(
        {
            "note": texts.AUDIT_NOTE.format(filename=filename),
            "file": filename,
            "effective_from": day.isoformat(),
            "changes": report.as_dict(),
            "items": _item_audit(report),
            "before": before,
            "after": after,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def _item_audit(report: ImportReport) -> dict[str, object]:
    """The items created (codes) and given a new version (code → changed field names), at most
    ``AUDIT_ITEMS`` of each; how many more there were."""
    created = report.items.get("created", [])
    updated = report.items.get("updated", [])
    return {
        "created": [c.code for c in created[:AUDIT_ITEMS]],
        "updated": {c.code: [f.label for f in c.changes] for c in updated[:AUDIT_ITEMS]},
        "not_listed": max(0, len(created) - AUDIT_ITEMS) + max(0, len(updated) - AUDIT_ITEMS),
    }
