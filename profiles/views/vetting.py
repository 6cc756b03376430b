"""Staff vetting of licenses and trainings, the audit trail, and evidence documents."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from profiles import selectors
from profiles.decorators import staff_required
from profiles.drafts import form_for_request, keeps_drafts
from profiles.forms import VettingDecisionForm, VettingQueueFilterForm
from profiles.models import AuditEntry, License, ResponderTraining, User
from profiles.previews import PreviewError, evidence_preview_png
from profiles.services import vetting
from profiles.services.vetting import VETTED_KINDS, record_version
from profiles.uploads import EXTENSIONS

AUDIT_PAGE_SIZE = 50


def _get_record(kind: str, pk: int) -> License | ResponderTraining:
    model = VETTED_KINDS.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model.objects.select_related("therapist__user"), pk=pk)


def _get_document_for_user(user: User, kind: str, pk: int) -> License | ResponderTraining:
    """Evidence is for staff (with two-factor) and the therapist who owns it; 404 for others."""
    record = _get_record(kind, pk)
    if user.is_authenticated and user.is_staff:
        return record
    if user.is_authenticated and record.therapist.user_id == user.pk:
        return record
    raise Http404


@require_safe
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """What waits for review, the longest-waiting first, filtered and in pages of 25."""
    form = VettingQueueFilterForm(request.GET or None)
    filters = selectors.VettingQueueFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.VettingQueueFilters(
            kind=data["kind"],
            state=data["state"],
            min_age_days=int(data["age"]) if data["age"] else None,
            name=data["name"].strip(),
        )
    paginator = Paginator(
        selectors.vetting_queue(filters=filters), selectors.VETTING_QUEUE_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "profiles/vetting_queue.html",
        {
            "form": form,
            "page": page,
            "records": selectors.vetting_records(list(page.object_list)),
            "filter_query": query.urlencode(),
        },
    )


@keeps_drafts
@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def review(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The claim and its evidence side by side, with the decision form."""
    record = _get_record(kind, pk)
    form = form_for_request(
        request, VettingDecisionForm, kind=kind, initial={"version": record_version(record)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            vetting.vetting_decide(
                kind=kind,
                record_id=record.pk,
                staff=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                board_lookup_url=form.cleaned_data.get("board_lookup_url", ""),
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Decision saved for {record.therapist.full_name}.")
            return redirect("profiles:vetting_queue")
    history = AuditEntry.objects.filter(target_type=kind, target_id=record.pk)
    other_licenses = (
        record.therapist.licenses.exclude(pk=record.pk)
        if kind == "license"
        else License.objects.none()
    )
    return render(
        request,
        "profiles/vetting_review.html",
        {
            "record": record,
            "kind": kind,
            "form": form,
            "history": history,
            "other_licenses": other_licenses,
        },
    )


@require_safe
@staff_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Every decision and every staff view of a document, newest first."""
    entries = AuditEntry.objects.select_related("therapist")
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "profiles/audit_trail.html", {"page": page})


@require_safe
@never_cache
def document(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Serve an evidence document as an attachment; each staff view is audited."""
    if not request.user.is_authenticated:
        raise Http404
    if request.user.is_staff:
        # Staff reach documents only through the two-factor check.
        return _staff_document(request, kind=kind, pk=pk)
    return _document_response(_get_document_for_user(request.user, kind, pk), kind)


@staff_required
def _staff_document(request: HttpRequest, *, kind: str, pk: int) -> HttpResponse:
    record = _get_document_for_user(request.user, kind, pk)
    vetting.document_viewed(staff=request.user, record=record, kind=kind)
    return _document_response(record, kind)


@require_safe
@staff_required
@never_cache
def document_preview(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The evidence drawn as a PNG on the server, for staff; each view is audited."""
    record = _get_document_for_user(request.user, kind, pk)
    if not record.document or not record.document.storage.exists(record.document.name):
        raise Http404
    with record.document.open("rb") as file:
        try:
            png = evidence_preview_png(file=file, content_type=record.document_content_type)
        except PreviewError:
            raise Http404 from None
    vetting.document_viewed(staff=request.user, record=record, kind=kind)
    response = HttpResponse(png, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _document_response(record: License | ResponderTraining, kind: str) -> HttpResponse:
    if not record.document or not record.document.storage.exists(record.document.name):
        raise Http404
    extension = EXTENSIONS.get(record.document_content_type, ("bin",))[0]
    response = FileResponse(
        record.document.open("rb"),
        as_attachment=True,
        filename=f"{kind}-{record.pk}.{extension}",
        content_type=record.document_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
