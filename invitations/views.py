"""The invitee's pages behind the personal link: answer, decline, opt out (no login)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from events.forms import RegistrationForm
from events.models import Event, Registration
from events.services.errors import RegistrationError

from .forms import DeclineForm
from .models import Invitation
from .services.answers import (
    answer_state,
    decline_invitation,
    opt_out_of_network,
    register_via_invitation,
)
from .services.errors import InvitationError


def _invitation_or_404(request: HttpRequest, token: str) -> Invitation | HttpResponse:
    invitation = (
        Invitation.objects.select_related(
            "event", "event__network", "person", "organisation", "registration"
        )
        .filter(token=token)
        .first()
    )
    if invitation is None:
        return render(request, "invitations/not_found.html", status=404)
    _use_invitee_language(request, invitation.language)
    return invitation


def _use_invitee_language(request: HttpRequest, language: str) -> None:
    """The invitee's pages open in the language their invitation was written in; a choice made
    with the language switch (its cookie) wins."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES) or language not in dict(settings.LANGUAGES):
        return
    translation.activate(language)
    request.LANGUAGE_CODE = language


def _unavailable_reason(event: Event) -> str:
    if event.status == Event.Status.CANCELLED:
        return _("This event has been cancelled.")
    if event.is_past:
        return _("This event has already taken place.")
    if event.status != Event.Status.PUBLISHED:
        return _("This event is not open for registration.")
    return ""


def answer(request: HttpRequest, token: str) -> HttpResponse:
    found = _invitation_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    invitation = answer_state(found)
    event = invitation.event
    unavailable = _unavailable_reason(event)
    registration = invitation.registration
    registered = registration is not None and registration.status in Registration.ACTIVE_STATUSES
    initial = {
        "name": invitation.name,
        "email": invitation.email,
        "organisation": invitation.organisation,
        "language": invitation.language,
        "title": invitation.person.title if invitation.person else "",
        "phone": invitation.person.phone if invitation.person else "",
    }
    form = RegistrationForm(
        request.POST or None,
        initial=initial,
        event=event,
        sessions=list(event.sessions.all()),
        questions=list(event.questions.all()),
    )
    # The registration is tied to the invited address: a forwarded link cannot register another.
    form.fields["email"].disabled = True
    form.fields["email"].help_text = _(
        "The invitation is for this address; it cannot be changed here."
    )
    if request.method == "POST" and not unavailable and not registered and form.is_valid():
        try:
            registration = register_via_invitation(
                invitation=invitation, details=form.participant_details()
            )
        except RegistrationError as error:
            form.add_error(None, error.message)
        else:
            return redirect(registration.get_absolute_url())
    return render(
        request,
        "invitations/answer.html",
        {
            "invitation": invitation,
            "event": event,
            "form": form,
            "unavailable": unavailable,
            "registered": registered,
            "registration": registration,
        },
    )


def decline(request: HttpRequest, token: str) -> HttpResponse:
    found = _invitation_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    invitation = answer_state(found)
    unavailable = _unavailable_reason(invitation.event)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not unavailable and form.is_valid():
        try:
            decline_invitation(invitation=invitation, reason=form.cleaned_data["reason"])
        except InvitationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you for letting us know. You have declined."))
            return redirect(reverse("invitations:answer", kwargs={"token": invitation.token}))
    return render(
        request,
        "invitations/decline.html",
        {
            "invitation": invitation,
            "event": invitation.event,
            "form": form,
            "unavailable": unavailable,
        },
    )


def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    found = _invitation_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    invitation = found
    network = invitation.event.network
    done = False
    if request.method == "POST" and network is not None:
        opt_out_of_network(invitation=invitation)
        done = True
    return render(
        request,
        "invitations/opt_out.html",
        {"invitation": invitation, "network": network, "done": done},
    )
