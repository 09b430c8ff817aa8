"""Atende notifier service."""
