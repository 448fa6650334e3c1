"""The organiser views, one module per page family; events/organiser/urls.py routes them."""
