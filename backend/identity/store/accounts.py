"""WeChat accounts (``wechat_account``): which app's openid signs in as which citizen.

``citizen.openid``/``unionid`` are kept as a copy of the mini-program account (the only one
WeChat delivers subscribe messages to); the functions here keep them in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend import db
from backend.identity.store.citizens import WeChatLogin


@dataclass(frozen=True, slots=True)
class Account:
    """One WeChat account of a citizen, as their data export lists it."""

    appid: str
    openid: str
    unionid: str | None
    created_at: datetime
    last_login_at: datetime | None


async def login(
    *, appid: str, openid: str, unionid: str | None, miniprogram: bool, now: datetime
) -> WeChatLogin:
    """The citizen behind ``(appid, openid)``, in the caller's transaction.

    A known account signs in as its citizen. A new one attaches to the citizen that already has
    an account with the same ``unionid`` (WeChat gives one per person across the apps bound to
    one Open Platform account); otherwise a new citizen is created with it.
    """
    await db.fetch("SELECT pg_advisory_xact_lock(hashtext($1))", f"wechat:{appid}:{openid}")
    known = await db.fetchrow(
        "UPDATE wechat_account SET last_login_at = $3, unionid = COALESCE($4, unionid)"
        " WHERE appid = $1 AND openid = $2 RETURNING citizen::text AS citizen",
        appid,
        openid,
        now,
        unionid,
    )
    created = False
    if known is not None:
        citizen_id = str(known["citizen"])
    else:
        holder = await _by_unionid(unionid) if unionid else None
        if holder is None:
            citizen_id = await _new_citizen(now)
            created = True
        else:
            citizen_id = holder
        await db.execute(
            "INSERT INTO wechat_account (appid, openid, unionid, citizen, created_at,"
            " last_login_at) VALUES ($1, $2, $3, $4::uuid, $5, $5)",
            appid,
            openid,
            unionid,
            citizen_id,
            now,
        )
    row = await db.fetchrow(
        "UPDATE citizen SET last_login_at = $2,"
        " openid = CASE WHEN $3::boolean THEN $4 ELSE openid END,"
        " unionid = CASE WHEN $3::boolean THEN COALESCE($5, unionid) ELSE unionid END"
        " WHERE id = $1::uuid RETURNING identity_bound, token_version",
        citizen_id,
        now,
        miniprogram,
        openid,
        unionid,
    )
    assert row is not None
    return WeChatLogin(citizen_id, bool(row["identity_bound"]), int(row["token_version"]), created)


async def _by_unionid(unionid: str) -> str | None:
    row = await db.fetchrow(
        "SELECT a.citizen::text AS citizen FROM wechat_account a JOIN citizen c ON c.id = a.citizen"
        " WHERE a.unionid = $1 AND c.restricted_at IS NULL ORDER BY a.id LIMIT 1",
        unionid,
    )
    return None if row is None else str(row["citizen"])


async def _new_citizen(now: datetime) -> str:
    row = await db.fetchrow(
        "INSERT INTO citizen (id, identity_bound, identity_verified, created_at, updated_at)"
        " VALUES (gen_random_uuid(), false, false, $1, $1) RETURNING id::text AS id",
        now,
    )
    assert row is not None
    return str(row["id"])


async def of(*, citizen_id: str) -> list[Account]:
    """The citizen's WeChat accounts, oldest first."""
    rows = await db.fetch(
        "SELECT appid, openid, unionid, created_at, last_login_at FROM wechat_account"
        " WHERE citizen = $1::uuid ORDER BY id",
        citizen_id,
    )
    return [Account(**dict(r)) for r in rows]


async def appids_of(*, citizen_id: str) -> set[str]:
    rows = await db.fetch("SELECT appid FROM wechat_account WHERE citizen = $1::uuid", citizen_id)
    return {str(r["appid"]) for r in rows}


async def has_any(*, citizen_id: str) -> bool:
    row = await db.fetchrow(
        "SELECT EXISTS (SELECT 1 FROM wechat_account WHERE citizen = $1::uuid) AS any",
        citizen_id,
    )
    return bool(row and row["any"])


async def move(*, from_citizen: str, into_citizen: str) -> None:
    """Move every account of ``from_citizen`` (and its mini-program copy) to ``into_citizen``;
    in the caller's transaction, the two rows locked by it."""
    copy = await db.fetchrow(
        "SELECT openid, unionid FROM citizen WHERE id = $1::uuid", from_citizen
    )
    await db.execute(
        "UPDATE citizen SET openid = NULL, unionid = NULL WHERE id = $1::uuid", from_citizen
    )
    await db.execute(
        "UPDATE wechat_account SET citizen = $2::uuid WHERE citizen = $1::uuid",
        from_citizen,
        into_citizen,
    )
    if copy is not None and copy["openid"]:
        await db.execute(
            "UPDATE citizen SET openid = COALESCE(openid, $2),"
            " unionid = COALESCE(unionid, $3) WHERE id = $1::uuid",
            into_citizen,
            copy["openid"],
            copy["unionid"],
        )


async def delete_all(*, citizen_id: str) -> None:
    """Forget every WeChat account of the citizen (erasure)."""
    await db.execute("DELETE FROM wechat_account WHERE citizen = $1::uuid", citizen_id)
