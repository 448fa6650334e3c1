"""Public event pages, the registration form and the personal link. Each view calls one service."""

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from partners.models import Language, Network

from .forms import DetailsForm, RegistrationForm, ResendLinkForm
from .models import Event, Registration
from .selectors import public as selectors
from .selectors.documents import PUBLIC, audience_of, event_record
from .services import personal_link, registering, waiting_list
from .services.errors import DuplicateRegistration, NotChangeable, RegistrationError
from .services.seats import PublicEvent

SLUG = re.compile(r"[-a-zA-Z0-9_]+")

# States in which the public form is shown.
FORM_STATES = (selectors.STATE_OPEN, selectors.STATE_WAITING_LIST)


def _networks_with(events_filter: dict) -> list[Network]:
    return list(
        Network.objects.filter(
            Exists(Event.objects.filter(network=OuterRef("pk"), **events_filter))
        ).order_by("kind", "name")
    )


def _network_filter(request: HttpRequest) -> tuple[str, Network | None]:
    slug = request.GET.get("network", "")[:50]
    network = Network.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
    return (slug if network else ""), network


def event_list(request: HttpRequest) -> HttpResponse:
    slug, network = _network_filter(request)
    page = Paginator(selectors.upcoming_events(network_slug=slug), 30).get_page(
        request.GET.get("page")
    )
    networks = _networks_with({"status": Event.Status.PUBLISHED, "ends_at__gt": timezone.now()})
    return render(
        request,
        "events/event_list.html",
        {"page": page, "events": page.object_list, "network": network, "networks": networks},
    )


def past_event_list(request: HttpRequest, slug: str = "") -> HttpResponse:
    """The archive ('Tidligere møter'), for all networks or one."""
    if slug:
        network = Network.objects.filter(slug=slug).first()
        if network is None:
            return _not_found(request, _("We could not find that network."))
    else:
        slug, network = _network_filter(request)
    page = Paginator(selectors.past_events(network_slug=slug), 30).get_page(request.GET.get("page"))
    networks = _networks_with({"status": Event.Status.PUBLISHED, "ends_at__lte": timezone.now()})
    return render(
        request,
        "events/past_list.html",
        {"page": page, "events": page.object_list, "network": network, "networks": networks},
    )


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "events/not_found.html", {"message": message}, status=404)


def _default_language(request: HttpRequest) -> str:
    code = getattr(request, "LANGUAGE_CODE", "")
    return code if code in Language.values else Language.BOKMAL


@require_http_methods(["GET", "HEAD", "POST"])
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        # A registration is decided on this process's copy of the event if it is saved (the
        # save checks the copy is current); a refusal is decided again on the row as it is now.
        copy = selectors.cached_public_event(pk=pk)
        if copy is not None and isinstance(answer := _event_page(request, copy), HttpResponse):
            return answer
    public = selectors.public_event(pk=pk)
    if public is None:
        return _not_found(request, _("We could not find that event. It may have been removed."))
    answer = _event_page(request, public)
    if isinstance(answer, HttpResponse):
        return answer
    context, status = answer
    context.update(event_record(public.event, audience=PUBLIC))
    return render(request, "events/event_detail.html", context, status=status)


def _event_page(
    request: HttpRequest, public: PublicEvent
) -> HttpResponse | tuple[dict[str, Any], int]:
    """The redirect to the personal page once registered, else the page's context and status."""
    event, sessions, questions = public.event, public.sessions, public.questions
    state = selectors.registration_state(event)
    form = None
    resend_form = None
    status = 200
    if state in FORM_STATES:
        form_kwargs: dict[str, Any] = {"event": event, "sessions": sessions, "questions": questions}
        if request.method == "POST":
            form = RegistrationForm(request.POST, **form_kwargs)
            if form.is_valid():
                try:
                    registration = registering.register_participant(
                        event=event,
                        details=form.participant_details(),
                        sessions=sessions,
                        questions=questions,
                        revision=event.revision,
                    )
                except DuplicateRegistration as exc:
                    resend_form = ResendLinkForm(initial={"email": form.cleaned_data["email"]})
                    form.add_error("email", exc.message)
                except RegistrationError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    if registration.status == Registration.Status.WAITLISTED:
                        messages.info(request, _("The event is full. You are on the waiting list."))
                    else:
                        messages.success(request, _("Thank you! You are registered."))
                    return redirect(registration.get_absolute_url())
            status = 400
        else:
            form = RegistrationForm(initial={"language": _default_language(request)}, **form_kwargs)
    elif request.method == "POST":
        status = 409
    context = {
        "event": event,
        "state": state,
        "sessions": sessions,
        "form": form,
        "resend_form": resend_form,
    }
    return context, status


@require_POST
def resend_link(request: HttpRequest, pk: int) -> HttpResponse:
    """The same answer whether or not the address is registered."""
    form = ResendLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address."))
        return redirect("events:detail", pk=pk)
    personal_link.resend_personal_link(event_id=pk, email=form.cleaned_data["email"])
    messages.info(
        request,
        _("If this address is registered for the event, we have sent the personal link to it."),
    )
    return redirect("events:detail", pk=pk)


# The personal link ---------------------------------------------------------------------------


def _link_not_found(request: HttpRequest) -> HttpResponse:
    return _not_found(
        request,
        _(
            "This link does not lead to a registration. Check that you copied the whole link "
            "from the email, or ask for a new one on the event page."
        ),
    )


@never_cache
def manage_registration(request: HttpRequest, token: str) -> HttpResponse:
    registration = selectors.registration_by_token(token=token)
    if registration is None:
        return _link_not_found(request)
    event = registration.event
    now = timezone.now()
    return render(
        request,
        "events/manage.html",
        {
            "registration": registration,
            "event": event,
            "position": selectors.waitlist_position(registration),
            # DESIGN rule 2: the meeting link only for confirmed participants.
            "show_meeting_link": registration.status == Registration.Status.CONFIRMED
            and event.status == Event.Status.PUBLISHED,
            "can_change": registration.can_be_changed(now),
            "can_cancel": registration.can_be_cancelled(now),
            "register_again": _can_register_again(registration, now=now),
            "answers": _answers_for_display(registration),
            **event_record(event, audience=audience_of(registration)),
        },
    )


def _can_register_again(registration: Registration, *, now: dt.datetime | None = None) -> bool:
    """A cancelled registration whose event still takes registrations: offer the form again."""
    return registration.status == Registration.Status.CANCELLED and (
        selectors.registration_state(registration.event, now=now) in FORM_STATES
    )


def _answers_for_display(registration: Registration) -> list[tuple[str, str]]:
    by_question = {a.question_id: a.value for a in registration.answers.all()}
    rows = []
    for question in registration.event.questions.all():
        if question.pk not in by_question:
            continue
        value = by_question[question.pk]
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        else:
            shown = str(value)
        rows.append((question.label, shown))
    return rows


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def change_registration(request: HttpRequest, token: str) -> HttpResponse:
    registration = selectors.registration_by_token(token=token)
    if registration is None:
        return _link_not_found(request)
    event = registration.event
    refusal = registration.change_refusal(timezone.now())
    if refusal is not None:
        return _not_changeable(request, registration, refusal)
    form_kwargs: dict[str, Any] = {
        "event": event,
        "sessions": list(event.sessions.all()),
        "questions": list(event.questions.all()),
    }
    status = 200
    if request.method == "POST":
        form = DetailsForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                registering.change_registration(registration_id=registration.pk, **form.details())
            except NotChangeable as exc:
                # Cancelled or closed while the form was open.
                return _not_changeable(request, registration, exc.message)
            except RegistrationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(registration.get_absolute_url())
        status = 400
    else:
        form = DetailsForm(initial=DetailsForm.initial_for(registration), **form_kwargs)
    return render(
        request,
        "events/change.html",
        {"registration": registration, "event": event, "form": form},
        status=status,
    )


def _not_changeable(request: HttpRequest, registration: Registration, reason: Any) -> HttpResponse:
    """The change page once changes are over: why, and what the participant can do instead.
    A form sent after that (from a page left open) is told that nothing was saved, and lands
    on that page."""
    if request.method == "POST":
        messages.error(request, _("Your changes were not saved."))
        return redirect("events:change", token=registration.token)
    event = registration.event
    return render(
        request,
        "events/change_closed.html",
        {
            "registration": registration,
            "event": event,
            "reason": reason,
            "cancelled": registration.status == Registration.Status.CANCELLED,
            "register_again": _can_register_again(registration),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cancel_registration(request: HttpRequest, token: str) -> HttpResponse:
    registration = selectors.registration_by_token(token=token)
    if registration is None:
        return _link_not_found(request)
    if request.method == "POST":
        try:
            registering.cancel_registration(registration_id=registration.pk)
        except RegistrationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your registration is cancelled."))
        return redirect(registration.get_absolute_url())
    if registration.status == Registration.Status.CANCELLED:
        return redirect(registration.get_absolute_url())
    return render(
        request,
        "events/cancel_confirm.html",
        {"registration": registration, "event": registration.event},
    )


@never_cache
@require_POST
def accept_offer(request: HttpRequest, token: str) -> HttpResponse:
    registration = selectors.registration_by_token(token=token)
    if registration is None:
        return _link_not_found(request)
    try:
        waiting_list.accept_offer(registration_id=registration.pk)
    except RegistrationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The seat is yours. Welcome!"))
    return redirect(registration.get_absolute_url())
