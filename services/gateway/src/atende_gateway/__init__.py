"""Atende gateway: the public edge of the platform."""
