"""Every write in the events app: registering.py (participants), waiting_list.py, organising.py
(organisers), check_in.py, retention.py; seats.py holds the hand-written SQL."""
