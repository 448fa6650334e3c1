"""The events API: one router (router.py) and its endpoints, by what they do.

The endpoint modules are imported in this order because the OpenAPI document lists paths in
the order they were first registered: listing, then organising, then printing, then
registering, then the documents.
"""

from . import listing, organising, printing, registering  # noqa: F401  (each adds its endpoints)

# isort: split
from . import documents  # noqa: F401
from .router import router

__all__ = ["router"]
