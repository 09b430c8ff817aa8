"""WhatsApp Cloud API simulator: Graph API endpoints, signed webhooks and a chat page."""

__all__ = ["__version__"]

__version__ = "0.1.0"
