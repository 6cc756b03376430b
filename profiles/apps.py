from __future__ import annotations

from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Profiles"

    def ready(self) -> None:
        from profiles import selectors
        from profiles.editor import EditorSection, register_section

        for order, (key, title, missing) in enumerate(
            [
                ("identity", "Identity", selectors.identity_missing),
                ("credentials", "Licenses and trainings", selectors.credentials_missing),
                ("experience", "Responder experience", selectors.experience_missing),
                ("clinical", "Clinical focus", selectors.clinical_missing),
                ("practical", "Practical details", selectors.practical_missing),
                ("capacity", "Capacity", selectors.capacity_missing),
            ]
        ):
            register_section(
                EditorSection(
                    key=key,
                    title=title,
                    url_name=f"profiles:{key}",
                    order=order * 10,
                    missing=missing,
                )
            )
