"""The API description a client team generates its types from.

Each handler states, with :func:`operation`, its Chinese summary and description, the problem
codes its use case may answer, and whether it honours ``Idempotency-Key``. :func:`complete` then
finishes the document Litestar generated from the handlers' types:

- the problem responses (RFC 9457, ``application/problem+json``), each listing its ``code``
  values as an enum: what the operation declared, plus what is true of every operation of its
  kind (a token, a JSON body, parameters, path parameters, an ``Idempotency-Key``);
- the security: public routes need no token;
- the ``Idempotency-Key`` header where it is honoured;
- an example of every request and success body, built from the fields' own examples;
- each schema's description, from its Struct's docstring.

Every code must be in :data:`backend.http.problem_codes.CODES`; an unknown one stops the
document from being built, so a test catches it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, TypeAlias, TypeVar

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Tag
from litestar.routes import HTTPRoute

from backend.http.problem_codes import CODES
from backend.http.problems import PROBLEM_JSON, TITLES

PROBLEMS_OPT: Final = "openapi_problems"
PASSWORD_CHANGE_PENDING_OK: Final = "password_change_pending_ok"  # noqa: S105 - an opt key
"""Route ``opt`` key of the routes still open while a password change is pending (read by
``backend.http.auth``, which refuses the others, and here, which documents that refusal)."""
IDEMPOTENT_OPT: Final = "openapi_idempotent"
NO_DATABASE_OPT: Final = "openapi_no_database"
"""Set on the few operations that never touch PostgreSQL (health checks): no 503
``database_unavailable`` is listed for them."""
AUDIENCE_ATTR: Final = "audience"
"""Guards carry the roles they let in as this attribute (see ``backend.http.auth``)."""

EXAMPLE_ATTR: Final = "EXAMPLE"
"""A Struct's own whole example (a ``ClassVar``), where one built from its fields' examples
would not hang together (an item and a bundle at once, a status its timeline never reached)."""

IDEMPOTENCY_HEADER: Final = "Idempotency-Key"

G = TypeVar("G", bound=Callable[..., object])

AUDIENCES: Final[dict[str, str]] = {
    "citizen": "市民",
    "agent": "代办员",
    "window": "窗口人员",
    "approver": "审批人员",
    "supervisor": "督查人员",
    "admin": "管理员",
    "terminal": "自助终端",
}

DESCRIPTION: Final = """\
就近办小程序、村社代办员、镇街窗口、后台审批和区督查共用的接口。

- 登录：市民用 `wx.login` 的 code 换令牌（`POST /api/v1/auth/wechat/login`），工作人员用账号密码
  （`POST /api/v1/auth/staff/login`）；之后每个请求带 `Authorization: Bearer <令牌>`。
  标为公开的接口无需登录。
- 错误：一律是 RFC 9457 problem document（`application/problem+json`），`code` 稳定、可供程序判断，
  `detail` 是可直接展示的中文。每个接口按状态码列出它可能答复的全部 `code`。
- 幂等：创建类接口接受 `Idempotency-Key`，24 小时内同一键、同一内容只办理一次。
- 分页：`?page=&page_size=`（最多 100），答复 `{"items": [...], "total": n}`。

给客户端团队的说明见 docs/api.md。
"""

TAGS: Final = [
    Tag(
        name="公开信息",
        description="事项目录、一件事、区划、附近办事点和 30 分钟办事圈，无需登录。",
    ),
    Tag(name="登录与会话", description="微信登录、工作人员登录、自助终端登录、退出。"),
    Tag(
        name="自助终端",
        description="自助终端读身份证开启群众会话（最长 10 分钟）和结束会话。",
    ),
    Tag(name="我的信息", description="市民的实名信息、手机号、个人信息导出和删除申请。"),
    Tag(name="市民办件", description="市民提交、查看、撤回、补正和评价自己的办件。"),
    Tag(name="委托代办", description="市民确认、拒绝或撤销委托代办员代办。"),
    Tag(name="代办员", description="村社代办员和政银通网点：登记群众、发起委托、代为申请、交接。"),
    Tag(name="窗口受理", description="镇街一窗受理：队列、认领、受理、补正、转交、出件和交接。"),
    Tag(name="后台审批", description="部门审批人员办理转来的办件。"),
    Tag(name="督查", description="超期、差评回访、电话抽查、审计日志和委托抽查。"),
    Tag(name="统计", description="办件量、按期办结率、满意度等统计。"),
    Tag(name="消息通知", description="微信订阅消息、站内消息和工作人员通知。"),
    Tag(name="上传", description="上传材料文件和读取签名链接。"),
    Tag(name="管理员", description="账号、节假日、流转规则、事项导入、一窗平台和删除申请。"),
    Tag(name="一窗平台", description="外部一窗受理平台的回调。"),
    Tag(name="系统", description="健康检查和工作日历（节假日、调休、工作日计算）。"),
]

_BODY_PROBLEMS: Final[dict[int, tuple[str, ...]]] = {
    400: ("malformed_json", "json_too_deep", "malformed_body"),
    413: ("payload_too_large",),
    415: ("unsupported_media_type",),
    422: ("validation_failed", "value_out_of_range"),
}
_PARAMETER_PROBLEMS: Final[dict[int, tuple[str, ...]]] = {
    422: ("validation_failed", "value_out_of_range"),
}
_TOKEN_PROBLEMS: Final[dict[int, tuple[str, ...]]] = {
    401: ("token_missing", "token_invalid", "token_expired", "unauthenticated", "token_revoked"),
}
_IDEMPOTENCY_PROBLEMS: Final[dict[int, tuple[str, ...]]] = {
    409: ("request_in_progress",),
    422: ("idempotency_key_invalid", "idempotency_key_reused"),
}
_ALWAYS: Final[dict[int, tuple[str, ...]]] = {
    400: ("invalid_characters",),
    500: ("internal_error",),
}
_DATABASE_PROBLEMS: Final[dict[int, tuple[str, ...]]] = {503: ("database_unavailable",)}
_RETRY_AFTER_CODES: Final = frozenset({"request_in_progress", "database_unavailable"})
_SUCCESS: Final[dict[str, str]] = {
    "200": "成功。",
    "201": "已创建。",
    "202": "已受理，稍后办理。",
    "204": "成功，没有内容。",
}
HAN: Final = re.compile(r"[\u4e00-\u9fff]")


def operation(
    summary: str,
    description: str,
    *,
    problems: Mapping[int, Sequence[str]] | None = None,
    idempotent: bool = False,
    uses_database: bool = True,
    opt: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for a route decorator: ``@post("/", **operation("提交办件", ...))``.

    ``problems`` maps a status to the problem codes the use case itself may answer with; what
    every operation of its kind answers (401 without a token, 422 ``validation_failed`` for a
    body, 503 ``database_unavailable``, …) is added by :func:`complete`. ``uses_database=False``
    marks an operation that never reads PostgreSQL or answers its absence itself (the health
    checks).
    """
    for status, codes in (problems or {}).items():
        unknown = [code for code in codes if code not in CODES]
        if unknown:
            raise ValueError(f"unknown problem codes for {status}: {unknown}")
    return {
        "summary": summary,
        "description": description,
        "opt": {
            **(opt or {}),
            PROBLEMS_OPT: {int(s): tuple(c) for s, c in (problems or {}).items()},
            IDEMPOTENT_OPT: idempotent,
            NO_DATABASE_OPT: not uses_database,
        },
    }


def audience(*roles: str) -> Callable[[G], G]:
    """Mark a guard with the roles it lets in (read by :func:`complete` for the description)."""

    def mark(guard: G) -> G:
        setattr(guard, AUDIENCE_ATTR, tuple(roles))
        return guard

    return mark


def operation_id(handler: HTTPRouteHandler, method: Any, path_components: list[Any]) -> str:
    """``citizenCaseSubmit``: the controller's name and the handler's, in camelCase.

    A generated client names its functions after these; Litestar's default strings the path
    together (``ApiV1CasesSubmit``). A handler outside a controller takes the router's path.
    """
    name = handler.fn.__qualname__.split(".")[0]
    if not name.endswith("Controller"):
        parts = [str(getattr(c, "name", c)) for c in path_components]
        name = "_".join(p for p in parts if p not in ("", "api", "v1"))
    words = re.split(r"[_\W]+", name.removesuffix("Controller") + "_" + handler.handler_name)
    words = [w for w in words if w]
    first, *rest = words
    extra = method.title() if len(handler.http_methods) > 1 else ""
    return first[0].lower() + first[1:] + "".join(w[0].upper() + w[1:] for w in rest) + extra


class _CompletingOpenAPIPlugin(OpenAPIPlugin):
    """Litestar's plugin, serving the completed document (``/schema``, ``/schema/openapi.json``)."""

    __slots__ = ()

    def provide_openapi_schema(self) -> dict[str, Any]:
        if not self._openapi_schema:
            self._openapi_schema = complete(self.app, self.provide_openapi().to_schema())
        return self._openapi_schema


def install(app: Litestar) -> None:
    """Serve the completed document instead of Litestar's bare one (built once, on first use)."""
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = _CompletingOpenAPIPlugin


def document(app: Litestar) -> dict[str, Any]:
    """The completed OpenAPI document, as served at ``/schema/openapi.json``."""
    return app.plugins.get(OpenAPIPlugin).provide_openapi_schema()


# --- completing the document ------------------------------------------------------------------


def complete(app: Litestar, doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(_problem_components())
    for scheme in doc["components"].get("securitySchemes", {}).values():
        scheme["description"] = (
            "登录后得到的令牌（JWT），放在 Authorization: Bearer <令牌> 中。市民用微信登录换取，"
            "工作人员用账号密码登录换取；过期或被结束后答复 401，重新登录即可。"
        )
    structs = _structs()
    _describe_components(schemas, structs)
    _add_limits(schemas, structs)
    _answers_carry_every_field(doc, schemas, structs)
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            path_item = doc["paths"].get(route.path_format or "/")
            if path_item is None:
                continue
            for method in handler.http_methods:
                op = path_item.get(method.lower())
                if op is not None:
                    _complete_operation(op, handler, schemas)
    return doc


def _complete_operation(
    op: dict[str, Any], handler: HTTPRouteHandler, schemas: dict[str, Any]
) -> None:
    opt = handler.opt
    public = bool(opt.get("exclude_from_auth"))
    roles = _roles(handler)
    idempotent = bool(opt.get(IDEMPOTENT_OPT))
    params = op.get("parameters", [])
    problems: dict[int, list[str]] = {}

    def add(more: Mapping[int, Iterable[str]]) -> None:
        for status, codes in more.items():
            listed = problems.setdefault(status, [])
            listed.extend(code for code in codes if code not in listed)

    add(opt.get(PROBLEMS_OPT, {}))
    add(_ALWAYS)
    if not opt.get(NO_DATABASE_OPT):
        add(_DATABASE_PROBLEMS)
    if "requestBody" in op:
        add(_BODY_PROBLEMS)
    if params:
        add(_PARAMETER_PROBLEMS)
    if any(p.get("in") == "path" for p in params):
        # the router's own 404: a value that does not fit the path (an encoded "/", not an int)
        add({404: ("not_found",)})
    if not public:
        add(_TOKEN_PROBLEMS)
        if roles is not None:
            add({403: ("not_allowed",)})
        # A staff token is checked before any guard runs: a disabled account, or one whose
        # password an administrator reset, is answered so on every route that takes a token.
        add({401: ("account_inactive",)})
        if not opt.get(PASSWORD_CHANGE_PENDING_OK):
            add({403: ("password_change_required",)})
    if idempotent:
        add(_IDEMPOTENCY_PROBLEMS)
        _add_idempotency_header(op)
        for status, response in op.get("responses", {}).items():
            if status.startswith("2"):
                response.setdefault("headers", {})["Idempotent-Replayed"] = {
                    "description": (
                        "值为 true 时，这是同一 Idempotency-Key 第一次请求的答复，这次没有再办理。"
                    ),
                    "schema": {"type": "string", "enum": ["true"]},
                }
    for param in params:
        if param.get("in") == "query" and not param.get("required"):
            _example_into_description(param)
    if public:
        op["security"] = []
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is not None and data.has_default and "requestBody" in op:
        op["requestBody"]["required"] = False  # Litestar marks every body required

    if roles and AUDIENCES.keys() >= set(roles):
        who = "、".join(AUDIENCES[r] for r in roles)
        op["description"] = f"{op.get('description', '').rstrip()}\n\n适用：{who}。".lstrip()
    elif public:
        op["description"] = f"{op.get('description', '').rstrip()}\n\n公开接口，无需登录。".lstrip()

    responses = op.setdefault("responses", {})
    for status, response in responses.items():
        if status in _SUCCESS and not HAN.search(response.get("description", "")):
            response["description"] = _SUCCESS[status]
    for status in sorted(problems):
        codes = problems[status]
        for code in codes:
            if code not in CODES:
                raise ValueError(f"{handler.handler_name}: unknown problem code {code!r}")
        responses[str(status)] = _problem_response(status, codes)
    _add_examples(op, schemas)


def _example_into_description(param: dict[str, Any]) -> None:
    """An optional filter's example goes into its description: a docs page pre-fills "Try it
    out" with a parameter's example, so a "list everything" call would come back filtered."""
    found = param.pop("examples", None)
    schema = param.get("schema", {})
    inner = schema.pop("examples", None)
    value: Any = None
    if isinstance(found, dict) and found:
        value = next(iter(found.values())).get("value")
    elif isinstance(found, list) and found:
        value = found[0]
    elif isinstance(inner, list) and inner:
        value = inner[0]
    if value is not None and value != "":
        text = param.get("description", "").rstrip()
        param["description"] = f"{text}（例：{value}）" if text else f"例：{value}"


def _roles(handler: HTTPRouteHandler) -> tuple[str, ...] | None:
    """The roles the handler's guards let in; ``None`` when no guard names them."""
    found: tuple[str, ...] | None = None
    for guard in handler.resolve_guards():
        # Litestar wraps a plain (non-async) guard; the mark is on the function it wraps.
        marked = getattr(guard, AUDIENCE_ATTR, None) or getattr(
            getattr(guard, "func", None), AUDIENCE_ATTR, None
        )
        if marked is not None:
            found = tuple(marked) if found is None else tuple(r for r in found if r in marked)
    return found


def _add_idempotency_header(op: dict[str, Any]) -> None:
    params = op.setdefault("parameters", [])
    if any(p.get("name") == IDEMPOTENCY_HEADER for p in params):
        return
    params.append(
        {
            "name": IDEMPOTENCY_HEADER,
            "in": "header",
            "required": False,
            "description": (
                "客户端为这一次操作生成的唯一键（如 UUID），重试同一操作时原样带上：24 小时内"
                "同一键、同一内容只办理一次，重试得到第一次的答复；同一键换了内容答 422"
                " idempotency_key_reused。"
            ),
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "pattern": "^[\\x21-\\x7e]+$",
                "examples": ["8f14e45f-ceea-4f6a-9b5e-2d1c0a7e6b3d"],
            },
        }
    )


def _problem_response(status: int, codes: Sequence[str]) -> dict[str, Any]:
    lines = "\n".join(f"- `{code}`：{CODES[code]}" for code in codes)
    response: dict[str, Any] = {
        "description": f"{TITLES.get(status, '请求失败')}。可能的 code：\n{lines}",
        "content": {
            PROBLEM_JSON: {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Problem"},
                        {
                            "type": "object",
                            "properties": {
                                "status": {
                                    "type": "integer",
                                    "enum": [status],
                                    "examples": [status],
                                },
                                "code": {
                                    "type": "string",
                                    "enum": list(codes),
                                    "examples": [codes[0]],
                                },
                            },
                        },
                    ]
                },
                "example": {
                    "type": f"https://jiujinban.example.gov.cn/problems/{codes[0]}",
                    "title": TITLES.get(status, "请求失败"),
                    "status": status,
                    "code": codes[0],
                    "detail": CODES[codes[0]],
                },
            }
        },
    }
    if status == 429 or _RETRY_AFTER_CODES & set(codes):
        response["headers"] = {
            "Retry-After": {
                "description": "多少秒后可以再试。",
                "schema": {"type": "integer", "minimum": 0},
            }
        }
    return response


def _problem_components() -> dict[str, Any]:
    return {
        "Problem": {
            "title": "Problem",
            "type": "object",
            "description": (
                "错误答复（RFC 9457 problem document）。code 稳定、可供程序判断；detail 是可以"
                "直接展示给用户的中文说明。"
            ),
            "required": ["type", "title", "status", "code", "detail"],
            "properties": {
                "type": {
                    "type": "string",
                    "format": "uri",
                    "description": "说明此类错误的地址，以 code 结尾。",
                    "examples": ["https://jiujinban.example.gov.cn/problems/case_not_found"],
                },
                "title": {
                    "type": "string",
                    "description": "此状态码的中文标题。",
                    "examples": ["未找到"],
                },
                "status": {
                    "type": "integer",
                    "description": "HTTP 状态码。",
                    "examples": [404],
                },
                "code": {
                    "type": "string",
                    "description": "稳定的错误代码，见 docs/errors.md。",
                    "examples": ["case_not_found"],
                },
                "detail": {
                    "type": "string",
                    "description": "可直接展示给用户的中文说明。",
                    "examples": ["找不到该办件。"],
                },
                "errors": {
                    "type": "array",
                    "description": "逐项列出的错误（如表单校验、导入的每一行）。",
                    "items": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/ProblemFieldError"},
                            {"type": "string"},
                        ]
                    },
                },
                "missing": {
                    "type": "array",
                    "description": (
                        "还缺少的材料（materials_missing：每项的 type 和 name，一次列全）或委托证据"
                        "（mandate_evidence_incomplete：缺少的证据名称）。"
                    ),
                    "items": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/ProblemMissingMaterial"},
                            {"type": "string", "examples": ["委托书"]},
                        ]
                    },
                },
                "reason": {
                    "type": "string",
                    "description": (
                        "拒绝的具体原因代码（如委托已撤销 revoked、超出委托范围 out_of_scope）。"
                    ),
                },
                "phone_masked": {
                    "type": "string",
                    "description": (
                        "验证码已发往的手机号码（遮掩，account_join_code_sent：已登记该身份的"
                        "账号的手机号码）。"
                    ),
                    "examples": ["138****0000"],
                },
                "upload_ids": {
                    "type": "array",
                    "description": "出问题的上传编号。",
                    "items": {"type": "string"},
                },
                "case_numbers": {
                    "type": "array",
                    "description": "出问题的办件编号。",
                    "items": {"type": "string"},
                },
            },
        },
        "ProblemMissingMaterial": {
            "title": "ProblemMissingMaterial",
            "type": "object",
            "description": "一项还缺少的材料。",
            "required": ["type", "name"],
            "properties": {
                "type": {
                    "type": "string",
                    "description": "材料类型（事项材料清单中的 type）。",
                    "examples": ["申请表"],
                },
                "name": {
                    "type": "string",
                    "description": "材料名称。",
                    "examples": ["出生登记申报表"],
                },
            },
        },
        "ProblemFieldError": {
            "title": "ProblemFieldError",
            "type": "object",
            "description": "一处校验错误。",
            "required": ["field", "message"],
            "properties": {
                "field": {
                    "type": "string",
                    "description": "出错的字段（嵌套字段用 . 连接）。",
                    "examples": ["form.name"],
                },
                "message": {
                    "type": "string",
                    "description": "中文说明。",
                    "examples": ["此项为必填项。"],
                },
            },
        },
    }


def _describe_components(schemas: dict[str, Any], structs: Structs) -> None:
    """Each Struct's docstring (its first paragraph) is its schema's description: Litestar may
    have put a field's description there instead, from the first field typed by the Struct."""
    for name, schema in schemas.items():
        cls = structs.get(schema.get("title", name))
        if cls is None:
            continue
        doc = (cls.__doc__ or "").strip()
        if doc:
            schema["description"] = re.split(r"\n\s*\n", doc)[0].replace("\n", " ")
        if EXAMPLE_ATTR in vars(cls):
            schema["examples"] = [msgspec.to_builtins(getattr(cls, EXAMPLE_ATTR))]


_LIMITS: Final = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
)


Structs: TypeAlias = dict[str, type[msgspec.Struct]]


_OWN_PACKAGES: Final = ("backend.", "notifications.", "agent_portal.")


def _structs() -> Structs:
    """Struct name → class, for names only one of the project's Structs has (a library's or a
    test's Struct of the same name does not count)."""
    found: dict[str, type[msgspec.Struct]] = {}
    twice: set[str] = set()
    pending: list[type[msgspec.Struct]] = list(msgspec.Struct.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith(_OWN_PACKAGES):
            continue
        if cls.__name__ in found and found[cls.__name__] is not cls:
            twice.add(cls.__name__)
        found[cls.__name__] = cls
    return {name: cls for name, cls in found.items() if name not in twice}


def _add_limits(schemas: dict[str, Any], structs: Structs) -> None:
    """The limits the decoder enforces, as it states them itself.

    msgspec decodes every request, so its own JSON Schema of a Struct is what the server
    enforces. Litestar's generator loses some of it (a bound of 0, limits on list items and on
    mapping values), so each property takes the limits from msgspec's schema.
    """
    for name, schema in schemas.items():
        cls = structs.get(schema.get("title", name))
        if cls is None or "properties" not in schema:
            continue
        try:
            _, defs = msgspec.json.schema_components([cls], schema_hook=_opaque)
        except (TypeError, ValueError):  # a Struct that is not a JSON body (a multipart form)
            continue
        own = defs.get(cls.__name__, {})
        if own.get("additionalProperties") is False:  # forbid_unknown_fields: refused, say so
            schema["additionalProperties"] = False
        stated = own.get("properties", {})
        for prop, spec in schema["properties"].items():
            if prop in stated:
                _merge_limits(spec, stated[prop])


def _refs(node: Any, schemas: Mapping[str, Any], found: set[str]) -> set[str]:
    """The component names ``node`` refers to, directly or through other components."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[-1]
            if name not in found:
                found.add(name)
                _refs(schemas.get(name, {}), schemas, found)
        for value in node.values():
            _refs(value, schemas, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, schemas, found)
    return found


def _answers_carry_every_field(
    doc: dict[str, Any], schemas: dict[str, Any], structs: Structs
) -> None:
    """A Struct the server only sends always carries every field (``null`` where empty), so
    every field is required: a generated client need not test for ``undefined``."""
    asked: set[str] = set()
    for item in doc.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict):
                _refs(op.get("requestBody", {}), schemas, asked)
                _refs(op.get("parameters", []), schemas, asked)
    for name, schema in schemas.items():
        cls = structs.get(schema.get("title", name))
        if name in asked or cls is None or "properties" not in schema:
            continue
        if not cls.__struct_config__.omit_defaults:
            schema["required"] = list(schema["properties"])


def _opaque(kind: type) -> dict[str, Any]:
    """Types msgspec cannot describe (an uploaded file): no limits to take from them."""
    return {}


def _merge_limits(spec: dict[str, Any], stated: Mapping[str, Any]) -> None:
    if "$ref" in spec or "$ref" in stated:
        return
    for key in _LIMITS:
        if key in stated and key not in spec:
            spec[key] = stated[key]
    branches = stated.get("anyOf") or stated.get("oneOf")
    if branches:
        own = spec.get("oneOf") or spec.get("anyOf")
        for branch in branches:
            if branch.get("type") in (None, "null"):
                continue
            if own is None:
                _merge_limits(spec, branch)
                continue
            for mine in own:
                if mine.get("type") == branch["type"]:
                    _merge_limits(mine, branch)
    for key in ("items", "additionalProperties"):
        if isinstance(stated.get(key), dict) and isinstance(spec.get(key), dict):
            _merge_limits(spec[key], stated[key])


# --- examples ---------------------------------------------------------------------------------


def _add_examples(op: dict[str, Any], schemas: dict[str, Any]) -> None:
    bodies = [op.get("requestBody", {})] + [
        r for s, r in op.get("responses", {}).items() if s.startswith("2")
    ]
    for body in bodies:
        for media in body.get("content", {}).values():
            if "example" in media or "examples" in media or "schema" not in media:
                continue
            value = example_of(media["schema"], schemas)
            if value is not _NONE:
                media["example"] = value


class _Missing:
    pass


_NONE: Final = _Missing()


def example_of(schema: Mapping[str, Any], schemas: Mapping[str, Any], depth: int = 0) -> Any:
    """An example value of ``schema``, from the examples of its fields; ``_NONE`` if none."""
    if depth > 12:
        return _NONE
    if "$ref" in schema:
        return example_of(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas, depth + 1)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            for option in options:
                value = example_of(option, schemas, depth + 1)
                if value is not _NONE:
                    return value
            return None if options is schema[key] else _NONE
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_of(part, schemas, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged or _NONE
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        out: dict[str, Any] = {}
        for name, prop in schema.get("properties", {}).items():
            value = example_of(prop, schemas, depth + 1)
            if value is not _NONE:
                out[name] = value
        return out
    if kind == "array":
        item = example_of(schema.get("items", {}), schemas, depth + 1)
        return [] if item is _NONE else [item]
    if "default" in schema:
        return schema["default"]
    return _NONE
