"""The citizen routes of the bare baseline: catalogue item, my cases, case detail, submit, upload.

Each handler sends, in the same order, the statements ``jiujinban serve`` sends for the same
request — the SQL text below was captured from the app with ``log_statement = 'all'`` (the case
statements are the app's own constants, ``backend.cases.queries``) — and uses connections the
same way: a statement outside a transaction takes a pool connection and gives it back, a few
reads of one step share a checkout, a transaction holds one connection. Like the app's, the pool
of these routes skips asyncpg's reset query on release. The per-process caches are the app's
too: the citizen behind a token is re-checked after ``CITIZEN_CHECK_TTL_S`` (5 s), the catalogue
is loaded once and its revision re-checked every ``CATALOGUE_CACHE_SECONDS`` (2 s), an item's
answer is built once per catalogue load, item versions by id come from the catalogue, the
working-day calendar is re-read every ``CALENDAR_CACHE_SECONDS`` (30 s). After a submission
commits, the same arq job is enqueued in Redis (the outbox doorbell).

The app's pure domain code is reused rather than copied — form checks (``backend.cases.forms``),
the statutory clock, the working-day calendar, the status labels, the response Structs and the
image cleaning (``backend.uploads.sniff.clean``: decode, orient, re-encode without metadata) — so
the gap to the app is what its own layers add: Piccolo, the middleware, the auth layer, the
service structure. Only the bench starts this; it is not part of the product.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Annotated, Any, cast
from zoneinfo import ZoneInfo

import asyncpg
import jwt
from litestar import Request, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.exceptions import (
    ClientException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from litestar.params import Body

from backend.cases.clock import Clock, ClockEvent, compute
from backend.cases.forms import check_form, merge_fields
from backend.cases.schemas import (
    CaseForCitizen,
    CaseMaterialOut,
    CaseSubmission,
    CaseSummary,
    CitizenCasePage,
    FiledBy,
    TimelineEntry,
)
from backend.cases.states import STATUS_LABELS, Status, public_status
from backend.cases.store import cases as case_store
from backend.cases.store import events as event_store
from backend.cases.store import materials as material_store
from backend.catalogue.model import FormField, ItemSpec, MaterialSpec
from backend.catalogue.schemas import (
    Channel,
    Datatype,
    DeliveryMethod,
    FormFieldOut,
    ItemDetail,
    ItemMaterialOut,
    Level,
    Sensitivity,
)
from backend.identity.store import citizens as citizen_store
from backend.uploads.keys import key_for
from backend.uploads.schemas import StoredType, UploadCreated, UploadForm
from backend.uploads.sniff import clean
from backend.workdays.calendar import ChinaCalendar, Override

ALGORITHM = "HS256"
CITIZEN_CHECK_TTL_S = 5.0
SHANGHAI = ZoneInfo("Asia/Shanghai")
NUMBER = re.compile(r"^[A-Z]{2}\d{8}\d{6,}(-\d{2})?$")

# --- the statements, as the app sends them ---------------------------------------------------


def _sql(*parts: str) -> str:
    """A statement from fixed parts (column lists); values are always bound parameters."""
    return "".join(parts)


CITIZEN_EXISTS = citizen_store.VERSION_OF  # the app's token check (None: no such citizen)
CITIZEN_PROFILE = citizen_store.PROFILE  # with whether an approved erasure is pending
REVISION = (
    'SELECT ALL "catalogue_revision"."revision" AS "revision", "catalogue_revision"."changed_at"'
    ' AS "changed_at" FROM "catalogue_revision" LIMIT 1'
)
ITEM_VERSIONS = """
SELECT DISTINCT ON (v.item) v.*, d.name AS department_name
FROM item_version v
JOIN item i ON i.code = v.item AND NOT i.retired
JOIN department d ON d.code = v.department
WHERE v.effective_from <= $1
ORDER BY v.item, v.effective_from DESC, v.version DESC
"""
ITEM_VERSION = (
    "SELECT v.*, d.name AS department_name FROM item_version v"
    " JOIN department d ON d.code = v.department WHERE v.id = $1"
)
CALENDAR_DAYS = (
    'SELECT ALL "calendar_day"."day" AS "day", "calendar_day"."kind" AS "kind",'
    ' "calendar_day"."note" AS "note" FROM "calendar_day"'
)
CALENDAR_YEARS = 'SELECT ALL "calendar_year"."year" AS "year" FROM "calendar_year"'

CASE_BY_NUMBER = case_store.OPEN_BY_NUMBER
MY_CASES = case_store.MY_CASES  # the page with its total (count(*) OVER ())
EVENTS = event_store.TIMELINE
PAGE_EVENTS = event_store.STEPS
MATERIALS = material_store.MATERIALS
CHECK_UPLOADS = (
    "SELECT id, sha256, size, content_type, material_type, original_name, created_at,"
    " attached_kind, attached_id FROM upload WHERE id = ANY($1::text[]) AND owner_kind = $2"
    " AND owner_id = $3 AND deleted_at IS NULL"
)
NEXT_NUMBER = "SELECT nextval('case_number_seq') AS n"
INSERT_CASE = case_store.INSERT
INSERT_MATERIALS = material_store.INSERT_MATERIALS
ATTACH_UPLOADS = (
    "UPDATE upload SET attached_kind = $1, attached_id = $2, attached_at = COALESCE(attached_at,"
    " $3) WHERE id = ANY($4::text[]) AND deleted_at IS NULL"
    " AND (attached_id IS NULL OR (attached_kind = $1 AND attached_id = $2)) RETURNING id"
)
INSERT_EVENT = event_store.INSERT
INSERT_OUTBOX = (
    "INSERT INTO outbox_event (kind, payload, dedup_key, status, attempts, due_at, last_error,"
    " created_at) VALUES ($1, $2::jsonb, $3, 'pending', 0, $4, '', now())"
    " ON CONFLICT (dedup_key) DO NOTHING RETURNING id"
)
UPLOADS_TODAY = (
    "SELECT count(*) AS n FROM upload WHERE owner_kind = $1 AND owner_id = $2 AND created_at >= $3"
)
ADVISORY_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
INSERT_UPLOAD = (
    'INSERT INTO "upload" ("id","owner_kind","owner_id","material_type","content_type","size",'
    '"sha256","storage_key","original_name","created_at","attached_kind","attached_id",'
    '"attached_at","deleted_at") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)'
    ' RETURNING "id"'
)

_NOTES = {
    "submit": "已提交申请",
    "forward": "已转入镇街受理队列",
    "accept": "已受理，开始计算办理时限",
    "request_supplement": "需要补正材料",
    "supply": "已提交补正材料",
    "approve": "审批通过",
    "deny": "审批未通过",
    "withdraw": "已撤回申请",
}
_CLOCK_ACTIONS = {"accept": "accept", "approve": "close", "deny": "close", "withdraw": "close"}


def today() -> date:
    return datetime.now(SHANGHAI).date()


def shanghai(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds") if moment else None


# --- per-process caches, as the app keeps them ------------------------------------------------


@dataclass
class ItemRow:
    id: int
    version: int
    effective_from: date
    spec: ItemSpec
    department_name: str


def _spec(row: Any) -> ItemSpec:
    materials = (
        json.loads(row["materials"]) if isinstance(row["materials"], str) else row["materials"]
    )
    form = json.loads(row["form"]) if isinstance(row["form"], str) else row["form"]
    return ItemSpec(
        code=row["item"],
        name=row["name"],
        department_code=row["department"],
        lowest_level=row["lowest_level"],
        channels=tuple(row["channels"]),
        delegable=row["delegable"],
        district_wide=row["district_wide"],
        legal_days=row["legal_days"],
        committed_days=row["committed_days"],
        fee=row["fee"],
        delivery_methods=tuple(row["delivery_methods"]),
        keywords=tuple(row["keywords"]),
        personal=row["personal"],
        materials=tuple(MaterialSpec(**m) for m in materials),
        form=tuple(FormField(**{**f, "values": tuple(f.get("values", ()))}) for f in form),
    )


async def keep_session(connection: Any) -> None:
    """The pool's reset on release, as the app's: asyncpg's own rollback only."""


class Caches:
    def __init__(self) -> None:
        self.catalogue_s = float(os.environ.get("CATALOGUE_CACHE_SECONDS") or 2.0)
        self.calendar_s = float(os.environ.get("CALENDAR_CACHE_SECONDS") or 30.0)
        self.citizen_s = CITIZEN_CHECK_TTL_S
        self.citizens: dict[str, float] = {}
        self.answers: dict[str, ItemDetail] = {}
        self.versions: dict[int, ItemRow] = {}
        self.pool: Any = None
        self.pool_lock = asyncio.Lock()
        self.items: dict[str, ItemRow] = {}
        self.revision: str | None = None
        self.items_day: date | None = None
        self.checked = 0.0
        self.calendar: ChinaCalendar | None = None
        self.calendar_at = 0.0

    async def catalogue(self, pool: Any) -> dict[str, ItemRow]:
        day, now = today(), time.monotonic()
        if self.items_day == day and now - self.checked < self.catalogue_s:
            return self.items
        row = await pool.fetchrow(REVISION)
        revision = f"{row['revision']}@{row['changed_at'].isoformat()}" if row else "empty"
        self.checked = now
        if self.items_day != day or revision != self.revision:
            rows = await pool.fetch(ITEM_VERSIONS, day)
            self.items = {
                r["item"]: ItemRow(
                    r["id"], r["version"], r["effective_from"], _spec(r), r["department_name"]
                )
                for r in rows
            }
            self.answers = {}
            self.versions = {v.id: v for v in self.items.values()}
            self.revision, self.items_day = revision, day
        return self.items

    async def citizen_pool(self, env: dict[str, str]) -> Any:
        """The pool of these routes: the app's sizes, no reset query on release (as the app)."""
        if self.pool is not None:
            return self.pool
        async with self.pool_lock:
            if self.pool is None:
                self.pool = await asyncpg.create_pool(
                    env["DATABASE_URL"],
                    min_size=int(env.get("DB_POOL_MIN") or 1),
                    max_size=int(env.get("DB_POOL_MAX") or 10),
                    reset=keep_session,
                )
        return self.pool

    async def load_calendar(self, db: Any) -> ChinaCalendar:
        if self.calendar is not None and time.monotonic() - self.calendar_at < self.calendar_s:
            return self.calendar
        days = await db.fetch(CALENDAR_DAYS)
        years = await db.fetch(CALENDAR_YEARS)
        overrides = {r["day"]: Override(r["kind"], r["note"]) for r in days}
        confirmed = frozenset(r["year"] for r in years)
        if (
            self.calendar is None
            or self.calendar.overrides != overrides
            or self.calendar.confirmed_years != confirmed
        ):
            self.calendar = ChinaCalendar(overrides, confirmed)
        self.calendar_at = time.monotonic()
        return self.calendar


# --- who is calling ---------------------------------------------------------------------------


async def citizen_of(request: Request[Any, Any, Any], state: State) -> tuple[str, Any]:
    """The citizen id behind the bearer token, checked to exist as the app's middleware does
    (remembered for ``CITIZEN_CHECK_TTL_S``), and the pool of these routes."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise NotAuthorizedException()
    try:
        claims = jwt.decode(token, state.secret, algorithms=[ALGORITHM])
    except jwt.InvalidTokenError as exc:
        raise NotAuthorizedException() from exc
    kind, _, ident = str(claims.get("sub", "")).partition(":")
    if kind != "citizen":
        raise NotAuthorizedException()
    caches: Caches = state.caches
    pool = await caches.citizen_pool(state.env)
    now = time.monotonic()
    if caches.citizens.get(ident, 0.0) <= now:
        if await pool.fetchval(CITIZEN_EXISTS, ident) is None:
            raise NotAuthorizedException()
        caches.citizens[ident] = now + caches.citizen_s
    return ident, pool


# --- catalogue --------------------------------------------------------------------------------


@get("/api/v1/items/{code:str}")
async def item_detail(state: State, code: str) -> ItemDetail:
    caches: Caches = state.caches
    row = (await caches.catalogue(await caches.citizen_pool(state.env))).get(code)
    if row is None:
        raise NotFoundException()
    answer = caches.answers.get(code)
    if answer is None:  # built once per catalogue load, as the app does
        answer = caches.answers[code] = _item_answer(row)
    return answer


def _item_answer(row: ItemRow) -> ItemDetail:
    s = row.spec
    return ItemDetail(
        code=s.code,
        name=s.name,
        department=s.department_code,
        department_name=row.department_name,
        committed_days=s.committed_days,
        legal_days=s.legal_days,
        channels=cast(list[Channel], list(s.channels)),
        delegable=s.delegable,
        district_wide=s.district_wide,
        lowest_level=cast(Level, s.lowest_level),
        fee=s.fee,
        delivery_methods=cast(list[DeliveryMethod], list(s.delivery_methods)),
        keywords=list(s.keywords),
        materials=[
            ItemMaterialOut(m.type, m.name, m.required, m.original, m.copies, m.exempt_if_shared)
            for m in s.materials
        ],
        form=[
            FormFieldOut(
                f.name,
                f.label,
                cast(Datatype, f.datatype),
                f.required,
                list(f.values),
                cast(Sensitivity, f.sensitivity),
            )
            for f in s.form
        ],
        version=row.version,
        effective_from=row.effective_from.isoformat(),
    )


# --- reading cases ----------------------------------------------------------------------------


@dataclass
class View:
    name: str
    events: list[Any]
    materials: list[Any]
    supplement: Any
    evaluations: list[int]
    clock: Clock


def _clock_of(rows: list[Any], committed_days: int, calendar: ChinaCalendar) -> Clock:
    events = []
    for e in rows:
        kind = _CLOCK_ACTIONS.get(e["action"])
        if kind:
            events.append(ClockEvent(e["at"].astimezone(SHANGHAI).date(), kind))
    return compute(events, committed_days=committed_days, calendar=calendar, today=today())


async def _view(db: Any, state: State, row: Any, calendar: ChinaCalendar) -> View:
    """The same statements as the app's ``views.view`` for a single-item case that is neither
    awaiting a supplement nor closed (the app reads those only then)."""
    root = row["parent"] or row["id"]
    async with db.acquire() as conn:  # one checkout for the case's reads, as the app
        events = await conn.fetch(EVENTS, row["id"])
        materials = await conn.fetch(MATERIALS, root)
    own_clock = _clock_of(events, row["committed_days"], calendar)
    return View(await _name(db, state, row), events, materials, None, [], own_clock)


async def _name(db: Any, state: State, row: Any) -> str:
    """The name of the item version a case was filed under, from the catalogue cache."""
    caches: Caches = state.caches
    await caches.catalogue(db)
    version = caches.versions.get(row["item_version"])
    if version is None:
        found = await db.fetchrow(ITEM_VERSION, row["item_version"])
        return str(found["name"]) if found else row["item_code"] or ""
    return version.spec.name


def _present(row: Any, view: View) -> CaseForCitizen:
    status = Status(row["status"])
    return CaseForCitizen(
        number=row["number"],
        status=status.value,
        status_label=STATUS_LABELS[status],
        public_status=public_status(status),
        item_code=row["item_code"],
        bundle_code=row["bundle_code"],
        name=view.name,
        filed_by=FiledBy(kind=row["filed_by_kind"], name=None),
        channel=row["channel"],
        township_code=row["township"],
        deadline=view.clock.deadline.isoformat() if view.clock.deadline else None,
        working_days_left=view.clock.working_days_left,
        submitted_at=shanghai(row["created_at"]) or "",
        delivery_method=row["delivery_method"],
        timeline=[
            TimelineEntry(
                at=shanghai(e["at"]) or "",
                status=e["to_status"],
                action=e["action"],
                actor_role=e["actor_role"],
                note=e["note"] or _NOTES.get(e["action"], ""),
            )
            for e in view.events
        ],
        materials=[
            CaseMaterialOut(m["material_type"], m["source"], m["upload_id"]) for m in view.materials
        ],
        evaluations=view.evaluations,
    )


@get("/api/v1/cases")
async def my_cases(
    request: Request[Any, Any, Any], state: State, page: int = 1, page_size: int = 20
) -> CitizenCasePage:
    citizen, pool = await citizen_of(request, state)
    rows = await pool.fetch(MY_CASES, citizen, page_size, (page - 1) * page_size)
    total = int(rows[0]["total"]) if rows else 0  # (the app counts apart past the last page)
    calendar = await state.caches.load_calendar(pool)
    items = []
    if rows:
        ids = [r["id"] for r in rows]  # single-item cases only: no bundle children to add
        events: dict[int, list[Any]] = {i: [] for i in ids}
        for e in await pool.fetch(PAGE_EVENTS, ids):
            events[e["case"]].append(e)
        catalogue = await state.caches.catalogue(pool)
        for row in rows:
            current = catalogue.get(row["item_code"] or "")
            if current is not None:
                name = current.spec.name
            else:
                version = await pool.fetchrow(ITEM_VERSION, row["item_version"])
                name = version["name"] if version else row["item_code"] or ""
            clock = _clock_of(events[row["id"]], row["committed_days"], calendar)
            status = Status(row["status"])
            items.append(
                CaseSummary(
                    number=row["number"],
                    name=name,
                    status=status.value,
                    status_label=STATUS_LABELS[status],
                    public_status=public_status(status),
                    submitted_at=shanghai(row["created_at"]) or "",
                    deadline=clock.deadline.isoformat() if clock.deadline else None,
                    working_days_left=clock.working_days_left,
                    filed_by=FiledBy(kind=row["filed_by_kind"], name=None),  # filed by themselves
                    evaluated=row["evaluated"],
                )
            )
    return CitizenCasePage(items=items, total=total)


@get("/api/v1/cases/{number:str}")
async def case_detail(request: Request[Any, Any, Any], state: State, number: str) -> CaseForCitizen:
    citizen, pool = await citizen_of(request, state)
    row = await pool.fetchrow(CASE_BY_NUMBER, number) if NUMBER.match(number) else None
    if row is None or str(row["applicant"]) != citizen:
        raise NotFoundException()
    calendar = await state.caches.load_calendar(pool)
    return _present(row, await _view(pool, state, row, calendar))


# --- submitting -------------------------------------------------------------------------------


def _invalid(detail: str) -> ClientException:
    return ClientException(detail=detail, status_code=422)


@post("/api/v1/cases", status_code=201)
async def submit(request: Request[Any, Any, Any], state: State, data: CaseSubmission) -> Any:
    citizen, pool = await citizen_of(request, state)
    profile = await pool.fetchrow(CITIZEN_PROFILE, citizen)
    if profile is None or not profile["identity_bound"]:
        raise ClientException(detail="identity_not_bound", status_code=409)
    if profile["erasure_pending"]:
        raise ClientException(detail="erasure_pending", status_code=409)
    item = (await state.caches.catalogue(pool)).get(data.item_code or "")
    if item is None or data.bundle_code is not None:
        raise _invalid("item_unknown")
    spec = item.spec
    if "online" not in spec.channels:
        raise _invalid("channel_not_offered")
    form, problems = check_form(merge_fields([spec.form]), data.form)
    if problems:
        raise _invalid("form_invalid")
    if data.delivery.method not in spec.delivery_methods:
        raise _invalid("delivery_method_invalid")
    needed = {m.type for m in spec.materials}
    if {m.type for m in data.materials} - needed:
        raise _invalid("material_not_needed")
    ids = list(dict.fromkeys(m.upload_id for m in data.materials))
    found = {r["id"]: r for r in await pool.fetch(CHECK_UPLOADS, ids, "citizen", citizen)}
    if len(found) != len(ids) or any(found[i]["attached_id"] is not None for i in ids):
        raise ClientException(detail="upload_not_found_or_attached", status_code=409)
    if any(found[m.upload_id]["material_type"] != m.type for m in data.materials):
        raise _invalid("material_type_mismatch")
    by_type: dict[str, list[str]] = {}
    for m in data.materials:
        by_type.setdefault(m.type, [])
        if m.upload_id not in by_type[m.type]:
            by_type[m.type].append(m.upload_id)
    if [m for m in spec.materials if m.required and m.type not in by_type]:
        raise _invalid("materials_missing")
    calendar = await state.caches.load_calendar(pool)

    async with pool.acquire() as conn, conn.transaction():
        number = f"XS{today():%Y%m%d}{int(await conn.fetchval(NEXT_NUMBER)):06d}"
        now = datetime.now(UTC)
        case = await conn.fetchrow(
            INSERT_CASE,
            number, None, None, spec.code, item.id, citizen, "self", None, None, "miniprogram",
            "submitted", None, spec.department_code, json.dumps(form, ensure_ascii=False),
            data.delivery.method, "", spec.committed_days, now,
        )  # fmt: skip
        rows = [(t, u) for t, uploads in by_type.items() for u in uploads]
        materials = await conn.fetch(
            INSERT_MATERIALS,
            case["id"],
            now,
            [t for t, _ in rows],
            ["upload"] * len(rows),
            [u for _, u in rows],
            [None] * len(rows),
        )
        attached = await conn.fetch(ATTACH_UPLOADS, "case", number, datetime.now(UTC), ids)
        if len(attached) != len(ids):
            raise ClientException(detail="upload_already_attached", status_code=409)
        event = await conn.fetchrow(
            INSERT_EVENT,
            case["id"], datetime.now(UTC), "submit", None, "submitted", "citizen", citizen,
            "citizen", None, "miniprogram", "", "{}",
        )  # fmt: skip
        told = await conn.fetchrow(  # the citizen is told of the submission (notifications)
            INSERT_OUTBOX,
            "case.event",
            json.dumps({"event_id": event["id"]}, ensure_ascii=False),
            f"case-event:{event['id']}",
            datetime.now(UTC),
        )
        outbox = await conn.fetchrow(
            INSERT_OUTBOX,
            "case.forward",
            json.dumps({"case_id": case["id"]}, ensure_ascii=False),
            f"forward:{number}",
            datetime.now(UTC),
        )
    # the answer from what the inserts returned, as the app builds it
    events = [event]
    view = View(
        await _name(pool, state, case),
        events,
        sorted(materials, key=lambda m: int(m["id"])),
        None,
        [],
        _clock_of(events, case["committed_days"], calendar),
    )
    answer = _present(case, view)
    await _ring(state, told["id"] if told else None)
    await _ring(state, outbox["id"] if outbox else None)
    return answer


async def _ring(state: State, event_id: int | None) -> None:
    """The outbox doorbell, as the app rings it after commit."""
    if event_id is None:
        return
    with contextlib.suppress(Exception):
        await asyncio.wait_for(
            state.redis.enqueue_job(
                "run_outbox_event",
                event_id,
                _job_id=f"{state.arq_queue}:outbox:{event_id}:0",
                _queue_name=state.arq_queue,
                _defer_by=None,
            ),
            timeout=2.0,
        )


# --- uploading --------------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> None:
    """As the app's local store: a temporary file, fsync, rename into place."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@post("/api/v1/uploads", status_code=201)
async def upload(
    request: Request[Any, Any, Any],
    state: State,
    data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> UploadCreated:
    citizen, pool = await citizen_of(request, state)
    content = await data.file.read()
    await data.file.close()
    material_type = data.material_type.strip()
    if not content or len(content) > state.upload_max_bytes or not material_type:
        raise ValidationException()
    now = datetime.now(UTC)
    day_start = datetime.combine(now.astimezone(SHANGHAI).date(), dt_time(), tzinfo=SHANGHAI)
    if await pool.fetchval(UPLOADS_TODAY, "citizen", citizen, day_start) >= state.upload_per_day:
        raise ClientException(detail="upload_limit_reached", status_code=429)
    cleaned = await asyncio.to_thread(clean, content)
    key = key_for(cleaned.sha256)
    path = state.storage_root / key
    await asyncio.to_thread(_write, path, cleaned.data)
    upload_id = "up_" + secrets.token_urlsafe(16)
    async with pool.acquire() as conn, conn.transaction():
        await conn.fetchval(ADVISORY_LOCK, f"upload-owner:citizen:{citizen}")
        await conn.fetchval(ADVISORY_LOCK, f"upload-object:{cleaned.sha256}")
        if (
            await conn.fetchval(UPLOADS_TODAY, "citizen", citizen, day_start)
            >= state.upload_per_day
        ):
            raise ClientException(detail="upload_limit_reached", status_code=429)
        await conn.fetchval(
            INSERT_UPLOAD,
            upload_id, "citizen", citizen, material_type, cleaned.content_type,
            len(cleaned.data), cleaned.sha256, key, (data.file.filename or "")[:100], now,
            None, None, None, None,
        )  # fmt: skip
    if not await asyncio.to_thread(path.is_file):
        await asyncio.to_thread(_write, path, cleaned.data)
    return UploadCreated(
        id=upload_id,
        sha256=cleaned.sha256,
        size=len(cleaned.data),
        content_type=cast(StoredType, cleaned.content_type),
        material_type=material_type,
    )


def configure(state: State, env: dict[str, str]) -> None:
    """What the citizen routes need on the app state, from the app's environment variables."""
    state.caches = Caches()
    state.env = env
    state.arq_queue = env.get("ARQ_QUEUE") or "arq:queue"
    state.storage_root = Path(env.get("STORAGE_DIR") or ".data/uploads").resolve()
    state.upload_max_bytes = int(env.get("UPLOAD_MAX_BYTES") or 10 * 1024 * 1024)
    state.upload_per_day = int(env.get("UPLOAD_MAX_PER_DAY") or 200)


ROUTES = [item_detail, my_cases, case_detail, submit, upload]
