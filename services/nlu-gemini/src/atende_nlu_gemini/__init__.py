"""Atende NLU service: intents, entities and sentiment for pt-BR customer messages."""
