"""Lookup hashes have their own key, which survives retiring every encryption key."""

import pytest

from backend.security.fieldcrypt import DecryptionFailed, FieldCipher, hmac_sm3

pytestmark = pytest.mark.unit

K1 = b"0123456789abcdef"
K2 = b"fedcba9876543210"
K3 = b"lookup-root-key!"


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Pure tests: no database."""


def test_the_lookup_key_is_not_an_encryption_key():
    cipher = FieldCipher({"k1": K1})
    direct = hmac_sm3(K1, b"c|v").hex()
    assert cipher.lookup_hash("v", context="c") != direct


def test_pinning_the_root_lets_the_old_key_leave_the_ring():
    before = FieldCipher({"k1": K1}).lookup_hash("v", context="c")
    during = FieldCipher({"k2": K2, "k1": K1}).lookup_hash("v", context="c")
    after = FieldCipher({"k2": K2, "lookup": K1}).lookup_hash("v", context="c")
    assert before == during == after
    # Without the pin, the hash would silently change: the reason the pin exists.
    assert FieldCipher({"k2": K2}).lookup_hash("v", context="c") != before


def test_the_lookup_entry_never_encrypts_or_decrypts():
    cipher = FieldCipher({"lookup": K3, "k1": K1})
    assert cipher.current_key_id == "k1"
    assert cipher.key_ids == ("k1",)
    assert cipher.lookup_key_pinned
    assert not FieldCipher({"k1": K1}).lookup_key_pinned
    with pytest.raises(ValueError):
        FieldCipher({"lookup": K3})
    sealed = FieldCipher({"k1": K3}).encrypt("v", context="c").replace("k1:", "lookup:", 1)
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(sealed, context="c")


def test_reencrypt_moves_old_values_to_the_current_key_only():
    old = FieldCipher({"k1": K1})
    new = FieldCipher({"k2": K2, "k1": K1})
    sealed = old.encrypt("v", context="c")
    assert new.needs_rotation(sealed)
    moved = new.reencrypt(sealed, context="c")
    assert moved.startswith("k2:") and new.decrypt(moved, context="c") == "v"
    assert new.reencrypt(moved, context="c") == moved
    with pytest.raises(DecryptionFailed):
        new.reencrypt(sealed, context="another row")


def test_garbage_is_a_decryption_failure_not_a_crash():
    cipher = FieldCipher({"k1": K1})
    for stored in ("k1:***", "k1:", "k1:AAAA", "nokey"):
        with pytest.raises(DecryptionFailed):
            cipher.decrypt(stored, context="c")
