"""Calendar generation: our REQUEST with the cached compact VTIMEZONE vs. icalendar's
add_missing_timezones() built per message (DESIGN rule 7). Run: python -m bench.calendar
"""

import os
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo


def _setup() -> None:
    from django.apps import apps

    if not apps.ready:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        django.setup()


def _typical_event():
    from events.models import Event

    oslo = ZoneInfo("Europe/Oslo")
    return Event(
        pk=42,
        title="Nettverkssamling: Klima og energi i Vestfold og Telemark",
        description=(
            "Velkommen til samling i klimanettverket. Vi ser på status for kommunenes "
            "klimaplaner, deler erfaringer fra energiprosjekter og planlegger neste halvår. "
            "Lunsj er inkludert; meld fra om allergier i påmeldingen."
        ),
        starts_at=datetime(2027, 3, 30, 9, 0, tzinfo=oslo),
        ends_at=datetime(2027, 3, 30, 15, 30, tzinfo=oslo),
        venue_name="Quality Hotel Tønsberg",
        venue_address="Ollebukta 3, 3126 Tønsberg",
        meeting_url="https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc",
        organiser_name="Kari Nordmann",
        organiser_email="kari.nordmann@vtfk.example",
        status=Event.Status.PUBLISHED,
        uid=uuid.uuid4(),
        sequence=1,
        updated_at=datetime(2027, 1, 5, 12, 0, tzinfo=oslo),
    )


def _rate(make: Callable[[], str], seconds: float) -> float:
    count = 0
    started = time.perf_counter()
    while True:
        make()
        count += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return count / elapsed


def main(seconds: float = 2.0) -> dict[str, float]:
    _setup()
    from django.utils import timezone

    from events.calendar.components import build_calendar, build_vevent
    from events.calendar.itip import Attendee, attendee_property, itip_request

    event = _typical_event()
    attendee = Attendee(email="ola.nordmann@example.no", name="Ola Nordmann")

    def ours() -> str:
        return itip_request(event=event, attendee=attendee, sequence=0, include_meeting_link=True)

    def baseline() -> str:
        # The same VEVENT, but the time zone from add_missing_timezones(), built per message.
        cal = build_calendar("REQUEST")
        vevent = build_vevent(
            event,
            sequence=event.sequence,
            dtstamp=timezone.now(),
            include_meeting_link=True,
            cancelled=False,
        )
        vevent.add("attendee", attendee_property(attendee))
        cal.add_component(vevent)
        cal.add_missing_timezones()
        return cal.to_ical().decode("utf-8")

    ours_bytes = len(ours().encode("utf-8"))
    baseline_bytes = len(baseline().encode("utf-8"))
    ours()  # warm caches (the VTIMEZONE is rendered once per process)
    # Alternate short slices and keep each side's best, so a busy machine skews both alike.
    rounds = 5
    ours_rates, baseline_rates = [], []
    for _ in range(rounds):
        ours_rates.append(_rate(ours, seconds / rounds))
        baseline_rates.append(_rate(baseline, seconds / rounds))
    ours_rate, baseline_rate = max(ours_rates), max(baseline_rates)
    print(
        "calendar: typical REQUEST size, bytes: ours %d, baseline %d (%.2fx)"
        % (ours_bytes, baseline_bytes, ours_bytes / baseline_bytes)
    )
    print(
        "calendar: REQUEST generation, calendars/s: ours %.0f, baseline %.0f (%.1fx faster)"
        % (ours_rate, baseline_rate, ours_rate / baseline_rate)
    )
    return {
        "ours_bytes": ours_bytes,
        "baseline_bytes": baseline_bytes,
        "ours_per_second": ours_rate,
        "baseline_per_second": baseline_rate,
        "speedup": ours_rate / baseline_rate,
    }


if __name__ == "__main__":
    main()
