"""Write backend/demo/data/townships.geojson: schematic township shapes (示意) of the demo
district, the Voronoi cells of the township centres in areas.csv clipped to the district's
outline (backend/geo/schematic.py). Run again after the townships in areas.csv change:

    .venv/bin/python scripts/make_schematic_townships.py
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.geo.schematic import Centre, township_shapes  # noqa: E402

DATA = ROOT / "backend" / "demo" / "data"


def main() -> None:
    with (DATA / "areas.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    townships = [
        Centre(r["code"], r["name"], float(r["lat"]), float(r["lng"]))
        for r in rows
        if r["level"] == "township"
    ]
    villages = [(float(r["lat"]), float(r["lng"])) for r in rows if r["level"] == "village"]
    shapes = township_shapes(sorted(townships, key=lambda t: t.code), villages)
    target = DATA / "townships.geojson"
    head = {k: v for k, v in shapes.items() if k != "features"}
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in shapes["features"]]
    text = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n' + ",\n".join(lines)
    target.write_text(text + "\n]}\n", encoding="utf-8")
    sys.stdout.write(f"{target.relative_to(ROOT)}: {len(shapes['features'])} townships\n")


if __name__ == "__main__":
    main()
