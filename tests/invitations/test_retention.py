import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from events.models import Event
from invitations.models import Invitation
from invitations.selectors import event_overview

from .helpers import send_out


def test_invitations_are_anonymised_after_the_hosts_retention_period_and_counts_survive(
    event, klima, capsys
):
    send_out(event=event, network_ids=[klima.pk])
    invitation = Invitation.objects.filter(event=event).first()
    Invitation.objects.filter(pk=invitation.pk).update(state="declined", decline_reason="Ferie")
    before = event_overview(event)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=800, hours=3),
        ends_at=timezone.now() - dt.timedelta(days=800),
    )
    call_command("apply_retention")
    assert "invitations anonymised: 3" in capsys.readouterr().out
    invitation.refresh_from_db()
    assert invitation.name == "–" and invitation.decline_reason == ""
    assert invitation.email.endswith("@invalid.invalid") and invitation.person_id is None
    after = event_overview(event)
    assert (after.declined, after.no_answer) == (before.declined, before.no_answer)
    call_command("apply_retention")
    assert "invitations anonymised: 0" in capsys.readouterr().out
