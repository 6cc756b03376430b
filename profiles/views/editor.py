"""The therapist's profile editor, the responder's pseudonym, and therapists' photos."""

from __future__ import annotations

from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import ModelForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from profiles import selectors
from profiles.decorators import mfa_required, role_required
from profiles.drafts import form_for_request, keeps_drafts
from profiles.editor import editor_context, saved_message
from profiles.forms import (
    CapacityForm,
    ClinicalForm,
    ExperienceForm,
    IdentityForm,
    LicenseForm,
    PracticalForm,
    PseudonymForm,
    TrainingForm,
)
from profiles.models import (
    License,
    ResponderProfile,
    ResponderTraining,
    TherapistProfile,
    User,
    VettingStatus,
)
from profiles.services import accounts, therapists
from profiles.views.mfa import PUBLISH_AFTER_SET_UP

therapist_only = role_required(User.Role.THERAPIST)
responder_only = role_required(User.Role.RESPONDER)

SECTION_FORMS: dict[str, tuple[type[ModelForm], str]] = {
    "experience": (ExperienceForm, "Responder experience"),
    "clinical": (ClinicalForm, "Clinical focus"),
    "practical": (PracticalForm, "Practical details"),
}
VETTED_MODELS: dict[str, tuple[type[License] | type[ResponderTraining], type[ModelForm], str]] = {
    "license": (License, LicenseForm, "license"),
    "training": (ResponderTraining, TrainingForm, "training"),
}


def announce_saved(request: HttpRequest, therapist: TherapistProfile, saved: str) -> None:
    """Say what was saved; warn when a published profile is left incomplete, and why."""
    is_warning, text = saved_message(therapist, saved)
    (messages.warning if is_warning else messages.success)(request, text)


# The button that confirms a save which sends a verified license back to review.
CONFIRM_REVIEW = "confirm_review"


def announce_review_again(request: HttpRequest, therapist: TherapistProfile, saved: str) -> None:
    """After a save that sent a verified license back to review: say so, and what it means."""
    if selectors.therapist_is_listed(therapist=therapist):
        consequence = "responders can still find you through another verified license"
    else:
        consequence = (
            "your profile is not listed until our staff verify it again: responders cannot "
            "find you meanwhile"
        )
    messages.warning(
        request,
        f"{saved}, so your license went back to review: {consequence}. We emailed you this "
        "too, and email again when staff decide.",
    )


def _get_therapist_for_user(user: User) -> TherapistProfile:
    return get_object_or_404(TherapistProfile, user=user)


def _get_record_for_user(user: User, model: type[Model], pk: int) -> Any:
    """A license or training of the signed-in therapist; 404 for anyone else's."""
    return get_object_or_404(model, pk=pk, therapist__user=user)


@require_safe
@therapist_only
def editor(request: HttpRequest) -> HttpResponse:
    """Show the editor's overview: each section, what is missing, and publishing."""
    therapist = _get_therapist_for_user(request.user)
    context = editor_context(
        therapist,
        confirmation_max_age_days=settings.PROFILE_CONFIRMATION_MAX_AGE_DAYS,
        mfa_enabled=is_mfa_enabled(request.user),
        # Back from the two-factor set-up that pressing Publish started.
        publish_prompt=request.GET.get("then") == "publish"
        and is_mfa_enabled(request.user)
        and not therapist.is_published,
    )
    return render(request, "profiles/editor.html", context)


@keeps_drafts
@require_http_methods(["GET", "HEAD", "POST"])
@therapist_only
def identity(request: HttpRequest) -> HttpResponse:
    therapist = _get_therapist_for_user(request.user)
    stored_name = therapist.full_name
    form = form_for_request(request, IdentityForm, files=True, instance=therapist)
    ahead = None
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        renamed = fields["full_name"] != stored_name
        going_back = therapists.licenses_sent_back_by_rename(therapist=therapist) if renamed else []
        if going_back and request.POST.get(CONFIRM_REVIEW) != "yes":
            # Nothing is saved yet: the form comes back as typed, with what saving would do.
            therapist.refresh_from_db()
            ahead = selectors.license_review_ahead(therapist=therapist, licenses=going_back)
        else:
            therapists.therapist_profile_update(therapist=therapist, fields=fields)
            if form.cleaned_data["photo_upload"]:
                therapists.therapist_photo_set(
                    therapist=therapist, upload=form.cleaned_data["photo_upload"]
                )
            elif form.cleaned_data.get("remove_photo"):
                therapists.therapist_photo_remove(therapist=therapist)
            if going_back:
                announce_review_again(request, therapist, "Identity saved. Your name changed")
            else:
                announce_saved(request, therapist, "Identity saved.")
            return redirect("profiles:identity")
    return render(
        request,
        "profiles/section_form.html",
        editor_context(
            therapist,
            form=form,
            section="identity",
            title="Identity",
            review_ahead=ahead,
            renamed_from=stored_name,
            file_dropped=bool(ahead and request.FILES),
        ),
    )


@keeps_drafts
@require_http_methods(["GET", "HEAD", "POST"])
@therapist_only
def section(request: HttpRequest, key: str) -> HttpResponse:
    """Edit one of the structured sections; each saves on its own."""
    form_class, title = SECTION_FORMS[key]
    therapist = _get_therapist_for_user(request.user)
    extra = {}
    if key == "practical":
        extra["license_states"] = frozenset(therapist.licenses.values_list("state", flat=True))
    form = form_for_request(request, form_class, instance=therapist, **extra)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if key == "clinical":
            fields["methods_trained"] = form.instance.methods_trained
            fields["methods_certified"] = form.instance.methods_certified
        therapists.therapist_profile_update(therapist=therapist, fields=fields)
        announce_saved(request, therapist, f"{title} saved.")
        return redirect(f"profiles:{key}")
    # An invalid form must not leave half-applied values on the instance shown elsewhere.
    therapist.refresh_from_db()
    return render(
        request,
        "profiles/section_form.html",
        editor_context(therapist, form=form, section=key, title=title),
    )


@keeps_drafts
@require_http_methods(["GET", "HEAD", "POST"])
@therapist_only
def capacity(request: HttpRequest) -> HttpResponse:
    therapist = _get_therapist_for_user(request.user)
    form = form_for_request(request, CapacityForm, instance=therapist)
    if request.method == "POST" and form.is_valid():
        therapists.therapist_capacity_update(
            therapist=therapist,
            accepting_new_clients=form.cleaned_data["accepting_new_clients"],
            open_slots=form.cleaned_data["open_slots"],
        )
        announce_saved(request, therapist, "Capacity saved and confirmed as current.")
        return redirect("profiles:capacity")
    therapist.refresh_from_db()
    return render(
        request,
        "profiles/section_form.html",
        editor_context(therapist, form=form, section="capacity", title="Capacity"),
    )


@require_safe
@therapist_only
def credentials(request: HttpRequest) -> HttpResponse:
    therapist = _get_therapist_for_user(request.user)
    context = editor_context(
        therapist,
        section="credentials",
        licenses=therapist.licenses.order_by("state", "number"),
        trainings=therapist.trainings.order_by("-completed_on", "pk"),
    )
    return render(request, "profiles/credentials.html", context)


@keeps_drafts
@require_http_methods(["GET", "HEAD", "POST"])
@therapist_only
def record_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    """Add or edit a license or training; an edit of what staff checked needs a new review."""
    model, form_class, noun = VETTED_MODELS[kind]
    therapist = _get_therapist_for_user(request.user)
    record = _get_record_for_user(request.user, model, pk) if pk else None
    form = form_for_request(request, form_class, files=True, instance=record, therapist=therapist)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        evidence = form.cleaned_data["evidence"]
        sends_back = (
            kind == "license"
            and record is not None
            and record.status == VettingStatus.VERIFIED
            and (
                evidence is not None
                # Compared with the stored row: the form has already set its values on it.
                or therapists.vetted_record_changes(type(record).objects.get(pk=record.pk), fields)
            )
        )
        if sends_back and request.POST.get(CONFIRM_REVIEW) != "yes":
            # Nothing is saved yet: the form comes back as typed, with what saving would do.
            record.refresh_from_db()
            return render(
                request,
                "profiles/record_form.html",
                editor_context(
                    therapist,
                    form=form,
                    record=record,
                    noun=noun,
                    kind=kind,
                    section="credentials",
                    review_ahead=selectors.license_review_ahead(
                        therapist=therapist, licenses=[record]
                    ),
                    file_dropped=bool(request.FILES),
                ),
            )
        if record is None:
            therapists.vetted_record_create(
                model=model, therapist=therapist, fields=fields, evidence=evidence
            )
            messages.success(request, f"The {noun} is saved and waits for review by our staff.")
        else:
            was_verified = record.status == VettingStatus.VERIFIED
            updated = therapists.vetted_record_update(
                record=record, fields=fields, evidence=evidence
            )
            if was_verified and updated.status == VettingStatus.PENDING and kind == "license":
                announce_review_again(request, therapist, "The license is saved. It changed")
            elif was_verified and updated.status == VettingStatus.PENDING:
                messages.info(request, f"The {noun} changed, so our staff will review it again.")
            else:
                messages.success(request, f"The {noun} is saved.")
        return redirect("profiles:credentials")
    return render(
        request,
        "profiles/record_form.html",
        editor_context(
            therapist,
            form=form,
            record=record,
            noun=noun,
            kind=kind,
            section="credentials",
        ),
    )


@require_POST
@therapist_only
def record_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model, _, noun = VETTED_MODELS[kind]
    record = _get_record_for_user(request.user, model, pk)
    therapists.vetted_record_delete(record=record)
    announce_saved(request, _get_therapist_for_user(request.user), f"The {noun} is removed.")
    return redirect("profiles:credentials")


@require_POST
@therapist_only
def confirm(request: HttpRequest) -> HttpResponse:
    """The one-click "still accurate" confirmation."""
    therapist = _get_therapist_for_user(request.user)
    therapists.therapist_confirm(therapist=therapist)
    if therapist.is_published:
        messages.success(request, "Thank you. Your profile is confirmed as accurate today.")
    else:
        # Offered only on a published profile; said plainly if sent for another.
        messages.info(
            request,
            "Noted. Your profile is not published, so responders do not see it: see what is "
            "next below.",
        )
    return redirect("profiles:editor")


@require_POST
@therapist_only
@mfa_required(
    "Set up two-factor authentication before you publish your profile. Afterwards you come "
    "back to your profile to publish it.",
    after_post=lambda: f"{reverse('profiles:editor')}?{PUBLISH_AFTER_SET_UP}",
)
def publish(request: HttpRequest) -> HttpResponse:
    therapist = _get_therapist_for_user(request.user)
    try:
        therapists.therapist_publish(therapist=therapist)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            "Your profile is published. Responders see it once a license of yours is verified.",
        )
    return redirect("profiles:editor")


@require_POST
@therapist_only
def unpublish(request: HttpRequest) -> HttpResponse:
    therapists.therapist_unpublish(therapist=_get_therapist_for_user(request.user))
    messages.success(request, "Your profile is hidden from responders.")
    return redirect("profiles:editor")


@require_http_methods(["GET", "HEAD", "POST"])
@responder_only
def pseudonym(request: HttpRequest) -> HttpResponse:
    profile = get_object_or_404(ResponderProfile, user=request.user)
    form = PseudonymForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        accounts.responder_pseudonym_update(
            profile=profile, pseudonym=form.cleaned_data["pseudonym"]
        )
        messages.success(request, "Your name is saved.")
        return redirect(reverse("matching:me"))
    return render(request, "profiles/pseudonym.html", {"form": form})


@require_safe
def therapist_photo(request: HttpRequest, public_id: str) -> HttpResponse:
    """Serve a photo to anyone while the therapist is listed, else only to them and to staff
    with two-factor authentication."""
    therapist = get_object_or_404(TherapistProfile, public_id=public_id)
    user = request.user
    is_owner = user.is_authenticated and therapist.user_id == user.pk
    if not therapist.photo:
        raise Http404
    is_vetting_staff = user.is_authenticated and user.is_staff and is_mfa_enabled(user)
    if not (is_owner or is_vetting_staff or selectors.therapist_is_listed(therapist=therapist)):
        raise Http404
    response = FileResponse(therapist.photo.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
