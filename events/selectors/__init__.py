"""Reads: public.py for the public pages, the API and services; organiser.py for organisers."""
