"""Pure parts of uploads: sniffing and cleaning, keys, the local store, SigV4, link tokens."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from datetime import UTC, datetime

import pytest
from PIL import Image

from backend.errors import InvalidInput, NotFound
from backend.uploads import links, sigv4
from backend.uploads.keys import UnsafeKey, check_key, key_for
from backend.uploads.messages import Gone
from backend.uploads.ports import ObjectMissing
from backend.uploads.sniff import JPEG_QUALITY, clean, sniff
from backend.uploads.storage import LocalFileStore
from tests.uploads import images

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Pure tests: no database."""


def refused(data: bytes, code: str, **kw: int) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        clean(data, **kw)
    assert caught.value.code == code
    assert caught.value.status == 422
    return caught.value


# --- sniffing and cleaning ------------------------------------------------------------------


def test_a_phone_photo_loses_exif_gps_xmp_and_comment_and_stays_upright():
    original = images.photo_with_gps()
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(0x8825)  # the test photo really carries a position
    assert before.size == (1600, 1250)

    cleaned = clean(original)

    assert cleaned.content_type == "image/jpeg"
    assert cleaned.sha256 == hashlib.sha256(cleaned.data).hexdigest()
    after = Image.open(io.BytesIO(cleaned.data))
    assert after.format == "JPEG"
    assert not after.getexif()
    assert 0x8825 not in after.getexif()
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(after.info)
    for marker in (b"Exif", b"Xiaomi", b"home address", b"shot at home", b"http://ns.adobe"):
        assert marker not in cleaned.data
    # Orientation 6 (rotate 90° clockwise) applied: the red left half is now on top.
    assert after.size == (1250, 1600)
    rgb = after.convert("RGB")
    top, bottom = rgb.getpixel((625, 200)), rgb.getpixel((625, 1400))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 150 > top[2]
    assert bottom[2] > 150 > bottom[0]


def test_an_upright_photo_keeps_its_size():
    cleaned = clean(images.photo_with_gps(orientation=1))
    assert Image.open(io.BytesIO(cleaned.data)).size == (1600, 1250)


def test_a_photo_saved_coarser_than_the_house_quality_is_not_made_larger():
    source = io.BytesIO()
    images.two_halves().save(source, "JPEG", quality=60)
    fine = io.BytesIO()
    images.two_halves().save(fine, "JPEG", quality=98)
    coarse, detailed = clean(source.getvalue()), clean(fine.getvalue())
    # re-encoded with its own tables: no larger, and no finer tables than it came with
    assert len(coarse.data) <= len(source.getvalue()) * 1.02
    with Image.open(io.BytesIO(coarse.data)) as cleaned, Image.open(source) as original:
        assert cleaned.quantization == original.quantization
    # a finer photo is brought down to the house quality
    house = io.BytesIO()
    images.two_halves().save(house, "JPEG", quality=JPEG_QUALITY)
    with Image.open(io.BytesIO(detailed.data)) as cleaned, Image.open(house) as expected:
        assert cleaned.quantization == expected.quantization


@pytest.mark.parametrize("table_id", [1, 3])
def test_a_jpeg_whose_table_is_not_numbered_0_is_cleaned_at_the_house_quality(table_id: int):
    data = images.grey_jpeg_with_table_id(table_id)
    with Image.open(io.BytesIO(data)) as source:
        assert set(source.quantization) == {table_id}
    cleaned = clean(data)
    with Image.open(io.BytesIO(cleaned.data)) as stored:
        assert stored.size == (256, 256)
        assert set(stored.quantization) == {0}


def test_sixteen_bit_or_uneven_tables_are_not_kept():
    source = io.BytesIO()
    images.two_halves().save(source, "JPEG", qtables=[[1] * 63 + [255], [1] * 64])
    house = io.BytesIO()
    images.two_halves().save(house, "JPEG", quality=JPEG_QUALITY)
    with Image.open(io.BytesIO(clean(source.getvalue()).data)) as got, Image.open(house) as want:
        assert got.quantization == want.quantization


def test_png_keeps_transparency_but_not_text_or_exif():
    cleaned = clean(images.png_with_text())
    assert cleaned.content_type == "image/png"
    after = Image.open(io.BytesIO(cleaned.data))
    assert after.format == "PNG"
    assert after.mode == "RGBA"
    assert after.size == (400, 300)
    assert after.getpixel((10, 10)) == (10, 200, 10, 128)
    assert not after.getexif()
    assert b"secret note" not in cleaned.data
    assert b"eXIf" not in cleaned.data


def test_webp_is_reencoded_without_exif():
    cleaned = clean(images.webp_photo())
    assert cleaned.content_type == "image/webp"
    after = Image.open(io.BytesIO(cleaned.data))
    assert after.format == "WEBP"
    assert after.size == (300, 200)
    assert not after.getexif()
    assert b"EXIF" not in cleaned.data


def test_a_pdf_is_kept_byte_for_byte():
    cleaned = clean(images.PDF)
    assert cleaned.data == images.PDF
    assert cleaned.content_type == "application/pdf"
    assert cleaned.sha256 == hashlib.sha256(images.PDF).hexdigest()


def test_the_name_does_not_matter_only_the_bytes():
    assert sniff(b"just some text, saved as id-card.jpg") is None
    error = refused(b"just some text, saved as id-card.jpg", "upload_type_unsupported")
    assert "JPG" in error.detail and "PDF" in error.detail


def test_zip_and_other_formats_are_refused():
    refused(images.zip_file(), "upload_type_unsupported")
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    refused(gif.getvalue(), "upload_type_unsupported")
    refused(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "upload_type_unsupported")


def test_heic_is_refused_with_advice_when_pillow_cannot_open_it():
    assert sniff(images.heic_header()) == "heif"
    error = refused(images.heic_header(), "upload_heic_unsupported")
    assert "HEIC" in error.detail


def test_avif_is_not_mistaken_for_heic():
    avif = images.heic_header().replace(b"ftypheic", b"ftypavif").replace(b"mif1heic", b"mif1avif")
    assert sniff(avif) is None


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused_before_decoding():
    refused(images.png_claiming(10_000, 10_000), "upload_image_too_large")
    refused(images.png_claiming(100_000, 100_000), "upload_image_too_large")
    refused(images.photo_with_gps(), "upload_image_too_large", max_pixels=1_000_000)


def test_a_corrupt_image_is_refused():
    photo = images.photo_with_gps()
    refused(photo[: len(photo) // 3], "upload_corrupt")
    refused(b"\xff\xd8\xff\xe0" + b"\x00" * 100, "upload_corrupt")
    refused(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "upload_corrupt")


# --- keys and the local store ---------------------------------------------------------------


def test_keys_are_sharded_sha256():
    digest = hashlib.sha256(b"x").hexdigest()
    assert key_for(digest) == f"{digest[:2]}/{digest[2:4]}/{digest}"
    with pytest.raises(UnsafeKey):
        key_for("../../etc/passwd")


@pytest.mark.parametrize(
    "key",
    [
        "../secret",
        "ab/../../secret",
        "/etc/passwd",
        "ab/./cd",
        "ab//cd",
        "ab\\..\\cd",
        "",
        ".hidden",
        "ab/cd/\x00",
        "a" * 600,
    ],
)
async def test_local_store_rejects_unsafe_keys(tmp_path, key):
    store = LocalFileStore(tmp_path / "store")
    with pytest.raises(UnsafeKey):
        check_key(key)
    with pytest.raises(UnsafeKey):
        await store.put(key, b"data", "text/plain")
    with pytest.raises(UnsafeKey):
        await store.get(key)
    assert not (tmp_path / "secret").exists()


async def test_local_store_rejects_a_symlink_out_of_its_root(tmp_path):
    root = tmp_path / "store"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "ab").symlink_to(outside)
    store = LocalFileStore(root)
    with pytest.raises(UnsafeKey):
        await store.put("ab/cd", b"data", "text/plain")
    assert not list(outside.iterdir())


async def test_local_store_round_trip_private_files_and_no_leftovers(tmp_path):
    store = LocalFileStore(tmp_path / "store")
    digest = hashlib.sha256(b"hello").hexdigest()
    key = key_for(digest)
    assert not await store.exists(key)
    await store.put(key, b"hello", "text/plain")
    await store.put(key, b"hello", "text/plain")  # idempotent
    assert await store.exists(key)
    assert await store.get(key) == b"hello"
    path = tmp_path / "store" / key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert os.listdir(path.parent) == [digest]  # the temporary file was renamed, not left
    await store.delete(key)
    await store.delete(key)  # deleting twice is fine
    assert not await store.exists(key)
    with pytest.raises(ObjectMissing):
        await store.get(key)


# --- SigV4 ----------------------------------------------------------------------------------

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_sigv4_matches_the_aws_get_object_example():
    headers = {
        "host": "examplebucket.s3.amazonaws.com",
        "range": "bytes=0-9",
        "x-amz-content-sha256": sigv4.EMPTY_SHA256,
        "x-amz-date": "20130524T000000Z",
    }
    sig, scope, signed = sigv4.signature(
        method="GET",
        url="https://examplebucket.s3.amazonaws.com/test.txt",
        headers=headers,
        payload_hash=sigv4.EMPTY_SHA256,
        secret_key=AWS_SECRET,
        region="us-east-1",
        amz_date="20130524T000000Z",
    )
    assert scope == "20130524/us-east-1/s3/aws4_request"
    assert signed == "host;range;x-amz-content-sha256;x-amz-date"
    assert sig == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"


def test_sigv4_matches_the_aws_put_object_example():
    payload = hashlib.sha256(b"Welcome to Amazon S3.").hexdigest()
    headers = sigv4.sign(
        method="PUT",
        url="https://examplebucket.s3.amazonaws.com/test$file.text",
        payload_hash=payload,
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key=AWS_SECRET,
        region="us-east-1",
        now=datetime(2013, 5, 24, tzinfo=UTC),
        extra_headers={
            "Date": "Fri, 24 May 2013 00:00:00 GMT",
            "x-amz-storage-class": "REDUCED_REDUNDANCY",
        },
    )
    assert headers["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
        "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
    )


# --- link tokens ----------------------------------------------------------------------------

SECRET = "test-secret-key-0123456789abcdef"
UPLOAD_ID = "up_" + "A" * 22
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def test_a_link_token_names_its_upload_until_it_expires():
    expires = int(NOW.timestamp()) + 300
    token = links.make_token(SECRET, UPLOAD_ID, expires)
    assert links.check_token(SECRET, token, now=NOW) == UPLOAD_ID
    with pytest.raises(Gone) as expired:
        links.check_token(SECRET, token, now=datetime.fromtimestamp(expires, UTC))
    assert (expired.value.status, expired.value.code) == (410, "link_expired")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace(UPLOAD_ID, "up_" + "B" * 22),  # another file
        lambda t: t.replace(".", ".9", 1),  # a later expiry
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # a changed MAC
        lambda t: t[:-2],  # truncated
        lambda t: "../" + t,
        lambda t: "",
    ],
)
def test_a_tampered_token_is_not_found(tamper):
    token = links.make_token(SECRET, UPLOAD_ID, int(NOW.timestamp()) + 300)
    with pytest.raises(NotFound) as caught:
        links.check_token(SECRET, tamper(token), now=NOW)
    assert caught.value.code == "link_invalid"


def test_a_token_from_another_secret_is_not_found():
    token = links.make_token(
        "another-secret-0123456789abcdef!", UPLOAD_ID, int(NOW.timestamp()) + 9
    )
    with pytest.raises(NotFound):
        links.check_token(SECRET, token, now=NOW)


def test_a_truncated_image_is_refused_after_the_pdf_renderer_is_loaded():
    """WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on when imported (the API imports it for
    the notices): a cut-off photo must still be refused, whatever another library set."""
    from PIL import ImageFile

    import backend.notices.render  # noqa: F401 - imported for its side effect on Pillow

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as a library may set it at any time
    photo = images.photo_with_gps()
    refused(photo[: len(photo) // 3], "upload_corrupt")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
