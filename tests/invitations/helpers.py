from invitations import services
from invitations.models import SendOut


def send_out(*, event, user=None, message="", **selection) -> SendOut:
    """Create, schedule and expand a send-out the way the worker would (task body run inline)."""
    sendout = services.create_sendout(event=event, created_by=user, message=message, **selection)
    services.schedule_sendout(sendout_id=sendout.pk)
    services.expand_sendout(sendout_id=sendout.pk)
    sendout.refresh_from_db()
    return sendout
