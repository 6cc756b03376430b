"""Intro requests: a responder reaches out, the therapist reads and answers."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from matching.forms.intros import IntroAnswerForm, IntroRequestForm, ThreadMessageForm
from matching.forms.refine import RefineForm
from matching.intake import Intake
from matching.models import IntroRequest, Side
from matching.selectors.intros import intro_refusal_reason, intro_thread
from matching.services import intros, threads
from matching.shown_rank import ShownRank, shown_rank_read
from matching.views.pages import next_matches
from profiles import choices
from profiles.decorators import mfa_required, role_required
from profiles.models import ResponderProfile, TherapistProfile, User
from profiles.selectors import responder_time_zone, therapist_time_zone, therapists_listed

responder_only = role_required(User.Role.RESPONDER)
therapist_only = role_required(User.Role.THERAPIST)
therapist_mfa = mfa_required("Set up two-factor authentication before you read intro requests.")


def _get_intro_for_responder(user: User, public_id: uuid.UUID) -> IntroRequest:
    """The signed-in responder's own request; 404 for anyone else's."""
    return get_object_or_404(
        IntroRequest.objects.select_related("therapist", "responder"),
        public_id=public_id,
        responder__user=user,
    )


def _get_intro_for_therapist(user: User, public_id: uuid.UUID) -> IntroRequest:
    """A request sent to the signed-in therapist; 404 for anyone else's."""
    return get_object_or_404(
        IntroRequest.objects.select_related("responder", "therapist"),
        public_id=public_id,
        therapist__user=user,
    )


def _ranked_on(intake: Intake, shown: ShownRank | None) -> Intake:
    """The answers the list was ranked on: the saved ones with the list's filters applied."""
    if shown is None:
        return intake
    return RefineForm(QueryDict(shown.filters)).refined(intake)


def _hours(intro: IntroRequest) -> list[str]:
    return [label for value, label in choices.Hours.choices if value in intro.contact_hours]


@require_http_methods(["GET", "HEAD", "POST"])
@responder_only
@never_cache
def intro_new(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The form to ask a listed therapist for an introduction.

    When the therapist cannot be asked (no opening left, as many requests waiting as they
    can answer, or not licensed in the responder's state), the page says so and offers the
    responder's next matches in the same place: the form keeps what they typed, and each
    match has a button that sends it to that therapist instead.
    """
    therapist = get_object_or_404(therapists_listed(), public_id=public_id)
    responder = get_object_or_404(ResponderProfile, user=request.user)
    intake = Intake.from_dict(responder.answers)
    if not intake.is_ready:
        messages.info(request, "Tell us which state you live in first.")
        return redirect("matching:intake_step", step="place")
    form = IntroRequestForm(
        request.POST or None,
        initial={"token": uuid.uuid4(), "shown": request.GET.get("shown", "")[:1000]},
    )
    refusal = intro_refusal_reason(therapist=therapist, state=intake.state)
    shown = None
    if request.method == "POST" and form.is_valid() and not refusal:
        data = form.cleaned_data
        shown = shown_rank_read(token=data["shown"], therapist_public_id=str(therapist.public_id))
        try:
            intro = intros.intro_create(
                responder=responder,
                state=intake.state,
                therapist_public_id=therapist.public_id,
                submission_token=data["token"],
                message=data["message"],
                contact_method=data["contact_method"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                contact_hours=frozenset(data["contact_hours"]),
                between_shifts=data["between_shifts"],
                ranking_intake=_ranked_on(intake, shown),
                shown_rank=shown.position if shown else None,
            )
        except ValidationError as error:
            # Another responder may have taken the last place a moment ago.
            refusal = intro_refusal_reason(therapist=therapist, state=intake.state)
            if not refusal:
                form.add_error(None, error)
        else:
            messages.success(request, f"Your request to {therapist.full_name} is on its way.")
            return redirect("matching:my_intro", public_id=intro.public_id)
    alternatives = []
    if refusal:
        if shown is None:
            # The list's filters, from the card's link or the form that carried them on.
            token = (request.POST if form.is_bound else request.GET).get("shown", "")
            shown = shown_rank_read(token=token, therapist_public_id=str(therapist.public_id))
        alternatives = next_matches(request, _ranked_on(intake, shown), without=therapist)
        # Each next match's button carries its own place in the list.
        del form.fields["shown"]
    return render(
        request,
        "matching/intro_new.html",
        {
            "form": form,
            "therapist": therapist,
            "refusal": refusal,
            "alternatives": alternatives,
            "expiry_hours": settings.INTRO_EXPIRY_HOURS,
        },
    )


@require_safe
@responder_only
@never_cache
def my_intros(request: HttpRequest) -> HttpResponse:
    """The responder's requests and their answers."""
    responder = get_object_or_404(ResponderProfile, user=request.user)
    requests = IntroRequest.objects.filter(responder=responder).select_related("therapist")
    return render(
        request,
        "matching/my_intros.html",
        {"intros": requests, "viewer_zone": responder_time_zone(responder=responder)},
    )


def _render_my_intro(
    request: HttpRequest, intro: IntroRequest, message_form: ThreadMessageForm
) -> HttpResponse:
    return render(
        request,
        "matching/my_intro.html",
        {
            "intro": intro,
            "intro_hours": _hours(intro),
            "thread": intro_thread(intro=intro, side=Side.RESPONDER),
            "message_form": message_form,
            "viewer_zone": responder_time_zone(responder=intro.responder),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@responder_only
@never_cache
def my_intro(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The responder's request, the answer, the therapist's contact, and the conversation."""
    intro = _get_intro_for_responder(request.user, public_id)
    form = ThreadMessageForm(request.POST or None)
    if request.method == "POST" and not intro.is_accepted:
        # No conversation on this page to show the error in: say it at the top.
        messages.error(request, "Messages open once the therapist accepts the request.")
        return redirect("matching:my_intro", public_id=intro.public_id)
    if request.method == "POST" and form.is_valid():
        try:
            threads.thread_message_send(
                intro=intro, sender=Side.RESPONDER, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, "Your message is sent.")
            return redirect("matching:my_intro", public_id=intro.public_id)
        intro.refresh_from_db()
    return _render_my_intro(request, intro, form)


def _thread_action(
    request: HttpRequest, intro: IntroRequest, action: Callable[[], object], done: str
) -> None:
    try:
        action()
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)


@require_POST
@responder_only
def my_intro_session(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    intro = _get_intro_for_responder(request.user, public_id)
    _thread_action(
        request,
        intro,
        lambda: threads.thread_session_arranged(intro=intro),
        "Marked: first session arranged. The conversation is closed.",
    )
    return redirect("matching:my_intro", public_id=intro.public_id)


@require_POST
@responder_only
def my_intro_close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    intro = _get_intro_for_responder(request.user, public_id)
    _thread_action(
        request,
        intro,
        lambda: threads.thread_close(intro=intro, side=Side.RESPONDER),
        "The conversation is closed.",
    )
    return redirect("matching:my_intro", public_id=intro.public_id)


@require_POST
@responder_only
def my_intro_block(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    intro = _get_intro_for_responder(request.user, public_id)
    _thread_action(
        request,
        intro,
        lambda: threads.thread_block(intro=intro),
        "Blocked. They can send you nothing more and no longer see your contact details, "
        "and no more check-in questions will come about them.",
    )
    return redirect("matching:my_intro", public_id=intro.public_id)


@require_POST
@responder_only
def withdraw(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    intro = _get_intro_for_responder(request.user, public_id)
    try:
        intros.intro_withdraw(intro=intro)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Your request is withdrawn.")
    return redirect("matching:my_intros")


@require_safe
@therapist_only
@therapist_mfa
@never_cache
def inbox(request: HttpRequest) -> HttpResponse:
    """Requests sent to the therapist; opening one shows the message and is audited."""
    therapist = get_object_or_404(TherapistProfile, user=request.user)
    requests = IntroRequest.objects.filter(therapist=therapist).select_related("responder")
    return render(
        request,
        "matching/inbox.html",
        {"intros": requests, "viewer_zone": therapist_time_zone(therapist=therapist)},
    )


def _render_inbox_detail(
    request: HttpRequest,
    intro: IntroRequest,
    form: IntroAnswerForm,
    message_form: ThreadMessageForm,
) -> HttpResponse:
    """The request as the therapist sees it; every showing is an audited read."""
    intros.intro_read(intro=intro, user=request.user)
    return render(
        request,
        "matching/inbox_detail.html",
        {
            "intro": intro,
            "form": form,
            "intro_hours": _hours(intro),
            "thread": intro_thread(intro=intro, side=Side.THERAPIST),
            "message_form": message_form,
            "viewer_zone": therapist_time_zone(therapist=intro.therapist),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@therapist_only
@therapist_mfa
@never_cache
def inbox_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    intro = _get_intro_for_therapist(request.user, public_id)
    form = IntroAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intros.intro_answer(
                intro=intro,
                decision=form.cleaned_data["decision"],
                reply=form.cleaned_data["reply"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            sent = "Your answer is sent. The responder is told by email."
            therapist = TherapistProfile.objects.get(pk=intro.therapist_id)
            if therapist.openings_closed_at is not None and not therapist.accepting_new_clients:
                sent += (
                    " That was your last opening: responders cannot send you new requests "
                    "until you reopen, from your home page or the email we sent."
                )
            messages.success(request, sent)
            if form.cleaned_data["decision"] == IntroRequest.Status.ACCEPTED:
                # Accepted, the page now shows how to reach the responder: stay on it.
                return redirect("matching:inbox_detail", public_id=intro.public_id)
            return redirect("matching:inbox")
    return _render_inbox_detail(request, intro, form, ThreadMessageForm())


@require_POST
@therapist_only
@therapist_mfa
@never_cache
def inbox_message(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The therapist sends one message of the conversation; errors show next to the box."""
    intro = _get_intro_for_therapist(request.user, public_id)
    form = ThreadMessageForm(request.POST)
    if not intro.is_accepted:
        messages.error(request, "Messages open once you accept the request.")
        return redirect("matching:inbox_detail", public_id=intro.public_id)
    if form.is_valid():
        try:
            threads.thread_message_send(
                intro=intro, sender=Side.THERAPIST, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, "Your message is sent.")
            return redirect("matching:inbox_detail", public_id=intro.public_id)
        intro.refresh_from_db()
    return _render_inbox_detail(request, intro, IntroAnswerForm(), form)


@require_POST
@therapist_only
@therapist_mfa
def inbox_session(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    intro = _get_intro_for_therapist(request.user, public_id)
    _thread_action(
        request,
        intro,
        lambda: threads.thread_session_arranged(intro=intro),
        "Marked: first session arranged. The conversation is closed.",
    )
    return redirect("matching:inbox_detail", public_id=intro.public_id)


@require_POST
@therapist_only
@therapist_mfa
def inbox_close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    intro = _get_intro_for_therapist(request.user, public_id)
    _thread_action(
        request,
        intro,
        lambda: threads.thread_close(intro=intro, side=Side.THERAPIST),
        "The conversation is closed.",
    )
    return redirect("matching:inbox_detail", public_id=intro.public_id)
