"""``POST /api/v1/uploads``, the uploader's view of an upload, and the signed file route."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import Body

from backend.http.auth import PUBLIC, Principal
from backend.http.problems import http_exception_handler, problem
from backend.settings import Settings
from backend.uploads import messages as M
from backend.uploads import service
from backend.uploads.schemas import UploadCreated, UploadDetail, UploadForm

MULTIPART_OVERHEAD = 64 * 1024
"""Room for the multipart envelope and the other fields on top of ``UPLOAD_MAX_BYTES``."""

FILE_HEADERS = {
    "Content-Disposition": "inline",
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    # A PDF is opened in the API's (and the portal's) origin: the sandbox gives it an opaque
    # origin, so a script in it could reach nothing of ours. Chromium's PDF viewer still opens
    # such a file (tests/browser/test_files.py looks at it).
    "Content-Security-Policy": "sandbox; default-src 'none'",
}


class UploadController(Controller):
    path = "/api/v1/uploads"
    tags = ["uploads"]

    @post("/", status_code=201, summary="Upload one material file (citizens and staff)")
    async def create(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> UploadCreated:
        content = await data.file.read()
        await data.file.close()
        view = await service.save_upload(
            store=state.file_store,
            owner_kind=request.user.kind,
            owner_id=request.user.id,
            material_type=data.material_type,
            filename=data.file.filename or "",
            data=content,
            settings=state.settings,
        )
        return UploadCreated(
            id=view.id,
            sha256=view.sha256,
            size=view.size,
            content_type=view.content_type,
            material_type=view.material_type,
        )

    @get("/{upload_id:str}", summary="An upload's metadata, for its uploader only")
    async def detail(self, request: Request[Principal, Any, Any], upload_id: str) -> UploadDetail:
        view = await service.get_upload(
            upload_id=upload_id, owner_kind=request.user.kind, owner_id=request.user.id
        )
        return UploadDetail(
            id=view.id,
            sha256=view.sha256,
            size=view.size,
            content_type=view.content_type,
            material_type=view.material_type,
            original_name=view.original_name,
            created_at=view.created_at,
            attached=view.attached_id is not None,
        )


class FileController(Controller):
    """Public: the token in the path is the capability (see ``backend.uploads.links``)."""

    path = "/api/v1/files"
    opt = PUBLIC
    tags = ["uploads"]

    @get("/{token:str}", summary="A material file behind a short-lived signed link")
    async def file(self, state: State, token: str) -> Response[bytes]:
        data, content_type, _ = await service.open_signed(
            token=token, settings=state.settings, store=state.file_store
        )
        return Response(data, media_type=content_type, headers=FILE_HEADERS)


def uploads_router(settings: Settings) -> Router:
    """The upload routes, with a body limit that refuses a huge upload before reading it."""
    max_bytes = settings.upload_max_bytes

    def too_large(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        return problem(413, "upload_too_large", M.too_large(max_bytes))

    def not_multipart(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        if isinstance(exc, ValidationException):  # a missing part: the usual 422
            return http_exception_handler(request, exc)
        return problem(400, "upload_form_invalid", M.FORM_INVALID)

    return Router(
        path="/",
        route_handlers=[UploadController, FileController],
        request_max_body_size=max_bytes + MULTIPART_OVERHEAD,
        exception_handlers={400: not_multipart, 413: too_large},
    )
