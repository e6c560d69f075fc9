"""Township shapes for the dashboard's map: the shipped schematic file (all 27 townships of the
demo district, sound polygons, each holding its township's centre, made by the script) and the
import of a district's real boundary file (a bad file refused whole, in Chinese)."""

from __future__ import annotations

import csv
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend.geo import boundaries
from backend.geo.boundaries import BoundaryFileRejected, check
from backend.geo.schematic import Centre, township_shapes

DATA = Path(__file__).resolve().parents[2] / "backend" / "demo" / "data"


def _areas() -> list[dict[str, str]]:
    with (DATA / "areas.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _townships() -> dict[str, str]:
    return {r["code"]: r["name"] for r in _areas() if r["level"] == "township"}


def _inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _area(ring: list[list[float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring)) / 2


def test_the_shipped_schematic_shapes_cover_every_township_soundly():
    shapes = json.loads((DATA / "townships.geojson").read_text(encoding="utf-8"))
    assert shapes["type"] == "FeatureCollection" and shapes["schematic"] is True
    townships = _townships()
    assert len(townships) == 27
    assert sorted(f["properties"]["code"] for f in shapes["features"]) == sorted(townships)
    assert check(json.dumps(shapes).encode(), townships)  # as an import would accept it
    rows = {r["code"]: r for r in _areas()}
    for feature in shapes["features"]:
        props = feature["properties"]
        assert props["name"] == townships[props["code"]] and props["schematic"] is True
        assert feature["geometry"]["type"] == "Polygon"
        [ring] = feature["geometry"]["coordinates"]
        assert len(ring) >= 4 and ring[0] == ring[-1]
        assert _area(ring) > 0  # counter-clockwise, not degenerate
        centre = (float(rows[props["code"]]["lng"]), float(rows[props["code"]]["lat"]))
        assert _inside(centre, ring), props["name"]
        assert props["cp"] == [centre[0], centre[1]]


def test_the_shipped_file_is_what_the_script_makes():
    rows = _areas()
    made = township_shapes(
        sorted(
            (Centre(r["code"], r["name"], float(r["lat"]), float(r["lng"]))
             for r in rows if r["level"] == "township"),
            key=lambda t: t.code,
        ),
        [(float(r["lat"]), float(r["lng"])) for r in rows if r["level"] == "village"],
    )  # fmt: skip
    shipped = json.loads((DATA / "townships.geojson").read_text(encoding="utf-8"))
    assert made == shipped


def _square(code: str, lng: float = 120.3, lat: float = 30.1, **props: Any) -> dict[str, Any]:
    ring = [[lng, lat], [lng + 0.01, lat], [lng + 0.01, lat + 0.01], [lng, lat + 0.01], [lng, lat]]
    return {
        "type": "Feature",
        "properties": {"code": code, **props},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


TWO = {"330109110": "益农镇", "330109105": "瓜沥镇"}


def _raw(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _errors(raw: bytes) -> list[str]:
    with pytest.raises(BoundaryFileRejected) as caught:
        check(raw, TWO)
    return caught.value.errors


def test_a_sound_boundary_file_is_read_with_its_codes():
    multi = _square("330109105")
    multi["geometry"] = {
        "type": "MultiPolygon",
        "coordinates": [
            multi["geometry"]["coordinates"],
            _square("x", 120.5)["geometry"]["coordinates"],
        ],
    }
    adcode = _square("", adcode=330109110)
    adcode["geometry"]["junk"] = "<script>" * 1000  # extra keys and values are not kept
    adcode["geometry"]["coordinates"][0][0] = [*adcode["geometry"]["coordinates"][0][0], 9, "x"]
    pairs = check(_raw(adcode, multi), TWO)
    assert [code for code, _ in pairs] == ["330109110", "330109105"]
    kept = pairs[0][1]
    assert set(kept) == {"type", "coordinates"}
    assert all(len(point) == 2 for ring in kept["coordinates"] for point in ring)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"\xff\xfe", "不是 UTF-8"),
        (b"{not json", "不是有效的 JSON"),
        (json.dumps({"type": "Feature"}).encode(), "FeatureCollection"),
        (_raw(), "没有任何 feature"),
        (_raw({"type": "Feature", "geometry": None}), "缺少 properties"),
        (_raw(_square("")), "没有镇街代码"),
        (_raw(_square("330109999"), _square("330109105")), "本区没有这个代码的镇街"),
        (_raw(_square("330109110"), _square("330109110"), _square("330109105")), "不止一次"),
        (_raw(_square("330109110")), "缺少 1 个镇街的边界：瓜沥镇"),
        (b"[" * 100_000 + b"]" * 100_000, "嵌套层数过多"),
        (b'{"type": "FeatureCollection", "x": ' + b"9" * 5000 + b"}", "数字位数过长"),
    ],
)
def test_a_bad_boundary_file_is_refused_whole_in_chinese(raw: bytes, says: str):
    assert any(says in error for error in _errors(raw)), _errors(raw)


def test_bad_shapes_are_named_with_their_township():
    point = _square("330109110")
    point["geometry"] = {"type": "Point", "coordinates": [120.3, 30.1]}
    opened = _square("330109105")
    opened["geometry"]["coordinates"][0].pop()
    swapped = _square("330109105")
    swapped["geometry"]["coordinates"] = [
        [[30.1, 120.3], [30.1, 120.4], [30.2, 120.4], [30.1, 120.3]]
    ]
    errors = _errors(_raw(point, opened))
    assert any("益农镇" in e and "Polygon 或 MultiPolygon" in e for e in errors), errors
    assert any("瓜沥镇" in e and "没有闭合" in e for e in errors), errors
    errors = _errors(_raw(_square("330109110"), swapped))
    assert any("超出经纬度范围" in e for e in errors), errors


@pytest.mark.integration
async def test_an_imported_file_replaces_the_schematic_shapes_until_reset(
    small_catalogue: Path, tmp_path: Path
):
    before = await boundaries.township_map()
    assert before["schematic"] is True
    assert sorted(f["properties"]["code"] for f in before["features"]) == sorted(TWO)
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(_raw(_square("330109110")))
    with pytest.raises(BoundaryFileRejected):
        await boundaries.import_file(bad)
    assert (await boundaries.township_map())["schematic"] is True  # nothing written
    good = tmp_path / "xiaoshan.geojson"
    good.write_bytes(_raw(_square("330109110"), _square("330109105", 120.5)))
    assert await boundaries.import_file(good) == 2
    after = await boundaries.township_map()
    assert after["schematic"] is False
    names = {f["properties"]["code"]: f["properties"]["name"] for f in after["features"]}
    assert names == TWO
    assert await boundaries.reset() == 2
    assert (await boundaries.township_map())["schematic"] is True


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=DATA.parents[2],
        timeout=60,
    )


@pytest.mark.integration
async def test_the_boundaries_command_imports_and_refuses_in_chinese(
    small_catalogue: Path, test_env: dict[str, str], tmp_path: Path
):
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(_raw(_square("330109110"), _square("330109999")))
    refused = _cli(["boundaries", "import", str(bad)], test_env)
    assert refused.returncode == 1
    assert "边界文件被拒绝，未写入任何数据" in refused.stderr
    assert "本区没有这个代码的镇街" in refused.stderr and "缺少 1 个镇街的边界" in refused.stderr
    good = tmp_path / "good.geojson"
    good.write_bytes(_raw(_square("330109110"), _square("330109105", 120.5)))
    done = _cli(["boundaries", "import", str(good)], test_env)
    assert done.returncode == 0, done.stderr
    assert "已导入 2 个镇街的边界" in done.stdout
    assert (await boundaries.township_map())["schematic"] is False
    reset = _cli(["boundaries", "reset"], test_env)
    assert reset.returncode == 0 and "改回示意图" in reset.stdout
