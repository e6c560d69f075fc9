"""Identity verification (实名核验) through the service layer, against the fake over real HTTP."""

import uuid

import pytest

from backend.errors import Conflict, InvalidInput
from backend.fakes.idverify_server import FakeIdVerify
from backend.identity import binding
from backend.identity.idverify import HttpIdentityVerifier
from backend.identity.ports import IdentityVerifyUnavailable
from backend.identity.tables import Citizen
from backend.security.fieldcrypt import FieldCipher
from backend.settings import Settings
from tests.factories import make_area
from tests.identity.helpers import VILLAGE, make_id_number, make_village

pytestmark = pytest.mark.integration


async def new_citizen() -> str:
    """A citizen who logged in with WeChat (records without an openid can be taken over)."""
    citizen = Citizen(openid=f"o-{uuid.uuid4().hex}")
    await citizen.save().run()
    return str(citizen.id)


@pytest.fixture
def cipher(settings: Settings) -> FieldCipher:
    return FieldCipher(settings.field_key_ring())


@pytest.fixture
async def verifier(idverify: FakeIdVerify):
    client = HttpIdentityVerifier(idverify.url, timeout_s=0.5)
    yield client
    await client.aclose()


async def bind(citizen_id: str, number: str, cipher: FieldCipher, verifier, name: str = "王秀英"):
    return await binding.bind_identity(
        citizen_id=citizen_id,
        name=name,
        id_number=number,
        village_code=VILLAGE,
        consent_version="2026-01",
        cipher=cipher,
        verifier=verifier,
    )


async def test_a_match_verifies_and_keeps_the_reference(cipher, verifier, idverify: FakeIdVerify):
    await make_village()
    citizen_id = await new_citizen()
    number = make_id_number(seq=1)
    outcome = await bind(citizen_id, number, cipher, verifier)
    assert outcome.verification == "verified"
    assert outcome.profile.identity_verified
    row = await Citizen.select().where(Citizen.id == citizen_id).first().run()
    assert row["identity_verified"] and row["verified_at"] is not None
    assert row["verify_reference"].startswith("FAKE-")
    assert idverify.received() == [
        {"name": "王秀英", "id_number_masked": number[:3] + "*" * 11 + number[-4:], "matched": True}
    ]


async def test_a_mismatch_is_422_and_stores_nothing(cipher, verifier):
    await make_village()
    citizen_id = await new_citizen()
    with pytest.raises(InvalidInput) as error:
        await bind(citizen_id, make_id_number(seq=2), cipher, verifier, name="不匹配")
    assert error.value.code == "identity_not_matched"
    row = await Citizen.select().where(Citizen.id == citizen_id).first().run()
    assert not row["identity_bound"] and row["id_number_enc"] is None


@pytest.mark.parametrize("failure", ["unavailable", "error", "timeout"])
async def test_a_service_that_is_down_leaves_the_binding_unverified(
    cipher, verifier, idverify: FakeIdVerify, failure: str
):
    await make_village()
    citizen_id = await new_citizen()
    number = make_id_number(seq=3)
    if failure == "unavailable":
        idverify.set_unavailable(True)
    elif failure == "error":
        idverify.fail_next(1)
    else:
        idverify.set_delay(1.5)
    outcome = await bind(citizen_id, number, cipher, verifier)
    assert outcome.verification == "unavailable"
    assert "暂时不可用" in outcome.note
    assert outcome.profile.identity_bound and not outcome.profile.identity_verified

    idverify.reset()
    again = await bind(citizen_id, number, cipher, verifier)  # submitting again verifies
    assert again.verification == "verified"
    assert again.profile.identity_verified


async def test_a_wrong_secret_is_refused_by_the_service(cipher, idverify: FakeIdVerify):
    await make_village()
    forged = HttpIdentityVerifier(idverify.url.replace(idverify.secret, "not-the-secret"))
    try:
        with pytest.raises(IdentityVerifyUnavailable):
            await forged.verify("王秀英", make_id_number(seq=4))
        outcome = await bind(await new_citizen(), make_id_number(seq=4), cipher, forged)
        assert outcome.verification == "unavailable"
    finally:
        await forged.aclose()
    assert idverify.received() == []


async def test_without_a_verifier_nothing_is_verified(cipher):
    await make_village()
    outcome = await bind(await new_citizen(), make_id_number(seq=5), cipher, None)
    assert outcome.verification == "disabled"
    assert not outcome.profile.identity_verified


async def test_a_verified_identity_is_locked_but_rebinding_it_is_idempotent(
    cipher, verifier, idverify: FakeIdVerify
):
    await make_village()
    citizen_id = await new_citizen()
    number = make_id_number(seq=6)
    await bind(citizen_id, number, cipher, verifier)
    before = await Citizen.select().where(Citizen.id == citizen_id).first().run()

    same = await bind(citizen_id, number, cipher, verifier)
    assert same.verification == "verified"
    asked = lambda: [r for r in idverify.received() if r["id_number_masked"].endswith(number[-4:])]  # noqa: E731
    assert len(asked()) == 1  # not asked again
    assert await Citizen.select().where(Citizen.id == citizen_id).first().run() == before

    with pytest.raises(Conflict) as other_number:
        await bind(citizen_id, make_id_number(seq=7), cipher, verifier)
    assert other_number.value.code == "identity_locked"
    with pytest.raises(Conflict) as other_name:
        await bind(citizen_id, number, cipher, verifier, name="王秀兰")
    assert other_name.value.code == "identity_locked"
    assert len(asked()) == 1

    moved = await binding.bind_identity(  # moving house is fine
        citizen_id=citizen_id,
        name="王秀英",
        id_number=number,
        village_code=await make_area("330109110002"),
        consent_version="2026-02",
        cipher=cipher,
        verifier=verifier,
    )
    assert moved.profile.village_code == "330109110002"
    assert moved.profile.identity_verified


async def test_a_verified_number_is_still_taken_for_everyone_else(cipher, verifier):
    await make_village()
    number = make_id_number(seq=8)
    await bind(await new_citizen(), number, cipher, verifier)
    with pytest.raises(Conflict) as error:
        await bind(await new_citizen(), number, cipher, verifier)
    assert error.value.code == "id_number_taken"
