from __future__ import annotations

from django.apps import AppConfig


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = "Alliance"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from alliance import checks  # noqa: F401  (registers the start-up checks)
        from alliance.selectors import alliance_missing
        from alliance.services.checkins import checkins_forget_responder
        from profiles.editor import EditorSection, register_section
        from profiles.models import ResponderProfile

        def forget_responder(sender: type, instance: ResponderProfile, **kwargs: object) -> None:
            checkins_forget_responder(responder_id=instance.pk)

        pre_delete.connect(
            forget_responder, sender=ResponderProfile, dispatch_uid="alliance_forget_responder"
        )

        register_section(
            EditorSection(
                key="alliance",
                title="Alliance",
                url_name="alliance:edit",
                order=70,
                missing=alliance_missing,
            )
        )
