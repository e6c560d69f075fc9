"""Field encryption for personal data at rest: SM4-GCM with a key id, and HMAC-SM3 lookup hashes.

A stored value looks like ``<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``; the first key of the ring
encrypts, every key of the ring decrypts, so keys rotate without downtime.
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


class DecryptionFailed(Exception):
    """The value was tampered with, or its key is not in the ring."""


class FieldCipher:
    def __init__(self, keys: Mapping[str, bytes]) -> None:
        if not keys:
            raise ValueError("the key ring is empty")
        self._keys = dict(keys)
        self.current_key_id = next(iter(self._keys))

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt ``plaintext``; ``context`` (e.g. ``citizen.id_number``) is bound as AAD."""
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
        raw = base64.b64decode(b64)
        nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(f"{key_id}|{context}".encode())
        try:
            return (decryptor.update(body) + decryptor.finalize()).decode()
        except InvalidTag as exc:
            raise DecryptionFailed("authentication tag mismatch") from exc

    def key_id_of(self, stored: str) -> str:
        return stored.partition(":")[0]

    def lookup_hash(self, value: str, *, context: str) -> str:
        """A keyed HMAC-SM3 of ``value`` for exact lookup; stable across key rotation."""
        mac = hmac.HMAC(self._hash_key(), hashes.SM3())
        mac.update(f"{context}|{value}".encode())
        return mac.finalize().hex()

    def _hash_key(self) -> bytes:
        # Lookup hashes must not change when a new encryption key is put in front of the ring,
        # so they always use the oldest key (the last one).
        return list(self._keys.values())[-1]
