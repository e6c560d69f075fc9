"""The upload service against real PostgreSQL, with a local store in a temporary directory."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from backend import db
from backend.errors import Conflict, InvalidInput, NotFound, RateLimited, ServiceUnavailable
from backend.settings import Settings
from backend.uploads import service
from backend.uploads.keys import key_for
from backend.uploads.messages import Gone
from backend.uploads.ports import StoreError
from backend.uploads.storage import LocalFileStore
from backend.uploads.tables import Upload
from tests.uploads import images

pytestmark = pytest.mark.integration


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "uploads")


def citizen() -> str:
    return str(uuid.uuid4())


async def save(
    store, settings: Settings, *, owner: str, data: bytes | None = None, kind: str = "citizen", **kw
) -> service.UploadView:
    return await service.save_upload(
        store=store,
        owner_kind=kind,
        owner_id=owner,
        material_type=kw.pop("material_type", "身份证"),
        filename=kw.pop("filename", "IMG_0001.jpg"),
        data=images.photo_with_gps() if data is None else data,
        settings=settings,
        **kw,
    )


def stored_files(store: LocalFileStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()]


async def test_a_photo_is_stored_clean_under_its_hash(store, settings):
    owner = citizen()
    view = await save(store, settings, owner=owner, filename="C:\\Users\\张三\\身份证正面.jpg")
    assert view.id.startswith("up_") and len(view.id) == 25
    assert view.content_type == "image/jpeg"
    assert view.material_type == "身份证"
    assert view.original_name == "身份证正面.jpg"
    data = await store.get(key_for(view.sha256))
    assert len(data) == view.size
    photo = Image.open(io.BytesIO(data))
    assert not photo.getexif()
    assert photo.size == (1250, 1600)
    row = await Upload.select().where(Upload.id == view.id).first().run()
    assert row["owner_kind"] == "citizen" and row["owner_id"] == owner
    assert row["storage_key"] == key_for(view.sha256)
    assert row["attached_id"] is None


async def test_identical_content_is_stored_once(store, settings):
    first = await save(store, settings, owner=citizen(), data=images.PDF)
    second = await save(store, settings, owner=citizen(), data=images.PDF, material_type="户口簿")
    assert first.id != second.id
    assert first.sha256 == second.sha256
    assert stored_files(store) == [store.root / key_for(first.sha256)]
    assert await Upload.count().run() == 2


async def test_empty_oversize_and_bad_material_type_are_refused(store, settings):
    small = dataclasses.replace(settings, upload_max_bytes=2048)
    for data, code, config in [
        (b"", "upload_empty", settings),
        (images.PDF + b" " * 2048, "upload_too_large", small),
        (b"plain text", "upload_type_unsupported", settings),
    ]:
        with pytest.raises(InvalidInput) as caught:
            await save(store, config, owner=citizen(), data=data)
        assert caught.value.code == code
    for material_type in ["", "   ", "材" * 21, "身份\n证", "身份\x00证"]:
        with pytest.raises(InvalidInput) as caught:
            await save(store, settings, owner=citizen(), material_type=material_type)
        assert caught.value.code == "material_type_invalid"
    assert await Upload.count().run() == 0
    assert stored_files(store) == []


async def test_each_person_has_a_daily_limit(store, settings):
    limited = dataclasses.replace(settings, upload_max_per_day=2)
    owner = citizen()
    now = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    yesterday = datetime(2026, 11, 26, 15, 59, tzinfo=UTC)  # 23:59 the day before
    await save(store, limited, owner=owner, data=images.PDF, now=yesterday)
    await save(store, limited, owner=owner, data=images.PDF, now=now)
    await save(store, limited, owner=owner, data=images.PDF, now=now)
    with pytest.raises(RateLimited) as caught:
        await save(store, limited, owner=owner, data=images.PDF, now=now)
    assert caught.value.code == "upload_limit_reached"
    assert caught.value.retry_after_s == 3601  # until midnight in Shanghai
    # Someone else, and the same person as staff, are counted apart.
    await save(store, limited, owner=citizen(), data=images.PDF, now=now)
    await save(store, limited, owner=owner, kind="staff", data=images.PDF, now=now)
    # The next day in Shanghai starts at 16:00 UTC.
    await save(store, limited, owner=owner, data=images.PDF, now=now + timedelta(hours=1))


async def test_the_daily_limit_holds_under_concurrent_uploads(store, settings):
    limited = dataclasses.replace(settings, upload_max_per_day=3)
    owner = citizen()
    results = await asyncio.gather(
        *[save(store, limited, owner=owner, data=images.PDF) for _ in range(6)],
        return_exceptions=True,
    )
    assert sum(isinstance(r, service.UploadView) for r in results) == 3
    assert sum(isinstance(r, RateLimited) for r in results) == 3
    assert await Upload.count().where(Upload.owner_id == owner).run() == 3


class BrokenStore(LocalFileStore):
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        raise StoreError("disk full")


async def test_nothing_is_recorded_when_the_store_fails(tmp_path, settings):
    with pytest.raises(ServiceUnavailable) as caught:
        await save(BrokenStore(tmp_path), settings, owner=citizen())
    assert caught.value.code == "storage_unavailable"
    assert await Upload.count().run() == 0


async def test_a_file_lost_from_the_store_is_written_again_by_the_next_identical_upload(
    store, settings
):
    first = await save(store, settings, owner=citizen(), data=images.PDF)
    await store.delete(key_for(first.sha256))
    await save(store, settings, owner=citizen(), data=images.PDF)
    assert await store.get(key_for(first.sha256)) == images.PDF


async def test_only_the_owner_sees_an_upload(store, settings):
    owner = citizen()
    view = await save(store, settings, owner=owner)
    assert (
        await service.get_upload(upload_id=view.id, owner_kind="citizen", owner_id=owner)
    ) == view
    for kind, who in [("citizen", citizen()), ("staff", owner)]:
        with pytest.raises(NotFound) as caught:
            await service.get_upload(upload_id=view.id, owner_kind=kind, owner_id=who)
        assert caught.value.code == "upload_not_found"


async def test_claiming_someone_elses_or_an_unknown_upload_is_404_alike(store, settings):
    mine = await save(store, settings, owner=(me := citizen()), data=images.PDF)
    theirs = await save(store, settings, owner=citizen(), data=images.PDF)
    unknown = "up_" + "x" * 22
    for ids in ([theirs.id], [unknown], [mine.id, theirs.id]):
        with pytest.raises(NotFound) as caught:
            await service.claim_uploads(upload_ids=ids, owner_kind="citizen", owner_id=me)
        assert caught.value.code == "upload_not_found"
        assert "他人" not in caught.value.detail
    errors = {}
    for ids in ([theirs.id], [unknown]):
        try:
            await service.claim_uploads(upload_ids=ids, owner_kind="citizen", owner_id=me)
        except NotFound as exc:
            errors[ids[0]] = (exc.detail, exc.extra)
    assert errors[theirs.id][0] == errors[unknown][0]
    assert errors[theirs.id][1] == {"upload_ids": [theirs.id]}


async def test_claim_then_attach_and_reuse_only_for_the_same_target(store, settings):
    me = citizen()
    photo = await save(store, settings, owner=me)
    form = await save(store, settings, owner=me, data=images.PDF, material_type="申请表")
    async with db.engine().transaction():
        claimed = await service.claim_uploads(
            upload_ids=[form.id, photo.id, form.id], owner_kind="citizen", owner_id=me
        )
        assert [v.id for v in claimed] == [form.id, photo.id]
        await service.attach(upload_ids=[form.id, photo.id], kind="case", target_id="XS1")
    attached = await service.uploads_of(kind="case", target_id="XS1")
    assert {v.id for v in attached} == {form.id, photo.id}
    assert all(v.attached_kind == "case" and v.attached_id == "XS1" for v in attached)
    assert await service.uploads_of(kind="case", target_id="XS2") == []

    # The same case (a supplement answer) may list it again; a new or another target may not.
    again = await service.claim_uploads(
        upload_ids=[photo.id], owner_kind="citizen", owner_id=me, kind="case", target_id="XS1"
    )
    assert again[0].id == photo.id
    for kind, target in [(None, None), ("case", "XS2"), ("mandate", "XS1")]:
        with pytest.raises(Conflict) as caught:
            await service.claim_uploads(
                upload_ids=[photo.id],
                owner_kind="citizen",
                owner_id=me,
                kind=kind,
                target_id=target,
            )
        assert caught.value.code == "upload_already_attached"
        assert caught.value.extra == {"upload_ids": [photo.id]}
    async with db.engine().transaction():
        await service.attach(upload_ids=[photo.id], kind="case", target_id="XS1")  # no-op
        with pytest.raises(Conflict):
            await service.attach(upload_ids=[photo.id], kind="case", target_id="XS2")


async def test_attach_needs_the_callers_transaction(store, settings):
    view = await save(store, settings, owner=citizen(), data=images.PDF)
    with pytest.raises(RuntimeError):
        await service.attach(upload_ids=[view.id], kind="case", target_id="XS1")


async def test_a_signed_link_opens_the_file_until_it_expires(store, settings):
    view = await save(store, settings, owner=citizen())
    now = datetime.now(UTC)
    link = await service.signed_link(upload_id=view.id, settings=settings, now=now)
    assert link.startswith("/api/v1/files/up_")
    token = link.removeprefix("/api/v1/files/")
    data, content_type, opened = await service.open_signed(
        token=token, settings=settings, store=store, now=now
    )
    assert content_type == "image/jpeg"
    assert opened.id == view.id
    assert data == await store.get(key_for(view.sha256))

    later = now + timedelta(seconds=settings.signed_url_ttl_s)
    with pytest.raises(Gone) as expired:
        await service.open_signed(token=token, settings=settings, store=store, now=later)
    assert (expired.value.status, expired.value.code) == (410, "link_expired")

    other = dataclasses.replace(settings, secret_key="another-secret-key-0123456789abc")
    with pytest.raises(NotFound) as forged:
        await service.open_signed(token=token, settings=other, store=store, now=now)
    assert forged.value.code == "link_invalid"

    with pytest.raises(NotFound):
        await service.signed_link(upload_id="up_" + "z" * 22, settings=settings)


async def test_purge_removes_old_unattached_uploads_and_unshared_objects(store, settings):
    now = datetime.now(UTC)
    old = now - timedelta(days=200)
    lonely = await save(store, settings, owner=citizen(), now=old)
    shared_old = await save(store, settings, owner=citizen(), data=images.PDF, now=old)
    shared_new = await save(store, settings, owner=citizen(), data=images.PDF, now=now)
    kept = await save(
        store, settings, owner=(me := citizen()), data=images.png_with_text(), now=old
    )
    async with db.engine().transaction():
        await service.claim_uploads(upload_ids=[kept.id], owner_kind="citizen", owner_id=me)
        await service.attach(upload_ids=[kept.id], kind="case", target_id="XS1")

    assert await service.purge_unattached(store=store, older_than_days=180, now=now, batch=1) == 2

    remaining = {r["id"] for r in await Upload.select(Upload.id).run()}
    assert remaining == {shared_new.id, kept.id}
    assert not await store.exists(key_for(lonely.sha256))
    assert await store.exists(key_for(shared_old.sha256))  # still used by shared_new
    assert await store.exists(key_for(kept.sha256))
    assert await service.purge_unattached(store=store, older_than_days=180, now=now) == 0
