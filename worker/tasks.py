from celery import shared_task

from . import delivery


@shared_task(name="worker.send_message", acks_late=True)
def send_message(*, message_id: int) -> None:
    delivery.deliver(message_id=message_id)
