"""Real implementations of the ports: Redis hot state and timers, MongoDB transcripts, Kafka mapping."""
