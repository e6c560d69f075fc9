"""Every user-facing text of the uploads package, in one place for review."""

from __future__ import annotations

from backend.errors import DomainError

ACCEPTED = "JPG、PNG、WebP、HEIC 图片或 PDF 文件"

EMPTY = "上传的文件是空的，请重新选择。"
TYPE_UNSUPPORTED = f"不支持该文件类型，请上传{ACCEPTED}。"
HEIC_UNSUPPORTED = (
    "暂时无法处理 HEIC 格式的照片。请在手机“设置 → 相机 → 格式”中选择“兼容性最佳”后重新拍摄，"
    "或改为上传 JPG 图片。"
)
CORRUPT = "文件已损坏或不完整，无法打开，请重新拍摄或选择后上传。"
FORM_INVALID = (
    "请以 multipart/form-data 格式上传，包含 file（文件）和 material_type（材料类型）两项。"
)
MATERIAL_TYPE_INVALID = "请填写材料类型（不超过 20 个字）。"
UPLOAD_NOT_FOUND = "找不到该材料文件，请重新上传。"
ALREADY_ATTACHED = "该材料文件已用于其他办件或委托，请重新上传。"
LINK_INVALID = "文件链接无效。"
LINK_EXPIRED = "文件链接已过期，请返回重新打开。"
STORE_UNAVAILABLE = "文件存储暂时不可用，请稍后再试。"


def too_large(max_bytes: int) -> str:
    return f"文件不能超过 {max_bytes / (1024 * 1024):g} MB，请压缩或分开上传。"


def image_too_large(max_pixels: int) -> str:
    return f"图片尺寸过大（超过 {max_pixels // 1_000_000} 百万像素），请缩小后上传。"


def limit_reached(per_day: int) -> str:
    return f"今天上传的文件已达 {per_day} 个，请明天再试。"


class Gone(DomainError):
    """The thing existed but is no longer available (an expired signed link)."""

    status = 410
    default_code = "gone"
    default_detail = "内容已失效。"
