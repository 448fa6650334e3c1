"""Every write to partners data: people in networks, and importing people from a file."""

from .networks import update_network_page
from .organisations import create_organisation, create_organisations
from .people import add_person_to_network, remove_person_from_network, update_person_in_network
from .people_import.importing import import_people
from .people_import.report import ImportReport, ImportSource, RowProblem

__all__ = [
    "ImportReport",
    "ImportSource",
    "RowProblem",
    "add_person_to_network",
    "create_organisation",
    "create_organisations",
    "import_people",
    "remove_person_from_network",
    "update_network_page",
    "update_person_in_network",
]
