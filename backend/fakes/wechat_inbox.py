"""The fake's inbox page: the subscribe messages citizens would have received, newest first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any

_BEIJING = timezone(timedelta(hours=8), "CST")

_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>模拟微信 · 订阅消息收件箱</title>
<style>
body {{ font-family: system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; margin: 2rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: .4rem .6rem; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
dl {{ margin: 0; display: grid; grid-template-columns: max-content auto; gap: 0 .8rem; }}
dt {{ color: #666; }} dd {{ margin: 0; }}
.meta {{ color: #666; }}
</style>
</head>
<body>
<h1>模拟微信 · 订阅消息收件箱</h1>
<p class="meta">小程序 AppID：{appid}　已收到 {count} 条消息　access_token 获取次数：{fetches}
　本页每 5 秒自动刷新。</p>
{body}
</body>
</html>
"""

_EMPTY = "<p>暂无消息。</p>"


def _when(at: str) -> str:
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    return moment.astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _fields(data: Any) -> str:
    if not isinstance(data, Mapping):
        return escape(str(data))
    rows = []
    for key, item in data.items():
        value = item.get("value", "") if isinstance(item, Mapping) else item
        rows.append(f"<dt>{escape(str(key))}</dt><dd>{escape(str(value))}</dd>")
    return "<dl>" + "".join(rows) + "</dl>"


def render_inbox(messages: Sequence[Mapping[str, Any]], *, appid: str, token_fetches: int) -> str:
    """HTML for the inbox; every value from a request is escaped."""
    if messages:
        rows = [
            "<tr>"
            f"<td>{escape(_when(str(m.get('at', ''))))}</td>"
            f"<td>{escape(str(m.get('touser', '')))}</td>"
            f"<td>{escape(str(m.get('template_id', '')))}</td>"
            f"<td>{escape(str(m.get('page') or '（无）'))}</td>"
            f"<td>{_fields(m.get('data'))}</td>"
            f"<td>{escape(str(m.get('miniprogram_state', '')))}</td>"
            f"<td>{escape(str(m.get('msgid', '')))}</td>"
            "</tr>"
            for m in reversed(messages)
        ]
        body = (
            "<table><thead><tr><th>时间</th><th>接收用户 openid</th><th>模板 ID</th>"
            "<th>跳转页面</th><th>内容</th><th>版本</th><th>msgid</th></tr></thead>"
            "<tbody>" + "".join(rows) + "</tbody></table>"
        )
    else:
        body = _EMPTY
    return _PAGE.format(appid=escape(appid), count=len(messages), fetches=token_fetches, body=body)
