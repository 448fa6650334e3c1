"""The organiser at the door: registering and checking in someone who was not registered
(walk-ins), and check-in per agenda session with its own sign-up."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from partners.permissions import organiser_required

from ...dates import format_time
from ...models import Event
from ...participants import ParticipantDetails
from ...selectors.door import get_signup_session, session_participants
from ...selectors.organiser import get_organised_event
from ...services import check_in as door
from ...services.check_in import CheckInOutcome, CheckInResult, WalkInOutcome, WalkInResult
from ..forms import TicketCodeForm, WalkInForm
from .check_in import who_is

# Walk-ins -------------------------------------------------------------------------------------


def _walk_in_message(result: WalkInResult) -> tuple[int, str]:
    registration = result.registration
    assert registration is not None
    who = who_is(registration)
    if result.outcome == WalkInOutcome.WAITLISTED:
        return messages.WARNING, _(
            "%(who)s is on the waiting list and not checked in. The receipt is on its way by email."
        ) % {"who": who}
    text = _("Registered and checked in: %(who)s. The receipt is on its way by email.") % {
        "who": who
    }
    if result.outcome == WalkInOutcome.EXTRA_SEAT:
        capacity = Event.objects.values_list("capacity", flat=True).get(pk=registration.event_id)
        assert capacity is not None
        text += " " + _(
            "The event was full, so its capacity was raised from %(before)d to %(after)d."
        ) % {"before": capacity - 1, "after": capacity}
    return messages.SUCCESS, text


@organiser_required
def walk_in(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form; POST: register and check in, or say the event is full and offer the
    waiting list and an extra seat."""
    event = get_organised_event(request.user, pk)
    form = WalkInForm(request.POST or None)
    status, full = 200, False
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            details = ParticipantDetails(
                name=data["name"],
                email=data["email"],
                organisation_name=data["organisation_name"],
                title=data["title"],
                language=data["language"],
            )
            result = door.register_walk_in(
                event=event, details=details, by_user=request.user, when_full=data["when_full"]
            )
            if result.outcome == WalkInOutcome.FULL:
                status, full = 409, True
                event.refresh_from_db(fields=["capacity", "seats_taken"])
            elif result.error is not None:
                form.add_error(
                    result.error.field if result.error.field in form.fields else None,
                    str(result.error.message),
                )
            else:
                level, text = _walk_in_message(result)
                messages.add_message(request, level, text)
                target = reverse("events_organiser:check_in", kwargs={"pk": event.pk})
                assert result.registration is not None
                if result.registration.checked_in_at is not None:
                    target += "?last=" + result.registration.ticket_code
                return redirect(target)
    return render(
        request,
        "events/organiser/walk_in.html",
        {
            "event": event,
            "walk_in_form": form,
            "full": full,
            "waiting_list": event.waiting_list_mode != Event.WaitingListMode.NONE,
            "capacity_after": (event.capacity or 0) + 1,
        },
        status=status,
    )


# Per session ----------------------------------------------------------------------------------


def _session_message(result: CheckInResult) -> tuple[int, str]:
    registration = result.registration
    if result.outcome == CheckInOutcome.UNKNOWN or registration is None:
        return messages.ERROR, _("No ticket with this code for this event. Check the code.")
    who = who_is(registration)
    if result.outcome == CheckInOutcome.CHECKED_IN:
        return messages.SUCCESS, _("Checked in to the session: %(who)s.") % {"who": who}
    if result.outcome == CheckInOutcome.ALREADY_CHECKED_IN:
        assert result.checked_in_at is not None
        return messages.WARNING, _("%(who)s was already checked in to the session at %(time)s.") % {
            "who": who,
            "time": format_time(result.checked_in_at),
        }
    if result.outcome == CheckInOutcome.UNDONE:
        return messages.SUCCESS, _("Session check-in undone: %(who)s.") % {"who": who}
    if result.outcome == CheckInOutcome.NOT_CHECKED_IN:
        return messages.WARNING, _("%(who)s is not checked in to the session.") % {"who": who}
    if result.outcome == CheckInOutcome.NOT_IN_SESSION:
        return messages.ERROR, _("%(who)s did not sign up for this session.") % {"who": who}
    return messages.ERROR, _("Not checked in: %(who)s is %(status)s, not confirmed.") % {
        "who": who,
        "status": registration.get_status_display().lower(),
    }


@organiser_required
def session_check_in(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    session = get_signup_session(event, session_id)
    if session is None:
        raise Http404
    form = TicketCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["ticket_code"]
        if request.POST.get("action") == "undo":
            result = door.undo_session_check_in(
                session=session, ticket_code=code, by_user=request.user
            )
        else:
            result = door.check_in_to_session(
                session=session, ticket_code=code, by_user=request.user
            )
        level, text = _session_message(result)
        messages.add_message(request, level, text)
        return redirect("events_organiser:session_check_in", pk=event.pk, session_id=session.pk)
    return render(
        request,
        "events/organiser/session_check_in.html",
        {
            "event": event,
            "session": session,
            "form": form,
            "people": session_participants(session),
        },
        status=400 if request.method == "POST" else 200,
    )
