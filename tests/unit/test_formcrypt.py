"""The form codec: sensitive values sealed with their key id, masked, and findable by owner."""

import json

import pytest

from backend.cases import formcrypt
from backend.catalogue.model import FormField, ItemSpec, item_problems
from backend.identity.sealed import ID_NUMBER_LOOKUP
from backend.security.fieldcrypt import DecryptionFailed, FieldCipher
from tests.factories import make_id_number

pytestmark = pytest.mark.unit

CIPHER = FieldCipher({"k1": b"0123456789abcdef"})
GUARDIAN = make_id_number(birth="19870415", seq=38)
CERT = GUARDIAN + "42"  # 残疾人证号: the whole ID number, then category and grade
KINDS = {
    "guardian_id": "id_number",
    "disability_cert_no": "id_derived",
    "phone": "phone",
    "bank_account": "bank_account",
}
FORM = {
    "baby_name": "王小宝",
    "guardian_id": GUARDIAN,
    "disability_cert_no": CERT,
    "phone": "13912345678",
    "bank_account": "6228480012345678901",
    "household_size": 4,
}


def test_sealed_values_hold_no_plain_number_and_no_birth_date():
    stored = formcrypt.seal_form(FORM, kinds=KINDS, number="XS1", cipher=CIPHER)
    text = json.dumps(stored, ensure_ascii=False)
    for plain in (GUARDIAN, CERT, "13912345678", "6228480012345678901", "19870415"):
        assert plain not in text
    assert stored["baby_name"] == "王小宝" and stored["household_size"] == 4
    assert stored["guardian_id"]["masked"] == GUARDIAN[:3] + "*" * 11 + GUARDIAN[-4:]
    assert stored["disability_cert_no"]["masked"] == CERT[:3] + "*" * 13 + CERT[-4:]
    assert stored["phone"]["masked"] == "*******5678"
    assert stored["bank_account"]["masked"] == "*" * 15 + "8901"
    assert stored["guardian_id"]["enc"].startswith("k1:")
    owner = CIPHER.lookup_hash(GUARDIAN, context=ID_NUMBER_LOOKUP)
    assert stored["guardian_id"]["hash"] == stored["disability_cert_no"]["hash"] == owner
    assert "hash" not in stored["phone"] and "hash" not in stored["bank_account"]


def test_a_sealed_value_opens_only_for_its_case_and_field():
    stored = formcrypt.seal_form(FORM, kinds=KINDS, number="XS1", cipher=CIPHER)
    value = stored["guardian_id"]
    assert formcrypt.unseal(value, number="XS1", field="guardian_id", cipher=CIPHER) == GUARDIAN
    with pytest.raises(DecryptionFailed):
        formcrypt.unseal(value, number="XS2", field="guardian_id", cipher=CIPHER)
    with pytest.raises(DecryptionFailed):
        formcrypt.unseal(value, number="XS1", field="spouse_id", cipher=CIPHER)


def test_sealing_twice_changes_nothing_and_staff_see_masks_only():
    stored = formcrypt.seal_form(FORM, kinds=KINDS, number="XS1", cipher=CIPHER)
    assert formcrypt.seal_form(stored, kinds=KINDS, number="XS1", cipher=CIPHER) == stored
    assert not formcrypt.needs_sealing(stored, KINDS)
    assert formcrypt.needs_sealing(FORM, KINDS)
    shown = formcrypt.masked_form(stored)
    assert shown["phone"] == "*******5678" and shown["baby_name"] == "王小宝"
    assert sorted(formcrypt.sensitive_fields(stored)) == sorted(KINDS)
    # A row written before the codec is masked on read all the same.
    legacy = formcrypt.masked_form(FORM, KINDS)
    assert legacy == shown


def test_a_certificate_number_without_a_valid_id_inside_gets_no_lookup_hash():
    sealed = formcrypt.seal(
        "12345678901234567890", kind="id_derived", number="XS1", field="c", cipher=CIPHER
    )
    assert "hash" not in sealed


def _spec(*fields: FormField) -> ItemSpec:
    return ItemSpec("X-1", "测试", "GA", "township", ("window",), True, False, 5, 5, form=fields)


def test_the_catalogue_refuses_an_unknown_kind_or_a_number_marked_not_sensitive():
    assert item_problems(_spec(FormField("a", "甲", "text", "secret")))
    assert item_problems(_spec(FormField("a", "身份证", "id_number", "none")))
    assert item_problems(_spec(FormField("p", "电话", "phone", "none")))
    assert not item_problems(_spec(FormField("c", "残疾人证号", "text", "id_derived")))
