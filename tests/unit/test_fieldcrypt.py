import base64

import pytest

from backend.security.fieldcrypt import DecryptionFailed, FieldCipher
from backend.security.passwords import hash_password, verify_password

pytestmark = pytest.mark.unit

K1 = b"0123456789abcdef"
K2 = b"fedcba9876543210"


def test_round_trip_with_key_id_and_random_nonce():
    cipher = FieldCipher({"k1": K1})
    a = cipher.encrypt("330109199001011234", context="citizen.id_number")
    b = cipher.encrypt("330109199001011234", context="citizen.id_number")
    assert a.startswith("k1:")
    assert a != b
    assert cipher.decrypt(a, context="citizen.id_number") == "330109199001011234"


def test_tampering_or_wrong_context_is_detected():
    cipher = FieldCipher({"k1": K1})
    sealed = cipher.encrypt("secret", context="a")
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(sealed, context="b")
    raw = bytearray(base64.b64decode(sealed[3:]))
    raw[15] ^= 1
    with pytest.raises(DecryptionFailed):
        cipher.decrypt("k1:" + base64.b64encode(bytes(raw)).decode(), context="a")


def test_rotation_old_values_still_decrypt_and_lookup_hash_is_stable():
    old = FieldCipher({"k1": K1})
    sealed = old.encrypt("v", context="c")
    rotated = FieldCipher({"k2": K2, "k1": K1})
    assert rotated.decrypt(sealed, context="c") == "v"
    assert rotated.encrypt("v", context="c").startswith("k2:")
    assert rotated.lookup_hash("v", context="c") == old.lookup_hash("v", context="c")


def test_passwords_verify_and_unknown_user_is_false():
    hashed = hash_password("correct horse battery")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "wrong")
    assert not verify_password(None, "anything")
