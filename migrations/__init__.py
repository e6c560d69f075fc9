"""Piccolo migrations, one folder per domain app (reviewed by hand; never edited once landed)."""
