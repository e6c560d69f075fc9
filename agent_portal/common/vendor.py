"""Third-party browser files, installed by ``scripts/install-frontend.sh`` (never committed)."""

from __future__ import annotations

from pathlib import Path

import structlog

HERE = Path(__file__).resolve().parent.parent
"""The portal package: its static files and vendor manifest stay at its top."""
STATIC_DIR = HERE / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
MANIFEST = HERE / "vendor.txt"

log = structlog.get_logger(__name__)


def vendor_files() -> list[str]:
    """File names under ``static/vendor/``, from the manifest the install script copies by."""
    names = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) == 2 and not fields[0].startswith("#"):
            names.append(fields[1])
    return names


def missing_vendor_files() -> list[Path]:
    """Vendor files that are not installed; logs one warning per missing file.

    The portal still renders without them: forms are plain HTML and work without HTMX.
    """
    missing = [VENDOR_DIR / name for name in vendor_files() if not (VENDOR_DIR / name).is_file()]
    for path in missing:
        log.warning(
            "portal_vendor_file_missing",
            path=str(path),
            fix="run scripts/install-frontend.sh; pages render without HTMX until then",
        )
    return missing
