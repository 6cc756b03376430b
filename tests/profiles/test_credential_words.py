"""Credentials said once: what beside a name is verified, and what a name must not carry."""

from __future__ import annotations

import pytest

from profiles.credentials import credentials_beyond, credentials_in_name


@pytest.mark.parametrize(
    ("signed", "verified", "beyond"),
    [
        ("LCSW, CCTP", ["LCSW"], "CCTP"),
        ("L.C.S.W.; cctp", ["LCSW"], "cctp"),
        ("LPCC, CCTP, CCTP", ["LPC / LPCC / LMHC"], "CCTP"),
        ("LCSW", [], "LCSW"),
        ("LCSW", ["LCSW"], ""),
        ("", ["LCSW"], ""),
        ("PsyD", ["Psychologist"], "PsyD"),
    ],
)
def test_only_what_the_verified_types_do_not_say_is_shown_after_them(
    signed: str, verified: list[str], beyond: str
) -> None:
    assert credentials_beyond(signed, verified) == beyond


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Dr. Onboarding Test, LCSW", ["LCSW"]),
        ("Jane Doe, PhD, LMFT", ["PhD", "LMFT"]),
        ("Jane Doe, L.C.S.W.", ["L.C.S.W."]),
        ("Jane Doe", []),
        ("John Smith, Jr.", []),
        ("John Smith, III", []),
        ("Ana de la Cruz", []),
        ("Dr. Sam O'Neil", []),
    ],
)
def test_credentials_typed_into_a_name_are_found(name: str, found: list[str]) -> None:
    assert credentials_in_name(name) == found
