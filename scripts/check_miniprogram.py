"""Check the two builds of the citizens' client (``make setup`` makes them) against their rules.

- Every page in the mini-program's ``app.json`` (sub-packages included) was built (.js, .json,
  .wxml) from a source page under ``miniprogram/src``.
- No browser-only API reaches the mini-program's own code (the Taro runtime and vendor files are
  not ours and are not searched): such code must sit behind ``process.env.TARO_ENV === 'h5'``.
- The mini-program's main package is at most 2 MB (WeChat refuses a larger one; pages beyond it
  go into sub-packages).
- The H5's initial JavaScript (the scripts its page loads) is at most 200 KB gzip.

Prints a table; exits 1 when a rule is broken. ``tests/browser/h5/test_builds.py`` runs it in
``make test``; run it by hand with ``.venv/bin/python scripts/check_miniprogram.py``.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "miniprogram"
WEAPP = CLIENT / "dist" / "weapp"
H5 = CLIENT / "dist" / "h5"
MAIN_PACKAGE_LIMIT = 2 * 1024 * 1024
H5_INITIAL_JS_LIMIT = 200 * 1024
NOT_OURS = {"vendors.js", "taro.js", "runtime.js"}
BROWSER_ONLY = (
    "sessionStorage",
    "localStorage",
    "window.location",
    "document.createElement",
    "createObjectURL",
    "XMLHttpRequest",
    "navigator.geolocation",
    "history.replaceState",
    "new Image(",
)


@dataclass(frozen=True)
class Finding:
    rule: str
    ok: bool
    detail: str


def _pages(app: dict[str, object]) -> list[str]:
    pages = [str(p) for p in app.get("pages", [])]  # type: ignore[attr-defined]
    for package in app.get("subPackages", app.get("subpackages", [])) or []:  # type: ignore[attr-defined]
        root = str(package["root"]).rstrip("/")
        pages += [f"{root}/{p}" for p in package.get("pages", [])]
    return pages


def check_weapp() -> list[Finding]:
    app = json.loads((WEAPP / "app.json").read_text(encoding="utf-8"))
    findings = []
    missing = []
    for page in _pages(app):
        built = [WEAPP / f"{page}.{ext}" for ext in ("js", "json", "wxml")]
        source = [CLIENT / "src" / f"{page}.{ext}" for ext in ("tsx", "ts", "jsx", "js")]
        if not all(p.is_file() for p in built) or not any(p.is_file() for p in source):
            missing.append(page)
    findings.append(
        Finding(
            "weapp: every page in app.json built from a source page",
            not missing,
            f"{len(_pages(app))} pages" + (f"; missing: {', '.join(missing)}" if missing else ""),
        )
    )
    leaks = []
    for path in sorted(WEAPP.rglob("*.js")):
        if path.name in NOT_OURS:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        leaks += [f"{path.relative_to(WEAPP)}: {t}" for t in BROWSER_ONLY if t in text]
    findings.append(
        Finding(
            "weapp: no browser-only API in our code",
            not leaks,
            "none found" if not leaks else "; ".join(leaks),
        )
    )
    roots = [
        str(p["root"]).rstrip("/") + "/"
        for p in app.get("subPackages", app.get("subpackages", [])) or []
    ]
    main = sum(
        p.stat().st_size
        for p in WEAPP.rglob("*")
        if p.is_file()
        and not p.name.endswith(".LICENSE.txt")
        and not p.name.startswith(".")
        and p.name != "project.config.json"
        and not any(str(p.relative_to(WEAPP)).startswith(r) for r in roots)
    )
    findings.append(
        Finding(
            "weapp: main package ≤ 2 MB",
            main <= MAIN_PACKAGE_LIMIT,
            f"{main / 1024:.0f} KB",
        )
    )
    return findings


def h5_initial_js_gzip() -> int:
    page = (H5 / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]+src="/m/([^"]+)"', page)
    return sum(len(gzip.compress((H5 / s).read_bytes(), 9)) for s in scripts)


def check_h5() -> list[Finding]:
    size = h5_initial_js_gzip()
    return [
        Finding(
            "h5: initial JavaScript ≤ 200 KB gzip",
            size <= H5_INITIAL_JS_LIMIT,
            f"{size / 1024:.1f} KB gzip",
        )
    ]


def main() -> int:
    for folder in (WEAPP, H5):
        if not folder.is_dir():
            sys.stderr.write(f"{folder} is missing: run `make setup`\n")
            return 1
    findings = check_weapp() + check_h5()
    width = max(len(f.rule) for f in findings)
    for f in findings:
        sys.stdout.write(f"{'ok  ' if f.ok else 'FAIL'}  {f.rule.ljust(width)}  {f.detail}\n")
    return 0 if all(f.ok for f in findings) else 1


if __name__ == "__main__":
    sys.exit(main())
