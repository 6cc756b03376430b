from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import override_settings

from profiles import choices
from profiles.crypto import DecryptionError, decrypt_text, encrypt_text
from profiles.fields import choice_mask, choice_set
from profiles.models import ResponderProfile, TherapistProfile
from tests.factories import ResponderFactory, TherapistFactory

KEY_OLD = "mJ9HnQoZx0Jm6Yw1m0fJvVHk8b3M9r4Qm8o0nQzVZ5k="
KEY_NEW = "3q2Ck7xQ3yUqkQn8m3Jr8c3M8bR2mO8YV2dQzG8n4xI="


def test_choice_masks_round_trip_and_use_the_declared_order() -> None:
    values = {choices.Method.EMDR, choices.Method.PE}
    mask = choice_mask(choices.Method, values)
    assert mask == 0b101
    assert choice_set(choices.Method, mask) == values


def test_an_unknown_choice_is_refused() -> None:
    with pytest.raises(Exception, match="'hypnosis' is not one of the choices"):
        choice_mask(choices.Method, {"hypnosis"})


@pytest.mark.django_db
def test_choice_sets_are_stored_as_bit_masks_and_can_be_queried() -> None:
    both = TherapistFactory(languages=frozenset({"en", "es"}))
    english = TherapistFactory(languages=frozenset({"en"}))
    with connection.cursor() as cursor:
        cursor.execute("SELECT languages FROM profiles_therapistprofile WHERE id = %s", [both.pk])
        assert cursor.fetchone()[0] == 0b11

    any_spanish = TherapistProfile.objects.filter(languages__has_any={"es", "vi"})
    assert list(any_spanish) == [both]
    assert set(TherapistProfile.objects.filter(languages__has_any={"en"})) == {both, english}
    assert TherapistProfile.objects.get(pk=both.pk).languages == frozenset({"en", "es"})


@pytest.mark.django_db
def test_certified_methods_must_be_offered_methods() -> None:
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        TherapistFactory(methods_trained=frozenset({"cbt"}), methods_certified=frozenset({"emdr"}))


@pytest.mark.django_db
def test_responder_answers_are_encrypted_in_the_database() -> None:
    profile = ResponderFactory(answers={"concerns": ["moral_injury"], "state": "CO"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM profiles_responderprofile WHERE id = %s", [profile.pk])
        stored = cursor.fetchone()[0]
    assert "moral_injury" not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    assert ResponderProfile.objects.get(pk=profile.pk).answers["concerns"] == ["moral_injury"]


def test_an_old_key_still_decrypts_after_rotation() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_OLD]):
        token = encrypt_text("call me after 1900")
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_NEW, KEY_OLD]):
        assert decrypt_text(token) == "call me after 1900"
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_NEW]), pytest.raises(DecryptionError) as info:
        decrypt_text(token)
    assert "call me" not in str(info.value)


@pytest.mark.django_db
def test_rotating_keys_reencrypts_stored_answers_under_the_new_key() -> None:
    from io import StringIO

    from django.core.management import call_command

    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_OLD]):
        profile = ResponderFactory(answers={"state": "NM"})
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_NEW, KEY_OLD]):
        out = StringIO()
        call_command("rotate_field_keys", new_key_rolled_out=True, stdout=out)
        assert "Re-encrypted 1 values." in out.getvalue()
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_NEW]):
        assert ResponderProfile.objects.get(pk=profile.pk).answers == {"state": "NM"}


@pytest.mark.django_db
def test_rotation_refuses_and_changes_nothing_when_a_value_matches_no_key() -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_OLD]):
        profile = ResponderFactory(answers={"state": "NM"})
    before = _stored_answers(profile.pk)
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[KEY_NEW, Fernet.generate_key().decode()]),
        pytest.raises(CommandError, match="1 of 1 stored values match none of the keys"),
    ):
        call_command("rotate_field_keys", new_key_rolled_out=True, stdout=StringIO())
    assert _stored_answers(profile.pk) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("keys", "refusal"),
    [
        (lambda: [KEY_OLD], "Only one key is configured"),
        (lambda: [KEY_OLD, KEY_NEW], "already encrypts all 1 values: nothing to rotate"),
    ],
)
def test_rotation_refuses_a_new_key_that_is_missing_or_not_first(keys, refusal: str) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_OLD]):
        ResponderFactory(answers={"state": "NM"})
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=keys()),
        pytest.raises(CommandError, match=refusal),
    ):
        call_command("rotate_field_keys", new_key_rolled_out=True, stdout=StringIO())


@pytest.mark.django_db
def test_rotation_only_checks_until_told_the_new_key_is_rolled_out() -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_OLD]):
        profile = ResponderFactory(answers={"state": "NM"})
    before = _stored_answers(profile.pk)
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[KEY_NEW, KEY_OLD]),
        pytest.raises(CommandError, match="Checked only"),
    ):
        call_command("rotate_field_keys", stdout=StringIO())
    assert _stored_answers(profile.pk) == before


@pytest.mark.django_db
def test_rotation_says_when_the_old_key_may_go() -> None:
    from io import StringIO

    from django.core.management import call_command

    from profiles.management.commands.rotate_field_keys import key_fingerprint

    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_OLD]):
        ResponderFactory(answers={"state": "NM"})
    out = StringIO()
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_NEW, KEY_OLD]):
        call_command("rotate_field_keys", new_key_rolled_out=True, stdout=out)
    said = out.getvalue()
    assert f"now under the first key ({key_fingerprint(KEY_NEW)})" in said
    assert f"safe to drop the old keys ({key_fingerprint(KEY_OLD)})" in said
    assert KEY_OLD not in said and KEY_NEW not in said


def _stored_answers(pk: int) -> str:
    """The encrypted answers as stored, not decrypted."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM profiles_responderprofile WHERE id = %s", [pk])
        return cursor.fetchone()[0]
