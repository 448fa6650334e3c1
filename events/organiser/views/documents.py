"""Organiser pages for an event's documents and links, and its report."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from partners.permissions import OrganiserRequest, organiser_required

from ...models import EventDocument
from ...selectors.documents import ORGANISERS, event_documents, event_report
from ...selectors.organiser import get_organised_event
from ...services import documents
from ...views_documents import document_response
from ..forms_documents import DocumentChangeForm, DocumentForm, ReportForm
from .common import submitted


@organiser_required
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    status = 200
    if done := submitted(
        request,
        form,
        lambda values: documents.add_document(
            event=event, values=values, upload=values.get("file"), url=values.get("url", "")
        ),
        _("The document was added."),
        "events_organiser:documents",
        pk=event.pk,
    ):
        return done
    if request.method == "POST":
        status = 400
    report = event_report(event)
    return render(
        request,
        "events/organiser/document_list.html",
        {
            "event": event,
            "documents": event_documents(event, audience=ORGANISERS),
            "form": form,
            "report": report,
        },
        status=status,
    )


def _document(request: HttpRequest, pk: int, document_id: int) -> EventDocument:
    event = get_organised_event(request.user, pk)
    return get_object_or_404(
        EventDocument.objects.select_related("event"), pk=document_id, event=event
    )


@organiser_required
def document_edit(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    document = _document(request, pk, document_id)
    initial = {name: getattr(document, name) for name in documents.DOCUMENT_FIELDS}
    form = DocumentChangeForm(request.POST or None, initial=initial)
    if done := submitted(
        request,
        form,
        lambda values: documents.change_document(document=document, values=values),
        _("The document was saved."),
        "events_organiser:documents",
        pk=pk,
    ):
        return done
    return render(
        request,
        "events/organiser/document_form.html",
        {"event": document.event, "document": document, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@organiser_required
def document_delete(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    document = _document(request, pk, document_id)
    if request.method == "POST":
        documents.delete_document(document=document)
        messages.success(request, _("The document was deleted."))
        return redirect("events_organiser:documents", pk=pk)
    return render(
        request,
        "events/organiser/confirm_delete.html",
        {
            "event": document.event,
            "object": document,
            "consequence": _("Participants and the public can no longer download it."),
            "back": reverse("events_organiser:documents", kwargs={"pk": pk}),
        },
    )


@organiser_required
def document_download(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    # A FileResponse streams (not an HttpResponse); organiser_required only passes it on.
    return document_response(_document(request, pk, document_id))  # type: ignore[return-value]


@organiser_required
def report_edit(request: OrganiserRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    report = event_report(event)
    form = ReportForm(request.POST or None, initial={"text": report.text if report else ""})
    if done := submitted(
        request,
        form,
        lambda values: documents.save_report(
            event=event, text=values["text"], by_user=request.user
        ),
        _("The report was saved."),
        "events_organiser:documents",
        pk=event.pk,
    ):
        return done
    return render(
        request,
        "events/organiser/report_form.html",
        {"event": event, "form": form, "report": report},
        status=400 if request.method == "POST" else 200,
    )
