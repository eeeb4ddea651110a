#!/usr/bin/env python3
"""Computes the key-derivation vectors of Tests/DevKitTests/KeyDerivationTests.swift
and Tests/IRMdTests/KeyExchangeTests.swift independently of swift-crypto, with
PyPI `cryptography` (spec host.md §7.8). Run once; the output is committed in the tests."""
import hashlib
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DIGESTS = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512,
           "sha3-256": hashes.SHA3_256, "sha3-384": hashes.SHA3_384, "sha3-512": hashes.SHA3_512}


def hkdf(secret, salt, info, digest="sha256"):
    return HKDF(algorithm=DIGESTS[digest](), length=32, salt=salt, info=info).derive(secret)


def dhe_salt(a, b):
    n = min(len(a), len(b))
    first = a[:n] < b[:n] or (a[:n] == b[:n] and len(a) < len(b))
    return hashlib.sha256(a + b if first else b + a).digest()


def der(pub):
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


secret = bytes(range(48))
salt = hashlib.sha256(b"salt").digest()
for name in DIGESTS:
    print("hkdf", name, hkdf(secret, salt, b"o7s-ossl-dhe", name).hex())

key = bytes.fromhex("9fe9dd71dc5928c2fe1be22d2ac42dbc0529c156a3940ac340d26eb008639e3b")
rot_salt = hashlib.sha256(key).digest()
k1 = hkdf(key, rot_salt, b"o7s-key-rotation")
k2 = hkdf(k1, rot_salt, b"o7s-key-rotation")
print("rotation1", k1.hex())
print("rotation2", k2.hex())

a = x25519.X25519PrivateKey.from_private_bytes(bytes([1] * 32))
b = x25519.X25519PrivateKey.from_private_bytes(bytes([2] * 32))
shared = a.exchange(b.public_key())
print("x25519 a.pub", der(a.public_key()).hex())
print("x25519 b.pub", der(b.public_key()).hex())
print("x25519 key sha256", hkdf(shared, dhe_salt(der(a.public_key()), der(b.public_key())), b"o7s-ossl-dhe").hex())
print("x25519 key sha384", hkdf(shared, dhe_salt(der(a.public_key()), der(b.public_key())), b"o7s-ossl-dhe", "sha384").hex())

p = ec.derive_private_key(int.from_bytes(bytes([3] * 32), "big"), ec.SECP256R1())
q = ec.derive_private_key(int.from_bytes(bytes([4] * 32), "big"), ec.SECP256R1())
shared = p.exchange(ec.ECDH(), q.public_key())
print("p256 key", hkdf(shared, dhe_salt(der(p.public_key()), der(q.public_key())), b"o7s-ossl-dhe").hex())

kem_secret = bytes(range(64))
recipient = bytes(range(256)) * 4
print("kem key", hkdf(kem_secret, hashlib.sha256(recipient).digest(), b"o7s-ossl-encap", "sha3-256").hex())
