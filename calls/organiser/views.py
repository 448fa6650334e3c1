"""Organiser pages for the calls themselves: the list, create, edit, publish and unpublish.

Every view is organiser_required and scoped to the calls the user's roles cover (a host role
covers its calls, a network role its network's): anything else is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from partners.permissions import organiser_required

from ..models import Answer, CallInvitation
from ..selectors_organiser import get_organised_call, organised_calls
from ..services import organising
from .forms import CallForm, QuestionFormSet, question_initial, question_values

CALLS_PER_PAGE = 50


def post_only(request: HttpRequest) -> HttpResponse | None:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def apply_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@organiser_required
def call_list(request: HttpRequest) -> HttpResponse:
    active = Q(answers__withdrawn_at__isnull=True)
    calls = organised_calls(request.user).annotate(
        answer_count=Count("answers", filter=active, distinct=True)
    )
    page = Paginator(calls.order_by("-closes_at", "-id"), CALLS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "calls/organiser/call_list.html", {"page": page, "calls": page.object_list}
    )


def _edit(request: HttpRequest, *, call_id: int | None) -> HttpResponse:
    call = get_organised_call(request.user, call_id) if call_id is not None else None
    data = request.POST if request.method == "POST" else None
    form = CallForm(data, user=request.user, instance=call)
    questions = QuestionFormSet(data, initial=question_initial(call), prefix="questions")
    if request.method == "POST" and form.is_valid() and questions.is_valid():
        values = question_values(questions)
        try:
            if call is None:
                call = organising.create_call(
                    by_user=request.user, values=form.cleaned_data, questions=values
                )
                messages.success(request, _("The call was created as a draft."))
            else:
                organising.update_call(
                    call=call, by_user=request.user, values=form.cleaned_data, questions=values
                )
                messages.success(request, _("The call was saved."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("calls_organiser:detail", pk=call.pk)
    return render(
        request,
        "calls/organiser/call_form.html",
        {"form": form, "questions": questions, "call": call},
    )


@organiser_required
def call_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, call_id=None)


@organiser_required
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, call_id=pk)


@organiser_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_organised_call(request.user, pk)
    counts = Answer.objects.filter(call=call).aggregate(
        total=Count("pk", filter=Q(withdrawn_at__isnull=True)),
        received=Count("pk", filter=Q(withdrawn_at__isnull=True, status=Answer.Status.RECEIVED)),
        published=Count("pk", filter=Q(published=True)),
        withdrawn=Count("pk", filter=Q(withdrawn_at__isnull=False)),
    )
    invitations = CallInvitation.objects.filter(call=call).aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(state=CallInvitation.State.ANSWERED)),
        failed=Count("pk", filter=Q(state=CallInvitation.State.FAILED)),
    )
    return render(
        request,
        "calls/organiser/call_detail.html",
        {
            "call": call,
            "questions": list(call.questions.all()),
            "counts": counts,
            "invitations": invitations,
        },
    )


@organiser_required
def call_publish(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_organised_call(request.user, pk)
    if refused := post_only(request):
        return refused
    try:
        organising.publish_call(call=call, by_user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The call is published."))
    return redirect("calls_organiser:detail", pk=call.pk)


@organiser_required
def call_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_organised_call(request.user, pk)
    if refused := post_only(request):
        return refused
    try:
        organising.unpublish_call(call=call, by_user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The call is a draft again and no longer public."))
    return redirect("calls_organiser:detail", pk=call.pk)
