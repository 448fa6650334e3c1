"""The provider for what no domain app owns: the emails sent to the address (the outbox) and
the API's stored answers. Registered by this app's ready(), after the domain apps', so it is
collected last and erased first (worker.erasure: rows on their way are emptied once sent)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from api.idempotency import forget_records_naming
from worker.bounces import is_undeliverable
from worker.erasure import forget_address, messages_to

from .registry import Item, Provider, Record, Section, Tally, register_provider


def collect(email: str) -> list[Section]:
    messages = [
        Record(
            heading=row.display_subject,
            items=[
                Item("subject", _("Subject"), row.display_subject),
                Item("kind", _("Kind"), row.kind),
                Item("state", _("State"), str(row.get_state_display())),
                Item("created_at", _("Written"), row.created_at),
                Item("sent_at", _("Sent"), row.sent_at),
                Item("bounced_at", _("Bounced"), row.bounced_at),
            ],
        )
        for row in messages_to(email).order_by("created_at", "pk")
    ]
    undeliverable = (
        [Record(heading=email, items=[Item("email", _("Email"), email)])]
        if is_undeliverable(email)
        else []
    )
    return [
        Section("messages", _("Emails we have sent you"), messages),
        Section("undeliverable", _("Addresses our emails could not reach"), undeliverable),
    ]


def erase(email: str, now: dt.datetime) -> list[Tally]:
    outbox = forget_address(email=email)
    return [
        Tally("messages_emptied", _("Emails to you emptied of their text"), outbox["messages"]),
        Tally("undeliverable_deleted", _("Undeliverable marks deleted"), outbox["undeliverable"]),
        Tally(
            "api_answers_deleted",
            _("Stored answers of the API deleted"),
            forget_records_naming(email=email),
        ),
    ]


PROVIDER = register_provider(Provider(name="outbox", collect=collect, erase=erase))
