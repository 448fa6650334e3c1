"""iCalendar (RFC 5545) and iTIP (RFC 5546) for events: email invitations, feeds and links.

Where each piece lives (callers import from these modules):
- itip: Attendee, itip_request(event=, attendee=, sequence=, include_meeting_link=False) ->
  METHOD:REQUEST, itip_cancel(event=, attendee=, sequence=, message="") -> METHOD:CANCEL
- publish: publish(events=, name="", include_meeting_link=False) -> METHOD:PUBLISH, feed_etag
- sequences: take_sequences(event=, emails=) -> {address: int}, take_sequence(event=, email=)
  -> int, the one rule for every REQUEST and CANCEL sent to a person (see that module)
- links: google_calendar_url(event), outlook_calendar_url(event), event_ics_url(event),
  network_feed_url(network), personal_feed_url(registration), webcal_url(url)
- components: the UID, VEVENT and ORGANIZER every body is built from, and its rendering
- vtimezone: Europe/Oslo as one compact VTIMEZONE, built once per process
"""
