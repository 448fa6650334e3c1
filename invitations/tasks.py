"""Celery tasks of the invitations app: thin wrappers around services."""

from celery import shared_task

from .services import calendar_answers, group_messages, reminders, retention, sendouts


@shared_task(name="invitations.expand_sendout", acks_late=True)
def expand_sendout(*, sendout_id: int) -> None:
    sendouts.expand_sendout(sendout_id=sendout_id)


@shared_task(name="invitations.start_due_sendouts")
def start_due_sendouts() -> int:
    return sendouts.start_due_sendouts()


@shared_task(name="invitations.send_reminders")
def send_reminders() -> tuple[int, int]:
    return reminders.send_reminders()


@shared_task(name="invitations.apply_pending_replies")
def apply_pending_replies() -> int:
    """Every minute: calendar answers recorded from the mailbox but not applied after commit."""
    return calendar_answers.apply_pending_replies()


@shared_task(name="invitations.deliver_group_message", acks_late=True)
def deliver_group_message(*, group_message_id: int) -> int:
    return group_messages.deliver_group_message(group_message_id=group_message_id)


@shared_task(name="invitations.apply_retention")
def apply_retention() -> None:
    """Daily: personal data past its retention period (DESIGN rule 8)."""
    from calls.services.retention import anonymise_answers
    from events.services.retention import apply_retention as apply_event_retention
    from feedback.services.retention import apply_feedback_retention
    from personaldata.services import purge_expired_links

    apply_feedback_retention()  # first: the names it removes from free texts go next
    apply_event_retention()
    retention.anonymise_invitations()
    anonymise_answers()
    purge_expired_links()
