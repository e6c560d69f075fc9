"""Field encryption for personal data at rest: SM4-GCM with a key id, and HMAC-SM3 lookup hashes.

A stored value looks like ``<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``; the first key of the ring
encrypts, every key of the ring decrypts, so keys rotate without downtime (``jiujinban keys
rotate`` re-encrypts old values, after which the old key can leave the ring).

Lookup hashes use their own key, never an encryption key as such. It is derived (HMAC-SM3 with a
fixed label) from the ring entry whose id is ``lookup`` when there is one, else from the oldest
encryption key (the last of the ring). The derivation separates the two uses of the key material;
pinning the root with a ``lookup:`` entry lets the oldest encryption key be retired without
changing a single stored hash: put ``lookup:<that key's base64>`` in ``FIELD_KEYS`` first.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_NONCE = 12
_TAG = 16
LOOKUP_KEY_ID = "lookup"
"""Reserved key id: the root of the lookup-hash key, never used to encrypt or decrypt."""
_LOOKUP_LABEL = b"jiujinban/field-lookup-hash/v1"


class DecryptionFailed(Exception):
    """The value was tampered with, or its key is not in the ring."""


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize()


class FieldCipher:
    def __init__(self, keys: Mapping[str, bytes], *, lookup_key: bytes | None = None) -> None:
        ring = {key_id: key for key_id, key in keys.items() if key_id != LOOKUP_KEY_ID}
        if not ring:
            raise ValueError("the key ring is empty")
        self._keys = ring
        self.current_key_id = next(iter(ring))
        root = lookup_key if lookup_key is not None else keys.get(LOOKUP_KEY_ID)
        self.lookup_key_pinned = root is not None
        """False while the lookup key still hangs on the oldest encryption key (see module doc)."""
        self._lookup_key = hmac_sm3(
            root if root is not None else list(ring.values())[-1], _LOOKUP_LABEL
        )

    def __repr__(self) -> str:
        return f"FieldCipher(key_ids={list(self._keys)!r}, current={self.current_key_id!r})"

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt ``plaintext``; ``context`` (e.g. ``citizen.id_number:<id>``) is bound as AAD."""
        key_id = self.current_key_id
        nonce = os.urandom(_NONCE)
        encryptor = Cipher(algorithms.SM4(self._keys[key_id]), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(f"{key_id}|{context}".encode())
        body = encryptor.update(plaintext.encode()) + encryptor.finalize()
        return f"{key_id}:{base64.b64encode(nonce + body + encryptor.tag).decode()}"

    def decrypt(self, stored: str, *, context: str) -> str:
        key_id, sep, b64 = stored.partition(":")
        key = self._keys.get(key_id)
        if not sep or key is None:
            raise DecryptionFailed(f"unknown key id {key_id!r}")
        try:
            raw = base64.b64decode(b64, validate=True)
        except ValueError as exc:
            raise DecryptionFailed("not base64") from exc
        if len(raw) < _NONCE + _TAG:
            raise DecryptionFailed("too short")
        nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(f"{key_id}|{context}".encode())
        try:
            return (decryptor.update(body) + decryptor.finalize()).decode()
        except InvalidTag as exc:
            raise DecryptionFailed("authentication tag mismatch") from exc

    def key_id_of(self, stored: str) -> str:
        return stored.partition(":")[0]

    def needs_rotation(self, stored: str) -> bool:
        """True when ``stored`` is not under the current encryption key."""
        return self.key_id_of(stored) != self.current_key_id

    def reencrypt(self, stored: str, *, context: str) -> str:
        """``stored`` under the current key (unchanged when it already is)."""
        if not self.needs_rotation(stored):
            return stored
        return self.encrypt(self.decrypt(stored, context=context), context=context)

    def lookup_hash(self, value: str, *, context: str) -> str:
        """A keyed HMAC-SM3 of ``value`` for exact lookup; stable across key rotation."""
        return hmac_sm3(self._lookup_key, f"{context}|{value}".encode()).hex()
