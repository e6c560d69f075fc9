"""The audit log: every read of a full ID number or a material, append-only and hash-chained."""
