"""Hand-written: every form field of every stored item version gets its sensitivity kind.

From now on the kind is stated in the catalogue (the import's ``sensitivity`` column). Versions
written before carry none; they are given one here, once, from the names the district's forms
use for other people's numbers and from the datatype (an ``id_number`` or ``phone`` field is
never less than that). Any other field becomes ``none``: administrators re-import the catalogue
with the column filled to correct it (docs/personal-data.md, "Upgrading").
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "form fields of item versions: the sensitivity kind"

BACKFILL = """
UPDATE item_version SET form = (
    SELECT coalesce(jsonb_agg(
        CASE WHEN f ? 'sensitivity' THEN f ELSE f || jsonb_build_object('sensitivity',
            CASE
                WHEN f->>'name' = 'disability_cert_no' THEN 'id_derived'
                WHEN f->>'datatype' = 'id_number'
                    OR f->>'name' IN ('guardian_id', 'head_id', 'deceased_id', 'spouse_id')
                    THEN 'id_number'
                WHEN f->>'datatype' = 'phone' OR f->>'name' LIKE '%phone' THEN 'phone'
                WHEN f->>'name' LIKE '%bank_account' THEN 'bank_account'
                ELSE 'none'
            END)
        END ORDER BY e.n), '[]'::jsonb)
    FROM jsonb_array_elements(item_version.form) WITH ORDINALITY AS e(f, n)
)
WHERE jsonb_typeof(form) = 'array'
  AND EXISTS (
    SELECT 1 FROM jsonb_array_elements(item_version.form) AS g(f) WHERE NOT g.f ? 'sensitivity'
  )
"""

REMOVE = """
UPDATE item_version SET form = (
    SELECT coalesce(jsonb_agg(f - 'sensitivity' ORDER BY e.n), '[]'::jsonb)
    FROM jsonb_array_elements(item_version.form) WITH ORDINALITY AS e(f, n)
)
WHERE jsonb_typeof(form) = 'array'
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalogue", description=DESCRIPTION)

    async def add() -> None:
        await engine_finder().run_ddl(BACKFILL)

    async def remove() -> None:
        await engine_finder().run_ddl(REMOVE)

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager
