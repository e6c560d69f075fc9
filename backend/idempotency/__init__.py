"""Idempotency keys for create routes: the same key and body answer the first result for 24 h."""
