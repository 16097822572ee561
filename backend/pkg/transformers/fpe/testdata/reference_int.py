#!/usr/bin/env python3
"""Independent reference of fpe.IntPermutation (see the package doc), used
to compute the known-answer vectors of TestIntVectors apart from the Go code.
Needs the `cryptography` package. Run: python3 testdata/reference_int.py"""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ROUNDS = 10


def derive(key, kind, domain, tweak):
    """AES-128 under HMAC-SHA256(key, len||"neosync-fpe-v1" || len||kind || len||domain || len||tweak)."""
    m = hmac.new(key, digestmod=hashlib.sha256)
    for part in [b"neosync-fpe-v1", kind, domain, tweak]:
        m.update(struct.pack(">Q", len(part)))
        m.update(part)
    return Cipher(algorithms.AES(m.digest()[:16]), modes.ECB()).encryptor()


def even_width(max_idx):
    w = max(max_idx.bit_length(), 2)
    return w + w % 2


def permute_int(key, lo, hi, tweak, x):
    aes = derive(key, b"int", struct.pack(">qq", lo, hi), tweak)
    max_idx = (hi - lo) % (1 << 64)
    if max_idx == 0:
        return x
    h = even_width(max_idx) // 2
    mask = (1 << h) - 1
    v = (x - lo) % (1 << 64)
    while True:  # cycle-walk until the value is back in the domain
        left, right = v >> h, v & mask
        for i in range(ROUNDS):
            block = bytes([i, 0]) + bytes(6) + struct.pack("<Q", right)
            f = struct.unpack("<Q", aes.update(block)[:8])[0] & mask
            left, right = right, left ^ f
        v = left << h | right
        if v <= max_idx:
            break
    y = (lo + v) % (1 << 64)
    return y - (1 << 64) if y >= 1 << 63 else y


if __name__ == "__main__":
    key, tweak = b"neosync-fpe-kat-key", b"kat"
    print([permute_int(key, 0, 9, tweak, x) for x in [0, 1, 2, 9]])
    print([permute_int(key, 1, 1000000, tweak, x) for x in [1, 2, 42, 1000000]])
    print([permute_int(key, -(2**63), 2**63 - 1, tweak, x) for x in [-(2**63), -1, 0, 1, 2**63 - 1]])
