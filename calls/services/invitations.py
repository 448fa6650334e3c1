"""Inviting answers to a call: the send-out to networks, organisations or a pasted list of
addresses (recorded here, expanded by a Celery task in services/sendouts.py), the invitee's
opt-out of the call's network, and the reminder before the deadline to those who have not
answered. The opt-outs are invitations' NetworkOptOut, written through its record_opt_out.
"""

import datetime as dt
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from invitations.services.answers import record_opt_out
from partners.models import Language
from partners.selectors import organised_networks
from worker.services import queue_messages

from ..invitation_emails import reminder_message
from ..models import Answer, Call, CallInvitation, CallSendOut
from .errors import CallError
from .sendouts import enqueue_expansion, selected_people

MAX_PASTED = 2000


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
    return sorted(organised_networks(by_user).values_list("pk", flat=True))


@transaction.atomic(durable=True)
def create_call_sendout(
    *,
    call: Call,
    by_user: User | AnonymousUser,
    network_ids: Sequence[int] = (),
    organisation_ids: Sequence[int] = (),
    addresses: str = "",
    language: str = Language.BOKMAL,
    note: str = "",
) -> CallSendOut:
    """Record a send-out; a Celery task invites everyone chosen who is not invited yet and has
    not opted out, one email each in the person's own language (or `language` for pasted
    addresses of nobody in the registry). A bad pasted line refuses the whole send-out."""
    if not call.is_public:
        raise ValidationError(_("Publish the call before inviting answers."))
    if call.has_closed(timezone.now()):
        raise ValidationError(_("The deadline has passed; invitations cannot be sent."))
    if language not in Language.values:
        raise ValidationError({"language": [_("Choose a language.")]})
    scope = _scope(by_user)
    if scope is not None and not set(map(int, network_ids)) <= set(scope):
        raise ValidationError({"networks": [_("You can only invite from networks you organise.")]})
    pasted: dict[str, list[str]] = {}
    for name, address in parse_addresses(addresses):
        pasted.setdefault(address.lower(), [name, address, language])
    selection: dict[str, Any] = {
        "networks": sorted({int(pk) for pk in network_ids}),
        "organisations": sorted({int(pk) for pk in organisation_ids}),
        "pasted": list(pasted.values()),
    }
    if scope is not None:
        selection["scope"] = scope
    if not pasted and not selected_people(selection).exists():
        raise ValidationError(_("Choose at least one recipient."))
    user = by_user if isinstance(by_user, User) else None
    sendout = CallSendOut.objects.create(
        call=call, created_by=user, note=note.strip(), selection=selection
    )
    transaction.on_commit(partial(enqueue_expansion, sendout.pk))
    return sendout


@transaction.atomic(durable=True)
def opt_out_of_call_network(*, invitation: CallInvitation) -> str:
    """The invitee gets no more invitations from the call's network (events' and calls' alike);
    idempotent. Returns the opt-out's own token, which undoes it (invitations' undo_opt_out)."""
    network_id = invitation.call.network_id
    if network_id is None:
        raise CallError(_("This invitation does not come from a network."))
    opt_out = record_opt_out(
        network_id=network_id, email=invitation.email, person_id=invitation.person_id
    )
    return opt_out.token


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
    ).select_related("host", "network")
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
