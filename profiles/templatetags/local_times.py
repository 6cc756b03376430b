"""Times in the viewer's own zone, with the zone named."""

from __future__ import annotations

import datetime as dt

from django import template
from django.conf import settings
from django.utils.dateformat import format as date_format

from profiles.timezones import local_datetime

register = template.Library()


@register.filter
def local_time(value: dt.datetime | None, zone_name: str | None = None) -> str:
    """'November 29, 2026, 6:30 p.m. MST': the time in the viewer's zone, zone named."""
    if value is None:
        return ""
    local = local_datetime(value, zone_name or settings.TIME_ZONE)
    return date_format(local, "F j, Y, P") + " " + local.strftime("%Z")
