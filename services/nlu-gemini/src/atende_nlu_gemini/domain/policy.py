"""Which model to ask: local-first (default), llm-first, or both."""

from __future__ import annotations

from enum import StrEnum


class Policy(StrEnum):
    """NLU_POLICY values."""

    LOCAL_FIRST = "local-first"
    LLM_FIRST = "llm-first"
    BOTH = "both"

    @classmethod
    def parse(cls, value: str) -> Policy:
        """Accept 'local-first', 'local_first', 'LOCAL_FIRST'..."""
        return cls(value.strip().lower().replace("_", "-"))


def should_ask_llm(policy: Policy, *, local_confidence: float, threshold: float) -> bool:
    """Whether the LLM is consulted for a message the local model scored ``local_confidence``."""
    if policy is Policy.LOCAL_FIRST:
        return local_confidence < threshold
    return True
