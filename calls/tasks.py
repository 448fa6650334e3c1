"""Celery tasks of the calls app: thin wrappers around services."""

from celery import shared_task

from .services import invitations, sendouts


@shared_task(name="calls.send_reminders")
def send_reminders() -> int:
    """Every 15 minutes: invitees who have not answered, the set days before the deadline."""
    return invitations.send_call_reminders()


@shared_task(name="calls.expand_sendout", acks_late=True)
def expand_sendout(*, sendout_id: int) -> None:
    """A call's send-out: its invitations and their emails, a batch per transaction."""
    sendouts.expand_sendout(sendout_id=sendout_id)


@shared_task(name="calls.start_due_sendouts")
def start_due_sendouts() -> int:
    """Every minute: send-outs the broker never got (an outage), or that stopped moving."""
    return sendouts.start_due_sendouts()
