"""Photos people upload, made safe to show: checked by their content, turned upright, stripped of their
metadata and re-encoded in the sizes a page shows.

The type is what Pillow finds inside the bytes (JPEG, PNG or WebP), never the file's name or the type the
browser claims. The pixel count is read from the header and refused before anything is decoded, so a small
file that would unpack into gigabytes (a "decompression bomb") costs nothing. Every size is drawn anew from
the decoded pixels, so nothing of the original file travels on: no EXIF (the camera's GPS position, its
serial number, the time), no comments, no trailing bytes. The EXIF orientation is applied first, so a photo
taken with the phone on its side stands the right way up.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
CONTENT_TYPE = "image/webp"
QUALITY = 82


class Refusal(StrEnum):
    NOT_AN_IMAGE = "not_an_image"
    """Not a JPEG, PNG or WebP, or one too damaged to read."""
    TOO_MANY_PIXELS = "too_many_pixels"


class ImageRefused(ValueError):
    def __init__(self, reason: Refusal, pixels: int = 0) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.pixels = pixels
        """How many the photo has, when known (0: more than Pillow itself would open)."""


@dataclass(frozen=True)
class Size:
    """A size to draw: ``crop`` fills exactly width × height (cut to fit); otherwise the photo fits inside."""

    width: int
    height: int
    crop: bool = False


@dataclass(frozen=True)
class Rendition:
    data: bytes
    content_type: str
    width: int
    height: int


def prepare(data: bytes, sizes: dict[str, Size], *, max_pixels: int) -> dict[str, Rendition]:
    """Each of ``sizes`` drawn from the photo in ``data``, as WebP; :class:`ImageRefused` if it is not one."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                pixels = probe.width * probe.height
                if pixels > max_pixels:
                    raise ImageRefused(Refusal.TOO_MANY_PIXELS, pixels)
                probe.verify()  # the structure and checksums, before decoding anything
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as opened:
                opened.seek(0)  # an animation: its first frame
                opened.load()
                upright = ImageOps.exif_transpose(opened)
                picture = _plain_pixels(upright)
        except ImageRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # Pillow's own, larger limit
            raise ImageRefused(Refusal.TOO_MANY_PIXELS) from exc
        except UnidentifiedImageError as exc:
            raise ImageRefused(Refusal.NOT_AN_IMAGE) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:  # what Pillow raises for a damaged file
            raise ImageRefused(Refusal.NOT_AN_IMAGE) from exc
    return {name: _draw(picture, size) for name, size in sizes.items()}


def _plain_pixels(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the photo has transparency; no palette, no 16-bit or CMYK modes."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    return image.convert("RGBA" if has_alpha else "RGB")


def _draw(picture: Image.Image, size: Size) -> Rendition:
    if size.crop:
        drawn = ImageOps.fit(picture, (size.width, size.height), Image.Resampling.LANCZOS)
    else:
        drawn = picture.copy()
        drawn.thumbnail((size.width, size.height), Image.Resampling.LANCZOS)  # never enlarges
    out = io.BytesIO()
    drawn.save(out, format="WEBP", quality=QUALITY, method=4)  # no exif=, no icc_profile=: nothing of the original
    return Rendition(out.getvalue(), CONTENT_TYPE, drawn.width, drawn.height)
