"""Every portal template is found under its desk's name, and every template it extends, includes
or imports is found too: a page moved between desks cannot leave a dangling reference."""

from __future__ import annotations

import pytest
from jinja2 import meta

from agent_portal.portal import DESKS, PORTAL_DIR, template_config

pytestmark = pytest.mark.unit


def _names() -> list[str]:
    return sorted(
        f"{desk}/{path.relative_to(PORTAL_DIR / desk / 'templates').as_posix()}"
        for desk in DESKS
        for path in (PORTAL_DIR / desk / "templates").rglob("*.html")
    )


def test_every_desk_keeps_its_templates_beside_it() -> None:
    assert not (PORTAL_DIR / "templates").exists()
    assert len(_names()) > 40


@pytest.mark.parametrize("name", _names())
def test_a_template_and_what_it_names_are_found(name: str) -> None:
    environment = template_config().engine_instance.engine
    source, _, _ = environment.loader.get_source(environment, name)  # type: ignore[union-attr]
    for referenced in meta.find_referenced_templates(environment.parse(source)):
        assert referenced is not None, f"{name} names a template by a variable"
        environment.get_template(referenced)


def test_every_template_a_page_renders_is_found() -> None:
    import re

    named = {
        match
        for path in PORTAL_DIR.rglob("*.py")
        for match in re.findall(r'"([a-z_]+/[a-z_/]+\.html)"', path.read_text(encoding="utf-8"))
    }
    assert named, "no template names found in the portal's modules"
    assert sorted(named - set(_names())) == []
