from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from alliance.forms import AllianceApproachForm
from alliance.selectors import alliance_approach_for
from alliance.services import alliance_approach_update
from profiles.decorators import role_required
from profiles.editor import editor_context
from profiles.models import TherapistProfile, User
from profiles.views.editor import announce_saved


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(User.Role.THERAPIST)
def edit(request: HttpRequest) -> HttpResponse:
    """The alliance section of the therapist's profile editor."""
    therapist = get_object_or_404(TherapistProfile, user=request.user)
    form = AllianceApproachForm(
        request.POST or None, instance=alliance_approach_for(therapist=therapist)
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        alliance_approach_update(therapist=therapist, fields=fields)
        announce_saved(request, therapist, "Alliance saved.")
        return redirect("alliance:edit")
    context = editor_context(therapist, form=form, section="alliance", title="Alliance")
    return render(request, "profiles/section_form.html", context)
