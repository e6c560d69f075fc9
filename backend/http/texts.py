"""User-facing text of the HTTP plumbing (Simplified Chinese)."""

METRICS_NOT_CONFIGURED = "监控指标未开放：请由运维配置 METRICS_TOKEN 后凭令牌访问。"
METRICS_TOKEN_WRONG = "监控指标访问令牌缺失或不正确。"  # noqa: S105 - a message

OUTBOUND_URL_MALFORMED = "外部服务地址格式不正确，应为 http:// 或 https:// 开头的完整地址。"
OUTBOUND_URL_FORBIDDEN = "外部服务地址指向本机、链路本地或云平台元数据地址，不允许使用。"
OUTBOUND_URL_PRIVATE = (
    "外部服务地址指向内网地址，该网段未在部署配置 OUTBOUND_ALLOW_NETWORKS 中放行，不允许使用。"
)
OUTBOUND_URL_UNRESOLVABLE = "外部服务地址的域名无法解析。"
