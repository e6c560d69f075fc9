"""The catalogue's values and rules (standard library only).

An item's specification is what one version of it says; bundles merge their items' materials by
canonical material type, so one upload serves every item that needs it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from backend.textrules import has_hidden_chars

LEVELS: Final = ("district", "township", "village")
CHANNELS: Final = ("window", "agent", "bank", "self_service", "online")
DELIVERY_METHODS: Final = ("window", "mail", "agent")
DATATYPES: Final = ("text", "number", "date", "choice", "id_number", "phone")
KINDS: Final = ("licensing", "public_service")
"""What kind of item it is: ``licensing`` 行政许可, ``public_service`` 公共服务."""
SENSITIVITIES: Final = ("id_number", "phone", "bank_account", "id_derived", "none")
"""How sensitive a form field's value is; set explicitly for every field, never taken from the
datatype. ``id_derived``: a number that contains a whole ID number (残疾人证号)."""
ID_SENSITIVITIES: Final = frozenset({"id_number", "id_derived"})
MAX_DAYS: Final = 365
MAX_DAYS_AHEAD: Final = 730
"""A new version takes effect at most this many days from today (a typo such as 2207 for 2027
would otherwise leave a version pending for ever, and no later one could be dated before it)."""
HIDDEN_CHARS: Final = "含有不能使用的字符（控制字符或不可见字符）"


@dataclass(frozen=True, slots=True)
class MaterialSpec:
    """材料 — one material an item asks for, by canonical ``type`` (身份证, 户口簿 …)."""

    type: str
    name: str
    required: bool = True
    original: bool = True
    copies: int = 0
    exempt_if_shared: bool = False


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str
    datatype: str
    sensitivity: str
    """One of ``SENSITIVITIES``: how the value is stored (encrypted unless ``none``) and shown."""
    required: bool = True
    values: tuple[str, ...] = ()
    max_length: int | None = None
    """The most characters the value may have (1–``MAX_FIELD_LENGTH``); None: no own limit."""
    pattern: str | None = None
    """A regular expression the whole value must match (``re.fullmatch``); None: any value."""
    pattern_hint: str = ""
    """What ``pattern`` asks for, in Chinese, shown when a value does not match it."""


MAX_FIELD_LENGTH: Final = 2000
MAX_PATTERN: Final = 200
MAX_PATTERN_HINT: Final = 60


def _repeats(node: tuple[Any, Any]) -> bool:
    """Whether a parsed pattern node repeats (its upper bound is above one)."""
    op, arg = node
    return str(op) in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"} and arg[1] > 1


def _risky(items: Iterable[tuple[Any, Any]], *, repeated: bool) -> bool:
    """Whether a parsed pattern repeats something that itself repeats or branches (``(a+)+``,
    ``(a|ab)*``): what makes a backtracking matcher take exponential time."""
    for node in items:
        op, arg = node
        name = str(op)
        if _repeats(node):
            if repeated:
                return True
            if _risky(arg[2], repeated=True):
                return True
        elif name == "BRANCH":
            if repeated:
                return True
            if any(_risky(branch, repeated=False) for branch in arg[1]):
                return True
        elif name in {"SUBPATTERN", "ATOMIC_GROUP"}:
            body = arg[-1] if name == "SUBPATTERN" else arg
            if _risky(body, repeated=repeated):
                return True
        elif name in {"ASSERT", "ASSERT_NOT"}:
            if _risky(arg[1], repeated=repeated):
                return True
        elif name in {"GROUPREF", "GROUPREF_EXISTS"}:
            return True
    return False


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` may not be a form field's format, in Chinese; None when it may."""
    if len(pattern) > MAX_PATTERN:
        return f"不能超过 {MAX_PATTERN} 个字符"
    try:
        re.compile(pattern)
        parsed = importlib.import_module("re._parser").parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return "不是有效的正则表达式"
    if _risky(list(parsed), repeated=False):
        return "含有嵌套的重复（如 (a+)+）、重复的分支或反向引用，可能使校验极慢，请改写"
    return None


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """What one version of an item says (everything but its code's history)."""

    code: str
    name: str
    department_code: str
    lowest_level: str
    channels: tuple[str, ...]
    delegable: bool
    district_wide: bool
    legal_days: int
    committed_days: int
    fee: str = "不收费"
    delivery_methods: tuple[str, ...] = ("window",)
    keywords: tuple[str, ...] = ()
    personal: bool = True
    materials: tuple[MaterialSpec, ...] = ()
    form: tuple[FormField, ...] = ()
    kind: str = "public_service"
    """One of ``KINDS``."""


@dataclass(frozen=True, slots=True)
class BundleSpec:
    """一件事 — a named set of items asked for once."""

    code: str
    name: str
    item_codes: tuple[str, ...]
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MergedMaterial:
    """A material type of a bundle, with every item that asks for it."""

    type: str
    name: str
    required: bool
    original: bool
    copies: int
    exempt_if_shared: bool
    item_codes: tuple[str, ...] = field(default=())


def _text_problems(spec: ItemSpec) -> list[str]:
    texts = [("事项名称", spec.name), ("收费标准", spec.fee)]
    texts += [("关键词", k) for k in spec.keywords]
    for m in spec.materials:
        texts += [("材料类型", m.type), (f"材料“{m.type}”的名称", m.name)]
    for f in spec.form:
        texts += [("表单字段名", f.name), (f"表单字段“{f.name}”的显示名称", f.label)]
        texts += [(f"表单字段“{f.name}”的选项", v) for v in f.values]
        texts += [(f"表单字段“{f.name}”的格式说明", f.pattern_hint or "")]
    return list(dict.fromkeys(label + HIDDEN_CHARS for label, t in texts if has_hidden_chars(t)))


def item_problems(spec: ItemSpec) -> list[str]:
    """Every rule ``spec`` breaks, in Chinese; empty when it is valid."""
    problems: list[str] = _text_problems(spec)
    if not spec.code or len(spec.code) > 40:
        problems.append("事项编码不能为空，且不超过 40 个字符")
    if not spec.name or len(spec.name) > 100:
        problems.append("事项名称不能为空，且不超过 100 个字符")
    if spec.kind not in KINDS:
        problems.append(f"事项类型“{spec.kind}”无效，应为 行政许可/公共服务")
    if spec.lowest_level not in LEVELS:
        problems.append(f"办理层级“{spec.lowest_level}”无效，应为 区/镇街/村社")
    bad = [c for c in spec.channels if c not in CHANNELS]
    if bad or not spec.channels:
        problems.append(f"办理渠道无效：{'、'.join(bad) or '（空）'}")
    bad = [m for m in spec.delivery_methods if m not in DELIVERY_METHODS]
    if bad or not spec.delivery_methods:
        problems.append(f"送达方式无效：{'、'.join(bad) or '（空）'}")
    for label, days in (("法定时限", spec.legal_days), ("承诺时限", spec.committed_days)):
        if not 0 <= days <= MAX_DAYS:
            problems.append(f"{label}须在 0–{MAX_DAYS} 个工作日之间")
    if spec.committed_days > spec.legal_days:
        problems.append("承诺时限不能长于法定时限")
    seen: set[str] = set()
    for material in spec.materials:
        if material.type in seen:
            problems.append(f"材料类型“{material.type}”重复")
        seen.add(material.type)
        if material.copies < 0 or material.copies > 20:
            problems.append(f"材料“{material.name}”份数无效")
    names: set[str] = set()
    for form_field in spec.form:
        if form_field.datatype not in DATATYPES:
            problems.append(f"表单字段“{form_field.label}”类型“{form_field.datatype}”无效")
        if form_field.datatype == "choice" and not form_field.values:
            problems.append(f"表单字段“{form_field.label}”是选择题，须列出选项")
        if form_field.sensitivity not in SENSITIVITIES:
            problems.append(f"表单字段“{form_field.label}”敏感类别“{form_field.sensitivity}”无效")
        elif form_field.datatype == "id_number" and form_field.sensitivity not in ID_SENSITIVITIES:
            problems.append(f"表单字段“{form_field.label}”是身份证号，敏感类别须为 id_number")
        elif form_field.datatype == "phone" and form_field.sensitivity != "phone":
            problems.append(f"表单字段“{form_field.label}”是电话号码，敏感类别须为 phone")
        if form_field.name in names:
            problems.append(f"表单字段名“{form_field.name}”重复")
        names.add(form_field.name)
        problems.extend(field_rule_problems(form_field))
    return problems


def field_rule_problems(form_field: FormField) -> list[str]:
    """What is wrong with a field's own rules (最大长度, 格式, 格式说明)."""
    problems: list[str] = []
    label = form_field.label
    if form_field.max_length is not None and not 1 <= form_field.max_length <= MAX_FIELD_LENGTH:
        problems.append(f"表单字段“{label}”的最大长度须在 1–{MAX_FIELD_LENGTH} 之间")
    hint = form_field.pattern_hint
    if form_field.pattern is not None:
        why = pattern_problem(form_field.pattern) if form_field.pattern else "不能为空"
        if why:
            problems.append(f"表单字段“{label}”的格式（正则）{why}")
        if not hint.strip():
            problems.append(
                f"表单字段“{label}”有格式要求，须填写格式说明（如：请输入 11 位手机号）"
            )
    elif hint.strip():
        problems.append(f"表单字段“{label}”填了格式说明，但没有填写格式（正则）")
    if len(hint) > MAX_PATTERN_HINT:
        problems.append(f"表单字段“{label}”的格式说明不能超过 {MAX_PATTERN_HINT} 个字符")
    return problems


CODE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
"""An item's or bundle's code (``GA-CSDJ``): what the spreadsheet import accepts too."""


def code_problems(code: str, *, label: str, taken: Collection[str]) -> list[str]:
    """What is wrong with the code of a new item or bundle (``label``: 事项编码, 一件事编码)."""
    if not CODE.fullmatch(code):
        return [f"{label}须以字母或数字开头，只含字母、数字和 _ . -，不超过 40 个字符"]
    if code in taken:
        return [f"{label}“{code}”已存在"]
    return []


FIELD_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,39}")
"""A form field's name: what the case's form stores its value under (``baby_name``)."""


def edit_problems(
    spec: ItemSpec,
    *,
    effective_from: date,
    today: date,
    latest_from: date | None,
    departments: Collection[str],
) -> list[str]:
    """Every rule an administrator's new version of an item breaks, each naming its field in
    Chinese; empty when it may be recorded. Adds to ``item_problems`` what a typed form needs."""
    problems = item_problems(spec)
    if spec.department_code not in departments:
        problems.append(f"承办部门“{spec.department_code or '（空）'}”不存在")
    if len(spec.fee) > 100 or not spec.fee.strip():
        problems.append("收费标准不能为空，且不超过 100 个字符")
    if effective_from < today:
        problems.append("生效日期须为今天或以后的日期")
    elif effective_from > today + timedelta(days=MAX_DAYS_AHEAD):
        latest = (today + timedelta(days=MAX_DAYS_AHEAD)).isoformat()
        problems.append(f"生效日期不能晚于 {latest}（两年之内）")
    elif latest_from is not None and effective_from < latest_from:
        problems.append(f"生效日期不能早于最新版本的生效日期 {latest_from.isoformat()}")
    for n, m in enumerate(spec.materials, start=1):
        if not m.type.strip() or len(m.type) > 40:
            problems.append(f"材料第 {n} 行：材料类型不能为空，且不超过 40 个字符")
        if not m.name.strip() or len(m.name) > 100:
            problems.append(f"材料第 {n} 行：材料名称不能为空，且不超过 100 个字符")
    for n, f in enumerate(spec.form, start=1):
        if not FIELD_NAME.fullmatch(f.name):
            problems.append(
                f"表单字段第 {n} 行：字段名须以小写字母开头，只含小写字母、数字和下划线"
            )
        if not f.label.strip() or len(f.label) > 40:
            problems.append(f"表单字段第 {n} 行：显示名称不能为空，且不超过 40 个字符")
        if f.datatype != "choice" and f.values:
            problems.append(f"表单字段“{f.label}”不是选择题，不应列出选项")
    return problems


def bundle_problems(spec: BundleSpec, *, items: Collection[str]) -> list[str]:
    """Every rule a bundle breaks, naming its field in Chinese; empty when it is valid."""
    problems: list[str] = []
    if not spec.name.strip() or len(spec.name) > 100:
        problems.append("一件事名称不能为空，且不超过 100 个字符")
    elif has_hidden_chars(spec.name):
        problems.append("一件事名称" + HIDDEN_CHARS)
    if len(spec.item_codes) < 2:
        problems.append("包含事项须至少选择 2 个事项")
    missing = [c for c in spec.item_codes if c not in items]
    if missing:
        problems.append("包含事项不存在：" + "、".join(missing))
    if len(set(spec.item_codes)) != len(spec.item_codes):
        problems.append("包含事项有重复")
    return problems


def merge_fields(forms: Iterable[Iterable[FormField]]) -> list[FormField]:
    """The fields of several items' forms, each name once (the first definition wins): the one
    form a bundle is filled in with."""
    seen: dict[str, FormField] = {}
    for form in forms:
        for form_field in form:
            seen.setdefault(form_field.name, form_field)
    return list(seen.values())


def shared_channels(specs: Iterable[ItemSpec]) -> tuple[str, ...]:
    """The channels every one of these items offers (in ``CHANNELS`` order): where a bundle of
    them can be filed whole."""
    offered = [set(s.channels) for s in specs]
    if not offered:
        return ()
    return tuple(c for c in CHANNELS if all(c in o for o in offered))


def merge_materials(items: Iterable[tuple[str, Sequence[MaterialSpec]]]) -> list[MergedMaterial]:
    """Materials of several items, each canonical type once (一次提交，多项复用).

    A type is required if any item requires it, an original if any item wants the original,
    with the largest number of copies any item asks for, and exempt only if every item that
    asks for it accepts shared data instead.
    """
    merged: dict[str, MergedMaterial] = {}
    for item_code, materials in items:
        for m in materials:
            seen = merged.get(m.type)
            if seen is None:
                merged[m.type] = MergedMaterial(
                    m.type,
                    m.name,
                    m.required,
                    m.original,
                    m.copies,
                    m.exempt_if_shared,
                    (item_code,),
                )
                continue
            merged[m.type] = MergedMaterial(
                type=m.type,
                name=seen.name,
                required=seen.required or m.required,
                original=seen.original or m.original,
                copies=max(seen.copies, m.copies),
                exempt_if_shared=seen.exempt_if_shared and m.exempt_if_shared,
                item_codes=(*seen.item_codes, item_code),
            )
    return list(merged.values())
