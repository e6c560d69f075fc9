"""``jiujinban privacy deletions list|approve|refuse`` against the test database."""

from __future__ import annotations

import json
import uuid

import pytest

from backend.audit.tables import AuditEvent
from backend.identity.deletion import Retention, request_deletion
from backend.identity.tables import Citizen, DeletionRequest
from backend.outbox.tables import OutboxEvent
from tests.factories import make_staff
from tests.integration.test_demo_and_cli import _cli

pytestmark = pytest.mark.integration


@pytest.mark.timeout(300)  # four command-line processes, each importing the whole backend
async def test_an_administrator_lists_and_refuses_from_the_command_line(
    test_env: dict[str, str],
) -> None:
    citizen_id = uuid.uuid4()
    await Citizen.insert(
        Citizen(id=citizen_id, name="东方白", id_number_masked="330***********1234")
    ).run()
    receipt = await request_deletion(
        citizen_id=str(citizen_id), reason="", retention=Retention(30, 10)
    )
    await make_staff(role="admin", username="cli-admin")
    await make_staff(role="window", username="cli-clerk")

    listed = _cli(["privacy", "deletions", "list"], test_env)
    assert listed.returncode == 0, listed.stderr
    print("\n" + listed.stdout)
    assert "1 pending" in listed.stdout and receipt.id in listed.stdout
    assert "330***********1234" in listed.stdout

    not_admin = _cli(
        ["privacy", "deletions", "approve", receipt.id, "--by", "cli-clerk", "--reason", "同意"],
        test_env,
    )
    assert not_admin.returncode != 0 and "administrator" in not_admin.stderr

    refused = _cli(
        [
            "privacy",
            "deletions",
            "refuse",
            receipt.id,
            "--by",
            "cli-admin",
            "--reason",
            "身份未核实",
        ],
        test_env,
    )
    assert refused.returncode == 0, refused.stderr
    row = await DeletionRequest.select().where(DeletionRequest.id == receipt.id).first().run()
    assert row["status"] == "refused" and row["note"] == "身份未核实"
    told = await OutboxEvent.select().where(OutboxEvent.kind == "privacy.deletion_decided").run()
    payload = told[0]["payload"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert payload["outcome"] == "refused"
    audited = await AuditEvent.select().where(AuditEvent.action == "privacy_deletion_refused").run()
    assert len(audited) == 1 and audited[0]["subject_id"] == receipt.id

    again = _cli(
        ["privacy", "deletions", "approve", receipt.id, "--by", "cli-admin", "--reason", "同意"],
        test_env,
    )
    assert again.returncode != 0  # already decided
    assert await Citizen.count().run() == 1  # a refusal erases nothing
