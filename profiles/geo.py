"""US ZIP codes to places, from the zipcodes package's bundled data (no network)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

ZIP_PATTERN = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class ZipPlace:
    zip_code: str
    city: str
    state: str
    latitude: float
    longitude: float


@lru_cache(maxsize=4096)
def zip_place(zip_code: str) -> ZipPlace | None:
    """Return where a five-digit ZIP code is, or None when it is unknown."""
    if not ZIP_PATTERN.match(zip_code):
        return None
    try:
        matches = zipcodes.matching(zip_code)
    except (ValueError, TypeError):
        return None
    for match in matches:
        try:
            latitude, longitude = float(match["lat"]), float(match["long"])
        except (KeyError, TypeError, ValueError):
            continue
        return ZipPlace(
            zip_code=zip_code,
            city=match.get("city") or "",
            state=match.get("state") or "",
            latitude=latitude,
            longitude=longitude,
        )
    return None
