"""Citizens for the citizen scenarios, set up once per run through the real API.

``start_fakes`` starts the local WeChat, e-licence and identity-verification fakes in the bench
process (the app under test calls them for logins and bindings). ``build`` then, against the app:

1. logs in ``CITIZENS`` citizens with the fake WeChat code ``test:bench-<n>`` and binds each
   one's identity (a valid GB 11643 number, a demo village);
2. picks the demo item to submit (``PREFERRED_ITEM``, else the first online item with required
   materials) and reads its materials and form from ``GET /api/v1/items/{code}``;
3. uploads one real photo per citizen and required material type through ``POST
   /api/v1/uploads``, to get a stored, cleaned object for each;
4. gives each of the first ``READERS`` citizens ``CASES_PER_READER`` cases through ``POST
   /api/v1/cases`` (``my_cases`` and ``case_detail`` read those);
5. makes ``PHOTOS`` distinct 2-megapixel phone photos (JPEG with EXIF) for ``upload_photo``.

**Bench-only setup data.** A submission attaches its uploads to the new case, and an upload is
attached to one case only, so every submission of a run needs uploads of its own — several
thousand per scenario. Uploading each through the API would take longer than the measurement, so
``UploadPool.take`` INSERTs further ``upload`` rows directly (asyncpg ``COPY``), before the load
starts: same owner, same material type, same ``storage_key``/``sha256``/size as the citizen's
real upload of that type, fresh ids. Their ``created_at`` is a day back, so they do not count
against the uploads-per-day limit of the ``upload_photo`` scenario. The app and the baseline each
get their own rows; each load-generator run gets just enough for its duration (see
``bench.scenarios.POOL_RPS``).
"""

from __future__ import annotations

import asyncio
import io
import json
import random
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import count
from typing import Any, TypeVar

import asyncpg
import httpx
from PIL import Image, ImageDraw, ImageFilter

from backend.fakes.elicense_server import FakeElicense
from backend.fakes.idverify_server import FakeIdVerify
from backend.fakes.wechat_server import FakeWeChat

READERS = 16
"""Citizens with ``CASES_PER_READER`` cases each: the readers of ``my_cases``/``case_detail``."""
CASES_PER_READER = 20
SUBMITTERS = 32
"""Citizens who submit and upload during the run (their case lists grow; nobody reads them)."""
CITIZENS = READERS + SUBMITTERS
PREFERRED_ITEM = "GA-JZZ-SL"
"""居住证申领: online, a form of four fields, four required materials (photos)."""
VILLAGE = "330109110001"  # 群围村, 益农镇 (demo data)
PHOTO_SIZE = (1600, 1200)  # 1.92 MP
PHOTOS = 8
"""Distinct photos for ``upload_photo`` (an upload of identical content shares the stored
object, so a single photo would measure the de-duplication path only)."""
SETUP_CONCURRENCY = 8
NAMES = ("王秀英", "李建国", "张桂兰", "刘德华", "陈美玲", "杨志强", "赵淑珍", "黄国庆")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

T = TypeVar("T")


# --- the fakes ------------------------------------------------------------------------------


@dataclass
class Fakes:
    """The local fakes the app calls during setup: WeChat login, 实名核验, 电子证照."""

    wechat: FakeWeChat
    elicense: FakeElicense
    idverify: FakeIdVerify

    def environ(self) -> dict[str, str]:
        return {
            "WECHAT_API_BASE": self.wechat.url,
            "WECHAT_APPID": self.wechat.appid,
            "WECHAT_SECRET": self.wechat.secret,
            "ELICENSE_URL": self.elicense.url,
            "IDENTITY_VERIFY_URL": self.idverify.url,
        }

    def stop(self) -> None:
        for fake in (self.idverify, self.elicense, self.wechat):
            fake.stop()


def start_fakes() -> Fakes:
    wechat = FakeWeChat(appid="wx-bench-appid", secret=secrets.token_urlsafe(24))
    elicense = FakeElicense()
    idverify = FakeIdVerify()
    started: list[Any] = []
    try:
        for fake in (wechat, elicense, idverify):
            fake.start()
            started.append(fake)
    except BaseException:
        for fake in reversed(started):
            fake.stop()
        raise
    return Fakes(wechat, elicense, idverify)


# --- data -----------------------------------------------------------------------------------


def id_number(seq: int, *, birth: str | None = None, region: str = "330109") -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit), distinct for seq < 14,000:
    the sequence code holds 500 of them (odd and even: both sexes), each further 500 are born a
    day later in January 1980 (``birth`` fixes the date)."""
    born = birth or f"198001{1 + (seq // 500) % 28:02d}"
    body = f"{region}{born}{(seq * 2 + seq % 2) % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def phone_photo(seed: int, size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A phone-camera-like JPEG (quality 92, EXIF with make, model, time and orientation 6 —
    a portrait shot, as phones store it): gradients, sensor-like noise, shapes and text, so it
    compresses like a photo of a document (≈ 650 KB at 2 MP), not like a flat test image."""
    rnd = random.Random(seed)  # noqa: S311 - test pictures, not secrets
    width, height = size
    base = Image.linear_gradient("L").resize(size)
    red = Image.blend(
        base, Image.effect_noise(size, 40).filter(ImageFilter.GaussianBlur(1.2)), 0.35
    )
    green = Image.blend(base.rotate(90).resize(size), Image.effect_noise(size, 40), 0.3)
    blue = Image.effect_noise(size, 30).filter(ImageFilter.GaussianBlur(2))
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rnd.randrange(width), rnd.randrange(height)
        box = (x, y, x + rnd.randrange(20, 300), y + rnd.randrange(10, 120))
        draw.rectangle(box, fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    for _ in range(60):
        text = f"330109 19800101 {rnd.randrange(10**6):06d}"
        draw.text((rnd.randrange(width), rnd.randrange(height)), text, fill=(0, 0, 0))
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"  # Make
    exif[0x0110] = "Redmi Note 12"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° CW to show
    exif[0x0132] = "2026:11:27 10:00:00"  # DateTime
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def small_photo(seed: int) -> bytes:
    """A small JPEG for the one real upload per citizen and material type."""
    image = Image.new("RGB", (320, 240), (seed * 37 % 256, 180, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def multipart(
    fields: dict[str, str], file: tuple[str, bytes, str], boundary: str
) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body and its content type, as a phone's upload sends it."""
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    filename, data, content_type = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def form_values(fields: Iterable[dict[str, Any]], *, id_number_value: str) -> dict[str, Any]:
    """Valid values for an item's form fields, from their declared types."""
    values: dict[str, Any] = {}
    for f in fields:
        kind = f["datatype"]
        if kind == "number":
            values[f["name"]] = 2
        elif kind == "date":
            values[f["name"]] = (date.today() - timedelta(days=30)).isoformat()  # noqa: DTZ011
        elif kind == "choice":
            values[f["name"]] = f["values"][0]
        elif kind == "id_number":
            values[f["name"]] = id_number_value
        elif kind == "phone":
            values[f["name"]] = "13800001111"
        else:
            values[f["name"]] = "杭州市萧山区益农镇群围村1号"
    return values


# --- the pool of bench-only upload rows -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What a real upload stored: the bench's extra rows point at the same object."""

    storage_key: str
    sha256: str
    size: int
    content_type: str


@dataclass(frozen=True, slots=True)
class Citizen:
    n: int
    id: str
    token: str
    id_number: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


UPLOAD_COLUMNS = (
    "id", "owner_kind", "owner_id", "material_type", "content_type", "size", "sha256",
    "storage_key", "original_name", "created_at",
)  # fmt: skip


class UploadPool:
    """Fresh upload ids for submissions, made by INSERTing rows that point at stored objects."""

    def __init__(
        self,
        database_url: str,
        objects: dict[tuple[int, str], StoredObject],
        material_types: list[str],
    ) -> None:
        self.database_url = database_url
        self.objects = objects
        self.material_types = material_types
        self.created = 0
        self._ids = count()

    def take(self, citizens: list[Citizen], submissions: int) -> list[tuple[Citizen, list[str]]]:
        """``submissions`` sets of upload ids (one per material type), round-robin over
        ``citizens``; the rows are committed when this returns."""
        return asyncio.run(self.take_async(citizens, submissions))

    async def take_async(
        self, citizens: list[Citizen], submissions: int
    ) -> list[tuple[Citizen, list[str]]]:
        plan: list[tuple[Citizen, list[str]]] = []
        rows: list[tuple[Any, ...]] = []
        created_at = datetime.now(UTC) - timedelta(days=1)
        for k in range(submissions):
            who = citizens[k % len(citizens)]
            ids = []
            for material in self.material_types:
                stored = self.objects[(who.n, material)]
                upload_id = f"up_bench{next(self._ids):09d}{secrets.token_hex(4)}"
                ids.append(upload_id)
                rows.append(
                    (
                        upload_id, "citizen", who.id, material, stored.content_type, stored.size,
                        stored.sha256, stored.storage_key, "bench.jpg", created_at,
                    )
                )  # fmt: skip
            plan.append((who, ids))
        if rows:
            await self._insert(rows)
            self.created += len(rows)
        return plan

    async def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        conn = await asyncpg.connect(self.database_url, timeout=10)
        try:
            await conn.copy_records_to_table("upload", records=rows, columns=UPLOAD_COLUMNS)
            await conn.execute("VACUUM ANALYZE upload")  # now, not by autovacuum during the run
        finally:
            await conn.close()


# --- building it all --------------------------------------------------------------------------


@dataclass
class CitizenData:
    """Everything the citizen scenarios use; kept in the bench context as ``citizens``."""

    readers: list[Citizen]
    submitters: list[Citizen]
    item_code: str
    item_codes: list[str]
    materials: list[str]
    form: dict[str, Any]
    cases: list[tuple[Citizen, str]]
    """(owner, case number) of every case made in setup."""
    pool: UploadPool
    photos: list[bytes] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        """For the JSON report."""
        return {
            "citizens": len(self.readers) + len(self.submitters),
            "readers": len(self.readers),
            "cases_per_reader": CASES_PER_READER,
            "submitters": len(self.submitters),
            "item": self.item_code,
            "materials": self.materials,
            "photo_bytes": [len(p) for p in self.photos],
            "photo_size": list(PHOTO_SIZE),
            "bench_upload_rows": self.pool.created,
        }

    def submission(self, ids: list[str]) -> bytes:
        return json.dumps(
            {
                "item_code": self.item_code,
                "form": self.form,
                "materials": [
                    {"type": t, "upload_id": u} for t, u in zip(self.materials, ids, strict=True)
                ],
                "delivery": {"method": "window"},
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()


async def _bounded(jobs: list[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    gate = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return await asyncio.gather(*(one(j) for j in jobs))


def _check(response: httpx.Response, what: str) -> Any:
    if not response.is_success:
        raise RuntimeError(f"{what} answered {response.status_code}: {response.text[:500]}")
    return response.json()


async def _citizen(api: httpx.AsyncClient, n: int) -> Citizen:
    login = _check(
        await api.post("/api/v1/auth/wechat/login", json={"code": f"test:bench-{n}"}),
        "wechat login",
    )
    # id_number is distinct for 500 sequence numbers: each further 500 citizens a year older
    number = id_number(n % 500, birth=f"{1980 - n // 500 % 40}0101")
    who = Citizen(n, login["citizen"]["id"], login["access_token"], number)
    _check(
        await api.put(
            "/api/v1/me/identity",
            json={
                "name": NAMES[n % len(NAMES)],
                "id_number": number,
                "village_code": VILLAGE,
                "consent_version": "2026-01",
            },
            headers=who.headers,
        ),
        "identity binding",
    )
    return who


async def upload_material(
    api: httpx.AsyncClient, who: Citizen, material: str, gate: asyncio.Semaphore
) -> str:
    """One small photo uploaded as ``who``'s ``material`` (``POST /api/v1/uploads``); its id."""
    body, content_type = multipart(
        {"material_type": material},
        ("photo.jpg", small_photo(who.n), "image/jpeg"),
        boundary=f"bench{secrets.token_hex(8)}",
    )
    async with gate:
        answer = await api.post(
            "/api/v1/uploads", content=body, headers={**who.headers, "Content-Type": content_type}
        )
    answer.raise_for_status()
    return str(answer.json()["id"])


async def _pick_item(api: httpx.AsyncClient) -> tuple[dict[str, Any], list[str]]:
    listed = _check(await api.get("/api/v1/items", params={"page_size": 100}), "GET /api/v1/items")
    codes = sorted(i["code"] for i in listed["items"])
    online = [c for c in codes if c == PREFERRED_ITEM] + [
        i["code"] for i in listed["items"] if "online" in i["channels"]
    ]
    for code in online:
        detail = _check(await api.get(f"/api/v1/items/{code}"), f"GET /api/v1/items/{code}")
        if (
            "online" in detail["channels"]
            and "window" in detail["delivery_methods"]
            and any(m["required"] for m in detail["materials"])
        ):
            return detail, codes
    raise RuntimeError("no demo item can be submitted online with uploads")


async def _setup(app_url: str, database_url: str) -> CitizenData:
    async with httpx.AsyncClient(base_url=app_url, timeout=60) as api:
        citizens = await _bounded(
            [partial(_citizen, api, n) for n in range(CITIZENS)], SETUP_CONCURRENCY
        )
        item, codes = await _pick_item(api)
        materials = [m["type"] for m in item["materials"] if m["required"]]

        async def upload(who: Citizen, material: str) -> tuple[tuple[int, str], StoredObject]:
            body, content_type = multipart(
                {"material_type": material},
                ("photo.jpg", small_photo(who.n), "image/jpeg"),
                boundary=f"bench{secrets.token_hex(8)}",
            )
            created = _check(
                await api.post(
                    "/api/v1/uploads",
                    content=body,
                    headers={**who.headers, "Content-Type": content_type},
                ),
                "POST /api/v1/uploads",
            )
            return (who.n, material), StoredObject(
                storage_key="", sha256=created["sha256"], size=created["size"],
                content_type=created["content_type"],
            )  # fmt: skip

        made = await _bounded(
            [partial(upload, w, m) for w in citizens for m in materials],
            SETUP_CONCURRENCY,
        )
        objects = await _storage_keys(database_url, dict(made))
        form = form_values(item["form"], id_number_value=citizens[0].id_number)
        data = CitizenData(
            readers=citizens[:READERS],
            submitters=citizens[READERS:],
            item_code=item["code"],
            item_codes=codes,
            materials=materials,
            form=form,
            cases=[],
            pool=UploadPool(database_url, objects, materials),
        )
        plan = await data.pool.take_async(data.readers, READERS * CASES_PER_READER)

        async def submit(who: Citizen, ids: list[str]) -> tuple[Citizen, str]:
            created = _check(
                await api.post(
                    "/api/v1/cases",
                    content=data.submission(ids),
                    headers={**who.headers, "Content-Type": "application/json"},
                ),
                "POST /api/v1/cases",
            )
            return who, str(created["number"])

        data.cases = await _bounded([partial(submit, w, i) for w, i in plan], SETUP_CONCURRENCY)
    return data


async def _storage_keys(
    database_url: str, made: dict[tuple[int, str], StoredObject]
) -> dict[tuple[int, str], StoredObject]:
    """The storage key of each stored object (the API does not hand it out)."""
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT sha256, storage_key FROM upload WHERE sha256 = ANY($1::text[])",
            sorted({o.sha256 for o in made.values()}),
        )
    finally:
        await conn.close()
    keys = {r["sha256"]: r["storage_key"] for r in rows}
    return {
        k: StoredObject(keys[o.sha256], o.sha256, o.size, o.content_type) for k, o in made.items()
    }


def build(app_port: int, database_url: str) -> CitizenData:
    data = asyncio.run(_setup(f"http://127.0.0.1:{app_port}", database_url))
    data.photos = [phone_photo(seed) for seed in range(PHOTOS)]
    return data
