"""Celery tasks of the calls app: thin wrappers around services."""

from celery import shared_task

from .services import invitations


@shared_task(name="calls.send_reminders")
def send_reminders() -> int:
    """Every 15 minutes: invitees who have not answered, the set days before the deadline."""
    return invitations.send_call_reminders()
