"""What organisers do with what the mailbox brought back: mark a reply handled, and correct or
clear an address that bounced.

The views scope first (the reply or the address must belong to the organiser's events) and
then call one of these; a refused request raises InvitationError and changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, email_key
from partners.models import Person
from worker.bounces import clear_undeliverable

from ..models import InboundReply, Invitation
from .errors import InvitationError


def mark_reply_handled(*, reply: InboundReply, by: User) -> bool:
    """Mark the reply handled by `by`, now. Returns False if it already was (the first
    organiser's name and time stay)."""
    return bool(
        InboundReply.objects.filter(pk=reply.pk, handled_at__isnull=True).update(
            handled_at=timezone.now(), handled_by=by
        )
    )


def address_works_again(*, email: str) -> bool:
    """The organiser says mail reaches the address again: the worker may send to it."""
    return clear_undeliverable(email)


def invitations_to_correct(*, email: str, events: QuerySet[Event]) -> QuerySet[Invitation]:
    """The invitations a correction of `email` changes: still open, to events (of `events`)
    that have not ended."""
    return (
        Invitation.objects.annotate(email_ci=Lower("email"))
        .filter(
            email_ci=email_key(email),
            state__in=Invitation.OPEN_STATES,
            event__in=events,
            event__ends_at__gt=timezone.now(),
        )
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )


@dataclass(frozen=True)
class Correction:
    person: Person | None  # the person whose address changed, if one had the old address
    invitations: int  # open invitations moved to the new address
    cleared: bool  # the old address's undeliverable mark was removed


def _clean_new_address(old: str, new: str) -> str:
    new = new.strip()
    try:
        validate_email(new)
    except ValidationError as error:
        raise InvitationError(_("Enter a valid email address."), field="email") from error
    if email_key(new) == email_key(old):
        raise InvitationError(
            _(
                "The new address is the same as the old one. To send to it again, say that the "
                "old address works again."
            ),
            field="email",
        )
    return new


@transaction.atomic(durable=True)
def correct_address(
    *, old_email: str, new_email: str, events: QuerySet[Event], old_works_again: bool = False
) -> Correction:
    """Give a bounced address its correction: the one person with the old address gets the new
    one, and so do the open invitations to events of `events` that have not ended. The old
    address stays marked undeliverable unless `old_works_again`. All or nothing."""
    new_email = _clean_new_address(old_email, new_email)
    person = Person.objects.select_for_update().filter(email__iexact=email_key(old_email)).first()
    if (
        person is not None
        and Person.objects.filter(email__iexact=new_email).exclude(pk=person.pk).exists()
    ):
        raise InvitationError(
            _("Another person is already registered with %(email)s.") % {"email": new_email},
            field="email",
        )
    invitations = list(
        invitations_to_correct(email=old_email, events=events).select_for_update(of=("self",))
    )
    taken = (
        Invitation.objects.annotate(email_ci=Lower("email"))
        .filter(email_ci=email_key(new_email), event__in=[i.event_id for i in invitations])
        .select_related("event")
        .first()
    )
    if taken is not None:
        raise InvitationError(
            _("Another invitation to %(event)s already has the address %(email)s.")
            % {"event": taken.event.title, "email": new_email},
            field="email",
        )
    try:
        with transaction.atomic():
            if person is not None:
                person.email = new_email
                person.save(update_fields=["email"])
            Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(email=new_email)
    except IntegrityError as error:  # someone took the address meanwhile
        raise InvitationError(
            _("The address %(email)s was taken meanwhile. Nothing was changed.")
            % {"email": new_email},
            field="email",
        ) from error
    cleared = clear_undeliverable(old_email) if old_works_again else False
    return Correction(person=person, invitations=len(invitations), cleared=cleared)
