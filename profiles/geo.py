"""US ZIP codes to places, from the zipcodes package's bundled data (no network)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

ZIP_PATTERN = re.compile(r"^\d{5}$")
EARTH_RADIUS_MILES = 3958.8


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


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))
