"""Request and response bodies of the upload routes (the uploader is the only audience)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec
from litestar.datastructures import UploadFile


@dataclass
class UploadForm:
    """``multipart/form-data``: the file and the canonical material type (e.g. 身份证)."""

    file: UploadFile
    material_type: str


class UploadCreated(msgspec.Struct):
    """``POST /api/v1/uploads`` → 201."""

    id: str
    sha256: str
    size: int
    content_type: str
    material_type: str


class UploadDetail(msgspec.Struct):
    """``GET /api/v1/uploads/{id}``: for the uploader only."""

    id: str
    sha256: str
    size: int
    content_type: str
    material_type: str
    original_name: str
    created_at: datetime
    attached: bool
