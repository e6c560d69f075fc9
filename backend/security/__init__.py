"""Cryptography the domains share: password hashing and personal-data encryption."""
