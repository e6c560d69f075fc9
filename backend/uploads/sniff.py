"""What a file really is — from its bytes, never its name — and the cleaned bytes that are kept.

Pure: no I/O, no database. Photos are decoded and re-encoded without any metadata (EXIF with
its GPS position, XMP, comments, ICC profiles), upright. PDFs are kept byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import struct
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from backend.errors import InvalidInput
from backend.uploads import messages

MAX_PIXELS = 50_000_000
"""Largest image accepted (width × height), checked from the header before decoding."""

JPEG_QUALITY = 85

_LUMA_BASE = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)  # fmt: skip
"""The JPEG standard's luminance table (Annex K), which ``quality`` scales."""
_CHROMA_BASE = (
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
    *(99,) * 32,
)  # fmt: skip
"""The standard's chrominance table."""


def _at_quality(base: tuple[int, ...]) -> int:
    """The sum of ``base`` scaled to ``JPEG_QUALITY`` as libjpeg scales it."""
    scale = 200 - 2 * JPEG_QUALITY
    return sum(max(1, min(255, (q * scale + 50) // 100)) for q in base)


_HOUSE_SUMS = (_at_quality(_LUMA_BASE), _at_quality(_CHROMA_BASE))

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
_HEIF_GENERIC = {b"mif1", b"msf1"}
_PILLOW_FORMATS: dict[str, list[str] | None] = {
    "jpeg": ["JPEG"],
    "png": ["PNG"],
    "webp": ["WEBP"],
    "heif": None,  # whichever plugin (pillow-heif) is installed
}
_PNG_MODES = {"1", "L", "LA", "I", "I;16", "RGB", "RGBA"}
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error)


@dataclass(frozen=True, slots=True)
class Cleaned:
    data: bytes
    content_type: str
    sha256: str


def sniff(data: bytes) -> str | None:
    """``jpeg``, ``png``, ``webp``, ``heif`` or ``pdf`` from the leading bytes, else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if _is_heif(data):
        return "heif"
    return None


def _is_heif(data: bytes) -> bool:
    """An ISO-BMFF ``ftyp`` box naming a HEIC/HEIF brand (AVIF and video are not HEIF photos)."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return False
    box_end = min(int.from_bytes(data[:4], "big"), len(data), 256)
    major = data[8:12]
    compatible = {data[i : i + 4] for i in range(16, box_end - 3, 4)}
    if major in _HEIF_BRANDS:
        return True
    return major in _HEIF_GENERIC and bool(compatible & _HEIF_BRANDS)


def clean(data: bytes, *, max_pixels: int = MAX_PIXELS) -> Cleaned:
    """The bytes to store for ``data``, or a 422 ``InvalidInput`` saying why not.

    CPU-heavy for photos: call it in a worker thread.
    """
    kind = sniff(data)
    if kind is None:
        raise InvalidInput(messages.TYPE_UNSUPPORTED, code="upload_type_unsupported")
    if kind == "pdf":
        return Cleaned(data, "application/pdf", hashlib.sha256(data).hexdigest())
    out, content_type = _reencode(data, kind, max_pixels)
    return Cleaned(out, content_type, hashlib.sha256(out).hexdigest())


def _too_large(max_pixels: int) -> InvalidInput:
    return InvalidInput(messages.image_too_large(max_pixels), code="upload_image_too_large")


def _corrupt() -> InvalidInput:
    return InvalidInput(messages.CORRUPT, code="upload_corrupt")


def _reencode(data: bytes, kind: str, max_pixels: int) -> tuple[bytes, str]:
    # Pillow's process-wide switch: a library that turns it on (WeasyPrint does, on import)
    # would make a truncated upload decode as if whole. Uploads are never read that way.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image = Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[kind])
    except Image.DecompressionBombError as exc:
        raise _too_large(max_pixels) from exc
    except UnidentifiedImageError as exc:
        if kind == "heif":
            raise InvalidInput(messages.HEIC_UNSUPPORTED, code="upload_heic_unsupported") from exc
        raise _corrupt() from exc
    except _DECODE_ERRORS as exc:
        raise _corrupt() from exc
    with image:
        width, height = image.size
        if width * height > max_pixels:  # before decoding a single pixel
            raise _too_large(max_pixels)
        try:
            image.load()  # the first frame of an animation only
            tables = getattr(image, "quantization", None) if kind == "jpeg" else None
            upright = ImageOps.exif_transpose(image)
            return _encode(upright, kind, source_tables=tables)
        except Image.DecompressionBombError as exc:
            raise _too_large(max_pixels) from exc
        except _DECODE_ERRORS as exc:
            raise _corrupt() from exc


def _coarser_tables(tables: dict[int, list[int]] | None) -> dict[int, list[int]] | None:
    """A JPEG's own quantization tables when they are coarser than ``JPEG_QUALITY``'s.

    A phone photo saved at quality 75 re-encoded at 85 would grow by half with no detail
    gained; re-encoded with its own tables it keeps its size and loses nothing more. Only the
    usual layout qualifies — table 0 (luminance) and, for colour, table 1 (chrominance), 64
    8-bit steps each, every table no finer than the house quality's; anything else is
    re-encoded at ``JPEG_QUALITY``.
    """
    if not tables or set(tables) not in ({0}, {0, 1}):
        return None
    for table_id, table in tables.items():
        if len(table) != 64 or not all(1 <= step <= 255 for step in table):
            return None
        if sum(table) < _HOUSE_SUMS[table_id]:
            return None
    return tables


def _encode(
    image: Image.Image, kind: str, *, source_tables: dict[int, list[int]] | None = None
) -> tuple[bytes, str]:
    """Re-encode pixels only: ``info`` (EXIF, XMP, ICC, comments, text chunks) is dropped."""
    transparent = "transparency" in image.info
    image = _to_srgb(image)
    out = io.BytesIO()
    if kind == "png":
        if transparent or image.mode not in _PNG_MODES:
            image = image.convert("RGBA")
        image.info = {}
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    if kind == "webp":
        if image.mode not in {"RGB", "RGBA"}:
            image = image.convert("RGBA" if transparent or "A" in image.mode else "RGB")
        image.info = {}
        image.save(out, "WEBP", quality=JPEG_QUALITY, exif=b"", xmp=b"", icc_profile=b"")
        return out.getvalue(), "image/webp"
    # JPEG, and HEIC/HEIF photos, which are stored as JPEG
    if image.mode not in {"L", "RGB"}:
        image = image.convert("RGB")
    image.info = {}
    # No ``optimize=True``: per-image Huffman tables cost about a third of the encode (≈ 10 ms
    # for a 2 MP photo) for files only ≈ 6 % smaller.
    if (own := _coarser_tables(source_tables)) is not None:
        image.save(out, "JPEG", qtables=own, exif=b"")
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, exif=b"")
    return out.getvalue(), "image/jpeg"


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply an embedded colour profile (e.g. Display P3 on phones) so colours survive its
    removal; an unusable profile is simply dropped."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in {"RGB", "RGBA", "CMYK"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image
