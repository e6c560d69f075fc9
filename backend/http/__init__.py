"""HTTP plumbing shared by every context: problem documents, authentication, request ids."""
