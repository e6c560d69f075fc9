"""Material names on legal paper come from the case's own items.

A material type names different papers in different items (身份证 is the 参保人's card in one
item and both parents' cards in another). Several items and bundles are filed by an agent with
paper originals; every material name on the agent's case page, the window's case page and the
signed handover manifest (both sides) must be the one the case's own item list gives.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.delegation.support import BIRTH_FORM, agent, days, villager
from tests.factories import DEFAULT_PASSWORD
from tests.support import CitizenClient, citizen
from tests.window.support import clerk, forward

pytestmark = pytest.mark.api

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue"
ITEMS_OF_BUNDLE = {"SHYJS": ["GA-SWZX", "YB-CBDJ"], "CSYJS": ["GA-CSDJ", "YB-CBDJ", "RS-SBK-SL"]}
FILINGS: list[tuple[dict[str, Any], list[str], list[str]]] = [
    # (what is filed, paper originals the agent collects, materials uploaded)
    ({"item_code": "YB-CBDJ"}, ["身份证", "户口簿"], []),
    ({"item_code": "GA-SFZ-HL"}, ["身份证"], []),
    ({"item_code": "GA-CSDJ", "form": BIRTH_FORM}, ["出生医学证明", "身份证"], []),
    ({"bundle_code": "SHYJS"}, ["户口簿", "身份证"], ["死亡医学证明"]),
]
CITIZEN_FILING = {"bundle_code": "CSYJS", "form": BIRTH_FORM}  # 社保卡申领 is not for agents


def _catalogue() -> dict[str, list[tuple[str, str]]]:
    """Each item's own material list, (type, name), in its order."""
    by_item: dict[str, list[tuple[int, str, str]]] = {}
    with (FIXTURES / "materials.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_item.setdefault(row["item_code"], []).append(
                (int(row["order"]), row["type"], row["name"])
            )
    return {code: [(t, n) for _, t, n in sorted(rows)] for code, rows in by_item.items()}


def _expected(filing: dict[str, Any]) -> dict[str, str]:
    """Type → name for the filed item; for a bundle, the first of its items naming the type."""
    catalogue = _catalogue()
    codes = ITEMS_OF_BUNDLE.get(filing.get("bundle_code", ""), [filing.get("item_code", "")])
    names: dict[str, str] = {}
    for code in codes:
        for kind, name in catalogue[code]:
            names.setdefault(kind, name)
    return names


def _all_names() -> set[str]:
    return {name for rows in _catalogue().values() for _, name in rows}


def _spans(page: str, css: str) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>", "", m)).strip()
        for m in re.findall(rf'<span class="{css}">(.*?)</span>', page, re.S)
    ]


def _manifest_names(page: str) -> dict[str, list[str]]:
    """Case number → the names in its manifest row and its receipt checkboxes."""
    out: dict[str, list[str]] = {}
    for number, cell in re.findall(
        r'<tr data-number="([^"]+)">.*?<td data-label="交接物品">(.*?)</td>', page, re.S
    ):
        text = html.unescape(re.sub(r"<strong[^>]*>.*?</strong>|<[^>]+>", "", cell)).strip()
        out.setdefault(number, []).extend(n.strip() for n in text.split("、") if n.strip())
    for number, block in re.findall(
        r'<fieldset class="field checks receive-line" data-number="([^"]+)">(.*?)</fieldset>',
        page,
        re.S,
    ):
        out.setdefault(number, []).extend(
            html.unescape(n).strip() for n in re.findall(r"缺少：([^<]+)</label>", block)
        )
    return out


async def _portal(api: httpx.AsyncClient, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=str(api.base_url), timeout=30.0)
    page = await client.get("/portal/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token is not None, page.text
    login = await client.post(
        "/portal/login",
        data={"username": username, "password": DEFAULT_PASSWORD, "_csrf_token": token[1]},
    )
    assert login.status_code in (302, 303), login.text
    return client


async def _mandate(me: CitizenClient, citizen_id: str, scope: dict[str, Any]) -> str:
    evidence = [await me.upload("委托书"), await me.upload("身份证")]
    response = await me.post(
        "/api/v1/agent/mandates",
        json={
            "citizen_id": citizen_id,
            **scope,
            "expires_on": days(30),
            "evidence_upload_ids": evidence,
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_every_material_name_comes_from_the_cases_own_items(
    api, small_catalogue: Path, elicense
):
    me = await agent(api)
    person = await villager(me)
    items = await _mandate(me, person["id"], {"item_codes": ["YB-CBDJ", "GA-SFZ-HL", "GA-CSDJ"]})
    mandates = {
        "SHYJS": await _mandate(me, person["id"], {"bundle_code": "SHYJS"}),
    }
    filed: dict[str, dict[str, str]] = {}
    for filing, paper, uploaded in FILINGS:
        response = await me.post(
            "/api/v1/agent/cases",
            json={
                **filing,
                "mandate_id": mandates.get(filing.get("bundle_code", ""), items),
                "delivery": {"method": "window"},
                "paper_originals": paper,
                "materials": [{"type": t, "upload_id": await me.upload(t)} for t in uploaded],
            },
        )
        assert response.status_code == 201, response.text
        number = response.json()["number"]
        await forward(number)
        for child in response.json().get("children") or []:
            await forward(child["number"])
        filed[number] = _expected(filing)
    batch = await me.post("/api/v1/agent/handovers", json={"case_numbers": list(filed)})
    assert batch.status_code == 201, batch.text
    batch_id = batch.json()["id"]
    in_batch = set(filed)
    me_myself = await citizen(api, "c-names")
    response = await me_myself.post(
        "/api/v1/cases",
        json={
            **CITIZEN_FILING,
            "delivery": {"method": "window"},
            "materials": [{"type": "照片", "upload_id": await me_myself.upload("照片")}],
        },
    )
    assert response.status_code == 201, response.text
    for child in response.json().get("children") or []:
        await forward(child["number"])
    await forward(response.json()["number"])
    filed[response.json()["number"]] = _expected(CITIZEN_FILING)
    await clerk(api)

    everyone = _all_names()
    agent_portal = await _portal(api, "agent-a")
    window_portal = await _portal(api, "window-a")
    seen = 0
    try:
        for number, expected in filed.items():
            own = set(expected.values())
            pages = [f"/portal/window/cases/{number}"]
            if number in in_batch:  # filed by the agent
                pages.append(f"/portal/agent/cases/{number}")
            for path in pages:
                client = agent_portal if "/agent/" in path else window_portal
                page = await client.get(path)
                assert page.status_code == 200, (path, page.text[:500])
                shown = [n for n in _spans(page.text, "material-name")]
                assert shown, path
                assert set(shown) <= own, (path, set(shown) - own)
                # No other item's name for the same papers, anywhere on the page.
                texts = set(re.findall(r"[^<>\s]+", html.unescape(page.text)))
                assert not (texts & (everyone - own)), (path, texts & (everyone - own))
                seen += len(shown)
        for client, path in (
            (agent_portal, f"/portal/agent/handovers/{batch_id}"),
            (window_portal, f"/portal/window/handovers/{batch_id}"),
        ):
            page = await client.get(path)
            assert page.status_code == 200, (path, page.text[:500])
            manifest = _manifest_names(page.text)
            assert set(manifest) == in_batch, path
            for number, names in manifest.items():
                assert names and set(names) <= set(filed[number].values()), (path, number, names)
                seen += len(names)
    finally:
        await agent_portal.aclose()
        await window_portal.aclose()
    assert seen >= 40
