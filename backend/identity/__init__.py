"""Identity: citizens (WeChat login) and staff accounts (password login, roles scoped to areas)."""
