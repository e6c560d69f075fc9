"""Shared parts of the portal: sign-in, errors, the menu, texts, security, vendor files, and the
pages every staff role shares (the bell and its notices)."""
