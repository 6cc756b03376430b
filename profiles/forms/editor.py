"""The therapist editor's sections, and the license and training forms with their evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from profiles import choices
from profiles.fields import PlainTextarea
from profiles.forms.accounts import NAME_HELP, NAME_LABEL, clean_professional_name
from profiles.geo import zip_place
from profiles.models import (
    License,
    ResponderTraining,
    TherapistProfile,
    validate_https_url,
)
from profiles.phones import normalize_us_phone
from profiles.uploads import JPEG, PDF, PNG, CheckedUpload, check_upload

EVIDENCE_TYPES = (PDF, PNG, JPEG)
PHOTO_TYPES = (PNG, JPEG)


class IdentityForm(forms.ModelForm):
    photo_upload = forms.FileField(
        label="Photo",
        required=False,
        help_text="A JPEG or PNG, at most 10 MB. It is resized and its metadata removed.",
    )
    remove_photo = forms.BooleanField(label="Remove my current photo", required=False)

    class Meta:
        model = TherapistProfile
        fields = ["full_name", "credentials", "pronouns", "bio"]
        labels = {
            "full_name": NAME_LABEL,
            "credentials": "Other credentials you sign with (optional)",
            "bio": "Short bio",
        }
        help_texts = {
            "full_name": NAME_HELP,
            "credentials": (
                "Your license type (such as LCSW) is shown beside your name once our staff "
                "verify it: no need to type it here. Add only what it does not say, such as "
                "CCTP."
            ),
            "bio": "Up to 1,500 characters, in your own words. Shown as plain text.",
            "pronouns": "Optional, e.g. she/her.",
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "bio": PlainTextarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.photo:
            del self.fields["remove_photo"]

    def clean_full_name(self) -> str:
        return clean_professional_name(self.cleaned_data.get("full_name", ""))

    def clean_photo_upload(self) -> CheckedUpload | None:
        upload = self.cleaned_data.get("photo_upload")
        if not upload:
            return None
        return check_upload(upload, allowed=PHOTO_TYPES)


class ExperienceForm(forms.ModelForm):
    class Meta:
        model = TherapistProfile
        fields = [
            "years_serving_responders",
            "responder_caseload_percent",
            "services_served",
            "agency_work",
            "ride_along_hours",
            "lived_experience",
            "works_with_retired",
            "agency_evaluations",
        ]
        labels = {
            "years_serving_responders": "Years you have served first responders",
            "responder_caseload_percent": "Share of your current caseload who are responders (%)",
            "services_served": "Services you have worked with",
            "agency_work": "Work with agencies",
            "ride_along_hours": "Hours of ride-alongs or station time",
            "lived_experience": "Lived experience",
            "works_with_retired": (
                "I work with retired responders, and with the move into retirement"
            ),
            "agency_evaluations": "Evaluations you perform for agencies",
        }
        help_texts = {
            "ride_along_hours": (
                "Asked only here: ride-alongs and station time are not a training to add."
            ),
            "agency_evaluations": (
                "Responders need to know about dual roles before they open up. "
                "This is shown on your profile."
            ),
        }


class ClinicalForm(forms.ModelForm):
    """Concerns the therapist helps with, and each method with its training level."""

    METHOD_LEVELS = [
        ("", "Not offered"),
        (choices.TrainingLevel.TRAINED, "Trained"),
        (choices.TrainingLevel.CERTIFIED, "Certified"),
    ]

    class Meta:
        model = TherapistProfile
        fields = ["focus_concerns"]
        labels = {"focus_concerns": "What you help responders with"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for method in choices.Method:
            if method in self.instance.methods_certified:
                initial = choices.TrainingLevel.CERTIFIED
            elif method in self.instance.methods_trained:
                initial = choices.TrainingLevel.TRAINED
            else:
                initial = ""
            self.fields[f"method_{method.value}"] = forms.ChoiceField(
                label=method.label, choices=self.METHOD_LEVELS, required=False, initial=initial
            )

    # Shown above the methods: what the two levels mean, and why it matters.
    LEVELS_HELP = (
        "Trained: you completed training in the method and use it with clients. Certified: a "
        "certifying body (such as EMDRIA for EMDR) certified you in it. A responder who asks "
        "for a method gets full credit from a certified therapist, part from a trained one."
    )

    def method_fields(self) -> list[forms.BoundField]:
        return [self[f"method_{method.value}"] for method in choices.Method]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        trained, certified = set(), set()
        for method in choices.Method:
            level = cleaned.get(f"method_{method.value}")
            if level:
                trained.add(method.value)
            if level == choices.TrainingLevel.CERTIFIED:
                certified.add(method.value)
        self.instance.methods_trained = frozenset(trained)
        self.instance.methods_certified = frozenset(certified)
        return cleaned


class PracticalForm(forms.ModelForm):
    booking_url = forms.URLField(
        label="Booking link for new clients",
        required=False,
        max_length=300,
        assume_scheme="https",
        validators=[validate_https_url],
        widget=forms.URLInput(attrs={"inputmode": "url"}),
        help_text="Needed if new clients book through a link. It must start with https://.",
    )

    class Meta:
        model = TherapistProfile
        fields = [
            "formats",
            "office_zip",
            "telehealth_states",
            "languages",
            "gender",
            "hours",
            "reschedules_around_shifts",
            "payment_methods",
            "insurance_carriers",
            "fee_min_dollars",
            "fee_max_dollars",
            "sliding_scale",
            "new_client_contact",
            "new_client_phone",
            "booking_url",
        ]
        labels = {
            "formats": "How you meet clients",
            "office_zip": "Office ZIP code",
            "telehealth_states": "States you serve by telehealth",
            "languages": "Languages you work in",
            "gender": "Your gender",
            "hours": "When you see clients",
            "reschedules_around_shifts": "I can reschedule around shift changes",
            "payment_methods": "How clients can pay",
            "insurance_carriers": "Insurance carriers you are in network with",
            "fee_min_dollars": "Lowest fee per session ($)",
            "fee_max_dollars": "Highest fee per session ($)",
            "sliding_scale": "I offer a sliding scale",
            "new_client_contact": "How new clients reach you after you accept an intro",
            "new_client_phone": "Phone number for new clients",
        }
        help_texts = {
            "new_client_contact": (
                "Shown only to a responder whose intro you accepted. Until the first session "
                "is arranged, you can also exchange a few short messages in Rapport."
            ),
            "new_client_phone": "Needed if new clients reach you by phone.",
            "office_zip": "Five digits. Needed if you meet in person; used only for distance.",
            "telehealth_states": (
                "Ticked for you: the states of your licenses. You are listed only where a "
                "license of yours is verified."
            ),
            "gender": (
                "Why we ask: some responders, after an assault or a hard call, will only talk "
                "with a therapist of one gender. “Prefer not to say” is fine; you are then not "
                "shown to those who asked for one."
            ),
            "insurance_carriers": "Only if you tick “Health insurance” above.",
        }
        widgets = {
            "office_zip": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code", "maxlength": 5}
            ),
            "new_client_contact": forms.RadioSelect,
            "new_client_phone": forms.TelInput(attrs={"autocomplete": "tel"}),
        }

    def __init__(
        self, *args: Any, license_states: frozenset[str] = frozenset(), **kwargs: Any
    ) -> None:
        given = set(kwargs.get("initial") or ())
        super().__init__(*args, **kwargs)
        # Telehealth states start from the licenses' states, until the therapist says
        # otherwise: only those can ever list them.
        self.stored_telehealth_states = self.instance.telehealth_states
        if (
            not self.stored_telehealth_states
            and license_states
            and "telehealth_states" not in given
        ):
            self.initial["telehealth_states"] = sorted(license_states)
        # Shown only when what they depend on is chosen (rapport.css); always when invalid.
        for name, wrapper in {
            "office_zip": "field--when-in-person",
            "telehealth_states": "field--when-telehealth",
            "insurance_carriers": "field--when-insurance",
            "new_client_phone": "field--when-phone",
            "booking_url": "field--when-booking",
        }.items():
            self.fields[name].wrapper_class = f"field--conditional {wrapper}"

    def clean_telehealth_states(self) -> frozenset[str]:
        states = self.cleaned_data.get("telehealth_states") or frozenset()
        formats = self.cleaned_data.get("formats") or frozenset()  # cleaned before this
        # States ticked for them are kept only when they offer telehealth: a therapist who
        # meets in person only has said nothing about telehealth states.
        if choices.Format.TELEHEALTH not in formats and not self.stored_telehealth_states:
            return frozenset()
        return states

    def clean_new_client_phone(self) -> str:
        phone = self.cleaned_data.get("new_client_phone", "").strip()
        return normalize_us_phone(phone) if phone else ""

    def clean_office_zip(self) -> str:
        zip_code = self.cleaned_data.get("office_zip", "").strip()
        if zip_code and zip_place(zip_code) is None:
            raise ValidationError(f"We do not know the ZIP code {zip_code}. Check the five digits.")
        return zip_code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        formats = cleaned.get("formats") or []
        needs_zip = choices.Format.IN_PERSON in formats and not cleaned.get("office_zip")
        if needs_zip and "office_zip" not in self.errors:
            self.add_error("office_zip", "Enter your office ZIP code to meet clients in person.")
        if choices.Format.TELEHEALTH in formats and not cleaned.get("telehealth_states"):
            self.add_error("telehealth_states", "Choose at least one state for telehealth.")
        payments = cleaned.get("payment_methods") or []
        if cleaned.get("insurance_carriers") and choices.Payment.INSURANCE not in payments:
            self.add_error(
                "insurance_carriers", "Tick “Health insurance” above, or clear the carriers."
            )
        low, high = cleaned.get("fee_min_dollars"), cleaned.get("fee_max_dollars")
        if low is not None and high is not None and low > high:
            self.add_error("fee_max_dollars", "The highest fee cannot be below the lowest fee.")
        needed = {
            choices.NewClientContact.PHONE: (
                "new_client_phone",
                "Enter the number new clients should call.",
            ),
            choices.NewClientContact.BOOKING: (
                "booking_url",
                "Enter the link new clients book through.",
            ),
        }
        contact = cleaned.get("new_client_contact")
        if contact in needed:
            field, message = needed[contact]
            if not cleaned.get(field) and field not in self.errors:
                self.add_error(field, message)
        return cleaned


class CapacityForm(forms.ModelForm):
    class Meta:
        model = TherapistProfile
        fields = ["accepting_new_clients", "open_slots"]
        labels = {
            "accepting_new_clients": "I am taking new clients",
            "open_slots": "How many new clients you can take now",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("accepting_new_clients") and not cleaned.get("open_slots"):
            self.add_error(
                "open_slots", "Enter how many new clients you can take, or untick the box above."
            )
        return cleaned


class ReopenForm(forms.Form):
    """A therapist whose openings ran out takes new clients again."""

    open_slots = forms.IntegerField(
        label="How many new clients can you take now?",
        min_value=1,
        max_value=200,
        initial=1,
        error_messages={
            "required": "Enter how many new clients you can take now.",
            "min_value": "Enter at least 1, or leave your openings closed.",
            "max_value": "Enter at most 200.",
            "invalid": "Enter a whole number, such as 2.",
        },
    )


class EvidenceFormMixin(forms.ModelForm):
    evidence = forms.FileField(
        label="Document",
        help_text="A PDF, PNG or JPEG, at most 10 MB. Only Rapport staff and you can open it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["evidence"].required = False
            self.fields["evidence"].help_text += " Leave empty to keep the current document."

    def clean_evidence(self) -> CheckedUpload | None:
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        return check_upload(upload, allowed=EVIDENCE_TYPES)


class LicenseForm(EvidenceFormMixin):
    EVIDENCE_WHY = (
        "Why we ask: our staff compare it with the licensing board's record before your "
        "license is shown as verified. "
    )

    class Meta:
        model = License
        fields = ["state", "license_type", "number", "expires_on"]
        labels = {"state": "State or territory", "number": "License number"}
        widgets = {"expires_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, therapist: TherapistProfile, **kwargs: Any) -> None:
        self.therapist = therapist
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = self.EVIDENCE_WHY + self.fields["evidence"].help_text

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if not number:
            raise ValidationError("Enter the license number.")
        return number

    def clean_expires_on(self) -> dt.date:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on <= timezone.localdate():
            raise ValidationError("This license has expired. Enter a license that is current.")
        return expires_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        state, number = cleaned.get("state"), cleaned.get("number")
        if state and number:
            same = License.objects.filter(therapist=self.therapist, state=state, number=number)
            if self.instance.pk:
                same = same.exclude(pk=self.instance.pk)
            if same.exists():
                self.add_error("number", "You have already added this license.")
        return cleaned


class TrainingForm(EvidenceFormMixin):
    class Meta:
        model = ResponderTraining
        fields = ["kind", "name", "issuer", "completed_on", "hours"]
        labels = {
            "kind": "Kind of training",
            "name": "Name of the training or certification",
            "issuer": "Who issued it",
            "completed_on": "Completed on",
            "hours": "Hours",
        }
        widgets = {"completed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, therapist: TherapistProfile, **kwargs: Any) -> None:
        self.therapist = therapist
        super().__init__(*args, **kwargs)
        if self.instance.kind != choices.TrainingKind.RIDE_ALONG:
            kind = self.fields["kind"]
            kind.choices = [c for c in kind.choices if c[0] != choices.TrainingKind.RIDE_ALONG]
            kind.help_text = "Ride-alongs and station time go under Responder experience."

    def clean_completed_on(self) -> dt.date:
        completed_on = self.cleaned_data["completed_on"]
        if completed_on > timezone.localdate():
            raise ValidationError("The date cannot be in the future.")
        if completed_on.year < 1960:
            raise ValidationError("Enter the date you completed it.")
        return completed_on
