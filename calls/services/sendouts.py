"""A call's send-out, expanded: the Celery task invites a batch per transaction.

The organiser's request only records the send-out (services/invitations.py) and hands its id
to the broker after the commit; a broker outage is logged, and the beat (start_due_sendouts)
hands it over later. The task walks the selected people in primary-key order, then the pasted
rows in their order; each batch creates its invitations, queues their emails in the outbox and
moves the cursor in one transaction, with the send-out's row locked. So a rerun, or a second
task at once, resumes where the last commit left off, and the unique (call, lower(email))
constraint backs that up: an address is invited, and mailed, once per call.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Lower, Now
from django.utils import timezone

from invitations.selectors import opted_out_emails
from partners.models import Network, Person, PersonMembership
from worker.services import queue_messages

from ..invitation_emails import invitation_message
from ..models import CallInvitation, CallSendOut

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# Handed to the broker but not started after this long (a lost message, a worker that was
# down): hand it over again. Sending without progress this long: a killed worker; resume.
START_AFTER = dt.timedelta(minutes=2)
STUCK_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class _Invitee:
    email: str
    name: str
    language: str
    person: Person | None


def selected_people(selection: dict[str, Any]) -> QuerySet[Person]:
    """The registry's people a send-out names: members of its networks and contacts of its
    organisations; organisations reach only their people in the organiser's networks (`scope`)."""
    condition = Q(pk__in=[])
    if selection.get("networks"):
        condition |= Q(
            pk__in=PersonMembership.objects.filter(network_id__in=selection["networks"]).values(
                "person_id"
            )
        )
    if selection.get("organisations"):
        condition |= Q(organisation_id__in=selection["organisations"])
    people = Person.objects.filter(condition)
    if selection.get("scope") is not None:
        people = people.filter(
            pk__in=PersonMembership.objects.filter(network_id__in=selection["scope"]).values(
                "person_id"
            )
        )
    return people


def enqueue_expansion(sendout_id: int) -> None:
    """After commit. A broker outage is logged, not raised: the organiser's send-out is kept and
    the beat hands it over (its progressed_at stays empty until a hand-over succeeds)."""
    from ..tasks import expand_sendout

    try:
        expand_sendout.apply_async(kwargs={"sendout_id": sendout_id})
    except Exception:
        logger.warning(
            "could not enqueue call send-out %s (the beat task will)", sendout_id, exc_info=True
        )
        return
    CallSendOut.objects.filter(
        pk=sendout_id, state=CallSendOut.State.SCHEDULED, progressed_at__isnull=True
    ).update(progressed_at=timezone.now())


def start_due_sendouts(*, now: dt.datetime | None = None) -> int:
    """Beat: hand over send-outs the broker never got, or got and did not start, and resume
    those that stopped moving; returns how many."""
    now = now or timezone.now()
    waiting = CallSendOut.State.SCHEDULED
    due = list(
        CallSendOut.objects.filter(
            Q(state=waiting, progressed_at__isnull=True)
            | Q(state=waiting, progressed_at__lt=now - START_AFTER)
            | Q(state=CallSendOut.State.SENDING, progressed_at__lt=now - STUCK_AFTER)
        ).values_list("pk", flat=True)
    )
    for sendout_id in due:
        # Marked first, so a sweep a minute later does not hand it over a second time.
        CallSendOut.objects.filter(pk=sendout_id).update(progressed_at=now)
        enqueue_expansion(sendout_id)
    return len(due)


def expand_sendout(*, sendout_id: int) -> None:
    """Invite everyone the send-out names, a batch per transaction. Safe to run twice, even at
    once; a send-out that is done (or gone) is left as it is."""
    claimed = CallSendOut.objects.filter(
        pk=sendout_id, state__in=CallSendOut.RUNNING_STATES
    ).update(
        state=CallSendOut.State.SENDING,
        started_at=Coalesce(F("started_at"), Now()),
        progressed_at=timezone.now(),
    )
    if not claimed:
        return
    conflicts = 0
    while True:
        try:
            if not _expand_batch(sendout_id=sendout_id):
                return
        except IntegrityError:
            # Another send-out of this call invited one of these addresses at the same moment:
            # redo the batch, which now sees that invitation and leaves the address out.
            conflicts += 1
            if conflicts > 3:
                raise


def _finish(sendout: CallSendOut, state: str) -> None:
    sendout.state = state
    sendout.finished_at = sendout.progressed_at = timezone.now()
    sendout.save(update_fields=["state", "finished_at", "progressed_at"])


def _people_batch(sendout: CallSendOut) -> list[_Invitee]:
    people = (
        selected_people(sendout.selection)
        .filter(pk__gt=sendout.people_cursor)
        .order_by("pk")
        .only("pk", "name", "email", "language", "organisation_id")[:BATCH_SIZE]
    )
    return [_Invitee(p.email, p.name, p.language, p) for p in people]


def _pasted_batch(sendout: CallSendOut, rows: list[list[str]]) -> tuple[list[_Invitee], set[str]]:
    """Pasted rows: people in the registry keep their own language (a pasted name wins). Also
    returns the addresses the selected people include: counted with them already."""
    keys = [email.lower() for _name, email, _language in rows]
    known = {
        p.email.lower(): p for p in Person.objects.annotate(e=Lower("email")).filter(e__in=keys)
    }
    handled: set[str] = set()
    if sendout.selection.get("networks") or sendout.selection.get("organisations"):
        handled = set(
            selected_people(sendout.selection)
            .annotate(e=Lower("email"))
            .filter(e__in=keys)
            .values_list("e", flat=True)
        )
    found = []
    for name, email, language in rows:
        key = email.lower()
        match = known.get(key)
        if match is not None:
            found.append(_Invitee(match.email, name or match.name, match.language, match))
        else:
            found.append(_Invitee(email, name, language, None))
    return found, handled


@transaction.atomic(durable=True)
def _expand_batch(*, sendout_id: int) -> bool:
    """One batch; False once everyone has been handled, or the call no longer takes answers."""
    sendout = (
        CallSendOut.objects.select_for_update(of=("self",))
        .select_related("call", "call__host", "call__network")
        .filter(pk=sendout_id, state=CallSendOut.State.SENDING)
        .first()
    )
    if sendout is None:
        return False
    call, now = sendout.call, timezone.now()
    if not call.is_public or call.has_closed(now):
        _finish(sendout, CallSendOut.State.STOPPED)
        return False
    moved: dict[str, Any]
    counted: set[str] = set()
    if not sendout.people_done:
        invitees = _people_batch(sendout)
        if not invitees:
            CallSendOut.objects.filter(pk=sendout.pk).update(people_done=True, progressed_at=now)
            return True
        assert invitees[-1].person is not None
        moved = {"people_cursor": invitees[-1].person.pk}
    else:
        start = sendout.pasted_cursor
        rows = sendout.selection.get("pasted", [])[start : start + BATCH_SIZE]
        if not rows:
            _finish(sendout, CallSendOut.State.DONE)
            return False
        invitees, counted = _pasted_batch(sendout, rows)
        moved = {"pasted_cursor": start + len(rows)}
    created, existing, opted_out = _invite(sendout, invitees, now=now, counted=counted)
    CallSendOut.objects.filter(pk=sendout.pk).update(
        **moved,
        invited_count=F("invited_count") + len(created),
        already_invited_count=F("already_invited_count") + existing,
        opted_out_count=F("opted_out_count") + opted_out,
        progressed_at=timezone.now(),
    )
    return True


def _invite(
    sendout: CallSendOut, invitees: list[_Invitee], *, now: dt.datetime, counted: set[str]
) -> tuple[list[CallInvitation], int, int]:
    """The invitations and their emails, in the batch's transaction; (created, left out as
    already invited, left out as opted out of the call's network or a network chosen). An
    address in `counted` that is left out was counted before, with the selected people."""
    call = sendout.call
    keys = [i.email.lower() for i in invitees]
    existing = set(
        CallInvitation.objects.filter(call=call)
        .annotate(e=Lower("email"))
        .filter(e__in=keys)
        .values_list("e", flat=True)
    )
    opted_out: set[str] = set()
    networks = {call.network_id, *sendout.selection.get("networks", [])} - {None}
    for network in Network.objects.filter(pk__in=networks):
        opted_out |= opted_out_emails(network=network, emails=keys)
    rows: list[CallInvitation] = []
    skipped_existing = skipped_opted_out = 0
    for invitee in invitees:
        key = invitee.email.lower()
        if key in existing or key in opted_out:
            if key in counted:
                continue
            if key in existing:
                skipped_existing += 1
            else:
                skipped_opted_out += 1
        else:
            existing.add(key)
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
    created = CallInvitation.objects.bulk_create(rows)
    queue_messages(
        messages=[invitation_message(invitation=i, call=call, note=sendout.note) for i in created]
    )
    return created, skipped_existing, skipped_opted_out
