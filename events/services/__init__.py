"""Every write in the events app: registrations.py (participants), organising.py (organisers)."""
