"""What the uploads package hands out about an upload (the row type lives in its store)."""

from __future__ import annotations

from backend.uploads.store import UploadView as UploadView

__all__ = ["UploadView"]
