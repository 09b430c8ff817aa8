"""Atende WhatsApp connector: everything the platform knows about the WhatsApp Cloud API."""
