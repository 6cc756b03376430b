"""Each person's time zone, from their state, so times are shown as they live them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

# The zone most of each state's people live in; a few states span two.
STATE_ZONES: dict[str, str] = {
    **dict.fromkeys(
        ("CT", "DE", "DC", "FL", "GA", "IN", "KY", "ME", "MD", "MA", "MI", "NH", "NJ", "NY"),
        "America/New_York",
    ),
    **dict.fromkeys(("NC", "OH", "PA", "RI", "SC", "VT", "VA", "WV"), "America/New_York"),
    **dict.fromkeys(
        ("AL", "AR", "IL", "IA", "KS", "LA", "MN", "MS", "MO", "NE", "ND", "OK", "SD", "TN"),
        "America/Chicago",
    ),
    **dict.fromkeys(("TX", "WI"), "America/Chicago"),
    **dict.fromkeys(("CO", "ID", "MT", "NM", "UT", "WY"), "America/Denver"),
    "AZ": "America/Phoenix",
    **dict.fromkeys(("CA", "NV", "OR", "WA"), "America/Los_Angeles"),
    "AK": "America/Anchorage",
    "HI": "Pacific/Honolulu",
    "PR": "America/Puerto_Rico",
    "VI": "America/St_Thomas",
    "GU": "Pacific/Guam",
    "MP": "Pacific/Saipan",
    "AS": "Pacific/Pago_Pago",
}


def zone_for_state(state: str) -> str:
    """The state's time zone name; the site's own zone when the state is unknown."""
    return STATE_ZONES.get(state, settings.TIME_ZONE)


def local_datetime(value: dt.datetime, zone_name: str) -> dt.datetime:
    return value.astimezone(ZoneInfo(zone_name))
