"""Public pages of calls for input: the list and archive, a call with its form, the invitation
link, and the personal link of an answer (see, change, withdraw, download its files). Each
view parses input, calls one service and renders the answer."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from partners.models import Language

from . import selectors
from .downloads import attachment_response
from .forms import AnswerForm
from .models import Answer, Call, CallInvitation
from .services import answering
from .services.errors import CallError


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "calls/not_found.html", {"message": message}, status=404)


def _default_language(request: HttpRequest) -> str:
    code = getattr(request, "LANGUAGE_CODE", "")
    return code if code in Language.values else Language.BOKMAL


def call_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.public_calls(), 30).get_page(request.GET.get("page"))
    calls = list(page.object_list)
    return render(
        request,
        "calls/call_list.html",
        {
            "page": page,
            "open_calls": [c for c in calls if not c.closed],
            "closed_calls": [c for c in calls if c.closed],
        },
    )


def _form_state(call: Call, *, invited: bool) -> str:
    """open, not_open, closed or invitation_only: what the page says instead of the form."""
    now = timezone.now()
    if call.has_closed(now):
        return "closed"
    if now < call.opens_at:
        return "not_open"
    if call.is_invitation_only and not invited:
        return "invitation_only"
    return "open"


def _handle_form(
    request: HttpRequest, call: Call, *, invitation: CallInvitation | None = None
) -> tuple[AnswerForm | None, Answer | None, int]:
    """The form on GET; on POST the answer stored (and its link) or the form with errors."""
    questions = list(call.questions.all())
    kwargs: dict[str, Any] = {
        "call": call,
        "questions": questions,
        "with_email": invitation is None,
    }
    if request.method != "POST":
        initial: dict[str, Any] = {"language": _default_language(request)}
        if invitation is not None:
            initial.update(
                name=invitation.name,
                organisation=invitation.organisation_id,
                language=invitation.language,
            )
        return AnswerForm(initial=initial, **kwargs), None, 200
    form = AnswerForm(request.POST, request.FILES, **kwargs)
    if form.is_valid():
        try:
            answer = answering.submit_answer(
                call=call,
                details=form.details(),
                uploads=form.uploads(),
                invitation=invitation,
            )
        except CallError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return form, answer, 200
    return form, None, 400


@require_http_methods(["GET", "HEAD", "POST"])
def call_detail(request: HttpRequest, slug: str) -> HttpResponse:
    call = selectors.public_call(slug=slug)
    if call is None:
        return _not_found(request, _("We could not find that call for input."))
    state = _form_state(call, invited=False)
    form, status = None, 200
    if state == "open":
        form, answer, status = _handle_form(request, call)
        if answer is not None:
            messages.success(request, _("Thank you! We have received your answer."))
            return redirect(answer.get_absolute_url())
    elif request.method == "POST":
        status = 409
    return render(
        request,
        "calls/call_detail.html",
        {
            "call": call,
            "state": state,
            "form": form,
            "form_action": call.get_absolute_url(),
            "answers": selectors.published_answers(call),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invited(request: HttpRequest, token: str) -> HttpResponse:
    """The form through an invitation's personal link (the only way in to an invitation-only
    call); once answered, the link leads to the answer."""
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None:
        return _not_found(request, _("This link does not lead to an invitation."))
    existing = selectors.live_answer_for_invitation(invitation)
    if existing is not None:
        return redirect(existing.get_absolute_url())
    call = invitation.call
    state = _form_state(call, invited=True)
    form, status = None, 200
    if state == "open":
        form, answer, status = _handle_form(request, call, invitation=invitation)
        if answer is not None:
            messages.success(request, _("Thank you! We have received your answer."))
            return redirect(answer.get_absolute_url())
    elif request.method == "POST":
        status = 409
    return render(
        request,
        "calls/call_detail.html",
        {
            "call": call,
            "state": state,
            "form": form,
            "form_action": invitation.get_absolute_url(),
            "invitation": invitation,
            "answers": selectors.published_answers(call),
        },
        status=status,
    )


def call_attachment(request: HttpRequest, slug: str, answer_id: int, pk: int) -> HttpResponseBase:
    attachment = selectors.public_attachment(slug=slug, answer_id=answer_id, attachment_id=pk)
    if attachment is None:
        raise Http404
    return attachment_response(attachment)


# The personal link of an answer --------------------------------------------------------------


def _answer_or_404(request: HttpRequest, token: str) -> Answer | HttpResponse:
    answer = selectors.answer_by_token(token=token)
    if answer is None:
        return _not_found(
            request,
            _(
                "This link does not lead to an answer. Check that you copied the whole link "
                "from the receipt email."
            ),
        )
    return answer


@never_cache
def answer_detail(request: HttpRequest, token: str) -> HttpResponse:
    answer = _answer_or_404(request, token)
    if isinstance(answer, HttpResponse):
        return answer
    texts = {t.question_id: t.text for t in answer.texts.all()}
    return render(
        request,
        "calls/answer_detail.html",
        {
            "answer": answer,
            "call": answer.call,
            "rows": [(q, texts.get(q.pk, "")) for q in answer.call.questions.all()],
            "can_change": answer.can_be_changed(timezone.now()) and answer.call.is_public,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer_change(request: HttpRequest, token: str) -> HttpResponse:
    answer = _answer_or_404(request, token)
    if isinstance(answer, HttpResponse):
        return answer
    call = answer.call
    if not answer.can_be_changed(timezone.now()):
        return render(
            request,
            "calls/answer_closed.html",
            {"answer": answer, "call": call},
            status=409 if request.method == "POST" else 200,
        )
    kwargs: dict[str, Any] = {
        "call": call,
        "questions": list(call.questions.all()),
        "with_email": False,
        "answer": answer,
    }
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            try:
                answering.change_answer(
                    answer=answer,
                    details=form.details(email=answer.email),
                    uploads=form.uploads(),
                    remove_attachments=form.removed(),
                )
            except CallError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Your answer has been changed."))
                return redirect(answer.get_absolute_url())
        status = 400
    else:
        form = AnswerForm(initial=AnswerForm.initial_for(answer), **kwargs)
    return render(
        request,
        "calls/answer_change.html",
        {"answer": answer, "call": call, "form": form},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    answer = _answer_or_404(request, token)
    if isinstance(answer, HttpResponse):
        return answer
    if not answer.can_be_changed(timezone.now()):
        return render(
            request,
            "calls/answer_closed.html",
            {"answer": answer, "call": answer.call},
            status=409 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        try:
            answering.withdraw_answer(answer=answer)
        except CallError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your answer is withdrawn."))
        return redirect(answer.get_absolute_url())
    return render(request, "calls/answer_withdraw.html", {"answer": answer, "call": answer.call})


@never_cache
def answer_attachment(request: HttpRequest, token: str, pk: int) -> HttpResponseBase:
    """The answer's own files, for the holder of its link."""
    answer = selectors.answer_by_token(token=token)
    attachment = next((a for a in answer.attachments.all() if a.pk == pk), None) if answer else None
    if attachment is None:
        raise Http404
    return attachment_response(attachment)
