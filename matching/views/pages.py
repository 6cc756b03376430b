from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliance.plan_selectors import checkin_plans_ended_for
from alliance.selectors import checkins_due_for
from matching.forms.coverage import CoverageWatchForm
from matching.forms.intake import INTAKE_STEPS, REQUIRED_STEPS
from matching.forms.refine import REFINE_MUSTS, RefineForm, refine_query
from matching.intake import TRAVEL_MILES_MAX, Intake
from matching.scoring.weights import COMPONENT_WEIGHTS
from matching.scoring.words import COMPONENT_TITLES
from matching.selectors.coverage import state_has_coverage
from matching.selectors.intake import intake_for_request, intake_summary
from matching.selectors.intros import intro_refusal_reason
from matching.selectors.profile import (
    therapist_profile_html,
    therapist_public_profile,
    therapists_listed_with_last_change,
)
from matching.selectors.ranking import RankedCard, match_for_therapist, ranked_page, seeker_from
from matching.services.intake import intake_clear, intake_save
from matching.shown_rank import shown_rank_token
from profiles import choices
from profiles.decorators import role_required
from profiles.models import ResponderProfile, TherapistProfile, User
from profiles.selectors import therapists_listed

STEP_NAMES = list(INTAKE_STEPS)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Show the landing page where a responder starts looking."""
    return render(request, "matching/home.html")


def _next_step_url(step: str) -> str:
    index = STEP_NAMES.index(step)
    if index + 1 < len(STEP_NAMES):
        return reverse("matching:intake_step", args=[STEP_NAMES[index + 1]])
    return reverse("matching:answers")


@require_http_methods(["GET", "HEAD", "POST"])
def intake_step(request: HttpRequest, step: str) -> HttpResponse:
    """One step of the intake; answers are kept after each step, and skipping changes none."""
    if step not in INTAKE_STEPS:
        raise Http404
    form_class = INTAKE_STEPS[step]
    intake = intake_for_request(request)
    skippable = step not in REQUIRED_STEPS
    # "Change" on the answers page opens one step and comes back to the answers after it.
    from_answers = request.GET.get("from") == "answers"
    next_url = reverse("matching:answers") if from_answers else _next_step_url(step)
    if request.method == "POST" and skippable and "skip" in request.POST:
        return redirect(next_url)
    form = form_class(request.POST or None, initial=form_class.initial_from(intake))
    if request.method == "POST" and form.is_valid():
        intake_save(request=request, intake=intake.updated(**form.changes()))
        if form.cleaned_data.get("in_crisis"):
            return redirect(reverse("matching:help_first") + f"?then={next_url}")
        return redirect(next_url)
    index = STEP_NAMES.index(step)
    return render(
        request,
        "matching/intake_step.html",
        {
            "form": form,
            "step": step,
            "step_number": index + 1,
            "step_count": len(STEP_NAMES),
            "previous_step": STEP_NAMES[index - 1] if index else None,
            "skippable": skippable,
            "from_answers": from_answers,
        },
    )


@require_safe
def help_first(request: HttpRequest) -> HttpResponse:
    """Shown before anything else to someone who said they are in crisis."""
    then = request.GET.get("then", "")
    allowed = {reverse("matching:intake_step", args=[s]) for s in STEP_NAMES}
    allowed.add(reverse("matching:answers"))
    return render(
        request,
        "matching/help_first.html",
        {"continue_url": then if then in allowed else reverse("matching:answers")},
    )


TIE_SEED_SESSION_KEY = "rapport_tie_seed"


def tie_seed_for(request: HttpRequest) -> int:
    """A random number kept in the visitor's session: it orders exact ties for them alone."""
    seed = request.session.get(TIE_SEED_SESSION_KEY)
    if not isinstance(seed, int):
        seed = secrets.randbits(32)
        request.session[TIE_SEED_SESSION_KEY] = seed
    return seed


# How many next matches a therapist who cannot be asked offers in their place.
NEXT_MATCHES_OFFERED = 3


def next_matches(
    request: HttpRequest, intake: Intake, *, without: TherapistProfile
) -> list[tuple[RankedCard, str]]:
    """The responder's best matches but this therapist, each with the signed place it holds
    in that list (matching.shown_rank), for asking one of them instead."""
    page = ranked_page(
        seeker=seeker_from(intake, tie_seed=tie_seed_for(request)),
        exclude_therapist_id=without.pk,
    )
    filters = refine_query(intake)
    return [
        (
            card,
            shown_rank_token(
                therapist_public_id=card.facts.public_id, position=card.position, filters=filters
            ),
        )
        for card in page.cards[:NEXT_MATCHES_OFFERED]
    ]


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _therapist_left_out(request: HttpRequest) -> TherapistProfile | None:
    """The listed therapist named by `?without=` (a re-match after a weak check-in), if any.

    Only a listed therapist is named: anyone else is on no list to leave them out of, and
    naming them would tell a visitor who holds an unlisted or closed profile.
    """
    try:
        public_id = uuid.UUID(request.GET.get("without", ""))
    except ValueError:
        return None
    return therapists_listed().filter(public_id=public_id).only("pk", "full_name").first()


@require_safe
def results(request: HttpRequest) -> HttpResponse:
    """The ranked list for the responder's answers, refined in place by the URL's filters."""
    intake = intake_for_request(request)
    if not intake.is_ready:
        messages.info(
            request, "Tell us which state you live in first: therapists are licensed by state."
        )
        return redirect("matching:intake_step", step="place")
    form = RefineForm.for_request(request.GET, intake)
    refined = form.refined(intake)
    without = _therapist_left_out(request)
    seeker = seeker_from(refined, tie_seed=tie_seed_for(request))
    page = ranked_page(
        seeker=seeker,
        page_number=_page_number(request),
        exclude_therapist_id=without.pk if without else None,
    )
    filters_on = (refined.format_preference != choices.FormatPreference.EITHER) + sum(
        bool(getattr(refined, answer)) for answer in REFINE_MUSTS.values()
    )
    context = {
        "form": form,
        "page": page,
        "intake": refined,
        "filters_on": filters_on,
        "without": without,
        # The list's filters, which every card's intro link carries (signed): made once.
        "shown_filters": refine_query(refined),
    }
    if not page.total_count and not state_has_coverage(state=refined.state):
        # Licenses are per state: no filter and no distance can help, so say so plainly.
        context["no_coverage"] = {
            "state_name": dict(choices.State.choices).get(refined.state, refined.state),
            "form": CoverageWatchForm(initial={"state": refined.state}),
        }
    elif not page.total_count:
        # Each way out of an empty list changes one thing and keeps every other filter.
        context["wider"] = {
            "either": refine_query(refined, format=choices.FormatPreference.EITHER),
            "further": refine_query(refined, miles=TRAVEL_MILES_MAX),
            "wishes": refine_query(refined, **dict.fromkeys(REFINE_MUSTS, False)),
        }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "matching/includes/_results.html" if partial else "matching/results.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


HOW_WE_RANK_PARTS = {
    "alliance": "How they build respect and trust, collaboration, empathy and adaptability, "
    "from what responders say in check-ins once enough have answered (from responders of "
    "your own service where there are enough); until then, what responders say of the "
    "average therapist, moved a little by the practices they commit to. And how they work "
    "against how you said you want to work, moved up or down by what responders say of the "
    "fit.",
    "competence": "Years serving responders and share of clients who are responders (counted "
    "fully for your own service, half for others), work with your own service, verified "
    "responder-specific training, agency work, ride-alongs, and lived experience.",
    "clinical": "Whether they help with what you are dealing with, the methods you want (and "
    "their training level), trauma-focused therapy, and the methods you would rather avoid.",
    "practical": "Hours that fit your shifts, distance or telehealth, how you pay, language, "
    "and gender if you asked.",
    "responsiveness": "How often and how fast they answered their last 20 intro requests, "
    "and how recently they confirmed their profile.",
}


@require_safe
def how_we_rank(request: HttpRequest) -> HttpResponse:
    """Plain words on what counts in the ranking and what does not."""
    parts = [
        {"title": COMPONENT_TITLES[key], "points": round(COMPONENT_WEIGHTS[key]), "what": what}
        for key, what in HOW_WE_RANK_PARTS.items()
    ]
    return render(
        request,
        "matching/how_we_rank.html",
        {
            "parts": parts,
            "confirmation_max_age_days": settings.PROFILE_CONFIRMATION_MAX_AGE_DAYS,
            "per_opening": settings.PENDING_REQUESTS_PER_OPENING,
        },
    )


@require_safe
def answers(request: HttpRequest) -> HttpResponse:
    """The answers given so far, each group with a link to change it."""
    intake = intake_for_request(request)
    return render(
        request,
        "matching/answers.html",
        {"intake": intake, "answer_groups": intake_summary(intake)},
    )


@require_POST
def clear_answers(request: HttpRequest) -> HttpResponse:
    """Forget the answers given on this device (or in the responder's profile)."""
    intake_clear(request=request)
    messages.success(request, "Your answers are cleared.")
    return redirect("home")


@require_safe
@role_required(User.Role.RESPONDER)
def me(request: HttpRequest) -> HttpResponse:
    """The responder's own profile: the name therapists see, and their answers."""
    profile = get_object_or_404(ResponderProfile, user=request.user)
    intake = Intake.from_dict(profile.answers)
    return render(
        request,
        "matching/me.html",
        {
            "profile": profile,
            "intake": intake,
            "answer_groups": intake_summary(intake),
            "due_checkins": checkins_due_for(responder=profile),
            "ended_plans": checkin_plans_ended_for(responder=profile),
        },
    )


@require_safe
def therapist_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A listed therapist's public profile; anyone else's is not found."""
    therapist = get_object_or_404(therapists_listed_with_last_change(), public_id=public_id)
    intake = intake_for_request(request)
    match = refusal = lines = None
    alternatives: list[tuple[RankedCard, str]] = []
    if intake.is_ready:
        seeker = seeker_from(intake)
        match, lines = match_for_therapist(seeker=seeker, therapist_id=therapist.pk)
        refusal = intro_refusal_reason(therapist=therapist, state=intake.state)
        if refusal:
            alternatives = next_matches(request, intake, without=therapist)
    return render(
        request,
        "matching/therapist_detail.html",
        {
            "therapist": therapist,
            "profile_html": therapist_profile_html(therapist=therapist),
            "preview": False,
            "intake": intake,
            "match": match,
            "lines": lines,
            "refusal": refusal,
            "alternatives": alternatives,
        },
    )


@require_safe
@role_required(User.Role.THERAPIST)
def therapist_preview(request: HttpRequest) -> HttpResponse:
    """The therapist's own profile exactly as responders will see it."""
    therapist = get_object_or_404(TherapistProfile, user=request.user)
    return render(
        request,
        "matching/therapist_detail.html",
        {
            "therapist": therapist,
            "profile": therapist_public_profile(therapist=therapist),
            "preview": True,
        },
    )
