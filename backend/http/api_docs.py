"""The API's documentation page (``/schema``): Swagger UI, served from this machine only.

Government networks are closed, so the page loads nothing from a CDN: Swagger UI's files come
from the npm lockfile (``swagger-ui-dist``, copied into ``/static/vendor/`` by
``scripts/install-frontend.sh``), and the page asks for no fonts, no favicon and no validator
badge elsewhere. A Content-Security-Policy on everything under ``/schema`` makes the browser
refuse any request that would leave the origin, should a later Swagger UI release try one.

Only Swagger UI is served (at ``/schema`` and ``/schema/swagger``): it is one package with no
dependencies, while the Scalar bundle pulls about 300 packages to copy one file and reaches out
to its own fonts, proxy, registry and AI services, each of which would have to be switched off.
"""

from __future__ import annotations

import base64
import hashlib
import html
from typing import Any, Final

import msgspec
from litestar import Request, Router
from litestar.datastructures import ResponseHeader
from litestar.openapi.plugins import SwaggerRenderPlugin

VENDOR_URL: Final = "/static/vendor"
SWAGGER_FILES: Final = ("swagger-ui-bundle.js", "swagger-ui.css")
"""What the page loads from ``/static/vendor/`` (listed in ``agent_portal/vendor.txt``)."""

# The page's one inline script; its settings come from a JSON block, so its text (and so its
# hash in the policy) never changes. ``validatorUrl: null``: no badge fetched from swagger.io.
_INIT_SCRIPT: Final = (
    "const settings = JSON.parse(document.getElementById('swagger-settings').textContent);"
    "window.ui = SwaggerUIBundle({url: settings.url, dom_id: '#swagger-ui', deepLinking: true,"
    " validatorUrl: null, displayRequestDuration: true, persistAuthorization: false,"
    " presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout'});"
)
_INIT_HASH: Final = base64.b64encode(hashlib.sha256(_INIT_SCRIPT.encode()).digest()).decode()

CONTENT_SECURITY_POLICY: Final = (
    f"default-src 'none'; script-src 'self' 'sha256-{_INIT_HASH}'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""Same origin only. Swagger UI sets inline styles (hence ``'unsafe-inline'`` for styles only);
"Try it out" calls the API on this origin (``connect-src 'self'``)."""


class LocalSwaggerPlugin(SwaggerRenderPlugin):
    """Swagger UI from ``/static/vendor/``, reading the document from ``/schema/openapi.json``."""

    def __init__(self, *, path: str | list[str] = "/swagger") -> None:
        super().__init__(
            js_url=f"{VENDOR_URL}/swagger-ui-bundle.js",
            css_url=f"{VENDOR_URL}/swagger-ui.css",
            path=path,
            favicon='<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">',
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        # "<" escaped: the JSON block cannot close its own <script> element.
        settings = msgspec.json.encode({"url": self.get_openapi_json_route(request)}).decode()
        settings = settings.replace("<", "\\u003c")
        title = html.escape(str(openapi_schema["info"]["title"]))
        return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{self.favicon}
<link rel="stylesheet" href="{self.css_url}">
</head>
<body>
<div id="swagger-ui"></div>
<script id="swagger-settings" type="application/json">{settings}</script>
<script src="{self.js_url}"></script>
<script>{_INIT_SCRIPT}</script>
</body>
</html>
""".encode()

    def receive_router(self, router: Router) -> None:
        """No ``oauth2-redirect.html``: the API uses bearer tokens, not an OAuth2 flow."""


def docs_router(path: str = "/schema") -> Router:
    """The router Litestar fills with the documentation routes, under the page's policy."""
    return Router(
        path,
        route_handlers=[],
        include_in_schema=False,
        response_headers=[
            ResponseHeader(name="Content-Security-Policy", value=CONTENT_SECURITY_POLICY)
        ],
    )
