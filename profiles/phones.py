"""US phone numbers, typed any common way, kept as +1 and ten digits."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

NANP_PHONE = re.compile(r"^\+?1?([2-9]\d{2})([2-9]\d{2})(\d{4})$")


def normalize_us_phone(raw: str) -> str:
    """+1 and ten digits from a US phone number typed any common way; error otherwise."""
    digits = re.sub(r"[\s().\-]", "", raw)
    match = NANP_PHONE.match(digits)
    if not match:
        raise ValidationError("Enter a US phone number with area code, like 303-555-0142.")
    return "+1" + "".join(match.groups())
