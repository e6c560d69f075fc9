"""The WeChat (微信) mini-program server APIs: a port and its wechatpy adapter."""

from backend.wechat.ports import (
    PhoneInfo,
    WeChatCodeInvalid,
    WeChatError,
    WeChatGateway,
    WeChatUnavailable,
    WxSession,
)

__all__ = [
    "PhoneInfo",
    "WeChatCodeInvalid",
    "WeChatError",
    "WeChatGateway",
    "WeChatUnavailable",
    "WxSession",
]
