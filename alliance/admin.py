from __future__ import annotations

from django.contrib import admin

from alliance.models import AllianceApproach


@admin.register(AllianceApproach)
class AllianceApproachAdmin(admin.ModelAdmin):
    list_display = ("therapist", "updated_at")
    search_fields = ("therapist__full_name",)
    readonly_fields = ("updated_at",)
