"""Atende auth service."""
