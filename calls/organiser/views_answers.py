"""Organiser pages for a call's answers: the list with search and filters, one answer with its
status, internal note and publishing (moderation), and its attachments as downloads."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from partners.models import Network, Organisation

from ..downloads import attachment_response
from ..models import Answer
from ..selectors_organiser import AnswerFilters, answers, get_answer, get_organised_call
from ..services import organising
from .forms import AnswerFilterForm, HandleAnswerForm
from .views import apply_errors, error_text, organiser_required, post_only

ANSWERS_PER_PAGE = 50


def _filter_form(request: HttpRequest, call_id: int) -> AnswerFilterForm:
    organisations = Organisation.objects.filter(call_answers__call_id=call_id).distinct()
    networks = Network.objects.filter(
        organisation_memberships__organisation__call_answers__call_id=call_id
    ).distinct()
    return AnswerFilterForm(
        request.GET,
        organisations=organisations.order_by("name"),
        networks=networks.order_by("kind", "name"),
    )


@organiser_required
def answer_list(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_organised_call(request.user, pk)
    form = _filter_form(request, call.pk)
    values = form.filter_values()
    rows = answers(call, AnswerFilters(**values))
    page = Paginator(rows, ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "calls/organiser/answer_list.html",
        {
            "call": call,
            "form": form,
            "page": page,
            "answers": page.object_list,
            "query": urlencode(query),
            "filtered": any(v not in ("", None) for v in values.values()),
        },
    )


@organiser_required
def answer_detail(request: HttpRequest, pk: int, answer_id: int) -> HttpResponse:
    call = get_organised_call(request.user, pk)
    answer = get_answer(call, answer_id)
    form = HandleAnswerForm(
        request.POST or None,
        initial={"status": answer.status, "internal_note": answer.internal_note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            organising.handle_answer(
                answer=answer,
                by_user=request.user,
                status=form.cleaned_data["status"],
                internal_note=form.cleaned_data["internal_note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The answer was saved."))
            return redirect("calls_organiser:answer", pk=call.pk, answer_id=answer.pk)
    return render(
        request,
        "calls/organiser/answer_detail.html",
        {"call": call, "answer": answer, "form": form},
    )


@organiser_required
def answer_publish(request: HttpRequest, pk: int, answer_id: int) -> HttpResponse:
    """POST publish=1 (with the attachments ticked) or publish=0."""
    call = get_organised_call(request.user, pk)
    answer = get_answer(call, answer_id)
    if refused := post_only(request):
        return refused
    publish = request.POST.get("publish") == "1"
    raw_ids = request.POST.getlist("attachments")
    try:
        if not all(value.isdigit() for value in raw_ids):
            raise ValidationError(_("That attachment does not belong to this answer."))
        organising.set_answer_published(
            answer=answer,
            by_user=request.user,
            published=publish,
            attachment_ids=[int(value) for value in raw_ids],
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("The answer is published.") if publish else _("The answer is no longer published."),
        )
    return redirect("calls_organiser:answer", pk=call.pk, answer_id=answer.pk)


@organiser_required
def attachment_download(
    request: HttpRequest, pk: int, answer_id: int, attachment_id: int
) -> HttpResponse:
    """The file as a download, to organisers of the call's host or network only (DESIGN
    rule 12): never inline, never sniffed into HTML."""
    call = get_organised_call(request.user, pk)
    answer: Answer = get_answer(call, answer_id)
    attachment = answer.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    if not attachment.file.storage.exists(attachment.file.name):
        raise Http404
    # A FileResponse streams (not an HttpResponse); organiser_required only passes it on.
    return attachment_response(attachment)  # type: ignore[return-value]
