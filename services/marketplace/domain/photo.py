"""A listing's photos: what is kept of each on the listing, and the rules sellers follow.

The pictures themselves live in the marketplace's file store (GridFS), drawn at upload in two sizes: a
thumbnail for search results and a large view for the listing's page. The listing keeps each photo's id,
its alternative text (read out by screen readers, shown when the picture cannot be) and the sizes drawn;
the first photo is the cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from shared.errors import InvalidInput, Text

MAX_PHOTOS = 8
"""Photos one listing may hold."""
MAX_ALT = 200
"""Characters of a photo's alternative text."""
ALT_FIELD = "alt"
FILE_FIELD = "file"
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


class PhotoSize(StrEnum):
    THUMB = "thumb"
    """320 × 240, cut to fit: the cover in search results and the gallery's strip."""
    LARGE = "large"
    """At most 1280 px either way: the listing's page."""


@dataclass(frozen=True)
class Dimensions:
    width: int
    height: int


@dataclass(frozen=True)
class Photo:
    id: str
    alt: str
    thumb: Dimensions
    large: Dimensions

    def of_size(self, size: PhotoSize) -> Dimensions:
        return self.thumb if size is PhotoSize.THUMB else self.large


NO_SUCH_PHOTO = Text("Няма такава снимка.", "No such photo.")


def alt_text(raw: str | None) -> str:
    """The alternative text as given, trimmed: required, in Bulgarian, at most ``MAX_ALT`` characters."""
    alt = " ".join((raw or "").split())
    problem = None
    if not alt:
        problem = Text("Опишете какво се вижда на снимката.", "Describe what the photo shows.")
    elif len(alt) > MAX_ALT:
        problem = Text(f"Най-много {MAX_ALT} знака.", f"At most {MAX_ALT} characters.")
    elif not _CYRILLIC.search(alt):
        problem = Text("Опишете снимката на български.", "Describe the photo in Bulgarian.")
    if problem is not None:
        raise InvalidInput(Text("Описанието на снимката не е прието.", "The photo's description is not accepted."),
                           {ALT_FIELD: problem})  # fmt: skip
    return alt
