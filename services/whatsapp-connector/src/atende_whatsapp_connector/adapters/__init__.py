"""Real implementations of the connector's ports: Graph API over httpx, Redis memories and limiter."""
