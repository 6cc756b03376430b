"""Model fields: sets of fixed choices stored as bit masks, and encrypted text and JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeAlias

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Lookup

from profiles.crypto import decrypt_text, encrypt_text

ChoiceEnum: TypeAlias = type[models.TextChoices]


def choice_mask(choices: ChoiceEnum, values: Iterable[str]) -> int:
    """Return the bit mask of a set of choice values; a choice's bit is its position."""
    positions = {member.value: index for index, member in enumerate(choices)}
    mask = 0
    for value in values:
        try:
            mask |= 1 << positions[str(value)]
        except KeyError:
            raise ValidationError(f"{value!r} is not one of the choices.") from None
    return mask


def choice_set(choices: ChoiceEnum, mask: int) -> frozenset[str]:
    """Return the choice values whose bits are set in the mask."""
    return frozenset(member.value for index, member in enumerate(choices) if mask >> index & 1)


def _as_list(value: Any) -> Any:
    """A set as a sorted list: Django's choice widgets only show lists and tuples as chosen."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return value


class ChoiceSetCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that show every value of a set, frozenset, list or tuple as checked."""

    def format_value(self, value: Any) -> list[str]:
        return super().format_value(_as_list(value))


class ChoiceSetFormField(forms.TypedMultipleChoiceField):
    """A set of choices in a form: shown from a set as checked boxes, cleaned to a frozenset.

    Every multi-choice field in Rapport's forms is one of these, so what is stored as a set
    is what the form shows, and what it sends back.
    """

    widget = ChoiceSetCheckboxes

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", str)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return _as_list(value)

    def clean(self, value: Any) -> frozenset[str]:
        return frozenset(super().clean(value))


class PlainTextarea(forms.Textarea):
    """A textarea whose text comes back with the line breaks it was stored with.

    Browsers send every line break of a textarea as CR LF; stored text uses LF, so text
    that was shown and sent back unchanged is equal to what is stored.
    """

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class ChoiceSetField(models.BigIntegerField):
    """A set of values from one TextChoices class, stored as a bit mask in a bigint.

    In Python the value is a frozenset of choice values; queries can use
    `field__has_any=` with a set of values.
    """

    description = "A set of fixed choices"

    def __init__(self, *args: Any, of: ChoiceEnum, **kwargs: Any) -> None:
        if len(of) > 63:
            raise ValueError("A ChoiceSetField holds at most 63 choices.")
        self.choice_class = of
        kwargs.setdefault("default", frozenset)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.choice_class
        if kwargs.get("default") is frozenset:
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def from_db_value(self, value: int | None, expression: Any, connection: Any) -> frozenset[str]:
        return choice_set(self.choice_class, value or 0)

    def to_python(self, value: Any) -> frozenset[str]:
        if value is None:
            return frozenset()
        if isinstance(value, int):
            return choice_set(self.choice_class, value)
        if isinstance(value, str):
            value = [value]
        values = frozenset(str(v) for v in value)
        choice_mask(self.choice_class, values)  # raises ValidationError on an unknown value
        return values

    def get_prep_value(self, value: Any) -> int | None:
        if value is None:
            return 0
        if isinstance(value, int):
            return value
        return choice_mask(self.choice_class, self.to_python(value))

    @property
    def validators(self) -> list[Any]:
        # The integer range checks of BigIntegerField do not apply to a set.
        return list(self._validators)

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        # The bit mask has no `choices` of its own; to_python already refused unknown values.
        self.to_python(value)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(sorted(self.value_from_object(obj)))

    def formfield(self, **kwargs: Any) -> forms.Field:
        defaults: dict[str, Any] = {
            "form_class": ChoiceSetFormField,
            "choices": self.choice_class.choices,
            "required": not self.blank,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        defaults.pop("choices_form_class", None)
        # The admin offers a number box for any BigIntegerField; a set is always boxes to
        # tick, or a save would send the set's text back as a number (and empty it).
        widget = defaults.get("widget")
        if widget is not None and not (
            isinstance(widget, ChoiceSetCheckboxes)
            or (isinstance(widget, type) and issubclass(widget, ChoiceSetCheckboxes))
        ):
            defaults["widget"] = ChoiceSetCheckboxes
        return form_class(
            **{k: v for k, v in defaults.items() if k not in {"max_value", "min_value"}}
        )


class _MaskLookup(Lookup):
    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        mask = self.lhs.output_field.get_prep_value(self.rhs)
        return "%s", [mask]


@ChoiceSetField.register_lookup
class HasAny(_MaskLookup):
    """Rows whose set shares at least one value with the given set."""

    lookup_name = "has_any"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) <> 0", [*lhs_params, *rhs_params]


class EncryptedTextField(models.TextField):
    """Text encrypted at rest with FIELD_ENCRYPTION_KEYS; cannot be searched or ordered."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)


class EncryptedJSONField(models.TextField):
    """A JSON value encrypted at rest with FIELD_ENCRYPTION_KEYS."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return json.loads(decrypt_text(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return encrypt_text(json.dumps(value, sort_keys=True))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))

    def formfield(self, **kwargs: Any) -> None:
        return None
