"""Shared parts of the portal: sign-in, errors, the menu, texts, security and vendor files."""
