"""The transactional outbox: work written with the state change, delivered at least once by arq."""
