"""AES-256-CBC for the order/fill notice streams.

KIS encrypts the notice TRs (``H0STCNI0``/``H0STCNI9`` and friends) so that an account's
fills never cross the wire in clear text. Each subscription ack announces a 32-character
key and a 16-character iv (ASCII, used as raw bytes); every data frame flagged ``1`` is the
base64 of the AES-256-CBC ciphertext of the ``^``-joined values, PKCS7-padded.

Both sides live here so that the simulator encrypts exactly what the SDK decrypts.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import string

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["CipherError", "decrypt", "encrypt", "new_key_iv"]

_ALPHABET = string.ascii_letters + string.digits


class CipherError(ValueError):
    """The payload could not be decrypted (bad base64, bad padding, wrong key)."""


def new_key_iv() -> tuple[str, str]:
    """A fresh random (32-char key, 16-char iv), in the alphabet KIS uses."""
    key = "".join(secrets.choice(_ALPHABET) for _ in range(32))
    iv = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return key, iv


def _cipher(key: str, iv: str) -> Cipher[modes.CBC]:
    kb, ib = key.encode("ascii"), iv.encode("ascii")
    if len(kb) != 32 or len(ib) != 16:
        raise CipherError("AES-256-CBC needs a 32-byte key and a 16-byte iv")
    return Cipher(algorithms.AES(kb), modes.CBC(ib))


def encrypt(plain: str, key: str, iv: str) -> str:
    """``plain`` (UTF-8) → base64 ciphertext, as the server sends it."""
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain.encode("utf-8")) + padder.finalize()
    enc = _cipher(key, iv).encryptor()
    return base64.b64encode(enc.update(data) + enc.finalize()).decode("ascii")


def decrypt(payload: str, key: str, iv: str) -> str:
    """base64 ciphertext → text. Raises :class:`CipherError` on anything malformed."""
    try:
        raw = base64.b64decode(payload.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CipherError(f"notice payload is not base64: {exc}") from None
    if not raw or len(raw) % 16:
        raise CipherError("notice payload is not a whole number of AES blocks")
    try:
        dec = _cipher(key, iv).decryptor()
        data = dec.update(raw) + dec.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        plain = unpadder.update(data) + unpadder.finalize()
        return plain.decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise CipherError(f"notice payload does not decrypt: {type(exc).__name__}") from None
