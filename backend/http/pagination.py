"""``?page=&page_size=`` (max 100) for every list."""

from typing import Annotated

from litestar.params import Parameter

MAX_PAGE_SIZE = 100

Page = Annotated[int, Parameter(ge=1, le=100_000, description="1-based page number")]
PageSize = Annotated[
    int, Parameter(ge=1, le=MAX_PAGE_SIZE, description="items per page, at most 100")
]
