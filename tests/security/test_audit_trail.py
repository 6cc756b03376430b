"""The audit trail: append-only in the database, chained by hash, and fed by the admin."""

from __future__ import annotations

import os
from io import StringIO

import psycopg
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from profiles.models import AuditEntry, User
from profiles.services.audit import audit_record
from profiles.services.database_roles import app_role_grant
from tests.factories import LicenseFactory, StaffFactory, TherapistFactory, UserFactory


def _entries(actor: User, count: int) -> list[AuditEntry]:
    license = LicenseFactory()
    return [
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DOCUMENT_VIEWED,
            target_type="license",
            target_id=license.pk,
            therapist_id=license.therapist_id,
            reason=f"look {n}",
        )
        for n in range(count)
    ]


def _as_owner_without_triggers(sql: str, params: list) -> None:
    """What only the table's owner can do: switch the trigger off and change rows anyway."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER
        cursor.execute("ALTER TABLE profiles_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE profiles_auditentry ENABLE TRIGGER USER")


@pytest.mark.django_db
def test_each_entry_is_chained_to_the_one_before(staff_with_mfa) -> None:
    first, second, third = _entries(staff_with_mfa, 3)
    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "whole: 3 entries" in out.getvalue()


@pytest.mark.django_db
def test_the_chain_check_names_an_entry_removed_by_the_owner(staff_with_mfa) -> None:
    _first, second, third = _entries(staff_with_mfa, 3)
    _as_owner_without_triggers("DELETE FROM profiles_auditentry WHERE id = %s", [second.pk])
    with pytest.raises(CommandError) as refused:
        call_command("audit_verify", stdout=StringIO())
    assert f"entry 3 (id {third.pk})" in str(refused.value)
    assert "expected entry 2 here" in str(refused.value)


@pytest.mark.django_db
def test_the_chain_check_names_an_entry_rewritten_by_the_owner(staff_with_mfa) -> None:
    _first, second, _third = _entries(staff_with_mfa, 3)
    _as_owner_without_triggers(
        "UPDATE profiles_auditentry SET reason = 'nothing to see' WHERE id = %s", [second.pk]
    )
    with pytest.raises(CommandError) as refused:
        call_command("audit_verify", stdout=StringIO())
    assert f"entry 2 (id {second.pk}): its content does not match its hash" in str(refused.value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE profiles_auditentry",
        "TRUNCATE profiles_user CASCADE",
        "UPDATE profiles_auditentry SET actor_id = NULL",
        "UPDATE profiles_auditentry SET therapist_id = NULL",
        "DELETE FROM profiles_auditentry",
    ],
)
def test_the_database_refuses_to_empty_or_rewrite_the_trail(staff_with_mfa, sql: str) -> None:
    _entries(staff_with_mfa, 2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEntry.objects.filter(actor__isnull=False, therapist__isnull=False).count() == 2


@pytest.mark.django_db
def test_an_account_named_in_the_trail_cannot_be_deleted(staff_with_mfa) -> None:
    _entries(staff_with_mfa, 1)
    therapist_user = AuditEntry.objects.get().therapist.user
    for user in (staff_with_mfa, therapist_user):
        with pytest.raises(ProtectedError):
            user.delete()
    entry = AuditEntry.objects.get()
    assert entry.actor == staff_with_mfa and entry.actor_email == "vetter@example.test"


@pytest.fixture
def app_role(transactional_db):
    """A login role like the one production runs the application under."""
    role = f"rapport_app_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def _connect_as(role: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=role,
        autocommit=True,
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")
def test_the_application_role_may_only_add_and_read_audit_entries(app_role, settings) -> None:
    staff = StaffFactory()
    entry = _entries(staff, 1)[0]
    settings.DATABASE_APP_ROLE = app_role
    call_command("migrate", verbosity=0)  # grants the role its rights after every migrate

    with _connect_as(app_role) as app:
        row = app.execute("SELECT reason FROM profiles_auditentry").fetchone()
        assert row == ("look 0",)
        app.execute(
            "INSERT INTO profiles_auditentry (sequence, actor_id, actor_email, action,"
            " target_type, target_id, before, after, reason, created_at, previous_hash,"
            " entry_hash) VALUES (2, %s, 'x@example.test', 'intro_read', 'intro', 1, '{}',"
            " '{}', '', now(), %s, %s)",
            [staff.pk, entry.entry_hash, "0" * 64],
        )
        # Everything else the application does stays possible.
        app.execute("UPDATE profiles_user SET is_active = true WHERE id = %s", [staff.pk])
        for sql in (
            "UPDATE profiles_auditentry SET reason = 'x'",
            "DELETE FROM profiles_auditentry",
            "TRUNCATE profiles_auditentry",
            "DROP TRIGGER profiles_auditentry_append_only ON profiles_auditentry",
            "ALTER TABLE profiles_auditentry DISABLE TRIGGER USER",
            "DROP TABLE profiles_auditentry",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(sql)
    assert AuditEntry.objects.count() == 2


def test_the_application_role_is_checked_for_a_safe_name() -> None:
    with pytest.raises(ValueError, match="not a plain role name"):
        app_role_grant(role='app"; DROP TABLE x; --', using="default")


def _admin_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _user_form(user: User, **changes: str) -> dict[str, str]:
    data = {
        "email": user.email,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.django_db
def test_giving_staff_status_in_the_admin_is_audited(staff_with_mfa) -> None:
    other = UserFactory(email="colleague@example.test", role=User.Role.STAFF)
    client = _admin_client(staff_with_mfa)
    url = reverse("admin:profiles_user_change", args=[other.pk])
    response = client.post(url, _user_form(other, is_staff="on"))
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ADMIN_CHANGED)
    assert entry.actor == staff_with_mfa
    assert (entry.target_type, entry.target_id) == ("profiles.user", other.pk)
    assert entry.before == {"is_staff": False} and entry.after == {"is_staff": True}


@pytest.mark.django_db
def test_deactivating_a_therapist_in_the_admin_is_audited_against_the_therapist(
    staff_with_mfa,
) -> None:
    therapist = TherapistFactory()
    client = _admin_client(staff_with_mfa)
    url = reverse("admin:profiles_user_change", args=[therapist.user.pk])
    client.post(url, _user_form(therapist.user, is_active=""))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ADMIN_CHANGED)
    assert entry.therapist_id == therapist.pk
    assert entry.after == {"is_active": False}


@pytest.mark.django_db
def test_setting_a_password_in_the_admin_is_audited_without_the_password(staff_with_mfa) -> None:
    user = UserFactory()
    client = _admin_client(staff_with_mfa)
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    new = "another-long-fictional-passphrase"
    response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ADMIN_PASSWORD_SET)
    assert entry.target_id == user.pk
    assert new not in str(entry.before) + str(entry.after)
    user.refresh_from_db()
    assert user.password not in str(entry.before) + str(entry.after)


@pytest.mark.django_db
def test_removing_someones_two_factor_authenticator_in_the_admin_is_audited(
    staff_with_mfa, totp_user_factory
) -> None:
    user = UserFactory()
    secret = totp_user_factory(user)
    authenticator = Authenticator.objects.get(user=user)
    client = _admin_client(staff_with_mfa)
    url = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ADMIN_DELETED)
    assert (entry.target_type, entry.target_id) == ("mfa.authenticator", authenticator.pk)
    assert entry.before["user"] == user.pk and entry.before["type"] == "totp"
    assert secret not in str(entry.before)


@pytest.mark.django_db
def test_the_admin_never_shows_a_two_factor_secret(staff_with_mfa, totp_user_factory) -> None:
    user = UserFactory()
    secret = totp_user_factory(user)
    authenticator = Authenticator.objects.get(user=user)
    client = _admin_client(staff_with_mfa)
    for url in (
        reverse("admin:mfa_authenticator_changelist"),
        reverse("admin:mfa_authenticator_change", args=[authenticator.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert secret not in page.text and '"secret"' not in page.text


@pytest.mark.django_db
def test_verifying_an_email_address_in_the_admin_is_audited(staff_with_mfa) -> None:
    user = UserFactory(verified_email=False)
    address = EmailAddress.objects.create(user=user, email=user.email, verified=False)
    client = _admin_client(staff_with_mfa)
    client.post(
        reverse("admin:account_emailaddress_changelist"),
        {"action": "make_verified", "_selected_action": [address.pk]},
    )
    assert EmailAddress.objects.get(pk=address.pk).verified
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ADMIN_CHANGED)
    assert entry.after == {"verified": True}
