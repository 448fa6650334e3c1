"""Every kind of email writes the event's time the one way the pages do (events/dates.py), in
the recipient's language: "onsdag 20. januar 2027 kl. 10.00–15.00", no "10:00" in Norwegian, no
capitalised month abbreviations."""

import re

import pytest
from django.utils import translation

from events import dates
from events.models import Event

from .email_kinds import every_kind

pytestmark = pytest.mark.django_db

COLON_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
ABBREVIATED_MONTH = re.compile(r"\b\d{1,2}\. ?(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Okt|Nov|Des)\b")
# What a calendar part or a link may hold: not text for a reader.
NOT_PROSE = re.compile(r"https?://\S+")


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_email_writes_the_event_time_the_one_way(language):
    built = every_kind(language)
    event = Event.objects.get(title__startswith="Partnerskapskonferansen")
    with translation.override(language):
        when = dates.format_when(event)
    for message in built:
        text = NOT_PROSE.sub("", message.text_body)
        assert when in text, message.kind
        assert ABBREVIATED_MONTH.search(text) is None, message.kind
        if language != "en":
            assert COLON_TIME.search(text) is None, (message.kind, COLON_TIME.search(text))
