"""The cases context's SQL: the only modules that import its tables (docs/architecture.md)."""
