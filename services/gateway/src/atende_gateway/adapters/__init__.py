"""Real implementations of what the gateway needs from the world (Kafka)."""
