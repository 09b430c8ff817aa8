"""Pure simulator logic: validation, limits, templates, webhook payloads. No I/O, no framework."""
