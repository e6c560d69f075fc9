"""Test files made on the spot: real photos with GPS tags, PNGs, a PDF, a zip."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image, ImageDraw

GPS = {1: "N", 2: (30.0, 10.0, 52.3), 3: "E", 4: (120.0, 15.0, 41.8)}  # Xiaoshan
ROTATE_90_CW = 6
PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"xref\n0 3\n0000000000 65535 f \ntrailer <</Size 3 /Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
    b"% Author: \xe5\xbc\xa0\xe4\xb8\x89 -- kept as is\n"
)


def two_halves(size: tuple[int, int] = (1600, 1250)) -> Image.Image:
    """Left half red, right half blue: shows whether the orientation was applied."""
    image = Image.new("RGB", size, (220, 20, 20))
    ImageDraw.Draw(image).rectangle((size[0] // 2, 0, size[0], size[1]), fill=(20, 20, 220))
    return image


def photo_with_gps(size: tuple[int, int] = (1600, 1250), orientation: int = ROTATE_90_CW) -> bytes:
    """A 2 MP phone-style JPEG: EXIF with camera, orientation and GPS position, a comment, XMP."""
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"  # Make
    exif[0x0110] = "Redmi Note 12"  # Model
    exif[0x0112] = orientation
    exif[0x8825] = GPS  # GPSInfo
    out = io.BytesIO()
    two_halves(size).save(
        out,
        "JPEG",
        quality=92,
        exif=exif,
        comment=b"shot at home",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">home address</x:xmpmeta>',
    )
    return out.getvalue()


def png_with_text(size: tuple[int, int] = (400, 300)) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "secret note")
    image = Image.new("RGBA", size, (10, 200, 10, 128))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=_exif_with_gps())
    return out.getvalue()


def webp_photo(size: tuple[int, int] = (300, 200)) -> bytes:
    out = io.BytesIO()
    two_halves(size).save(out, "WEBP", quality=90, exif=_exif_with_gps())
    return out.getvalue()


def _exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x8825] = GPS
    return exif


def zip_file() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("id-card.jpg", b"\xff\xd8\xff not really")
    return out.getvalue()


def heic_header() -> bytes:
    """The start of an iPhone HEIC file (an ``ftyp`` box with brand ``heic``), no image data."""
    ftyp = b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic"
    return struct.pack(">I", 8 + len(ftyp) - 4) + ftyp + b"\x00" * 64


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` (a decompression bomb's shape)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def grey_jpeg_with_table_id(table_id: int, size: tuple[int, int] = (256, 256)) -> bytes:
    """A valid greyscale JPEG whose one quantization table has id ``table_id`` (not the usual
    0): the DQT segment and the frame header's component both name it."""
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).save(out, "JPEG", qtables=[[200] * 64])
    data = bytearray(out.getvalue())
    i = 2
    while data[i + 1] != 0xDA:  # up to the scan
        marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
        if marker == 0xDB:  # DQT: precision << 4 | id
            data[i + 4] = (data[i + 4] & 0xF0) | table_id
        elif marker == 0xC0:  # baseline frame: one component, its Tq last
            data[i + 4 + 6 + 2] = table_id
        i += 2 + length
    return bytes(data)
