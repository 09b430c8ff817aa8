"""Real implementations of the auth service's ports."""
