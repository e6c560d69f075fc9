"""Identity: citizens (WeChat login, real-name binding, their personal data and PIPL rights)
and staff accounts (password login, roles scoped to areas)."""
