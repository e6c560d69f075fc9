"""Hand-written: WeChat accounts in their own table (``wechat_account``); SMS phone codes.

A citizen may now sign in with more than one WeChat app: the mini-program and the Official
Account web page (H5), each with its own ``appid`` and so its own ``openid``. Every existing
``citizen.openid`` was given by the mini-program, so each becomes a ``wechat_account`` row with
the mini-program's appid. That appid is read at migration time from ``WECHAT_APPID`` in the
environment, falling back to the same default ``backend.settings.Settings`` uses
(``wx-dev-appid``), so a deployment migrates with the appid it runs with.

``citizen.openid`` and ``citizen.unionid`` are kept as a read-only copy of the mini-program
account (the only one subscribe messages can reach); login keeps them in step.

``phone_code`` keeps the SMS codes that confirm a phone number on the H5: the number only as its
lookup hash, the code only as an HMAC.
"""

import os

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-07T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "wechat_account (a citizen's WeChat accounts) and phone_code (SMS codes)"

CREATE = """
CREATE TABLE wechat_account (
    id BIGSERIAL PRIMARY KEY,
    appid VARCHAR(64) NOT NULL,
    openid VARCHAR(64) NOT NULL,
    unionid VARCHAR(64),
    citizen UUID NOT NULL REFERENCES citizen (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_login_at TIMESTAMPTZ,
    CONSTRAINT wechat_account_appid_openid UNIQUE (appid, openid)
)
"""

PHONE_CODE = """
CREATE TABLE phone_code (
    id BIGSERIAL PRIMARY KEY,
    citizen UUID NOT NULL REFERENCES citizen (id) ON DELETE CASCADE,
    phone_hash VARCHAR(64) NOT NULL,
    code_hash VARCHAR(64) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at TIMESTAMPTZ
)
"""

COPY = """
INSERT INTO wechat_account (appid, openid, unionid, citizen, created_at, last_login_at)
SELECT {}, openid, unionid, id, created_at, last_login_at FROM citizen
WHERE openid IS NOT NULL
ON CONFLICT (appid, openid) DO NOTHING
"""


def miniprogram_appid() -> str:
    """The mini-program's appid as the running deployment has it (see the module docstring)."""
    from backend.settings import Settings

    return os.environ.get("WECHAT_APPID") or Settings().wechat_appid


async def copy_accounts(appid: str) -> None:
    """Every citizen's mini-program openid as an account row (again: nothing changes)."""
    await engine_finder().run_querystring(QueryString(COPY, appid))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    async def add() -> None:
        engine = engine_finder()
        await engine.run_ddl(CREATE)
        await engine.run_ddl("CREATE INDEX wechat_account_citizen ON wechat_account (citizen)")
        await engine.run_ddl(
            "CREATE INDEX wechat_account_unionid ON wechat_account (unionid)"
            " WHERE unionid IS NOT NULL"
        )
        await copy_accounts(miniprogram_appid())
        await engine.run_ddl(PHONE_CODE)
        await engine.run_ddl("CREATE INDEX phone_code_citizen ON phone_code (citizen, created_at)")
        await engine.run_ddl("CREATE INDEX phone_code_phone ON phone_code (phone_hash, created_at)")

    async def remove() -> None:
        await engine_finder().run_ddl("DROP TABLE IF EXISTS phone_code")
        await engine_finder().run_ddl("DROP TABLE IF EXISTS wechat_account")

    manager.add_raw(add)
    manager.add_raw_backwards(remove)
    return manager
