from __future__ import annotations

from typing import Any

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.contrib.sites.admin import SiteAdmin as DjangoSiteAdmin
from django.contrib.sites.models import Site
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from profiles.models import AuditEntry, TherapistProfile, User
from profiles.services.audit import audit_record

# Values an audit entry may show; a password hash or an authenticator's secret never.
SECRET_FIELDS = frozenset({"password", "data"})


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool | None):
        return value
    if isinstance(value, set | frozenset | list | tuple):
        return sorted(str(item) for item in value)
    return str(value)


def _snapshot(obj: models.Model) -> dict[str, Any]:
    """Every field's value (secrets left out), many-to-many ones as sorted names."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        # A time stamp every save moves (auto_now) says nothing of what changed.
        if field.name in SECRET_FIELDS or getattr(field, "auto_now", False):
            continue
        values[field.name] = _plain(field.value_from_object(obj))
    if obj.pk:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(str(item) for item in getattr(obj, field.name).all())
    return values


def _account_of(obj: models.Model) -> User | None:
    return obj if isinstance(obj, User) else getattr(obj, "user", None)


def _therapist_id(user: User | None) -> int | None:
    if user is None or user.role != User.Role.THERAPIST:
        return None
    return TherapistProfile.objects.filter(user=user).values_list("pk", flat=True).first()


class AuditedAdminMixin:
    """Leave an audit entry for every add, change and delete made through the admin."""

    def _audit(
        self,
        request: HttpRequest,
        obj: models.Model,
        *,
        action: str,
        before: dict[str, Any],
        after: dict[str, Any],
        about_therapist: bool = True,
    ) -> None:
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        audit_record(
            actor=request.user,
            action=action,
            target_type=obj._meta.label_lower,
            target_id=obj.pk,
            therapist_id=_therapist_id(_account_of(obj)) if about_therapist else None,
            before={k: before[k] for k in sorted(changed) if k in before},
            after={k: after[k] for k in sorted(changed) if k in after},
        )

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        current = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        request._audit_before = _snapshot(current) if current else {}  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        obj = type(form.instance)._default_manager.get(pk=form.instance.pk)
        action = AuditEntry.Action.ADMIN_CHANGED if change else AuditEntry.Action.ADMIN_ADDED
        before = getattr(request, "_audit_before", {})
        after = _snapshot(obj)
        if change and before == after:
            return  # saved unchanged: nothing happened worth an entry
        self._audit(request, obj, action=action, before=before, after=after)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            # The deleted row can no longer be linked to; the entry keeps its id and values.
            self._audit(
                request,
                obj,
                action=AuditEntry.Action.ADMIN_DELETED,
                before=_snapshot(obj),
                after={},
                about_therapist=False,
            )
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit(
                    request,
                    obj,
                    action=AuditEntry.Action.ADMIN_DELETED,
                    before=_snapshot(obj),
                    after={},
                    about_therapist=False,
                )
            super().delete_queryset(request, queryset)  # type: ignore[misc]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "role", "is_staff", "is_active", "date_joined")
    list_filter = ("role", "is_staff", "is_active")
    search_fields = ("email",)
    readonly_fields = ("date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "password", "role")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Set a user's password; a successful change is audited (never the password)."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit_record(
                    actor=request.user,
                    action=AuditEntry.Action.ADMIN_PASSWORD_SET,
                    target_type=user._meta.label_lower,
                    target_id=user.pk,
                    therapist_id=_therapist_id(user),
                )
        return response


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(AuditedAdminMixin, AllauthAuthenticatorAdmin):
    """Two-factor authenticators: listed and removable, their secrets never shown."""

    exclude = ("data",)
    readonly_fields = ("user", "type", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(AuditedAdminMixin, AllauthEmailAddressAdmin):
    @admin.action(description="Mark as verified")
    def make_verified(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            for address in queryset.filter(verified=False):
                self._audit(
                    request,
                    address,
                    action=AuditEntry.Action.ADMIN_CHANGED,
                    before={"verified": False},
                    after={"verified": True},
                )
            queryset.update(verified=True)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, readable by staff and changed by no one."""

    list_display = ("created_at", "actor_email", "action", "target_type", "target_id", "reason")
    list_filter = ("action", "target_type")
    search_fields = ("actor_email", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, DjangoGroupAdmin):
    """Groups of staff permissions; every add, change and delete is audited."""


admin.site.unregister(Site)


@admin.register(Site)
class SiteAdmin(AuditedAdminMixin, DjangoSiteAdmin):
    """The site's name and domain, used in account emails; changes are audited."""
