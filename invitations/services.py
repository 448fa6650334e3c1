"""Every write in the invitations app: send-outs, answers, opt-outs, reminders, group messages.

Registering through an invitation calls the events registration service (events never imports
invitations). That service and `cancel_registration` are durable transactions of their own, so
the invitation is updated in a second, short transaction right after; `_reconcile` repairs the
rare invitation left pending by a crash in between.
"""

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower, Now
from django.utils import timezone
from django.utils.translation import gettext as _

from events.calendar import sequence_key, take_sequences
from events.models import Event, Registration
from events.participants import ParticipantDetails
from events.services import errors, registering
from partners.models import (
    Network,
    Organisation,
    OrganisationMembership,
    Person,
    PersonMembership,
)
from partners.selectors import organised_networks
from worker.services import queue_messages

from . import emails
from .models import (
    EventReminderSettings,
    GroupMessage,
    Invitation,
    NetworkOptOut,
    ReminderDelivery,
    SendOut,
)
from .selectors import opted_out_emails, selected_people

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
GROUP_MESSAGE_GRACE = dt.timedelta(minutes=2)
STUCK_AFTER = dt.timedelta(minutes=10)


class InvitationError(Exception):
    """A rule refused the request; the message is translated and safe to show."""

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


# Send-outs -------------------------------------------------------------------------------------


@dataclass
class NewPeopleResult:
    """The outcome of importing pasted or uploaded people before a send-out."""

    ok: bool
    person_ids: list[int] = field(default_factory=list)
    report: Any = None  # partners.services.ImportReport


def import_new_people(
    *,
    network: Network,
    sources: Sequence[Any],
    new_organisations: Mapping[str, str] | None = None,
) -> NewPeopleResult:
    """Add pasted and uploaded people (partners.services.ImportSource, one or several) to the
    event's network with the people import's own rules (all or nothing, a per-row report naming
    the source, new organisations only when confirmed), and return who they are."""
    from partners.services import import_people

    report = import_people(network=network, sources=sources, new_organisations=new_organisations)
    if not report.ok:
        return NewPeopleResult(ok=False, report=report)
    emails_ci = [email.lower() for email in report.emails]
    person_ids = list(
        Person.objects.annotate(email_ci=Lower("email"))
        .filter(email_ci__in=emails_ci)
        .values_list("pk", flat=True)
    )
    return NewPeopleResult(ok=True, person_ids=person_ids, report=report)


def _people_by_email(addresses: Sequence[str], scope: list[int] | None) -> list[Person]:
    """People by address, only among the networks the organiser may invite from (`scope`);
    anyone else reads as unknown, so the answer reveals nothing about other networks."""
    wanted = {a.strip().lower() for a in addresses if a.strip()}
    people = Person.objects.annotate(email_ci=Lower("email")).filter(email_ci__in=wanted)
    if scope is not None:
        people = people.filter(
            pk__in=PersonMembership.objects.filter(network_id__in=scope).values("person_id")
        )
    found: list[Person] = list(people)
    missing = wanted - {p.email.lower() for p in found}
    if missing:
        raise InvitationError(
            _("No person is registered with %(emails)s. Add new people in the CSV box instead.")
            % {"emails": ", ".join(sorted(missing))},
            field="people",
        )
    return found


@transaction.atomic
def create_sendout(
    *,
    event: Event,
    created_by: Any,
    message: str = "",
    network_ids: Sequence[int] = (),
    organisation_ids: Sequence[int] = (),
    organisation_roles: Sequence[tuple[int, str]] = (),
    person_emails: Sequence[str] = (),
    person_ids: Sequence[int] = (),
) -> SendOut:
    """A draft send-out that stores what the organiser picked; nobody is expanded yet."""
    if event.status == Event.Status.CANCELLED or event.is_past:
        raise InvitationError(_("This event is cancelled or over; invitations cannot be sent."))
    roles = [
        [int(network_id), role]
        for network_id, role in organisation_roles
        if role in OrganisationMembership.Role.values
    ]
    # An organiser invites only people of networks they organise (superusers: anyone).
    scope: list[int] | None = None
    if created_by is not None and not getattr(created_by, "is_superuser", False):
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

    def __init__(self, message: Any, *, report: Any) -> None:
        super().__init__(message, field="new_people")
        self.report = report


@transaction.atomic(durable=True)
def create_sendout_with_new_people(
    *,
    event: Event,
    created_by: Any,
    new_people: Sequence[Any] | bytes | None,
    new_organisations: Mapping[str, str] | None = None,
    message: str = "",
    network_ids: Sequence[int] = (),
    organisation_ids: Sequence[int] = (),
    organisation_roles: Sequence[tuple[int, str]] = (),
    person_emails: Sequence[str] = (),
) -> tuple[SendOut, Any]:
    """New people (CSV: bytes, or ImportSources such as a pasted list and a file, read together)
    and the send-out in one transaction: if the send-out is refused, the people are not imported
    either, nor the new organisations they name (added only when `new_organisations` confirms
    each, name -> sector). Returns the send-out and the import report (or None)."""
    from partners.services import ImportSource

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
    sendout = create_sendout(
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
    from .tasks import expand_sendout

    try:
        expand_sendout.apply_async(kwargs={"sendout_id": sendout_id})
    except Exception:
        logger.warning(
            "could not enqueue send-out %s (the beat task will)", sendout_id, exc_info=True
        )


@transaction.atomic
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
    """Beat: enqueue scheduled send-outs that are due, and re-enqueue any that stalled."""
    now = now or timezone.now()
    due = list(
        SendOut.objects.filter(
            Q(state=SendOut.State.SCHEDULED, scheduled_at__lte=now)
            | Q(state=SendOut.State.SENDING, progressed_at__lt=now - STUCK_AFTER)
        ).values_list("pk", flat=True)
    )
    for sendout_id in due:
        _enqueue_expansion(sendout_id)
    # Group messages whose task never reached the broker (delivery claims each message once).
    unsent = list(
        GroupMessage.objects.filter(
            sent_at__isnull=True, created_at__lt=now - GROUP_MESSAGE_GRACE
        ).values_list("pk", flat=True)
    )
    for group_message_id in unsent:
        _enqueue_group_message(group_message_id)
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


@transaction.atomic
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
    queue_messages(
        messages=[
            emails.invitation_message(
                invitation=i,
                event=event,
                message=sendout.message,
                sequence=sequences[sequence_key(i.email)],
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


# Answering -------------------------------------------------------------------------------------


def _reconcile(invitation: Invitation) -> Invitation:
    """An invitation left pending although its address holds an active registration."""
    if invitation.state != Invitation.State.PENDING:
        return invitation
    registration = (
        Registration.objects.filter(
            event_id=invitation.event_id, status__in=Registration.ACTIVE_STATUSES
        )
        .annotate(email_ci=Lower("email"))
        .filter(email_ci=invitation.email.lower())
        .first()
    )
    if registration is not None:
        _mark(invitation, state=Invitation.State.REGISTERED, registration=registration)
    return invitation


def _mark(
    invitation: Invitation,
    *,
    state: str,
    registration: Registration | None = None,
    reason: str = "",
) -> None:
    invitation.state = state
    invitation.registration = registration or invitation.registration
    invitation.decline_reason = reason
    invitation.answered_at = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(
        state=invitation.state,
        registration=invitation.registration,
        decline_reason=reason,
        answered_at=invitation.answered_at,
    )


def answer_state(invitation: Invitation) -> Invitation:
    """The invitation with its state brought up to date (see the module docstring)."""
    return _reconcile(invitation)


def register_via_invitation(
    *,
    invitation: Invitation,
    name: str,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    title: str = "",
    phone: str = "",
    language: str | None = None,
    list_consent: bool = False,
    dietary_consent: bool = False,
    dietary_needs: str = "",
    assistance_consent: bool = False,
    assistance_needs: str = "",
    session_ids: Sequence[int] = (),
    answers: dict[int, Any] | None = None,
) -> Registration:
    """Register the invited address (never another) for the event, bypassing invitation-only.

    Raises the events service's RegistrationError with a message to show.
    """
    active = invitation.registration
    if active is not None and active.status in Registration.ACTIVE_STATUSES:
        return active
    try:
        registration = registering.register_participant(
            event=invitation.event,
            details=ParticipantDetails(
                name=name,
                email=invitation.email,
                organisation=organisation,
                organisation_name=organisation_name,
                title=title,
                phone=phone,
                language=language or invitation.language,
                list_consent=list_consent,
                dietary_consent=dietary_consent,
                dietary_needs=dietary_needs,
                assistance_consent=assistance_consent,
                assistance_needs=assistance_needs,
                session_ids=session_ids,
                answers=answers or {},
            ),
            person=invitation.person,
            invitation_allowed=True,
        )
    except errors.DuplicateRegistration:
        # Registered already (e.g. through the public form): the invitation is answered.
        _reconcile(invitation)
        if invitation.registration is not None:
            return invitation.registration
        raise
    with transaction.atomic():
        _mark(invitation, state=Invitation.State.REGISTERED, registration=registration)
    return registration


def decline_invitation(*, invitation: Invitation, reason: str = "") -> Invitation:
    """Decline; someone who had registered through the invitation is cancelled first."""
    event = invitation.event
    if event.status == Event.Status.CANCELLED or event.is_past:
        raise InvitationError(_("This event is cancelled or over."))
    registration = invitation.registration
    if registration is not None and registration.status in Registration.ACTIVE_STATUSES:
        registering.cancel_registration(registration_id=registration.pk)
    with transaction.atomic():
        _mark(invitation, state=Invitation.State.DECLINED, reason=reason.strip()[:2000])
    return invitation


@transaction.atomic
def opt_out_of_network(*, invitation: Invitation) -> NetworkOptOut:
    """Stop invitations from the invitation's network to its address. Idempotent."""
    network_id = invitation.event.network_id
    if network_id is None:
        raise InvitationError(_("This invitation does not come from a network."))
    existing = (
        NetworkOptOut.objects.filter(network_id=network_id)
        .annotate(email_ci=Lower("email"))
        .filter(email_ci=invitation.email.lower())
        .first()
    )
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return NetworkOptOut.objects.create(
                network_id=network_id, person=invitation.person, email=invitation.email
            )
    except IntegrityError:
        return NetworkOptOut.objects.get(network_id=network_id, email__iexact=invitation.email)


@transaction.atomic
def undo_opt_out(*, token: str) -> None:
    NetworkOptOut.objects.filter(token=token).delete()


# Reminders -------------------------------------------------------------------------------------

DEFAULT_INVITEE_DAYS = EventReminderSettings._meta.get_field(
    "remind_invitees_days_before_close"
).get_default()
DEFAULT_PARTICIPANT_DAYS = EventReminderSettings._meta.get_field(
    "remind_participants_days_before"
).get_default()


@transaction.atomic
def update_reminder_settings(
    *,
    event: Event,
    remind_invitees_days_before_close: int | None,
    remind_participants_days_before: int | None,
) -> EventReminderSettings:
    for value in (remind_invitees_days_before_close, remind_participants_days_before):
        if value is not None and not 0 <= value <= 60:
            raise ValidationError(_("Choose a number of days between 0 and 60."))
    settings_row, _created = EventReminderSettings.objects.update_or_create(
        event=event,
        defaults={
            "remind_invitees_days_before_close": remind_invitees_days_before_close,
            "remind_participants_days_before": remind_participants_days_before,
        },
    )
    return settings_row


def _reminder_days(event: Event, attribute: str, default: int) -> int | None:
    try:
        # Reverse one-to-one from this app (select_related by the callers); events cannot name it.
        return getattr(event.reminder_settings, attribute)  # type: ignore[attr-defined]
    except EventReminderSettings.DoesNotExist:
        return default


def _deliver_once(*, kind: str, build: Any, **target: Any) -> bool:
    """Record the reminder and queue its message in one transaction; the unique constraint
    turns a second attempt (another run, another beat process) into a no-op."""
    try:
        with transaction.atomic():
            ReminderDelivery.objects.create(kind=kind, **target)
            queue_messages(messages=[build()])
    except IntegrityError:
        return False
    return True


def send_invitee_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind invitees who have not answered, N days before registration closes."""
    now = now or timezone.now()
    sent = 0
    events = Event.objects.filter(
        status=Event.Status.PUBLISHED,
        registration_closes_at__gt=now,
        ends_at__gt=now,
    ).select_related("reminder_settings", "network")
    for event in events:
        days = _reminder_days(event, "remind_invitees_days_before_close", DEFAULT_INVITEE_DAYS)
        assert event.registration_closes_at is not None
        if days is None or now < event.registration_closes_at - dt.timedelta(days=days):
            continue
        pending = Invitation.objects.filter(event=event, state=Invitation.State.PENDING).exclude(
            reminders__kind=ReminderDelivery.Kind.INVITEE
        )
        for invitation in pending.iterator():
            sent += _deliver_once(
                kind=ReminderDelivery.Kind.INVITEE,
                invitation=invitation,
                build=partial(emails.invitee_reminder_message, invitation=invitation, event=event),
            )
    return sent


def send_participant_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind confirmed participants N days before the event, with the calendar again."""
    now = now or timezone.now()
    sent = 0
    events = Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gt=now).select_related(
        "reminder_settings", "network"
    )
    for event in events:
        days = _reminder_days(event, "remind_participants_days_before", DEFAULT_PARTICIPANT_DAYS)
        if days is None or now < event.starts_at - dt.timedelta(days=days):
            continue
        confirmed = Registration.objects.filter(
            event=event, status=Registration.Status.CONFIRMED
        ).exclude(reminders__kind=ReminderDelivery.Kind.PARTICIPANT)
        for registration in confirmed.iterator():
            sent += _deliver_once(
                kind=ReminderDelivery.Kind.PARTICIPANT,
                registration=registration,
                build=partial(
                    emails.participant_reminder_message, registration=registration, event=event
                ),
            )
    return sent


def send_reminders(*, now: dt.datetime | None = None) -> tuple[int, int]:
    return send_invitee_reminders(now=now), send_participant_reminders(now=now)


# Organiser messages ----------------------------------------------------------------------------


@transaction.atomic
def create_group_message(
    *, event: Event, created_by: Any, audiences: Sequence[str], subject: str, body: str
) -> GroupMessage:
    wanted = [a for a in audiences if a in GroupMessage.Audience.values]
    if not wanted:
        raise InvitationError(_("Choose at least one group."), field="audiences")
    if not subject.strip() or not body.strip():
        raise InvitationError(_("Write a subject and a message."))
    group_message = GroupMessage.objects.create(
        event=event,
        created_by=created_by,
        audiences=wanted,
        subject=subject.strip(),
        body=body.strip(),
    )
    transaction.on_commit(partial(_enqueue_group_message, group_message.pk))
    return group_message


def _enqueue_group_message(group_message_id: int) -> None:
    """After commit; on a broker outage the beat task picks the unsent message up later."""
    from .tasks import deliver_group_message as task

    try:
        task.apply_async(kwargs={"group_message_id": group_message_id})
    except Exception:
        logger.warning(
            "could not enqueue group message %s (the beat task will)",
            group_message_id,
            exc_info=True,
        )


@transaction.atomic
def deliver_group_message(*, group_message_id: int) -> int:
    """One email per recipient, queued in the same transaction that marks the message sent."""
    claimed = GroupMessage.objects.filter(pk=group_message_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return 0
    group_message = GroupMessage.objects.select_related("event__host").get(pk=group_message_id)
    event = group_message.event
    messages = []
    seen: set[str] = set()
    statuses = [a for a in group_message.audiences if a in Registration.Status.values]
    for registration in Registration.objects.filter(event=event, status__in=statuses):
        seen.add(registration.email.lower())
        messages.append(
            emails.group_message(
                event=event,
                subject=group_message.subject,
                body=group_message.body,
                to_email=registration.email,
                to_name=registration.name,
                language=registration.language,
                link=emails.absolute_url(registration.get_absolute_url()),
                registration_id=registration.pk,
                person_id=registration.person_id,
            )
        )
    invitation_states = {
        GroupMessage.Audience.NO_ANSWER: Invitation.State.PENDING,
        GroupMessage.Audience.DECLINED: Invitation.State.DECLINED,
    }
    states = [invitation_states[a] for a in group_message.audiences if a in invitation_states]
    for invitation in Invitation.objects.filter(event=event, state__in=states):
        if invitation.email.lower() in seen:
            continue
        seen.add(invitation.email.lower())
        messages.append(
            emails.group_message(
                event=event,
                subject=group_message.subject,
                body=group_message.body,
                to_email=invitation.email,
                to_name=invitation.name,
                language=invitation.language,
                link=emails.absolute_url(invitation.get_absolute_url()),
                invitation_id=invitation.pk,
                person_id=invitation.person_id,
                opt_out_url=emails.invitation_links(token=invitation.token)["opt_out_url"],
            )
        )
    queue_messages(messages=messages)
    GroupMessage.objects.filter(pk=group_message_id).update(recipient_count=len(messages))
    return len(messages)


# Retention ---------------------------------------------------------------------------------------

ANONYMISED_DOMAIN = "@invalid.invalid"


@transaction.atomic(durable=True)
def anonymise_invitations(*, now: dt.datetime | None = None) -> int:
    """Invitations to events past their host's retention period lose name, address and reason;
    the rows (and so the answers per organisation) stay."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    from partners.models import Host

    now = now or timezone.now()
    total = 0
    for host in Host.objects.all():
        cutoff = now - dt.timedelta(days=host.retention_days)
        total += (
            Invitation.objects.filter(event__host=host, event__ends_at__lt=cutoff)
            .exclude(email__endswith=ANONYMISED_DOMAIN)
            .update(
                name="–",
                email=Concat(
                    Value("anonymised-invitation-"),
                    Cast("pk", output_field=CharField()),
                    Value(ANONYMISED_DOMAIN),
                ),
                decline_reason="",
                person=None,
            )
        )
    return total
