import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AuditEntryRecorded(_message.Message):
    __slots__ = ("entry_id", "occurred_at", "actor_kind", "actor_id", "action", "target", "source", "outcome", "details", "source_ip")
    class ActorKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ACTOR_KIND_UNSPECIFIED: _ClassVar[AuditEntryRecorded.ActorKind]
        ACTOR_KIND_OPERATOR: _ClassVar[AuditEntryRecorded.ActorKind]
        ACTOR_KIND_BOT: _ClassVar[AuditEntryRecorded.ActorKind]
        ACTOR_KIND_SYSTEM: _ClassVar[AuditEntryRecorded.ActorKind]
    ACTOR_KIND_UNSPECIFIED: AuditEntryRecorded.ActorKind
    ACTOR_KIND_OPERATOR: AuditEntryRecorded.ActorKind
    ACTOR_KIND_BOT: AuditEntryRecorded.ActorKind
    ACTOR_KIND_SYSTEM: AuditEntryRecorded.ActorKind
    class DetailsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_KIND_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IP_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    occurred_at: _timestamp_pb2.Timestamp
    actor_kind: AuditEntryRecorded.ActorKind
    actor_id: str
    action: str
    target: str
    source: str
    outcome: str
    details: _containers.ScalarMap[str, str]
    source_ip: str
    def __init__(self, entry_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor_kind: _Optional[_Union[AuditEntryRecorded.ActorKind, str]] = ..., actor_id: _Optional[str] = ..., action: _Optional[str] = ..., target: _Optional[str] = ..., source: _Optional[str] = ..., outcome: _Optional[str] = ..., details: _Optional[_Mapping[str, str]] = ..., source_ip: _Optional[str] = ...) -> None: ...
