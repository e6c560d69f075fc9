"""Tables of the uploads context."""

from __future__ import annotations

from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Upload(Table, tablename="upload"):
    """材料文件 — one uploaded photo or scan of a material, cleaned and content-addressed.

    Visible only to its uploader until a case or mandate claims it (``attached_kind`` /
    ``attached_id``, e.g. ``case`` / ``XS20261127000001``). Several rows may share one stored
    object (``sha256``): identical content is stored once.
    """

    id = Varchar(length=32, primary_key=True)
    owner_kind = Varchar(length=8)
    owner_id = Varchar(length=64)
    material_type = Varchar(length=20)
    content_type = Varchar(length=64)
    size = Integer()
    sha256 = Varchar(length=64, index=True)
    storage_key = Varchar(length=128)
    original_name = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    attached_kind = Varchar(length=16, null=True, default=None)
    attached_id = Varchar(length=64, null=True, default=None)
    attached_at = Timestamptz(null=True, default=None)
    deleted_at = Timestamptz(null=True, default=None)
