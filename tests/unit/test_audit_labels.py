"""Every action and subject the audit chain records has a Chinese label on the audit-log page."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agent_portal.supervision.texts import AUDIT_SUBJECTS
from backend.audit import service as audit
from backend.cases import erase, formreveal
from backend.catalogue import service as catalogue
from backend.geo import service as geo
from backend.identity import erasure, staff_admin
from backend.imports import service as imports
from backend.platform import service as platform
from backend.supervision.texts import AUDIT_ACTION_LABELS
from backend.window.service import rules
from backend.workdays import service as workdays

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

KNOWN_ACTIONS = {
    audit.READ_ID_NUMBER,
    audit.READ_MATERIAL,
    audit.EXPORT_PERSONAL_DATA,
    audit.READ_FORM_FIELD,
    staff_admin.STAFF_CREATE,
    staff_admin.STAFF_REASSIGN,
    staff_admin.STAFF_DISABLE,
    staff_admin.STAFF_ENABLE,
    staff_admin.STAFF_UNLOCK,
    staff_admin.STAFF_RESET_PASSWORD,
    staff_admin.STAFF_CHANGE_PASSWORD,
    staff_admin.STAFF_END_SESSIONS,
    erasure.ERASED_ACTION,
    erase.OPEN_RESTRICTED,
    erase.PURGED,
    catalogue.ITEM_CHANGE,
    catalogue.BUNDLE_CHANGE,
    catalogue.ITEM_CREATE,
    catalogue.BUNDLE_CREATE,
    imports.AUDIT_ACTION,
    geo.POINT_CREATE,
    geo.POINT_UPDATE,
    workdays.CALENDAR_SET_DAY,
    workdays.CALENDAR_REMOVE_DAY,
    workdays.CALENDAR_CONFIRM_YEAR,
    rules.ROUTING_SET_RULE,
    rules.ROUTING_DELETE_RULE,
    platform.PLATFORM_CONFIGURE,
    platform.PLATFORM_RETRY,
    "privacy_deletion_approved",
    "privacy_deletion_refused",
}


def _record_calls() -> list[ast.Call]:
    calls = []
    for path in (ROOT / "backend").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and any(k.arg == "subject_kind" for k in node.keywords)
            ):
                calls.append(node)
    return calls


def test_every_known_audit_action_has_a_label() -> None:
    assert sorted(KNOWN_ACTIONS - set(AUDIT_ACTION_LABELS)) == []


def test_every_literal_action_and_subject_written_has_a_label() -> None:
    calls = _record_calls()
    assert calls, "no audit.record(...) call found"
    actions = {
        k.value.value
        for c in calls
        for k in c.keywords
        if k.arg == "action" and isinstance(k.value, ast.Constant)
    }
    subjects = {
        k.value.value
        for c in calls
        for k in c.keywords
        if k.arg == "subject_kind" and isinstance(k.value, ast.Constant)
    }
    assert sorted(actions - set(AUDIT_ACTION_LABELS)) == []
    known_subjects = subjects | {
        staff_admin.SUBJECT,
        formreveal.SUBJECT_KIND,
        geo.POINT_SUBJECT,
        "township_platform",
        "case",
    }
    assert sorted(known_subjects - set(AUDIT_SUBJECTS)) == []
