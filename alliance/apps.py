from __future__ import annotations

from django.apps import AppConfig


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = "Alliance"

    def ready(self) -> None:
        from alliance.selectors import alliance_missing
        from profiles.editor import EditorSection, register_section

        register_section(
            EditorSection(
                key="alliance",
                title="Alliance",
                url_name="alliance:edit",
                order=70,
                missing=alliance_missing,
            )
        )
