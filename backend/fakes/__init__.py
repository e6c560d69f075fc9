"""Local stand-ins for external services, for tests and for the offline demo."""
