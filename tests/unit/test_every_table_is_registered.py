"""Every Piccolo table belongs to an app of the registry.

A table left out gets no engine when the app binds one, and its first query fails at run time
(Piccolo then looks for a ``piccolo_conf`` module of its own): a deletion's erasure step died on
exactly that. Importing every module of the three packages finds every table class.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from piccolo.table import Table

import agent_portal
import backend
import notifications
from backend.piccolo_conf import APP_REGISTRY

pytestmark = pytest.mark.unit


def _all_subclasses(cls: type[Table]) -> set[type[Table]]:
    found: set[type[Table]] = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _all_subclasses(sub)
    return found


def test_every_table_class_is_in_an_app() -> None:
    for package in (backend, agent_portal, notifications):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".fakes." in module.name or module.name.endswith(("__main__", ".devrun")):
                continue
            importlib.import_module(module.name)
    ours = {
        t
        for t in _all_subclasses(Table)
        if t.__module__.split(".")[0] in {"backend", "agent_portal", "notifications"}
    }
    registered = {t for app in APP_REGISTRY.app_configs.values() for t in app.table_classes}
    missing = sorted(f"{t.__module__}.{t.__name__}" for t in ours - registered)
    assert missing == []
