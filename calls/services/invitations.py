"""Inviting answers to a call: a send-out to networks, organisations or a pasted list of
addresses, and the reminder before the deadline to invitees who have not answered.

Each invitee gets a CallInvitation (a personal link) and one email in their language, queued
in the outbox in the same transaction. An address is invited once per call; people who opted
out of the call's network, or of a network the send-out names, are left out (the opt-outs are
invitations' NetworkOptOut, read through invitations.selectors.opted_out_emails only).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from invitations.selectors import opted_out_emails
from partners.models import Language, Network, Person, PersonMembership
from partners.selectors import organised_networks
from worker.services import queue_messages

from ..invitation_emails import invitation_message, reminder_message
from ..models import Answer, Call, CallInvitation

MAX_PASTED = 2000


@dataclass
class InviteResult:
    invited: list[CallInvitation] = field(default_factory=list)
    already_invited: int = 0
    opted_out: int = 0


@dataclass(frozen=True)
class _Invitee:
    email: str
    name: str
    language: str
    person: Person | None


def parse_addresses(text: str) -> list[tuple[str, str]]:
    """(name, email) per line: "Name <address>", "address" or "address;name". A line that is not
    an address is refused with its number, so nothing is sent from a list with a typo."""
    found: list[tuple[str, str]] = []
    bad: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip().strip(",")
        if not line:
            continue
        name, address = "", line
        if line.endswith(">") and "<" in line:
            name, address = line[:-1].rsplit("<", 1)
        elif ";" in line:
            address, name = line.split(";", 1)
        address, name = address.strip(), name.strip().strip('"')
        try:
            validate_email(address)
        except ValidationError:
            bad.append(str(number))
            continue
        found.append((name[:200], address))
    if bad:
        raise ValidationError(
            {
                "addresses": [
                    _("These lines are not email addresses: %(lines)s. Nothing was sent.")
                    % {"lines": ", ".join(bad)}
                ]
            }
        )
    if len(found) > MAX_PASTED:
        raise ValidationError(
            {"addresses": [_("Paste at most %(count)s addresses at a time.") % {"count": 2000}]}
        )
    return found


def _scope(by_user: User | AnonymousUser) -> list[int] | None:
    if by_user.is_superuser:
        return None
    return list(organised_networks(by_user).values_list("pk", flat=True))


def _invitees(
    *,
    network_ids: Sequence[int],
    organisation_ids: Sequence[int],
    addresses: Sequence[tuple[str, str]],
    scope: list[int] | None,
    language: str,
) -> list[_Invitee]:
    """Each address once (case-insensitive), known people with their name and language."""
    condition = Q(
        pk__in=PersonMembership.objects.filter(network_id__in=network_ids).values("person_id")
    )
    condition |= Q(organisation_id__in=organisation_ids)
    people = Person.objects.filter(condition)
    if scope is not None:
        # Organisations reach only their people in networks the organiser organises.
        people = people.filter(
            pk__in=PersonMembership.objects.filter(network_id__in=scope).values("person_id")
        )
    pasted: dict[str, tuple[str, str]] = {}
    for name, address in addresses:
        pasted.setdefault(address.lower(), (name, address))
    known = {
        p.email.lower(): p
        for p in Person.objects.annotate(e=Lower("email")).filter(e__in=list(pasted))
    }
    found: dict[str, _Invitee] = {}
    for person in people.order_by("pk"):
        found.setdefault(
            person.email.lower(), _Invitee(person.email, person.name, person.language, person)
        )
    for key, (name, address) in pasted.items():
        match = known.get(key)
        if match is not None:
            found.setdefault(key, _Invitee(match.email, name or match.name, match.language, match))
        else:
            found.setdefault(key, _Invitee(address, name, language, None))
    return list(found.values())


@transaction.atomic(durable=True)
def invite_to_call(
    *,
    call: Call,
    by_user: User | AnonymousUser,
    network_ids: Sequence[int] = (),
    organisation_ids: Sequence[int] = (),
    addresses: str = "",
    language: str = Language.BOKMAL,
    note: str = "",
) -> InviteResult:
    """Invite everyone chosen who is not invited yet and has not opted out; one email each, in
    the person's own language, or `language` for pasted addresses of nobody in the registry."""
    now = timezone.now()
    if not call.is_public:
        raise ValidationError(_("Publish the call before inviting answers."))
    if call.has_closed(now):
        raise ValidationError(_("The deadline has passed; invitations cannot be sent."))
    if language not in Language.values:
        raise ValidationError({"language": [_("Choose a language.")]})
    scope = _scope(by_user)
    if scope is not None and not set(map(int, network_ids)) <= set(scope):
        raise ValidationError({"networks": [_("You can only invite from networks you organise.")]})
    pasted = parse_addresses(addresses)
    invitees = _invitees(
        network_ids=network_ids,
        organisation_ids=organisation_ids,
        addresses=pasted,
        scope=scope,
        language=language,
    )
    if not invitees:
        raise ValidationError(_("Choose at least one recipient."))
    result = InviteResult()
    emails = [i.email.lower() for i in invitees]
    existing = set(
        CallInvitation.objects.filter(call=call)
        .annotate(e=Lower("email"))
        .filter(e__in=emails)
        .values_list("e", flat=True)
    )
    networks = {call.network_id, *network_ids} - {None}
    opted_out: set[str] = set()
    for network in Network.objects.filter(pk__in=networks):
        opted_out |= opted_out_emails(network=network, emails=emails)
    rows = []
    for invitee in invitees:
        key = invitee.email.lower()
        if key in existing:
            result.already_invited += 1
        elif key in opted_out:
            result.opted_out += 1
        else:
            rows.append(
                CallInvitation(
                    call=call,
                    person=invitee.person,
                    email=invitee.email,
                    name=invitee.name,
                    language=invitee.language or settings.LANGUAGE_CODE,
                    organisation_id=invitee.person.organisation_id if invitee.person else None,
                    state=CallInvitation.State.SENT,
                    sent_at=now,
                )
            )
    result.invited = CallInvitation.objects.bulk_create(rows)
    queue_messages(
        messages=[
            invitation_message(invitation=i, call=call, note=note.strip()) for i in result.invited
        ]
    )
    return result


def _answered(call: Call) -> Exists:
    return Exists(
        Answer.objects.filter(call=call, withdrawn_at__isnull=True)
        .annotate(e=Lower("email"))
        .filter(Q(invitation=OuterRef("pk")) | Q(e=Lower(OuterRef("email"))))
    )


def send_call_reminders(*, now: dt.datetime | None = None) -> int:
    """Beat: remind invitees who have not answered, `reminder_days` before the deadline. Each
    invitation is claimed by one conditional UPDATE of reminded_at in the transaction that
    queues its email, so a second run (or a second beat) never sends it again."""
    now = now or timezone.now()
    sent = 0
    calls = Call.objects.filter(
        status=Call.Status.PUBLISHED,
        opens_at__lte=now,
        closes_at__gt=now,
        reminder_days__isnull=False,
    ).select_related("host")
    for call in calls:
        assert call.reminder_days is not None
        if now < call.closes_at - dt.timedelta(days=call.reminder_days):
            continue
        pending = (
            CallInvitation.objects.filter(
                call=call, state=CallInvitation.State.SENT, reminded_at__isnull=True
            )
            .exclude(_answered(call))
            .order_by("pk")
        )
        for invitation in pending.iterator():
            with transaction.atomic(durable=True):
                claimed = CallInvitation.objects.filter(
                    pk=invitation.pk, reminded_at__isnull=True
                ).update(reminded_at=now)
                if claimed:
                    queue_messages(messages=[reminder_message(invitation=invitation, call=call)])
                    sent += 1
    return sent
