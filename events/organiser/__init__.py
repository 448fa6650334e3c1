"""The organiser area for events (/arrangor/arrangementer/): views/, forms.py, urls.py."""
