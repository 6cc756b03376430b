from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class RapportFormRenderer(TemplatesSetting):
    """Render every form with Rapport's accessible field markup."""

    form_template_name = "includes/_form.html"
    field_template_name = "includes/_form_field.html"
