"""Atende campaign scheduler service."""
