"""Helpers for the registration tests: form data, registering through the service, the outbox as
the worker would compose it (test data itself comes from tests/factories.py)."""

from zoneinfo import ZoneInfo

from events.models import Event, Registration

OSLO = ZoneInfo("Europe/Oslo")


def form_data(email: str = "kari.nordmann@example.org", **overrides) -> dict:
    data = {
        "name": "Kari Nordmann",
        "email": email,
        "organisation_name": "Tønsberg kommune",
        "title": "Rådgiver",
        "phone": "",
        "language": "nb",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(event: Event, email: str = "kari.nordmann@example.org", **kwargs) -> Registration:
    from events.participants import ParticipantDetails
    from events.services.registering import register_participant

    own = {k: kwargs.pop(k) for k in ("person", "invitation_allowed") if k in kwargs}
    params = {
        "name": "Kari Nordmann",
        "organisation_name": "Tønsberg kommune",
        "title": "Rådgiver",
        "language": "nb",
    }
    params.update(kwargs)
    return register_participant(
        event=event, details=ParticipantDetails(email=email, **params), **own
    )


def compose_pending() -> None:
    """Compose the rows the worker composes when it sends them, as it would."""
    from worker.composers import ComposeSkipped, compose, fill
    from worker.models import OutgoingMessage

    for row in OutgoingMessage.objects.filter(composed=False, state="queued"):
        try:
            row.save(update_fields=fill(row, compose(row)))
        except ComposeSkipped as skipped:
            row.state = OutgoingMessage.State.SKIPPED
            row.last_response = "not sent: %s" % skipped
            row.save(update_fields=["state", "last_response"])


def outbox(kind: str | None = None, to: str | None = None):
    """The outbox rows, with the messages the worker would compose written in."""
    from worker.models import OutgoingMessage

    compose_pending()
    rows = OutgoingMessage.objects.order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    if to:
        rows = rows.filter(to_email=to)
    return list(rows)
