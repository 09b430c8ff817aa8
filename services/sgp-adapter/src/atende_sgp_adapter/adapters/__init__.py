"""Real implementations of the ports (SGP over httpx, Redis cache and ledger)."""
