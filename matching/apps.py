from __future__ import annotations

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from matching.services.accounts import intros_forget_responder
        from profiles.models import ResponderProfile

        def forget_responder(sender: type, instance: ResponderProfile, **kwargs: object) -> None:
            intros_forget_responder(responder_id=instance.pk)

        # Any path that deletes a responder (the account page, the admin, a shell) ends
        # their intros the same way.
        pre_delete.connect(
            forget_responder, sender=ResponderProfile, dispatch_uid="matching_forget_responder"
        )
