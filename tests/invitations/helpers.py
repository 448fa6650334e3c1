from invitations.models import SendOut
from invitations.services import sendouts


def send_out(*, event, user=None, message="", **selection) -> SendOut:
    """Create, schedule and expand a send-out the way the worker would (task body run inline)."""
    sendout = sendouts.create_sendout(event=event, created_by=user, message=message, **selection)
    sendouts.schedule_sendout(sendout_id=sendout.pk)
    sendouts.expand_sendout(sendout_id=sendout.pk)
    sendout.refresh_from_db()
    return sendout
