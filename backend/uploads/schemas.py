"""Request and response bodies of the upload routes (the uploader is the only audience)."""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

import msgspec
from litestar.datastructures import UploadFile
from msgspec import Meta

from backend.http.fields import Timestamp
from backend.uploads.service import MATERIAL_TYPE_MAX

StoredType: TypeAlias = Literal["image/jpeg", "image/png", "image/webp", "application/pdf"]
"""What a kept file is: photos are re-encoded (HEIC/HEIF as JPEG), PDFs kept as sent."""

UploadId: TypeAlias = Annotated[
    str,
    Meta(
        description="上传编号：提交申请、补正或委托时在 materials 中引用。",
        examples=["up_Zk3v9QpX2mR7tLw4bN8cYg"],
    ),
]
Sha256: TypeAlias = Annotated[
    str,
    Meta(
        pattern="^[0-9a-f]{64}$",
        description="保存的文件内容的 SHA-256（小写十六进制）。",
        examples=["9f2c4b7e1a3d5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd"],
    ),
]
Size: TypeAlias = Annotated[
    int, Meta(ge=1, description="保存的文件大小（字节）。", examples=[482133])
]
ContentType: TypeAlias = Annotated[
    StoredType,
    Meta(
        description=(
            "保存的文件类型：照片去掉拍摄信息（含位置）后重新编码，HEIC/HEIF 照片转为 JPG；"
            "PDF 原样保存。"
        )
    ),
]
MaterialType: TypeAlias = Annotated[
    str, Meta(description="上传时填写的材料类型。", examples=["身份证"])
]


class UploadForm(msgspec.Struct):
    """上传一份材料（multipart/form-data）：文件和它的材料类型。"""

    file: Annotated[
        UploadFile,
        Meta(
            description=(
                "文件：JPG、PNG、WebP、HEIC/HEIF 图片或 PDF，按内容判断类型（与文件名无关）。"
                "大小上限由部署配置（UPLOAD_MAX_BYTES，默认 10 MB）；图片不超过 5000 万像素。"
            ),
            examples=["（图片或 PDF 文件的二进制内容）"],
        ),
    ]
    material_type: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=MATERIAL_TYPE_MAX,
            description=(
                "材料类型：事项目录中材料的规范名称（如 身份证、户口簿），"
                "提交申请时须与 materials.type 一致。"
            ),
            examples=["身份证"],
        ),
    ]


class UploadCreated(msgspec.Struct):
    """已保存的上传：提交申请时用 id 引用它。"""

    id: UploadId
    sha256: Sha256
    size: Size
    content_type: ContentType
    material_type: MaterialType


class UploadDetail(msgspec.Struct):
    """我上传的一份文件的信息（只有上传者本人能看到）。"""

    id: UploadId
    sha256: Sha256
    size: Size
    content_type: ContentType
    material_type: MaterialType
    original_name: Annotated[
        str,
        Meta(
            max_length=100,
            description="上传时的文件名（只作显示，去掉了路径和控制字符）。",
            examples=["身份证正面.jpg"],
        ),
    ]
    created_at: Annotated[Timestamp, Meta(description="上传时间。")]
    attached: Annotated[
        bool,
        Meta(description="是否已用于某个办件或委托（用过的不能再用于别处）。", examples=[False]),
    ]
