"""Pure WhatsApp logic: webhook models and parsing, statuses, outbound payloads, limits, error classes."""
