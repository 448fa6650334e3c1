"""The invitee's answers through their personal link: register, decline, opt out.

Registering through an invitation calls the events registration service (events never imports
invitations). That service and `cancel_registration` are durable transactions of their own, so
the invitation is updated in a second, short transaction right after. An invitation can also be
left pending although its address holds an active registration (registered through the public
form, or a crash in between): `answer_state` shows it as registered without writing (pages
call it on GET), and `reconcile_invitations` (beat) or the next answer records it.
"""

from dataclasses import replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.expressions import Combinable
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, Registration, email_key
from events.participants import ParticipantDetails
from events.services import errors, registering

from ..models import Invitation, NetworkOptOut
from .errors import InvitationError


def _active_registrations(*, event_id: Any, email_ci: str | Combinable) -> QuerySet[Registration]:
    """Active registrations of an event for an address (any case): the registration a pending
    invitation is answered by. Values, or OuterRef expressions for a set-based update."""
    return (
        Registration.objects.filter(event_id=event_id, status__in=Registration.ACTIVE_STATUSES)
        .alias(email_ci=Lower("email"))
        .filter(email_ci=email_ci)
    )


def _answered_elsewhere(invitation: Invitation) -> Registration | None:
    if invitation.state not in Invitation.OPEN_STATES:
        return None
    return _active_registrations(
        event_id=invitation.event_id, email_ci=email_key(invitation.email)
    ).first()


def answer_state(invitation: Invitation) -> Invitation:
    """The invitation as its holder should see it: a pending one whose address holds an active
    registration reads as registered. Reads only (GET pages call it); nothing is saved."""
    registration = _answered_elsewhere(invitation)
    if registration is not None:
        invitation.state = Invitation.State.REGISTERED
        invitation.registration = registration
    return invitation


@transaction.atomic(durable=True)
def reconcile_invitations() -> int:
    """Beat: record as registered every pending invitation whose address holds an active
    registration for its event; returns how many."""
    found = _active_registrations(
        event_id=OuterRef("event_id"), email_ci=Lower(OuterRef("email"))
    ).order_by("pk")
    return Invitation.objects.filter(Exists(found), state__in=Invitation.OPEN_STATES).update(
        state=Invitation.State.REGISTERED,
        registration_id=Subquery(found.values("pk")[:1]),
        decline_reason="",
        answered_at=timezone.now(),
        channel=Invitation.Channel.WEB,  # the public form (or the API) it was answered by
    )


def _reconcile(invitation: Invitation) -> None:
    registration = _answered_elsewhere(invitation)
    if registration is not None:
        with transaction.atomic(durable=True):
            _mark(
                invitation,
                state=Invitation.State.REGISTERED,
                registration=registration,
                channel=Invitation.Channel.WEB,
            )


def _mark(
    invitation: Invitation,
    *,
    state: str,
    registration: Registration | None = None,
    reason: str = "",
    channel: str = "",
) -> None:
    invitation.state = state
    invitation.registration = registration or invitation.registration
    invitation.decline_reason = reason
    invitation.answered_at = timezone.now()
    invitation.channel = channel or invitation.channel
    Invitation.objects.filter(pk=invitation.pk).update(
        state=invitation.state,
        registration=invitation.registration,
        decline_reason=reason,
        answered_at=invitation.answered_at,
        channel=invitation.channel,
    )


@transaction.atomic(durable=True)
def record_open_answer(*, invitation: Invitation, state: str, channel: str) -> bool:
    """An answer that is not final: accepted in a calendar with the registration still to
    finish, or tentative. Reminders go on (Invitation.OPEN_STATES). A registration that holds
    is not undone by it; returns whether the invitation changed."""
    if state not in (Invitation.State.ACCEPTED, Invitation.State.TENTATIVE):
        raise ValueError(state)
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    registration_id = current.registration_id
    if (
        registration_id is not None
        and Registration.objects.filter(
            pk=registration_id, status__in=Registration.ACTIVE_STATUSES
        ).exists()
    ):
        return False
    if current.state == state and current.channel == channel:
        return False
    _mark(invitation, state=state, channel=channel)
    return True


def register_via_invitation(
    *,
    invitation: Invitation,
    details: ParticipantDetails,
    channel: str = Invitation.Channel.WEB,
) -> Registration:
    """Register the invited address (never another) for the event, bypassing invitation-only.

    ``details`` as the registration form gives them (RegistrationForm.participant_details); the
    invitation's address replaces the one given, and its language stands in if none is given.
    ``channel``: how the answer came (the personal link, a calendar, an organiser). Raises the
    events service's RegistrationError with a message to show.
    """
    active = invitation.registration
    if active is not None and active.status in Registration.ACTIVE_STATUSES:
        return active
    details = replace(
        details, email=invitation.email, language=details.language or invitation.language
    )
    try:
        registration = registering.register_participant(
            event=invitation.event,
            details=details,
            person=invitation.person,
            invitation_allowed=True,
        )
    except errors.DuplicateRegistration:
        # Registered already (e.g. through the public form): the invitation is answered.
        _reconcile(invitation)
        if invitation.registration is not None:
            return invitation.registration
        raise
    with transaction.atomic(durable=True):
        _mark(
            invitation,
            state=Invitation.State.REGISTERED,
            registration=registration,
            channel=channel,
        )
    return registration


def decline_invitation(
    *, invitation: Invitation, reason: str = "", channel: str = Invitation.Channel.WEB
) -> Invitation:
    """Decline; someone who had registered through the invitation is cancelled first."""
    event = invitation.event
    if event.status == Event.Status.CANCELLED or event.is_past:
        raise InvitationError(_("This event is cancelled or over."))
    registration = invitation.registration
    if registration is not None and registration.status in Registration.ACTIVE_STATUSES:
        registering.cancel_registration(registration_id=registration.pk)
    with transaction.atomic(durable=True):
        _mark(
            invitation,
            state=Invitation.State.DECLINED,
            reason=reason.strip()[:2000],
            channel=channel,
        )
    return invitation


@transaction.atomic(durable=True)
def opt_out_of_network(*, invitation: Invitation) -> NetworkOptOut:
    """Stop invitations from the invitation's network to its address. Idempotent."""
    network_id = invitation.event.network_id
    if network_id is None:
        raise InvitationError(_("This invitation does not come from a network."))
    return record_opt_out(
        network_id=network_id, email=invitation.email, person_id=invitation.person_id
    )


def record_opt_out(*, network_id: int, email: str, person_id: int | None = None) -> NetworkOptOut:
    """The opt-out of an address from a network, in the caller's transaction; the one already
    recorded if there is one (any case). Also for a call's invitee (calls/services/invitations.py)."""
    existing = (
        NetworkOptOut.objects.filter(network_id=network_id)
        .annotate(email_ci=Lower("email"))
        .filter(email_ci=email_key(email))
        .first()
    )
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return NetworkOptOut.objects.create(
                network_id=network_id, person_id=person_id, email=email
            )
    except IntegrityError:
        return NetworkOptOut.objects.get(network_id=network_id, email__iexact=email)


@transaction.atomic(durable=True)
def undo_opt_out(*, token: str) -> None:
    NetworkOptOut.objects.filter(token=token).delete()
