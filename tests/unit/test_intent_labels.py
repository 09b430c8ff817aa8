"""The gateway validates corrections against atende_core's copy of the NLU's intent labels."""

from __future__ import annotations

import pytest

from atende_core.nlu_labels import INTENTS
from atende_nlu_gemini.domain.labels import Intent

pytestmark = pytest.mark.unit


def test_the_shared_intent_labels_are_the_nlus() -> None:
    assert tuple(i.value for i in Intent) == INTENTS
