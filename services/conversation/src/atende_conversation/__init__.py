"""Atende conversation service: the dialogue with each customer."""
