"""Credentials said once: beside a name, the verified license types; after them, only what a
therapist signs with that those do not already say. Plain Python, no Django import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words after a comma in a name that are part of the name, not a credential.
NAME_SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV"})
# Letters people sign with that are credentials even in lower case ("PhD", "PsyD").
MIXED_CASE_CREDENTIALS = frozenset({"PHD", "PSYD", "EDD", "MD", "DO", "MA", "MS", "MSW", "MED"})
_PART = re.compile(r"[A-Za-z][A-Za-z.\-]{1,11}")


def _key(word: str) -> str:
    """One spelling of a credential: "L.C.S.W." and "lcsw" are both "LCSW"."""
    return re.sub(r"[^A-Z0-9]", "", word.upper())


def _parts(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]


def credentials_beyond(signed: str, verified: Iterable[str]) -> str:
    """What a therapist signs with that the verified license types beside their name do not
    already say, in their own order and spelling: "LCSW, CCTP" beside a verified "LCSW"
    gives "CCTP". A verified type written with its variants ("LPC / LPCC / LMHC") covers
    each of them."""
    said = {_key(alias) for label in verified for alias in label.split("/") if alias.strip()}
    beyond = []
    for part in _parts(signed):
        key = _key(part)
        if key and key not in said:
            said.add(key)
            beyond.append(part)
    return ", ".join(beyond)


def credentials_in_name(name: str) -> list[str]:
    """Credentials typed into a name ("Jane Doe, LCSW" gives ["LCSW"]): a part after a comma
    that is written in capitals, or one of the degrees people sign in mixed case."""
    found = []
    for part in _parts(name)[1:]:
        for word in part.split():
            key = _key(word)
            if key in NAME_SUFFIXES or not _PART.fullmatch(word):
                continue
            letters = word.replace(".", "").replace("-", "")
            if (letters.isupper() and len(letters) >= 2) or key in MIXED_CASE_CREDENTIALS:
                found.append(word)
    return found
