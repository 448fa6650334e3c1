"""The organiser area for events (/arrangor/arrangementer/). Every view is organiser_required and
scoped to the events the user's roles cover: anything else is a 404."""

from collections.abc import Callable
from typing import Any, TypedDict
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from partners.permissions import organiser_required
from partners.selectors import organised_networks
from worker.models import OutgoingMessage
from worker.selectors import message_source, messages_for, state_counts
from worker.services import MessageNotResendable, resend_message

from . import exports
from .dates import format_time
from .forms_organiser import (
    ATTENDEE_STATUS_CHOICES,
    CancelEventForm,
    EventForm,
    QuestionForm,
    SessionForm,
    TicketCodeForm,
)
from .models import Event, Question, Registration, Session
from .selectors_organiser import (
    ATTENDEE_SORTS,
    DEFAULT_SORT,
    EventFilter,
    attendee_counts,
    attendees,
    filter_events,
    get_organised_event,
    organised_events,
    special_needs,
    with_registration_counts,
)
from .services import check_in, organising
from .services.check_in import CheckInOutcome, CheckInResult
from .services.errors import RegistrationError
from .services.waiting_list import promote_from_waiting_list

ATTENDEES_PER_PAGE = 50
EVENTS_PER_PAGE = 50


def _post_only(request: HttpRequest) -> HttpResponse | None:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _apply_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _submitted(
    request: HttpRequest,
    form: Form,
    save: Callable[[dict[str, Any]], object],
    message: str,
    url_name: str,
    **url_kwargs: Any,
) -> HttpResponse | None:
    """A POSTed valid form handed to its service: on success the message and the redirect;
    the service's ValidationError goes onto the form and None is returned (render it)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        _apply_errors(form, error)
        return None
    messages.success(request, message)
    return redirect(url_name, **url_kwargs)


def _error_messages(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


# Events ---------------------------------------------------------------------------------------


@organiser_required
def event_list(request: HttpRequest) -> HttpResponse:
    when_choices = [
        (EventFilter.UPCOMING, _("Upcoming")),
        (EventFilter.PAST, _("Past")),
        (EventFilter.DRAFT, _("Drafts")),
        (EventFilter.CANCELLED, pgettext_lazy("event status", "Cancelled")),
        (EventFilter.ALL, _("All")),
    ]
    when = request.GET.get("when", EventFilter.UPCOMING)
    if when not in dict(when_choices):
        when = EventFilter.UPCOMING
    networks = list(organised_networks(request.user).order_by("kind", "name"))
    network_id: int | None = None
    raw_network = request.GET.get("network", "")
    if raw_network.isdigit() and any(n.pk == int(raw_network) for n in networks):
        network_id = int(raw_network)
    events = with_registration_counts(
        filter_events(organised_events(request.user), when=when, network_id=network_id)
    )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = {"when": when, **({"network": network_id} if network_id else {})}
    return render(
        request,
        "events/organiser/event_list.html",
        {
            "page": page,
            "events": page.object_list,
            "when": when,
            "when_choices": when_choices,
            "networks": networks,
            "network_id": network_id,
            "query": urlencode(query),
        },
    )


@organiser_required
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = organising.create_event(by_user=request.user, values=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The event was created as a draft."))
            return redirect("events_organiser:detail", pk=event.pk)
    return render(request, "events/organiser/event_form.html", {"form": form, "event": None})


@organiser_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    sessions = list(event.sessions.annotate(signups=Count("choices")).order_by("starts_at", "id"))
    return render(
        request,
        "events/organiser/event_detail.html",
        {
            "event": event,
            "counts": attendee_counts(event),
            "sessions": sessions,
            "question_count": event.questions.count(),
        },
    )


@organiser_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    if event.status == Event.Status.CANCELLED:
        messages.error(request, _("A cancelled event cannot be changed."))
        return redirect("events_organiser:detail", pk=event.pk)
    form = EventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            changes = organising.change_event(
                event=event, by_user=request.user, values=form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The event was saved."))
            if changes and event.status == Event.Status.PUBLISHED:
                messages.info(
                    request,
                    _("Confirmed participants get an updated calendar invitation."),
                )
            return redirect("events_organiser:detail", pk=event.pk)
    return render(request, "events/organiser/event_form.html", {"form": form, "event": event})


@organiser_required
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    if refused := _post_only(request):
        return refused
    try:
        organising.publish_event(event=event, by_user=request.user)
    except ValidationError as error:
        messages.error(request, _error_messages(error))
    else:
        messages.success(request, _("The event is published."))
    return redirect("events_organiser:detail", pk=event.pk)


@organiser_required
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    if event.status == Event.Status.CANCELLED:
        messages.error(request, _("This event is already cancelled."))
        return redirect("events_organiser:detail", pk=event.pk)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organising.cancel_event(
                event=event, by_user=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The event is cancelled and the participants are told."))
            return redirect("events_organiser:detail", pk=event.pk)
    counts = attendee_counts(event)
    return render(
        request,
        "events/organiser/event_cancel.html",
        {"event": event, "form": form, "counts": counts},
    )


# Agenda sessions ------------------------------------------------------------------------------


@organiser_required
def session_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    form = SessionForm(request.POST or None)
    if done := _submitted(
        request,
        form,
        lambda values: organising.add_session(event=event, values=values),
        _("The session was added."),
        "events_organiser:sessions",
        pk=event.pk,
    ):
        return done
    sessions = event.sessions.annotate(signups=Count("choices")).order_by("starts_at", "id")
    return render(
        request,
        "events/organiser/session_list.html",
        {"event": event, "sessions": sessions, "form": form},
    )


@organiser_required
def session_edit(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    session = get_object_or_404(Session, pk=session_id, event=event)
    form = SessionForm(request.POST or None, instance=session)
    if done := _submitted(
        request,
        form,
        lambda values: organising.update_session(session=session, values=values),
        _("The session was saved."),
        "events_organiser:sessions",
        pk=event.pk,
    ):
        return done
    return render(
        request,
        "events/organiser/session_form.html",
        {"event": event, "session": session, "form": form},
    )


@organiser_required
def session_delete(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    session = get_object_or_404(Session, pk=session_id, event=event)
    if request.method == "POST":
        organising.delete_session(session=session)
        messages.success(request, _("The session was deleted."))
        return redirect("events_organiser:sessions", pk=event.pk)
    return render(
        request,
        "events/organiser/confirm_delete.html",
        {
            "event": event,
            "object": session,
            "consequence": _("%(count)s participants have signed up for this session.")
            % {"count": session.choices.count()},
            "back": reverse("events_organiser:sessions", kwargs={"pk": event.pk}),
        },
    )


# Questions ------------------------------------------------------------------------------------


@organiser_required
def question_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    form = QuestionForm(request.POST or None)
    if done := _submitted(
        request,
        form,
        lambda values: organising.add_question(event=event, values=values),
        _("The question was added."),
        "events_organiser:questions",
        pk=event.pk,
    ):
        return done
    questions = list(
        event.questions.annotate(answer_count=Count("answers")).order_by("position", "id")
    )
    return render(
        request,
        "events/organiser/question_list.html",
        {"event": event, "questions": questions, "form": form},
    )


@organiser_required
def question_edit(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    question = get_object_or_404(Question, pk=question_id, event=event)
    form = QuestionForm(request.POST or None, instance=question)
    if done := _submitted(
        request,
        form,
        lambda values: organising.update_question(question=question, values=values),
        _("The question was saved."),
        "events_organiser:questions",
        pk=event.pk,
    ):
        return done
    return render(
        request,
        "events/organiser/question_form.html",
        {"event": event, "question": question, "form": form},
    )


@organiser_required
def question_delete(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    question = get_object_or_404(Question, pk=question_id, event=event)
    if request.method == "POST":
        organising.delete_question(question=question)
        messages.success(request, _("The question was deleted."))
        return redirect("events_organiser:questions", pk=event.pk)
    return render(
        request,
        "events/organiser/confirm_delete.html",
        {
            "event": event,
            "object": question,
            "consequence": _("%(count)s answers to this question will be deleted too.")
            % {"count": question.answers.count()},
            "back": reverse("events_organiser:questions", kwargs={"pk": event.pk}),
        },
    )


@organiser_required
def question_move(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    question = get_object_or_404(Question, pk=question_id, event=event)
    if refused := _post_only(request):
        return refused
    organising.move_question(
        question=question, direction="up" if request.POST.get("direction") == "up" else "down"
    )
    return redirect(reverse("events_organiser:questions", kwargs={"pk": event.pk}) + "#questions")


# Attendees ------------------------------------------------------------------------------------


class AttendeeFilters(TypedDict):
    search: str
    status: str
    sort: str


def _attendee_filters(request: HttpRequest) -> AttendeeFilters:
    status = request.GET.get("status", "")
    if status not in dict(ATTENDEE_STATUS_CHOICES):
        status = ""
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort not in ATTENDEE_SORTS:
        sort = DEFAULT_SORT
    return AttendeeFilters(search=request.GET.get("q", "").strip()[:200], status=status, sort=sort)


def _filter_query(filters: AttendeeFilters, **overrides: str) -> str:
    values: dict[str, str] = {
        "q": filters["search"],
        "status": filters["status"],
        "sort": filters["sort"],
    }
    values.update(overrides)
    return urlencode({k: v for k, v in values.items() if v})


@organiser_required
def attendee_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    filters = _attendee_filters(request)
    registrations = attendees(event, **filters)
    page = Paginator(registrations, ATTENDEES_PER_PAGE).get_page(request.GET.get("page"))
    columns = [
        ("name", _("Name")),
        ("organisation", _("Organisation")),
        ("registered", _("Registered")),
        ("status", _("Status")),
    ]
    sort_links = []
    for key, label in columns:
        current = filters["sort"].lstrip("-") == key
        descending = filters["sort"].startswith("-")
        next_sort = "-" + key if current and not descending else key
        sort_links.append(
            {
                "label": label,
                "query": _filter_query(filters, sort=next_sort),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return render(
        request,
        "events/organiser/attendee_list.html",
        {
            "event": event,
            "page": page,
            "registrations": page.object_list,
            "counts": attendee_counts(event),
            "filters": filters,
            "status_choices": ATTENDEE_STATUS_CHOICES,
            "sort_links": sort_links,
            "filter_query": _filter_query(filters),
            "can_promote": event.status == Event.Status.PUBLISHED,
        },
    )


@organiser_required
def attendee_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    header, rows = exports.attendee_table(
        event, attendees(event, **_attendee_filters(request), with_details=True)
    )
    return exports.csv_response(
        header=header, rows=rows, filename=exports.export_filename(event, _("attendees"), "csv")
    )


@organiser_required
def attendee_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    header, rows = exports.attendee_table(
        event, attendees(event, **_attendee_filters(request), with_details=True)
    )
    return exports.xlsx_response(
        header=header,
        rows=rows,
        filename=exports.export_filename(event, _("attendees"), "xlsx"),
        sheet_title=_("Attendees"),
    )


@organiser_required
def attendee_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The door list: confirmed participants by name, with a box to tick."""
    event = get_organised_event(request.user, pk)
    sort = request.GET.get("sort", "name")
    if sort not in ("name", "organisation"):
        sort = "name"
    registrations = attendees(event, status=Registration.Status.CONFIRMED, sort=sort)
    return render(
        request,
        "events/organiser/attendee_print.html",
        {"event": event, "registrations": registrations, "printed_at": timezone.now()},
    )


@organiser_required
def attendee_promote(request: HttpRequest, pk: int, registration_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    registration = get_object_or_404(Registration, pk=registration_id, event=event)
    if refused := _post_only(request):
        return refused
    # The service decides (Registration.can_be_promoted), with the message to show.
    try:
        promote_from_waiting_list(registration_id=registration.pk)
    except RegistrationError as error:
        messages.error(request, str(error.message))
    else:
        registration.refresh_from_db()
        messages.success(
            request,
            _("%(name)s: %(status)s.")
            % {"name": registration.name, "status": registration.get_status_display()},
        )
    back = request.POST.get("next", "")
    if not back.startswith(reverse("events_organiser:attendees", kwargs={"pk": event.pk})):
        back = reverse("events_organiser:attendees", kwargs={"pk": event.pk})
    return redirect(back)


# Catering and assistance ----------------------------------------------------------------------


@organiser_required
def special_needs_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    registrations = special_needs(event)
    return render(
        request,
        "events/organiser/special_needs.html",
        {"event": event, "registrations": registrations},
    )


@organiser_required
def special_needs_csv(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    header, rows = exports.special_needs_table(special_needs(event))
    return exports.csv_response(
        header=header,
        rows=rows,
        filename=exports.export_filename(event, _("catering and assistance"), "csv"),
    )


# Check-in -------------------------------------------------------------------------------------


def _check_in_message(result: CheckInResult) -> tuple[int, str]:
    registration = result.registration
    if result.outcome == CheckInOutcome.UNKNOWN or registration is None:
        return messages.ERROR, _("No ticket with this code for this event. Check the code.")
    who = registration.name
    if registration.organisation_display:
        who = "%s (%s)" % (registration.name, registration.organisation_display)
    if result.outcome == CheckInOutcome.CHECKED_IN:
        return messages.SUCCESS, _("Checked in: %(who)s.") % {"who": who}
    if result.outcome == CheckInOutcome.ALREADY_CHECKED_IN:
        assert registration.checked_in_at is not None
        return messages.WARNING, _("%(who)s was already checked in at %(time)s.") % {
            "who": who,
            "time": format_time(registration.checked_in_at),
        }
    if result.outcome == CheckInOutcome.UNDONE:
        return messages.SUCCESS, _("Check-in undone: %(who)s.") % {"who": who}
    if result.outcome == CheckInOutcome.NOT_CHECKED_IN:
        return messages.WARNING, _("%(who)s is not checked in.") % {"who": who}
    # NOT_CONFIRMED
    return messages.ERROR, _("Not checked in: %(who)s is %(status)s, not confirmed.") % {
        "who": who,
        "status": registration.get_status_display().lower(),
    }


@organiser_required
def check_in_page(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    search = request.GET.get("q", "").strip()[:200]
    form = TicketCodeForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "check_in")
        if form.is_valid():
            code = form.cleaned_data["ticket_code"]
            if action == "undo":
                result = check_in.undo_check_in(event=event, ticket_code=code, by_user=request.user)
            else:
                result = check_in.check_in(event=event, ticket_code=code, by_user=request.user)
            level, text = _check_in_message(result)
            messages.add_message(request, level, text)
            query: dict[str, str] = {}
            back_search = request.POST.get("q", "").strip()[:200]
            if back_search:
                query["q"] = back_search
            if result.registration is not None and result.outcome in (
                CheckInOutcome.CHECKED_IN,
                CheckInOutcome.ALREADY_CHECKED_IN,
            ):
                query["last"] = result.registration.ticket_code
            target = reverse("events_organiser:check_in", kwargs={"pk": event.pk})
            return redirect(target + ("?" + urlencode(query) if query else ""))
    matches: list[Registration] = []
    if search:
        matches = list(
            attendees(event, search=search, sort="name").exclude(
                status=Registration.Status.CANCELLED
            )[:25]
        )
    last = None
    if request.GET.get("last"):
        last = (
            Registration.objects.select_related("organisation")
            .filter(event=event, ticket_code=request.GET["last"][:32], checked_in_at__isnull=False)
            .first()
        )
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("id", filter=Q(status=Registration.Status.CONFIRMED)),
        checked_in=Count(
            "id",
            filter=Q(status=Registration.Status.CONFIRMED, checked_in_at__isnull=False),
        ),
    )
    return render(
        request,
        "events/organiser/check_in.html",
        {
            "event": event,
            "form": form,
            "search": search,
            "matches": matches,
            "last": last,
            "counts": counts,
            "not_checked_in": counts["confirmed"] - counts["checked_in"],
        },
    )


# Messages (the outbox rows of one event) -------------------------------------------------------


@organiser_required
def message_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    rows = messages_for(event_ref=event.pk)
    state = request.GET.get("state", "")
    if state in OutgoingMessage.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "events/organiser/message_list.html",
        {
            "event": event,
            "page": page,
            "counts": state_counts(messages_for(event_ref=event.pk)),
            "states": OutgoingMessage.State.choices,
            "state": state,
        },
    )


def _organised_message(request: HttpRequest, message_id: int) -> tuple[Event, OutgoingMessage]:
    row = get_object_or_404(OutgoingMessage.objects.select_related("resend_of"), pk=message_id)
    if row.event_ref is None:
        raise Http404
    return get_organised_event(request.user, row.event_ref), row


@organiser_required
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    event, row = _organised_message(request, message_id)
    return render(
        request,
        "events/organiser/message_detail.html",
        {"event": event, "row": row, "source": message_source(row)},
    )


@organiser_required
def message_resend(request: HttpRequest, message_id: int) -> HttpResponse:
    event, row = _organised_message(request, message_id)
    if refused := _post_only(request):
        return refused
    try:
        copy = resend_message(message_id=row.pk)
    except MessageNotResendable as not_resendable:
        messages.error(
            request,
            not_resendable.reason
            or _(
                "This message is still being delivered; it can be sent again once it is sent or has failed."
            ),
        )
        return redirect("events_organiser:message", message_id=row.pk)
    messages.success(request, _("The message is queued again."))
    return redirect("events_organiser:message", message_id=copy.pk)
