"""User-facing text of the platform package (Simplified Chinese), kept here for review."""

from typing import Final

SIGNATURE_INVALID: Final = "平台回调签名无效。"
TIMESTAMP_INVALID: Final = "平台回调时间戳无效或已超过 5 分钟。"
NOT_CONFIGURED: Final = "外部一窗受理平台尚未配置。"
CASE_NOT_FOUND: Final = "找不到该办件。"
CASE_NOT_READY: Final = "该办件的推送尚未登记完成，请稍后重试回调。"
OUT_OF_ORDER: Final = "该状态早于已处理的最新状态，已忽略。"
SUPPLEMENT_EMPTY: Final = "补正通知须列出需要补正的全部材料。"
NOT_RETRYABLE: Final = "该办件没有推送失败记录，或已不在待推送状态。"
TOWNSHIP_UNKNOWN: Final = "找不到该镇街。"
BASE_URL_INVALID: Final = "平台地址须为以 http:// 或 https:// 开头的地址。"
SECRET_MISSING: Final = "尚未为该平台账号配置密钥（PLATFORM_SECRETS），不能启用。"  # noqa: S105 - a message

AUDIT_NOTES: Final[dict[str, str]] = {
    "platform_configure_township": "设置镇街的外部一窗受理平台",
    "platform_retry_push": "重新推送办件到外部平台",
}
