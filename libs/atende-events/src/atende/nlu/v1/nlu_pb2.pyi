from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Turn(_message.Message):
    __slots__ = ("role", "text")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    role: str
    text: str
    def __init__(self, role: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class AnalyzeText(_message.Message):
    __slots__ = ("request_id", "conversation_id", "text", "context", "message_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    conversation_id: str
    text: str
    context: _containers.RepeatedCompositeFieldContainer[Turn]
    message_id: str
    def __init__(self, request_id: _Optional[str] = ..., conversation_id: _Optional[str] = ..., text: _Optional[str] = ..., context: _Optional[_Iterable[_Union[Turn, _Mapping]]] = ..., message_id: _Optional[str] = ...) -> None: ...

class Entity(_message.Message):
    __slots__ = ("type", "value", "raw", "valid")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    RAW_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    type: str
    value: str
    raw: str
    valid: bool
    def __init__(self, type: _Optional[str] = ..., value: _Optional[str] = ..., raw: _Optional[str] = ..., valid: _Optional[bool] = ...) -> None: ...

class TextAnalyzed(_message.Message):
    __slots__ = ("request_id", "conversation_id", "intent", "confidence", "secondary_intent", "secondary_confidence", "entities", "sentiment", "sentiment_score", "model", "latency_ms", "message_id", "sentiment_intensity")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    SECONDARY_INTENT_FIELD_NUMBER: _ClassVar[int]
    SECONDARY_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    SENTIMENT_FIELD_NUMBER: _ClassVar[int]
    SENTIMENT_SCORE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SENTIMENT_INTENSITY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    conversation_id: str
    intent: str
    confidence: float
    secondary_intent: str
    secondary_confidence: float
    entities: _containers.RepeatedCompositeFieldContainer[Entity]
    sentiment: str
    sentiment_score: float
    model: str
    latency_ms: float
    message_id: str
    sentiment_intensity: float
    def __init__(self, request_id: _Optional[str] = ..., conversation_id: _Optional[str] = ..., intent: _Optional[str] = ..., confidence: _Optional[float] = ..., secondary_intent: _Optional[str] = ..., secondary_confidence: _Optional[float] = ..., entities: _Optional[_Iterable[_Union[Entity, _Mapping]]] = ..., sentiment: _Optional[str] = ..., sentiment_score: _Optional[float] = ..., model: _Optional[str] = ..., latency_ms: _Optional[float] = ..., message_id: _Optional[str] = ..., sentiment_intensity: _Optional[float] = ...) -> None: ...

class IntentCorrected(_message.Message):
    __slots__ = ("conversation_id", "text", "predicted_intent", "corrected_intent", "agent_id", "message_id")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_INTENT_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_INTENT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    text: str
    predicted_intent: str
    corrected_intent: str
    agent_id: str
    message_id: str
    def __init__(self, conversation_id: _Optional[str] = ..., text: _Optional[str] = ..., predicted_intent: _Optional[str] = ..., corrected_intent: _Optional[str] = ..., agent_id: _Optional[str] = ..., message_id: _Optional[str] = ...) -> None: ...
