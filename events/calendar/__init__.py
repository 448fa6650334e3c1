"""iCalendar (RFC 5545) and iTIP (RFC 5546) for events: email invitations, feeds and links."""
