"""The generic send, sweep and mailbox tasks. Thin: primitive ids in, one service call."""

from celery import shared_task
from celery.signals import worker_process_shutdown

from . import delivery, mailbox, services, transports


def _schedule(retries: list[delivery.Retry]) -> None:
    # Countdowns stay under OUTBOX_RETRY_CAP_SECONDS (15 min), far below the Redis
    # visibility_timeout (3 h): a waiting ETA task is never handed to a second worker.
    for retry in retries:
        send_message.apply_async(
            kwargs={"message_id": retry.message_id}, countdown=retry.countdown, queue="mail"
        )


# acks_late + reject_on_worker_lost: a task whose worker dies goes back to the broker; the
# claim in delivery makes the redelivery skip rows already sent or still being sent.
@shared_task(name="worker.send_message", acks_late=True, reject_on_worker_lost=True)
def send_message(*, message_id: int) -> None:
    _schedule(delivery.deliver_messages(message_ids=[message_id]))


@shared_task(name="worker.send_messages", acks_late=True, reject_on_worker_lost=True)
def send_messages(*, message_ids: list[int]) -> None:
    """A batch over one SMTP connection (the connection outlives the task, per process)."""
    _schedule(delivery.deliver_messages(message_ids=message_ids))


@shared_task(name="worker.send_queued", acks_late=True, reject_on_worker_lost=True)
def send_queued() -> None:
    """Send every queued row that is due (worker.services.nudge_delivery enqueues this)."""
    retries, more = delivery.deliver_queued()
    _schedule(retries)
    if more:
        send_queued.apply_async(queue="mail")


@shared_task(name="worker.sweep_outbox", ignore_result=True)
def sweep_outbox() -> None:
    services.sweep_outbox()


@worker_process_shutdown.connect
def _close_smtp(**kwargs) -> None:
    transports.close_connections()


@shared_task(name="worker.poll_mailbox", ignore_result=True)
def poll_mailbox() -> None:
    """Read the inbound mailbox once (the beat schedules it when INBOUND_MAIL_URL is set)."""
    mailbox.poll_once_locked()
