"""The one pagination of list endpoints: `?limit=&offset=` -> `{"count": N, "items": [...]}`."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_PAGE_SIZE = 200


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=` -> `{"count": N, "items": [...]}`."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")
        offset: int = Field(0, ge=0, le=10**9, description="Items to skip.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)
