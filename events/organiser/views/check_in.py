"""The organiser's check-in page: by ticket code or by searching a name."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from partners.permissions import organiser_required

from ...dates import format_time
from ...models import Registration
from ...selectors.door import signup_sessions
from ...selectors.organiser import attendees, get_organised_event
from ...services import check_in as door
from ...services.check_in import CheckInOutcome, CheckInResult
from ..forms import TicketCodeForm, WalkInForm

# Check-in -------------------------------------------------------------------------------------


def who_is(registration: Registration) -> str:
    """ "Name (organisation)", as the check-in pages name a participant."""
    if registration.organisation_display:
        return "%s (%s)" % (registration.name, registration.organisation_display)
    return registration.name


def _check_in_message(result: CheckInResult) -> tuple[int, str]:
    registration = result.registration
    if result.outcome == CheckInOutcome.UNKNOWN or registration is None:
        return messages.ERROR, _("No ticket with this code for this event. Check the code.")
    who = who_is(registration)
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
                result = door.undo_check_in(event=event, ticket_code=code, by_user=request.user)
            else:
                result = door.check_in(event=event, ticket_code=code, by_user=request.user)
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
            "walk_in_form": WalkInForm(),
            "sessions": signup_sessions(event),
        },
    )
