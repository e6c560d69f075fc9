"""The administrator's and every account's own pages (the password change)."""
