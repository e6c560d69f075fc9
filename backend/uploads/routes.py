"""``POST /api/v1/uploads``, the uploader's view of an upload, and the signed file route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, cast, get_args

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.spec import Example, OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.params import Body, Parameter

from backend.deps import Deps
from backend.http.auth import KIOSK_OK, PUBLIC, ApiRequest
from backend.http.openapi import operation
from backend.http.problems import http_exception_handler, problem
from backend.settings import Settings
from backend.uploads import messages, service
from backend.uploads.schemas import StoredType, UploadCreated, UploadDetail, UploadForm
from backend.uploads.store import UploadView

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

UploadIdPath = Annotated[
    str,
    Parameter(
        description="上传编号（上传答复中的 id）。",
        examples=[Example(value="up_Zk3v9QpX2mR7tLw4bN8cYg")],
    ),
]
TokenPath = Annotated[
    str,
    Parameter(
        description="查看链接中的签名令牌（由获取材料查看链接的接口生成，短时有效）。",
        examples=[
            Example(
                value="up_Zk3v9QpX2mR7tLw4bN8cYg.1796614400.sD2OTAJ994JNINSgCK1KWszWWll4pxPJpjJ_j10jBv4"
            )
        ],
    ),
]


async def _read_all(file: UploadFile) -> bytes:
    """The uploaded file's bytes; the spooled temporary file is closed at once."""
    content = await file.read()
    await file.close()
    return content


def _created(view: UploadView) -> UploadCreated:
    return UploadCreated(
        id=view.id,
        sha256=view.sha256,
        size=view.size,
        content_type=cast(StoredType, view.content_type),
        material_type=view.material_type,
    )


@dataclass
class FileOperation(Operation):
    """The file route answers the file itself, in the type it was kept as (not JSON)."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.description = "文件内容。"
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            ok.content = {kind: OpenAPIMediaType(schema=binary) for kind in get_args(StoredType)}


class UploadController(Controller):
    path = "/api/v1/uploads"
    tags = ["上传"]

    @post(
        "/",
        status_code=201,
        **operation(
            "上传材料文件",
            "市民、代办员和工作人员上传一份材料（multipart/form-data：file 和 material_type），"
            "答复的 id 在提交申请、补正或委托时引用。服务器按内容判断文件类型，照片去掉拍摄信息后"
            "重新保存；文件大小、图片像素和每人每天的上传个数有上限（部署配置，默认 10 MB、"
            "5000 万像素、200 个）。上传的文件在用于办件或委托之前只有上传者本人能看到。",
            problems={
                400: ["upload_form_invalid"],
                413: ["upload_too_large"],
                422: [
                    "material_type_invalid",
                    "upload_empty",
                    "upload_too_large",
                    "upload_type_unsupported",
                    "upload_heic_unsupported",
                    "upload_image_too_large",
                    "upload_corrupt",
                ],
                429: ["upload_limit_reached"],
                503: ["storage_unavailable"],
            },
            opt={KIOSK_OK: True},
        ),
    )
    async def create(
        self,
        request: ApiRequest,
        deps: Deps,
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> UploadCreated:
        view = await service.save_upload(
            store=deps.file_store,
            owner_kind=request.user.kind,
            owner_id=request.user.id,
            material_type=data.material_type,
            filename=data.file.filename or "",
            data=await _read_all(data.file),
            settings=deps.settings,
        )
        return _created(view)

    @get(
        "/{upload_id:str}",
        **operation(
            "查看我的上传",
            "我上传的一份文件的信息：类型、大小、上传时间，以及是否已用于办件或委托。"
            "别人的上传与不存在的上传同样答 404 upload_not_found。",
            problems={404: ["upload_not_found", "not_found"]},
        ),
    )
    async def detail(self, request: ApiRequest, upload_id: UploadIdPath) -> UploadDetail:
        view = await service.get_upload(
            upload_id=upload_id, owner_kind=request.user.kind, owner_id=request.user.id
        )
        return UploadDetail(
            id=view.id,
            sha256=view.sha256,
            size=view.size,
            content_type=cast(StoredType, view.content_type),
            material_type=view.material_type,
            original_name=view.original_name,
            created_at=view.created_at,
            attached=view.attached_id is not None,
        )


class FileController(Controller):
    """Public: the token in the path is the capability (see ``backend.uploads.links``)."""

    path = "/api/v1/files"
    opt = PUBLIC
    tags = ["上传"]

    @get(
        "/{token:str}",
        operation_class=FileOperation,
        **operation(
            "打开材料文件",
            "按短时有效的签名链接答复文件本身（图片或 PDF），链接由获取材料查看链接的接口生成，"
            "令牌即凭证，不需要登录。伪造或损坏的令牌答 404 link_invalid，"
            "过期的答 410 link_expired。",
            problems={
                404: ["link_invalid", "upload_not_found", "not_found"],
                410: ["link_expired"],
                503: ["storage_unavailable"],
            },
        ),
    )
    async def file(self, deps: Deps, token: TokenPath) -> Response[bytes]:
        data, content_type, _ = await service.open_signed(
            token=token, settings=deps.settings, store=deps.file_store
        )
        return Response(data, media_type=content_type, headers=FILE_HEADERS)


def uploads_router(settings: Settings) -> Router:
    """The upload routes, with a body limit that refuses a huge upload before reading it."""
    max_bytes = settings.upload_max_bytes

    def too_large(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        return problem(413, "upload_too_large", messages.too_large(max_bytes))

    def not_multipart(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        if isinstance(exc, ValidationException):  # a missing part: the usual 422
            return http_exception_handler(request, exc)
        return problem(400, "upload_form_invalid", messages.FORM_INVALID)

    return Router(
        path="/",
        route_handlers=[UploadController, FileController],
        request_max_body_size=max_bytes + MULTIPART_OVERHEAD,
        exception_handlers={400: not_multipart, 413: too_large},
    )
