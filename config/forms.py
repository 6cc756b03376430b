from __future__ import annotations

from typing import Any

from django.forms.renderers import TemplatesSetting

# What autofill may offer in an input that names nothing of its own: an email input an
# email address, a phone input a phone number; anything else (years, fees, license numbers,
# a pseudonym) nothing, since a browser's guess there would be wrong or would leak a name.
DEFAULT_AUTOCOMPLETE = {"email": "email", "tel": "tel"}
TYPED_INPUTS = frozenset({"text", "email", "tel", "url", "number", "search"})


class RapportFormRenderer(TemplatesSetting):
    """Render every form with Rapport's accessible field markup, and give every input a
    person types into its keyboard and autofill hints unless its field gave its own."""

    form_template_name = "includes/_form.html"
    field_template_name = "includes/_form_field.html"

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict) and widget.get("type") in TYPED_INPUTS:
            widget["attrs"] = attrs = dict(widget.get("attrs") or {})
            kind = widget["type"]
            if kind == "number":
                attrs.setdefault("inputmode", "numeric")
            if kind == "url":
                attrs.setdefault("inputmode", "url")
            attrs.setdefault("autocomplete", DEFAULT_AUTOCOMPLETE.get(kind, "off"))
        return super().render(template_name, context, request)
