"""``?page=&page_size=`` (max 100) for every list."""

from typing import Annotated

from litestar.openapi.spec import Example
from litestar.params import Parameter

MAX_PAGE_SIZE = 100

Page = Annotated[
    int,
    Parameter(
        ge=1,
        le=100_000,
        description="第几页，从 1 开始。",
        examples=[Example(summary="第 1 页", value=1)],
    ),
]
PageSize = Annotated[
    int,
    Parameter(
        ge=1,
        le=MAX_PAGE_SIZE,
        description="每页条数，最多 100。",
        examples=[Example(summary="每页 20 条", value=20)],
    ),
]
