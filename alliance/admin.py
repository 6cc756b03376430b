from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from alliance.models import AllianceApproach
from profiles.admin import AuditedAdminMixin
from profiles.services.therapists import therapist_completeness_refresh


@admin.register(AllianceApproach)
class AllianceApproachAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A therapist's alliance section, as their editor shows it; every save is audited.

    A save keeps what derives from it right: completeness (and so the listing) is
    recomputed as the editor's service does, and the ranking's change feed sees the row by
    its trigger. Approaches are made by the therapist's editor, never added here.
    """

    list_display = ("therapist", "updated_at")
    search_fields = ("therapist__full_name",)
    readonly_fields = ("therapist", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: AllianceApproach, form: ModelForm, change: bool
    ) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            therapist_completeness_refresh(therapist=obj.therapist)

    def delete_model(self, request: HttpRequest, obj: AllianceApproach) -> None:
        therapist = obj.therapist
        with transaction.atomic():
            super().delete_model(request, obj)
            therapist_completeness_refresh(therapist=therapist)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        therapists = [approach.therapist for approach in queryset.select_related("therapist")]
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            for therapist in therapists:
                therapist_completeness_refresh(therapist=therapist)
