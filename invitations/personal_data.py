"""The invitations' personal data provider (personaldata/registry.py): invitations, network
opt-outs and what the mailbox brought back about the address; the personal link's kind
("invitasjon").

Erasure: invitations lose name, address, reason and link (the rows stay, so the answers per
organisation still count); opt-outs are deleted with the address they hold (the register
entry that would invite the person again goes too: partners/personal_data.py); replies and
bounces lose sender, subject, text and note.
"""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from personaldata.registry import (
    Item,
    LinkHolder,
    Provider,
    Record,
    Section,
    Tally,
    link_kind,
    register_provider,
)

from .models import InboundReply, Invitation, NetworkOptOut, new_token
from .services.retention import ANONYMISED_DOMAIN, anonymise_invitation_rows


def _invitations(email: str) -> QuerySet[Invitation]:
    return Invitation.objects.filter(email__iexact=email.strip()).exclude(
        email__endswith=ANONYMISED_DOMAIN
    )


def _replies(email: str) -> QuerySet[InboundReply]:
    address = email.strip()
    return InboundReply.objects.filter(
        Q(sender__iexact=address)
        | Q(invitation__email__iexact=address)
        | Q(registration__email__iexact=address)
    )


def collect(email: str) -> list[Section]:
    invitations = [
        Record(
            heading=i.event.title,
            items=[
                Item("event", _("Event"), i.event.title),
                Item("name", _("Name"), i.name),
                Item("email", _("Email"), i.email),
                Item(
                    "organisation", _("Organisation"), i.organisation.name if i.organisation else ""
                ),
                Item("language", _("Language for emails"), str(i.get_language_display())),
                Item("answer", _("Answer"), str(i.get_state_display())),
                Item("decline_reason", _("Reason for declining"), i.decline_reason),
                Item("invited_at", _("Invited"), i.created_at),
                Item("answered_at", _("Answered"), i.answered_at),
            ],
        )
        for i in _invitations(email).select_related("event", "organisation").order_by("pk")
    ]
    opt_outs = [
        Record(
            heading=o.network.name,
            items=[
                Item("network", _("Network"), o.network.name),
                Item("email", _("Email"), o.email),
                Item("opted_out_at", _("Opted out"), o.created_at),
            ],
        )
        for o in NetworkOptOut.objects.filter(email__iexact=email.strip())
        .select_related("network")
        .order_by("pk")
    ]
    replies = [
        Record(
            heading=str(r.get_kind_display()),
            items=[
                Item("kind", _("Kind"), str(r.get_kind_display())),
                Item("received_at", _("Received"), r.created_at),
                Item("sender", _("From"), r.sender),
                Item("subject", _("Subject"), r.subject),
                Item("text", _("Text"), r.excerpt),
                Item("answer", _("Answer"), r.partstat),
                Item("outcome", _("Outcome"), str(r.get_outcome_display())),
            ],
        )
        for r in _replies(email).order_by("pk")
    ]
    return [
        Section("invitations", _("Invitations to events"), invitations),
        Section("network_opt_outs", _("Invitations you have stopped"), opt_outs),
        Section("inbound_replies", _("Replies and bounces we received"), replies),
    ]


def erase(email: str, now: dt.datetime) -> list[Tally]:
    replies = _replies(email).update(sender="", subject="", excerpt="", note="")
    rows = list(_invitations(email).only("pk"))
    for row in rows:
        row.token = new_token()  # the personal link dies with the person's data
    Invitation.objects.bulk_update(rows, ["token"])
    anonymise_invitation_rows(Invitation.objects.filter(pk__in=[row.pk for row in rows]))
    opt_outs, _per_model = NetworkOptOut.objects.filter(email__iexact=email.strip()).delete()
    return [
        Tally("invitations_anonymised", _("Invitations anonymised"), len(rows)),
        Tally("network_opt_outs_deleted", _("Opt-outs deleted"), opt_outs),
        Tally("inbound_replies_emptied", _("Replies and bounces emptied"), replies),
    ]


@link_kind("invitasjon")
def holder_of_invitation(token: str) -> LinkHolder | None:
    invitation = (
        Invitation.objects.select_related("event")
        .filter(token=token)
        .exclude(email__endswith=ANONYMISED_DOMAIN)
        .first()
    )
    if invitation is None:
        return None
    return LinkHolder(
        email=invitation.email,
        language=invitation.language,
        back_url=invitation.get_absolute_url(),
        host_ref=invitation.event.host_id,
    )


PROVIDER = register_provider(Provider(name="invitations", collect=collect, erase=erase))
