"""Send-outs: pick recipients, schedule, and expand into invitations and their messages."""

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower, Now
from django.utils import timezone
from django.utils.translation import gettext as _

from events.calendar.organizer import organiser_addresses
from events.calendar.sequences import take_sequences
from events.models import Event, Registration, email_key
from partners.models import Network, OrganisationMembership, Person, PersonMembership
from partners.selectors import organised_networks
from partners.services import ImportReport, ImportSource, import_people
from worker.services import queue_messages

from .. import emails
from ..models import Invitation, SendOut
from ..selectors import opted_out_emails, selected_people
from .errors import InvitationError
from .group_messages import enqueue_unsent_group_messages

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
STUCK_AFTER = dt.timedelta(minutes=10)


@dataclass
class NewPeopleResult:
    """The outcome of importing pasted or uploaded people before a send-out."""

    ok: bool
    report: ImportReport
    person_ids: list[int] = field(default_factory=list)


def import_new_people(
    *,
    network: Network,
    sources: Sequence[ImportSource],
    new_organisations: Mapping[str, str] | None = None,
) -> NewPeopleResult:
    """Add pasted and uploaded people (one source or several) to the event's network with the
    people import's own rules (all or nothing, a per-row report naming the source, new
    organisations only when confirmed), and return who they are."""
    report = import_people(network=network, sources=sources, new_organisations=new_organisations)
    if not report.ok:
        return NewPeopleResult(ok=False, report=report)
    return NewPeopleResult(ok=True, report=report, person_ids=report.person_ids)


def _people_by_email(addresses: Sequence[str], scope: list[int] | None) -> list[Person]:
    """People by address, only among the networks the organiser may invite from (`scope`);
    anyone else reads as unknown, so the answer reveals nothing about other networks."""
    wanted = {email_key(a) for a in addresses if a.strip()}
    people = Person.objects.annotate(email_ci=Lower("email")).filter(email_ci__in=wanted)
    if scope is not None:
        people = people.filter(
            pk__in=PersonMembership.objects.filter(network_id__in=scope).values("person_id")
        )
    found: list[Person] = list(people)
    missing = wanted - {email_key(p.email) for p in found}
    if missing:
        raise InvitationError(
            _("No person is registered with %(emails)s. Add new people in the CSV box instead.")
            % {"emails": ", ".join(sorted(missing))},
            field="people",
        )
    return found


@transaction.atomic(durable=True)
def create_sendout(
    *,
    event: Event,
    created_by: User | None,
    message: str = "",
    network_ids: Sequence[int] = (),
    organisation_ids: Sequence[int] = (),
    organisation_roles: Sequence[tuple[int, str]] = (),
    person_emails: Sequence[str] = (),
    person_ids: Sequence[int] = (),
) -> SendOut:
    """A draft send-out that stores what the organiser picked; nobody is expanded yet."""
    return _draft_sendout(
        event=event,
        created_by=created_by,
        message=message,
        network_ids=network_ids,
        organisation_ids=organisation_ids,
        organisation_roles=organisation_roles,
        person_emails=person_emails,
        person_ids=person_ids,
    )


def _draft_sendout(
    *,
    event: Event,
    created_by: User | None,
    message: str,
    network_ids: Sequence[int],
    organisation_ids: Sequence[int],
    organisation_roles: Sequence[tuple[int, str]],
    person_emails: Sequence[str],
    person_ids: Sequence[int],
) -> SendOut:
    """create_sendout's body, inside the caller's transaction."""
    if event.status == Event.Status.CANCELLED or event.is_past:
        raise InvitationError(_("This event is cancelled or over; invitations cannot be sent."))
    roles = [
        [int(network_id), role]
        for network_id, role in organisation_roles
        if role in OrganisationMembership.Role.values
    ]
    # An organiser invites only people of networks they organise (superusers: anyone).
    scope: list[int] | None = None
    if created_by is not None and not created_by.is_superuser:
        scope = sorted(organised_networks(created_by).values_list("pk", flat=True))
        named = {int(pk) for pk in network_ids} | {network_id for network_id, _role in roles}
        if not named <= set(scope):
            raise InvitationError(
                _("You can only invite from networks you organise."), field="networks"
            )
    people = sorted(
        {*map(int, person_ids), *(p.pk for p in _people_by_email(person_emails, scope))}
    )
    selection = {
        "networks": sorted({int(pk) for pk in network_ids}),
        "organisations": sorted({int(pk) for pk in organisation_ids}),
        "organisation_roles": roles,
        "people": people,
    }
    if not any(selection.values()):
        raise InvitationError(_("Choose at least one recipient."))
    if scope is not None:
        selection["scope"] = scope
    return SendOut.objects.create(
        event=event, created_by=created_by, message=message.strip(), selection=selection
    )


class NewPeopleRefused(InvitationError):
    """The pasted or uploaded people did not pass the import's rules, or they name organisations
    still to be confirmed (`report.needs_confirmation`); `report` says which."""

    def __init__(self, message: Any, *, report: ImportReport) -> None:
        super().__init__(message, field="new_people")
        self.report = report


@transaction.atomic(durable=True)
def create_sendout_with_new_people(
    *,
    event: Event,
    created_by: User | None,
    new_people: Sequence[ImportSource] | bytes | None,
    new_organisations: Mapping[str, str] | None = None,
    message: str = "",
    network_ids: Sequence[int] = (),
    organisation_ids: Sequence[int] = (),
    organisation_roles: Sequence[tuple[int, str]] = (),
    person_emails: Sequence[str] = (),
) -> tuple[SendOut, ImportReport | None]:
    """New people (CSV: bytes, or ImportSources such as a pasted list and a file, read together)
    and the send-out in one transaction: if the send-out is refused, the people are not imported
    either, nor the new organisations they name (added only when `new_organisations` confirms
    each, name -> sector). Returns the send-out and the import report (or None)."""
    person_ids: list[int] = []
    report = None
    if isinstance(new_people, bytes):
        new_people = [ImportSource(data=new_people)]
    if new_people:
        if event.network is None:
            raise InvitationError(
                _("This event has no network to add new people to."), field="new_people"
            )
        result = import_new_people(
            network=event.network, sources=new_people, new_organisations=new_organisations
        )
        report = result.report
        if report.only_organisations_to_confirm:
            raise NewPeopleRefused(
                _(
                    "The new people name organisations that are not in the registry. "
                    "Confirm them (with a sector each) to add them; nothing was saved."
                ),
                report=report,
            )
        if not result.ok:
            raise NewPeopleRefused(
                _("The new people were not imported; nothing was saved."), report=report
            )
        person_ids = result.person_ids
    sendout = _draft_sendout(
        event=event,
        created_by=created_by,
        message=message,
        network_ids=network_ids,
        organisation_ids=organisation_ids,
        organisation_roles=organisation_roles,
        person_emails=person_emails,
        person_ids=person_ids,
    )
    return sendout, report


def _enqueue_expansion(sendout_id: int) -> None:
    """After commit. A broker outage is logged, not raised: the beat task re-enqueues the
    send-out (it is scheduled and due, or sending without progress)."""
    from ..tasks import expand_sendout

    try:
        expand_sendout.apply_async(kwargs={"sendout_id": sendout_id})
    except Exception:
        logger.warning(
            "could not enqueue send-out %s (the beat task will)", sendout_id, exc_info=True
        )


@transaction.atomic(durable=True)
def schedule_sendout(*, sendout_id: int, send_at: dt.datetime | None = None) -> SendOut:
    """Send now (send_at None or past) or at a chosen time; the beat task picks up later ones."""
    now = timezone.now()
    sendout = (
        SendOut.objects.select_for_update(of=("self",)).select_related("event").get(pk=sendout_id)
    )
    if sendout.state != SendOut.State.DRAFT:
        raise InvitationError(_("This send-out has already been started."))
    if sendout.event.status == Event.Status.CANCELLED or sendout.event.is_past:
        raise InvitationError(_("This event is cancelled or over; invitations cannot be sent."))
    sendout.scheduled_at = send_at if send_at and send_at > now else now
    sendout.state = SendOut.State.SCHEDULED
    sendout.save(update_fields=["scheduled_at", "state"])
    if sendout.scheduled_at <= now:
        transaction.on_commit(partial(_enqueue_expansion, sendout.pk))
    return sendout


def start_due_sendouts(*, now: dt.datetime | None = None) -> int:
    """Beat: enqueue scheduled send-outs that are due, and re-enqueue any that stalled (and
    group messages whose task never reached the broker)."""
    now = now or timezone.now()
    due = list(
        SendOut.objects.filter(
            Q(state=SendOut.State.SCHEDULED, scheduled_at__lte=now)
            | Q(state=SendOut.State.SENDING, progressed_at__lt=now - STUCK_AFTER)
        ).values_list("pk", flat=True)
    )
    for sendout_id in due:
        _enqueue_expansion(sendout_id)
    enqueue_unsent_group_messages(now=now)
    return len(due)


def expand_sendout(*, sendout_id: int) -> None:
    """Create the invitations and their messages, a batch per transaction.

    Safe to run twice, even at once: each batch locks the send-out row and resumes from its
    cursor, and the unique (event, email) constraint backs that up.
    """
    now = timezone.now()
    claimed = SendOut.objects.filter(
        pk=sendout_id,
        state__in=[SendOut.State.SCHEDULED, SendOut.State.SENDING],
        scheduled_at__lte=now,
    ).update(
        state=SendOut.State.SENDING,
        started_at=Coalesce(F("started_at"), Now()),
        progressed_at=now,
    )
    if not claimed:
        return
    conflicts = 0
    while True:
        try:
            if not _expand_batch(sendout_id=sendout_id):
                return
        except IntegrityError:
            # Another send-out invited one of these people at the same moment: redo the batch,
            # which now sees that invitation and leaves the person out.
            conflicts += 1
            if conflicts > 3:
                raise


@transaction.atomic(durable=True)
def _expand_batch(*, sendout_id: int) -> bool:
    """One batch: returns False once everyone has been handled (and marks the send-out done)."""
    sendout = (
        SendOut.objects.select_for_update(of=("self",))
        .select_related("event", "event__network")
        .filter(pk=sendout_id, state=SendOut.State.SENDING)
        .first()
    )
    if sendout is None:
        return False
    event = sendout.event
    people = list(
        selected_people(sendout.selection)
        .filter(pk__gt=sendout.cursor)
        .order_by("pk")
        .only("pk", "name", "email", "language", "organisation_id")[:BATCH_SIZE]
    )
    if not people:
        sendout.state = SendOut.State.DONE
        sendout.finished_at = sendout.progressed_at = timezone.now()
        sendout.save(update_fields=["state", "finished_at", "progressed_at"])
        return False
    emails_ci = [p.email.lower() for p in people]
    invited = set(
        Invitation.objects.filter(event=event)
        .annotate(email_ci=Lower("email"))
        .filter(email_ci__in=emails_ci)
        .values_list("email_ci", flat=True)
    )
    registered = set(
        Registration.objects.filter(event=event, status__in=Registration.ACTIVE_STATUSES)
        .annotate(email_ci=Lower("email"))
        .filter(email_ci__in=emails_ci)
        .values_list("email_ci", flat=True)
    )
    opted_out = opted_out_emails(network=event.network, emails=emails_ci)
    new: list[Invitation] = []
    skipped_existing = skipped_opted_out = 0
    for person in people:
        key = person.email.lower()
        if key in invited or key in registered:
            skipped_existing += 1
        elif key in opted_out:
            skipped_opted_out += 1
        else:
            new.append(
                Invitation(
                    sendout=sendout,
                    event=event,
                    person=person,
                    organisation_id=person.organisation_id,
                    email=person.email,
                    name=person.name,
                    language=person.language,
                )
            )
    created = Invitation.objects.bulk_create(new)
    sequences = take_sequences(event=event, emails=[i.email for i in created])
    organizers = organiser_addresses(event_id=event.pk, emails=[i.email for i in created])
    queue_messages(
        messages=[
            emails.invitation_message(
                invitation=i,
                event=event,
                message=sendout.message,
                sequence=sequences[email_key(i.email)],
                organizer=organizers[email_key(i.email)],
            )
            for i in created
        ]
    )
    SendOut.objects.filter(pk=sendout.pk).update(
        cursor=people[-1].pk,
        invited_count=F("invited_count") + len(created),
        skipped_existing_count=F("skipped_existing_count") + skipped_existing,
        skipped_opted_out_count=F("skipped_opted_out_count") + skipped_opted_out,
        progressed_at=timezone.now(),
    )
    return True


def preview_invitation(
    *, sendout: SendOut, person: Person | None = None
) -> list[emails.RenderedEmail]:
    """The invitation as the given person (or a sample) would get it, in nb, nn and en."""
    name = person.name if person else _("Kari Nordmann")
    return [
        emails.render_invitation(
            event=sendout.event,
            name=name,
            token="preview",
            message=sendout.message,
            language=language,
        )
        for language in ("nb", "nn", "en")
    ]
