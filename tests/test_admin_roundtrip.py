"""Every change form of every registered admin model keeps data whole and leaves a trace.

For each model registered on the admin site, a real object's change form is read as a
browser submits it and posted back unchanged: the stored row (every column and every
many-to-many) must be identical, and no audit entry is written. Then one control is
changed: only its field may change, and the audit entry records exactly that field's
before and after, shown on the staff audit page. Models only services may write are
read-only here, and a post changes nothing. The test fails when a model is registered
without a case below.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.sites.models import Site
from django.db import models
from django.test import Client
from django.urls import reverse

from alliance.models import AllianceApproach
from profiles.models import AuditEntry, User
from profiles.selectors import therapist_is_listed
from tests.browser_form import browser_form
from tests.factories import UserFactory, listed_therapist

pytestmark = pytest.mark.django_db

# Columns that move on any save by design (auto_now), never compared.
MOVES_ON_SAVE = {"updated_at"}


@dataclass(frozen=True)
class Case:
    make: Callable[[Any], models.Model]
    # One control to change: its name, the value(s) to send, the field it stores, and the
    # stored value expected after. None for a read-only model.
    change: tuple[str, tuple[str, ...], str, Any] | None


def _group(_: Any) -> Group:
    group = Group.objects.create(name="Fictional reviewers")
    group.permissions.set(Permission.objects.filter(codename__in=["view_user", "view_site"]))
    return group


def _authenticator(totp_user_factory: Any) -> Authenticator:
    user = UserFactory(role=User.Role.STAFF)
    totp_user_factory(user)
    return Authenticator.objects.get(user=user)


def _address(_: Any) -> EmailAddress:
    user = UserFactory(email="fictional.address@example.test")
    return EmailAddress.objects.get(user=user)


def _approach(_: Any) -> AllianceApproach:
    return AllianceApproach.objects.get(therapist=listed_therapist())


CASES: dict[str, Case] = {
    "auth.group": Case(_group, ("name", ("Fictional vetters",), "name", "Fictional vetters")),
    "sites.site": Case(
        lambda _: Site.objects.get_current(),
        ("name", ("Rapport (fictional)",), "name", "Rapport (fictional)"),
    ),
    "profiles.user": Case(
        lambda _: UserFactory(email="fictional.user@example.test"),
        ("is_active", (), "is_active", False),
    ),
    "mfa.authenticator": Case(_authenticator, None),
    "account.emailaddress": Case(_address, ("verified", (), "verified", False)),
    "profiles.auditentry": Case(
        lambda staff: AuditEntry.objects.create(
            sequence=10_000,
            actor=staff,
            actor_email=staff.email,
            action=AuditEntry.Action.VERIFIED,
            target_type="license",
            target_id=1,
        ),
        None,
    ),
    "alliance.allianceapproach": Case(
        _approach,
        (
            "practices",
            ("goals_together", "explains_confidentiality", "asks_feedback"),
            "practices",
            frozenset({"goals_together", "explains_confidentiality", "asks_feedback"}),
        ),
    ),
}


def _row(obj: models.Model) -> dict[str, Any]:
    """Every stored column and many-to-many of the object, as read from the database."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    values = {
        field.attname: field.value_from_object(fresh)
        for field in fresh._meta.concrete_fields
        if field.name not in MOVES_ON_SAVE
    }
    for field in fresh._meta.many_to_many:
        values[field.name] = sorted(item.pk for item in getattr(fresh, field.name).all())
    return values


def _change_form(client: Client, obj: models.Model) -> tuple[str, str]:
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    response = client.get(url)
    assert response.status_code == 200, url
    return url, response.text


def _form_index(html: str, model_name: str) -> int:
    """Which <form> on the page is the change form (the admin header has a logout form)."""
    position = html.index(f'id="{model_name}_form"')
    return html[:position].count("<form") - 1  # the change form's own tag is counted


@pytest.fixture
def staff_client(staff_with_mfa) -> Client:
    client = Client()
    client.force_login(staff_with_mfa)
    return client


def test_every_registered_model_has_a_case() -> None:
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(CASES)


@pytest.mark.parametrize("label", sorted(CASES))
def test_a_change_form_saved_unchanged_changes_nothing_and_one_change_changes_one_field(
    label: str, staff_client: Client, staff_with_mfa, totp_user_factory
) -> None:
    case = CASES[label]
    obj = case.make(staff_with_mfa if label == "profiles.auditentry" else totp_user_factory)
    before = _row(obj)
    entries = AuditEntry.objects.count()
    url, page = _change_form(staff_client, obj)

    if case.change is None:
        # Read-only: nothing to edit on the page, and a post changes nothing.
        assert "<select" not in page and "<textarea" not in page
        assert not re.search(r'<input(?![^>]*type="(hidden|submit)")[^>]*name="', page)
        response = staff_client.post(url, {"target_id": "2", "reason": "tampered"})
        assert response.status_code in (302, 403)
        assert _row(obj) == before
        assert AuditEntry.objects.count() == entries
        return

    form = browser_form(page, index=_form_index(page, obj._meta.model_name))
    response = staff_client.post(url, form.data())
    assert response.status_code == 302, response.text[:3000]
    assert _row(obj) == before, "saving the change form unchanged altered the row"
    assert AuditEntry.objects.count() == entries, "an unchanged save left an audit entry"

    control, values, field_name, expected = case.change
    response = staff_client.post(url, form.replaced(control, *values))
    assert response.status_code == 302, response.text[:3000]
    after = _row(obj)
    field = obj._meta.get_field(field_name)
    key = field.attname if field.concrete and not field.many_to_many else field.name
    assert after[key] == expected
    assert {k for k in after if after[k] != before[k]} == {key}
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry.action == AuditEntry.Action.ADMIN_CHANGED
    assert (entry.target_type, entry.target_id) == (label, obj.pk)
    assert set(entry.before) == set(entry.after) == {field_name}
    audit_page = staff_client.get(reverse("profiles:audit_trail")).text
    assert f"<code>{field_name}</code>" in audit_page


def test_the_practices_field_is_boxes_to_tick_and_a_save_keeps_the_listing_right(
    staff_client: Client,
) -> None:
    approach = _approach(None)
    therapist = approach.therapist
    _, page = _change_form(staff_client, approach)
    assert re.search(r'type="checkbox" name="practices" value="goals_together"[^>]*checked', page)
    assert 'type="number" name="practices"' not in page
    assert therapist_is_listed(therapist=therapist)

    form = browser_form(page, index=_form_index(page, "allianceapproach"))
    staff_client.post(
        reverse("admin:alliance_allianceapproach_change", args=[approach.pk]),
        form.replaced("practices"),
    )
    therapist.refresh_from_db()
    assert AllianceApproach.objects.get(pk=approach.pk).practices == frozenset()
    # The editor's rule holds for the admin too: no practice, not complete, not listed.
    assert therapist.profile_complete is False
    assert not therapist_is_listed(therapist=therapist)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ADMIN_CHANGED)
    assert entry.before == {"practices": ["explains_confidentiality", "goals_together"]}
    assert entry.after == {"practices": []}


def test_adding_and_deleting_in_the_admin_are_audited_with_before_and_after(
    staff_client: Client,
) -> None:
    response = staff_client.post(reverse("admin:auth_group_add"), {"name": "Fictional team"})
    assert response.status_code == 302
    group = Group.objects.get(name="Fictional team")
    added = AuditEntry.objects.get(action=AuditEntry.Action.ADMIN_ADDED)
    assert added.after["name"] == "Fictional team" and added.before == {}
    response = staff_client.post(
        reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    deleted = AuditEntry.objects.get(action=AuditEntry.Action.ADMIN_DELETED)
    assert deleted.before["name"] == "Fictional team" and deleted.after == {}
    page = staff_client.get(reverse("profiles:audit_trail")).text
    assert "Fictional team → (none)" in page and "(none) → Fictional team" in page
