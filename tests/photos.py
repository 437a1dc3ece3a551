"""Pictures for the tests of listings' photos, drawn with Pillow: a phone photo lying on its side with the
camera's GPS position in its EXIF, a plain PNG, and a PNG header that claims billions of pixels."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

SOFIA_GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (42.0, 41.0, 50.0),
             ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (23.0, 19.0, 20.0)}  # fmt: skip


def phone_photo(width: int = 600, height: int = 400) -> bytes:
    """A JPEG stored landscape (left half red, right half blue) with EXIF orientation 6 (turn 90° clockwise to
    show it), so it is seen portrait with red on top; its EXIF also holds the GPS position of Sofia."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(SOFIA_GPS)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def png(width: int = 800, height: int = 600, colour: tuple[int, int, int] = (90, 140, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 60_000) -> bytes:
    """A few dozen bytes whose header claims side × side pixels (3.6 billion by default)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _chunk(b"IEND", b"")
    )


def as_phone_photo(picture: Image.Image) -> bytes:
    """``picture`` as a phone held on its side stores it: turned a quarter to the left, with EXIF orientation 6
    (turn 90° clockwise to show it) and the camera's GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(SOFIA_GPS)
    out = io.BytesIO()
    picture.rotate(90, expand=True).save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()
