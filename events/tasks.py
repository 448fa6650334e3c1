from celery import shared_task

from .services.waiting_list import expire_offers as expire_offers_service


@shared_task(name="events.expire_offers")
def expire_offers() -> int:
    """Every few minutes (CELERY_BEAT_SCHEDULE): pass expired seat offers to the next in line."""
    return expire_offers_service()
