"""Domain-free API plumbing: token auth, errors, pagination, throttling, idempotency."""
