"""``case_material`` and ``case_supplement``: what a case brought, and what it was asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import asyncpg

from backend import db
from backend.cases.schemas import MaterialSource
from backend.cases.tables import CaseMaterial, Supplement


@dataclass(frozen=True, slots=True)
class MaterialRecord:
    """A material row, as the case views read it."""

    id: int
    case: int
    material_type: str
    source: MaterialSource
    upload_id: str | None
    shared_ref: str | None
    supplement: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: asyncpg.Record) -> MaterialRecord:
        return cls(
            id=row["id"],
            case=row["case"],
            material_type=row["material_type"],
            source=row["source"],
            upload_id=row["upload_id"],
            shared_ref=row["shared_ref"],
            supplement=row["supplement"],
            created_at=row["created_at"],
        )


@dataclass(frozen=True, slots=True)
class SupplementRecord:
    """A supplement request row, as the case views read it."""

    id: int
    case: int
    missing: list[str]
    note: str
    requested_at: datetime
    requested_by: str | None
    answered_at: datetime | None
    answer_note: str

    @classmethod
    def of(cls, row: asyncpg.Record) -> SupplementRecord:
        return cls(
            id=row["id"],
            case=row["case"],
            missing=list(row["missing"]),
            note=row["note"],
            requested_at=row["requested_at"],
            requested_by=row["requested_by"],
            answered_at=row["answered_at"],
            answer_note=row["answer_note"],
        )


MATERIALS: Final = (
    'SELECT id, "case", material_type, source, upload_id, shared_ref, supplement, created_at'
    ' FROM case_material WHERE "case" = $1 ORDER BY id'
)
INSERT_MATERIALS: Final = (
    'INSERT INTO case_material ("case", material_type, source, upload_id, shared_ref,'
    " created_at) SELECT $1, m.material_type, m.source, m.upload_id, m.shared_ref, $2"
    " FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY"
    " AS m(material_type, source, upload_id, shared_ref, n) ORDER BY m.n"
    ' RETURNING id, "case", material_type, source, upload_id, shared_ref, supplement,'
    " created_at"
)
_OPEN_SUPPLEMENT: Final = (
    'SELECT id, "case", missing, note, requested_at, requested_by, answered_at, answer_note'
    ' FROM case_supplement WHERE "case" = $1 AND answered_at IS NULL ORDER BY id DESC LIMIT 1'
)


async def of_case(conn: asyncpg.Connection, case_id: int) -> list[MaterialRecord]:
    return [MaterialRecord.of(r) for r in await conn.fetch(MATERIALS, case_id)]


@dataclass(frozen=True, slots=True)
class NewMaterial:
    material_type: str
    source: str  # upload | shared | paper
    upload_id: str | None = None
    shared_ref: str | None = None


async def insert_filed(
    *, case_id: int, materials: list[NewMaterial], at: datetime
) -> list[MaterialRecord]:
    """The materials of a new case, in one statement; returned by id."""
    if not materials:
        return []
    inserted = await db.fetch(
        INSERT_MATERIALS,
        case_id,
        at,
        [m.material_type for m in materials],
        [m.source for m in materials],
        [m.upload_id for m in materials],
        [m.shared_ref for m in materials],
    )
    return sorted((MaterialRecord.of(r) for r in inserted), key=lambda r: r.id)


async def insert_supplied(
    *, case_id: int, uploads: list[tuple[str, str]], supplement: int | None
) -> None:
    """Uploaded (type, upload id) materials answering supplement round ``supplement``."""
    rows = [
        CaseMaterial(
            case=case_id,
            material_type=material_type,
            source="upload",
            upload_id=upload_id,
            supplement=supplement,
        )
        for material_type, upload_id in uploads
    ]
    if rows:
        await CaseMaterial.insert(*rows).run()


async def has_upload(*, case_id: int, upload_id: str) -> bool:
    return bool(
        await CaseMaterial.exists()
        .where((CaseMaterial.case == case_id) & (CaseMaterial.upload_id == upload_id))
        .run()
    )


async def open_supplement(conn: asyncpg.Connection, case_id: int) -> SupplementRecord | None:
    found = await conn.fetchrow(_OPEN_SUPPLEMENT, case_id)
    return SupplementRecord.of(found) if found is not None else None


@dataclass(frozen=True, slots=True)
class OpenRequest:
    """The open supplement request a citizen or agent answers."""

    id: int
    missing: list[str]


async def open_request(case_id: int) -> OpenRequest | None:
    row = (
        await Supplement.select(Supplement.id, Supplement.missing)
        .where((Supplement.case == case_id) & Supplement.answered_at.is_null())
        .order_by(Supplement.id, ascending=False)
        .first()
        .run()
    )
    return OpenRequest(int(row["id"]), list(row["missing"])) if row else None


async def insert_request(
    *, case_id: int, missing: list[str], note: str, requested_by: str | None
) -> None:
    await Supplement.insert(
        Supplement(case=case_id, missing=missing, note=note, requested_by=requested_by)
    ).run()


async def answer_request(request_id: int, *, note: str, at: datetime) -> None:
    await (
        Supplement.update({Supplement.answered_at: at, Supplement.answer_note: note})
        .where(Supplement.id == request_id)
        .run()
    )
