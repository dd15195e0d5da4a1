#!/usr/bin/env python3
"""Prints a MapGateway users-file line: `<name> pbkdf2-sha256$<iterations>$<salt hex>$<key hex>`.

    scripts/hash-password.py alice            # asks for the password
Put the line in the file given to MapGateway --users-file (GATEWAY_USERS_FILE).
"""
import getpass, hashlib, os, sys

ITERATIONS = 200_000  # ~0.1 s per check; the gateway caches a verified credential in memory

name = sys.argv[1] if len(sys.argv) > 1 else input("user: ")
password = getpass.getpass("password: ")
salt = os.urandom(16)
key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS, 32)
print(f"{name} pbkdf2-sha256${ITERATIONS}${salt.hex()}${key.hex()}")
