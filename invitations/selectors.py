"""Reads shared by views, tasks and exports: what an organiser sees, who a send-out reaches."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from events.models import Event, Registration
from events.selectors.organiser import organised_events
from partners.models import (
    Network,
    Organisation,
    OrganisationMembership,
    Person,
    PersonMembership,
)
from worker.models import OutgoingMessage, UndeliverableAddress

from .models import InboundReply, Invitation, NetworkOptOut, SendOut


def selected_people(selection: dict) -> QuerySet[Person]:
    """Everyone a send-out's selection names, each once (subqueries, so no duplicate rows)."""
    condition = Q(pk__in=[])
    if selection.get("networks"):
        condition |= Q(
            pk__in=PersonMembership.objects.filter(network_id__in=selection["networks"]).values(
                "person_id"
            )
        )
    if selection.get("organisations"):
        condition |= Q(organisation_id__in=selection["organisations"])
    for network_id, role in selection.get("organisation_roles", []):
        condition |= Q(
            organisation_id__in=OrganisationMembership.objects.filter(
                network_id=network_id, role=role
            ).values("organisation_id")
        )
    if selection.get("people"):
        condition |= Q(pk__in=selection["people"])
    people = Person.objects.filter(condition)
    if selection.get("scope") is not None:
        # Only people of the networks the organiser organised when creating the send-out.
        people = people.filter(
            pk__in=PersonMembership.objects.filter(network_id__in=selection["scope"]).values(
                "person_id"
            )
        )
    return people


def opted_out_emails(*, network: Network | None, emails: list[str]) -> set[str]:
    if network is None or not emails:
        return set()
    return set(
        NetworkOptOut.objects.filter(network=network)
        .annotate(email_ci=Lower("email"))
        .filter(email_ci__in=emails)
        .values_list("email_ci", flat=True)
    )


def opt_out_by_token(*, token: str) -> NetworkOptOut | None:
    """The opt-out its holder may undo (the link on the page that recorded it)."""
    if not token or len(token) > 64:
        return None
    return NetworkOptOut.objects.select_related("network").filter(token=token).first()


def sendout_progress(sendout: SendOut) -> dict[str, int]:
    """Delivery of a send-out's messages and what came back: three aggregate queries.

    `sent` counts messages delivered and not returned; `bounced` those returned as
    undeliverable; `answered` the send-out's invitations answered by any channel;
    `auto_replies` the automatic replies (out of office) to its invitations."""
    states = OutgoingMessage.State
    counts = OutgoingMessage.objects.filter(sendout_ref=sendout.pk).aggregate(
        total=Count("pk"),
        queued=Count("pk", filter=Q(state__in=[states.QUEUED, states.SENDING, states.RETRYING])),
        sent=Count("pk", filter=Q(state=states.SENT)),
        failed=Count("pk", filter=Q(state=states.FAILED)),
        bounced=Count("pk", filter=Q(state=states.BOUNCED)),
    )
    counts["answered"] = (
        Invitation.objects.filter(sendout=sendout).exclude(state=Invitation.State.PENDING).count()
    )
    counts["auto_replies"] = InboundReply.objects.filter(
        Q(invitation__sendout=sendout) | Q(sendout=sendout), kind=InboundReply.Kind.AUTO_REPLY
    ).count()
    return counts


@dataclass
class OrganisationRow:
    organisation: Organisation | None
    invited: int = 0
    registered: int = 0
    declined: int = 0
    no_answer: int = 0
    participants: int = 0  # active registrations, with or without an invitation


@dataclass
class EventOverview:
    invited: int
    registered: int
    declined: int
    no_answer: int
    participants: int
    organisations: list[OrganisationRow]
    unrepresented_members: list[Organisation]
    network: Network | None


def partnership_of(event: Event) -> Network | None:
    """The network whose member organisations should be represented at this event."""
    if event.network_id is not None:
        return event.network
    return event.host.networks.filter(kind=Network.Kind.PARTNERSHIP).first()


def event_overview(event: Event) -> EventOverview:
    """Answers to an event's invitations, per organisation; a fixed number of queries."""
    by_state = Q(state=Invitation.State.REGISTERED), Q(state=Invitation.State.DECLINED)
    invitation_rows = (
        Invitation.objects.filter(event=event)
        .values("organisation_id")
        .annotate(
            invited=Count("pk"),
            registered=Count("pk", filter=by_state[0]),
            declined=Count("pk", filter=by_state[1]),
        )
    )
    registration_rows = (
        Registration.objects.filter(event=event, status__in=Registration.ACTIVE_STATUSES)
        .values("organisation_id")
        .annotate(participants=Count("pk"))
    )
    rows: dict[int | None, OrganisationRow] = {}
    for item in invitation_rows:
        row = rows.setdefault(item["organisation_id"], OrganisationRow(organisation=None))
        row.invited = item["invited"]
        row.registered = item["registered"]
        row.declined = item["declined"]
        row.no_answer = item["invited"] - item["registered"] - item["declined"]
    for item in registration_rows:
        row = rows.setdefault(item["organisation_id"], OrganisationRow(organisation=None))
        row.participants = item["participants"]
    organisations = Organisation.objects.in_bulk([pk for pk in rows if pk is not None])
    for pk, row in rows.items():
        row.organisation = organisations.get(pk) if pk is not None else None
    ordered = sorted(
        rows.values(),
        key=lambda r: (r.organisation is None, r.organisation and r.organisation.name),
    )
    network = partnership_of(event)
    unrepresented: list[Organisation] = []
    if network is not None:
        represented = {pk for pk, row in rows.items() if pk is not None and row.participants}
        unrepresented = [
            membership.organisation
            for membership in OrganisationMembership.objects.filter(
                network=network, role=OrganisationMembership.Role.MEMBER
            )
            .exclude(organisation_id__in=represented)
            .select_related("organisation")
        ]
    invited = sum(r.invited for r in rows.values())
    registered = sum(r.registered for r in rows.values())
    declined = sum(r.declined for r in rows.values())
    return EventOverview(
        invited=invited,
        registered=registered,
        declined=declined,
        no_answer=invited - registered - declined,
        participants=sum(r.participants for r in rows.values()),
        organisations=ordered,
        unrepresented_members=unrepresented,
        network=network,
    )


def event_invitations(event: Event) -> QuerySet[Invitation]:
    """An event's invitations, each with `undeliverable`: its address bounced for good."""
    return (
        Invitation.objects.filter(event=event)
        .select_related("organisation", "registration", "sendout")
        .annotate(
            undeliverable=Exists(
                UndeliverableAddress.objects.filter(email_key=Lower(OuterRef("email")))
            )
        )
    )


def person_history(person: Person, *, events: QuerySet[Event]) -> dict[str, Any]:
    """Every invitation and message a person got, and their answers, within the given events."""
    invitations = list(
        Invitation.objects.filter(person=person, event__in=events)
        .select_related("event", "registration")
        .order_by("-created_at")
    )
    registrations = list(
        Registration.objects.filter(
            Q(person=person) | Q(email__iexact=person.email), event__in=events
        ).select_related("event")
    )
    event_ids = list(events.values_list("pk", flat=True))
    messages = list(
        OutgoingMessage.objects.filter(person_ref=person.pk, event_ref__in=event_ids).only(
            "pk",
            "subject",
            "composed",
            "kind",
            "state",
            "created_at",
            "sent_at",
            "to_email",
            "event_ref",
        )
    )
    return {"invitations": invitations, "registrations": registrations, "messages": messages}


# What came back from the mailbox -----------------------------------------------------------------

# Kinds an organiser should look at even if a handler did not flag them.
ATTENTION_KINDS = (
    InboundReply.Kind.UNMATCHED,
    InboundReply.Kind.HUMAN,
    InboundReply.Kind.CALENDAR_COUNTER,
    InboundReply.Kind.BOUNCE,
)


def replies_in_scope(user: User | AnonymousUser) -> QuerySet[InboundReply]:
    """Every reply from the mailbox the user may see: those about events they organise;
    a superuser also sees those that matched no event."""
    replies = InboundReply.objects.all()
    if not user.is_superuser:
        replies = replies.filter(event__in=organised_events(user))
    return replies


def inbox_replies(
    user: User | AnonymousUser, *, event: Event | None = None, handled: bool = False
) -> QuerySet[InboundReply]:
    """The replies that need an organiser (unmatched or forged, written by a person, a
    proposed new time, a bounce), newest first; `handled` picks those already dealt with."""
    replies = replies_in_scope(user).filter(
        Q(needs_attention=True) | Q(kind__in=ATTENTION_KINDS), handled_at__isnull=not handled
    )
    if event is not None:
        replies = replies.filter(event=event)
    return replies.select_related("event", "invitation", "registration", "handled_by").order_by(
        "-created_at", "-pk"
    )


def undeliverable_addresses(user: User | AnonymousUser) -> QuerySet[UndeliverableAddress]:
    """Undeliverable addresses of the invitees and participants of the user's events;
    a superuser sees them all. Newest first."""
    addresses = UndeliverableAddress.objects.select_related("message")
    if not user.is_superuser:
        events = organised_events(user)
        invited = Invitation.objects.filter(event__in=events).values(key=Lower("email"))
        registered = Registration.objects.filter(event__in=events).values(key=Lower("email"))
        addresses = addresses.filter(Q(email_key__in=invited) | Q(email_key__in=registered))
    return addresses.order_by("-created_at", "-pk")


@dataclass
class AddressHolder:
    name: str
    event: Event
    invitation: Invitation | None = None
    registration: Registration | None = None


def address_holders(keys: list[str], *, events: QuerySet[Event]) -> dict[str, list[AddressHolder]]:
    """Who had each address (an email key) in the given events: invitees and registrations,
    in two queries."""
    holders: dict[str, list[AddressHolder]] = {key: [] for key in keys}
    if not keys:
        return holders
    for invitation in (
        Invitation.objects.annotate(key=Lower("email"))
        .filter(key__in=keys, event__in=events)
        .select_related("event")
        .order_by("-event__starts_at", "pk")
    ):
        holders[invitation.key].append(
            AddressHolder(name=invitation.name, event=invitation.event, invitation=invitation)
        )
    for registration in (
        Registration.objects.annotate(key=Lower("email"))
        .filter(key__in=keys, event__in=events)
        .select_related("event")
        .order_by("-event__starts_at", "pk")
    ):
        holders[registration.key].append(
            AddressHolder(
                name=registration.name, event=registration.event, registration=registration
            )
        )
    return holders
